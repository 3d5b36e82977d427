"""Recovery calendar arithmetic: turn "2 days" into real dates. Pure functions only."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
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


# -- typed dates and times (the form and the CLI read what people type) -----------------------

_ISO_RE = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_THREE_NUMBERS_RE = re.compile(r"^(\d{1,4})\s*[-/.]\s*(\d{1,4})\s*[-/.]\s*(\d{1,4})$")
_TIME_RE = re.compile(r"^(\d{1,2})(?:\s*[:.h]\s*(\d{2})|(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$",
                      re.IGNORECASE)
SHORT_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


class TypedValueError(ValueError):
    """What is wrong with a typed date or time, as the end of a sentence (never the value)."""


def date_example(order: str, day: dt.date = dt.date(2026, 11, 30)) -> str:
    """``day`` written in the numeric order ``order`` ("MDY", "DMY"; "YMD" or "": ISO)."""
    parts = {"Y": f"{day.year:04d}", "M": f"{day.month:02d}", "D": f"{day.day:02d}"}
    if order in ("YMD", ""):
        return day.isoformat()
    return "/".join(parts[c] for c in order)


def parse_date_text(text: str, order: str = "MDY") -> dt.date:
    """A typed date: ``YYYY-MM-DD`` (also ``YYYYMMDD``) or three numbers in the locale's
    ``order`` with a four-digit year (``03/04/1948`` for "MDY"; ``order`` "" accepts only
    the first two). Never guesses: anything else raises :class:`TypedValueError`."""
    text = text.strip()
    numbers: tuple[int, int, int] | None = None
    m = _ISO_RE.match(text) or _COMPACT_RE.match(text)
    if m:
        numbers = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    else:
        m = _THREE_NUMBERS_RE.match(text)
        if m is None:
            raise TypedValueError("is not a complete date")
        if not order:
            raise TypedValueError("is not written as YYYY-MM-DD")
        groups = dict(zip(order, m.groups(), strict=True))
        if len(groups["Y"]) != 4:
            raise TypedValueError("needs the year with four digits")
        if len(groups["M"]) > 2 or len(groups["D"]) > 2:
            raise TypedValueError("is not a complete date")
        numbers = (int(groups["Y"]), int(groups["M"]), int(groups["D"]))
    try:
        return dt.date(*numbers)
    except ValueError:
        raise TypedValueError("is not a real date") from None


def parse_time_text(text: str) -> dt.time:
    """A typed time of day: ``14:30``, ``1430``, ``9:30``, ``930``, ``2:30 pm``."""
    m = _TIME_RE.match(text.strip())
    if m is None:
        raise TypedValueError("is not a time of day")
    hour = int(m.group(1))
    minute = int(m.group(2) or m.group(3) or 0)
    half = (m.group(4) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise TypedValueError("is not a time of day")
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise TypedValueError("is not a time of day")
    return dt.time(hour, minute)


def weekday_date_text(day: dt.date) -> str:
    """"Wed, Mar 4, 1948": a date nobody can read in the wrong order."""
    return f"{SHORT_WEEKDAYS[day.weekday()]}, {SHORT_MONTHS[day.month - 1]} {day.day}, {day.year}"


PROCEDURE_DATE_WARNING = ("The procedure date is not today or yesterday; check it, because "
                          "every date in the handouts is counted from it.")


def procedure_date_warning(procedure_date: dt.date, today: dt.date) -> str:
    """A sentence when the procedure date is neither today nor yesterday (else "")."""
    if procedure_date in (today, today - dt.timedelta(days=1)):
        return ""
    return PROCEDURE_DATE_WARNING
