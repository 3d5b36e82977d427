"""Calendar arithmetic and what the levels mean."""

from __future__ import annotations

import datetime as dt

import pytest

from dischargedesk.clinic.parameters import defaults
from dischargedesk.domain.calendar import add_months, days_for_hours, recovery_dates
from dischargedesk.domain.levels import LevelFacts, gaps, parse_level, spine_order
from dischargedesk.render.language import day_text, full_date_text, list_text


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # leap year
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 10, 15), 3, dt.date(2027, 1, 15)),
    (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_hours_to_days():
    assert [days_for_hours(h) for h in (0, 12, 24, 36, 48, 49)] == [0, 1, 1, 2, 2, 3]


def test_recovery_dates_defaults_across_year_end():
    d = recovery_dates(dt.date(2026, 12, 30), defaults(), None)
    assert d["day2"] == dt.date(2027, 1, 1)
    assert d["shower"] == dt.date(2027, 1, 1)
    assert d["follow_up"] == dt.date(2027, 1, 13)
    assert d["month3"] == dt.date(2027, 3, 30)
    assert d["desk_work"] == dt.date(2027, 1, 6)


def test_recovery_dates_leap_day_and_booked_follow_up():
    p = defaults() | {"first_shower_hours": 24, "follow_up_days": 7}
    d = recovery_dates(dt.date(2028, 2, 28), p, dt.date(2028, 3, 9))
    assert d["day1"] == dt.date(2028, 2, 29)
    assert d["shower"] == dt.date(2028, 2, 29)
    assert d["follow_up"] == dt.date(2028, 3, 9)


def test_weekday_names():
    assert day_text(dt.date(2026, 3, 6), "en") == "Friday, March 6"
    assert day_text(dt.date(2028, 2, 29), "en") == "Tuesday, February 29"
    assert full_date_text(dt.date(2026, 11, 25), "en") == "Wednesday, November 25, 2026"
    # inside a sentence Spanish writes the weekday in lower case (issue 12)
    assert day_text(dt.date(2026, 3, 6), "es") == "viernes, 6 de marzo"


def test_level_parsing_and_order():
    assert parse_level("t12") == "T12"
    assert parse_level("L 1") == "L1"
    assert parse_level("C7") is None
    assert spine_order(["S1", "L1", "T12", "T2", "L1"]) == ["T2", "T12", "L1", "S1"]
    assert list_text(["T11", "T12", "L1"], "en") == "T11, T12, and L1"
    assert list_text(["T12", "L1"], "en") == "T12 and L1"


def test_gaps():
    assert gaps(["T12", "L2"]) == ["L1"]
    assert gaps(["T11", "L2"]) == ["T12", "L1"]
    assert gaps(["T12", "L1"]) == []
    assert gaps(["L5", "S1"]) == []


@pytest.mark.parametrize(("names", "count", "lung", "thoracic"), [
    (("L2",), 1, False, False),
    (("L1", "L2"), 2, False, False),
    (("L1", "L2", "L3"), 3, True, False),
    (("T8",), 1, True, True),
    ((), 3, True, False),
    ((), 2, True, False),  # levels not recorded: could be thoracic
    ((), 1, True, False),
])
def test_lung_risk(names, count, lung, thoracic):
    f = LevelFacts(names, count)
    assert f.lung_risk is lung
    assert f.thoracic is thoracic


def test_repeated_levels_are_reported_in_spine_order():
    from dischargedesk.domain.levels import repeated

    assert repeated(["L1", "T12", "L1", "T12", "S1"]) == ["T12", "L1"]
    assert repeated(["T12", "L1"]) == []
