"""Recovery calendar arithmetic: turn "2 days" into real dates. Pure functions only."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..clinic.profile import ClinicProfile
    from .request import HandoutRequest


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


@dataclass(frozen=True)
class Limit:
    """One restriction: it ends on ``end``, never before its own minimum duration."""

    key: str
    end: dt.date
    until_visit: bool  # True only when a booked visit falls on or after the minimum


#: Each restriction and the parameter holding its minimum duration in days.
LIMIT_MINIMUMS = (("lifting", "lifting_min_days"), ("bending", "bending_min_days"),
                  ("soaking", "soaking_min_days"))


def restriction_limits(procedure_date: dt.date, params: Mapping[str, Any],
                       follow_up_date: dt.date | None) -> dict[str, Limit]:
    """When each restriction ends. A visit booked before a limit's minimum never shortens
    it: then the handout prints the minimum's date instead of "until your follow-up visit"."""
    out = {}
    for key, param in LIMIT_MINIMUMS:
        minimum = procedure_date + dt.timedelta(days=int(params[param]))
        at_visit = follow_up_date is not None and follow_up_date >= minimum
        out[key] = Limit(key, follow_up_date if at_visit and follow_up_date else minimum,
                         at_visit)
    return out


def calendar_events(procedure_date: dt.date, params: Mapping[str, Any],
                    follow_up_date: dt.date | None) -> list[tuple[dt.date, list[str]]]:
    """The recovery calendar: (date, event ids) in date order, one row per date.

    Event ids name the sentence the template prints. Events on the same day share a row,
    in the order listed here (so "bandages off" comes before "shower").
    """
    dates = recovery_dates(procedure_date, params, follow_up_date)
    limits = restriction_limits(procedure_date, params, follow_up_date)
    events: list[tuple[dt.date, str]] = [
        (dates["procedure"], "procedure"),
        (dates["day1"], "day1"),
        (dates["bandage_off"], "bandage_off"),
        (dates["shower"], "shower"),
        (dates["day3"], "pain_relief"),
    ]
    if params["no_driving_hours"] > 0:
        events.append((dates["driving"], "driving"))
    events.append((dates["desk_work"], "desk_work"))
    events.append((dates["follow_up"], "follow_up" if follow_up_date else "book_visit"))
    # A limit that ends at the visit is covered by the visit row ("ask when you can lift
    # more"); a limit "until the doctor clears it" has no end date to print.
    dated = {"lifting": True, "bending": params["bending_restriction"] == "until_follow_up",
             "soaking": params["tub_bath"] == "until_follow_up"}
    ends = [limit for limit in limits.values()
            if dated[limit.key] and limit.end != dates["follow_up"]]
    if len(ends) == len(limits) and len({limit.end for limit in ends}) == 1:
        events.append((ends[0].end, "limits_end"))
    else:
        events += [(limit.end, f"{limit.key}_end") for limit in ends]
    events += [(dates["week3"], "light_work"), (dates["week6"], "healed"),
               (dates["month3"], "month3")]
    rows: dict[dt.date, list[str]] = {}
    for day, event in sorted(events, key=lambda e: e[0]):  # stable: same-day order kept
        rows.setdefault(day, []).append(event)
    return list(rows.items())


def request_warnings(request: HandoutRequest, clinic: ClinicProfile) -> list[str]:
    """Things the nurse should check before printing (the handout still prints).

    Plain sentences naming the field, never its value (the CLI prints them on stderr; the
    form shows them next to the follow-up date).
    """
    fu = request.follow_up_date
    if fu is None:
        return []
    p = clinic.parameters
    dates = recovery_dates(request.procedure_date, p, fu)
    warnings = []
    care_day = max(dates["bandage_off"], dates["shower"])
    if fu < care_day:
        warnings.append(
            "Follow-up date is before the bandages come off and the first shower "
            f"(day {(care_day - request.procedure_date).days}); check the date. The handout "
            "keeps the bandage, shower and activity dates as the clinic set them.")
    return warnings


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
