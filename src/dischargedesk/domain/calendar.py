"""Recovery calendar arithmetic: turn "2 days" into real dates. Pure functions only."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (Nov 30 + 3 -> Feb 28/29)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def days_for_hours(hours: int | float) -> int:
    """Calendar days a rule of ``hours`` lasts (48 h -> day 2, 36 h -> day 2)."""
    return math.ceil(hours / 24)


def recovery_dates(procedure_date: dt.date, params: Mapping[str, Any],
                   follow_up_date: dt.date | None) -> dict[str, dt.date]:
    """Every date the handouts mention, keyed as the template context names them."""

    def plus(days: int) -> dt.date:
        return procedure_date + dt.timedelta(days=days)

    return {
        "procedure": procedure_date,
        "day1": plus(1),
        "day2": plus(2),
        "day3": plus(3),
        "bandage_off": plus(days_for_hours(params["bandage_removal_hours"])),
        "shower": plus(days_for_hours(params["first_shower_hours"])),
        "driving": plus(days_for_hours(params["no_driving_hours"])),
        "week1": plus(7),
        "desk_work": plus(params["desk_work_days"]),
        "follow_up": follow_up_date or plus(params["follow_up_days"]),
        "week2": plus(14),
        "week3": plus(21),
        "week4": plus(28),
        "week6": plus(42),
        "month3": add_months(procedure_date, 3),
    }
