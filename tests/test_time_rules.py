"""Restriction durations and the recovery calendar (domain/calendar.py), as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from dischargedesk.clinic.parameters import defaults
from dischargedesk.domain.calendar import calendar_events, restriction_limits

DAY0 = dt.date(2026, 11, 25)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.mark.parametrize(("visit", "end", "until_visit"), [
    (1, 14, False),  # a visit the next day never ends the limits after one day
    (13, 14, False),
    (14, 14, True),  # the visit falls on the minimum: "until your follow-up visit" is true
    (21, 21, True),
    (None, 14, False),  # not booked: the minimum's date, never "until your visit"
])
def test_limits_never_shorter_than_their_minimum(visit, end, until_visit):
    limits = restriction_limits(DAY0, defaults(), day(visit) if visit is not None else None)
    for limit in limits.values():
        assert limit.end == day(end) and limit.until_visit is until_visit


def test_each_limit_has_its_own_minimum():
    params = defaults() | {"lifting_min_days": 30, "bending_min_days": 10,
                           "soaking_min_days": 5}
    limits = restriction_limits(DAY0, params, day(7))
    assert (limits["lifting"].end, limits["bending"].end, limits["soaking"].end) == \
        (day(30), day(10), day(7))
    assert [limits[k].until_visit for k in ("lifting", "bending", "soaking")] == \
        [False, False, True]


@pytest.mark.parametrize("visit", [1, 2, 9, 14, 20, 21, 40, None])
def test_calendar_is_in_date_order_one_row_per_date(visit):
    rows = calendar_events(DAY0, defaults(), day(visit) if visit is not None else None)
    dates = [d for d, _ in rows]
    assert dates == sorted(dates) and len(dates) == len(set(dates))
    ids = [i for _, events in rows for i in events]
    assert ("book_visit" in ids) is (visit is None) and ("follow_up" in ids) is (visit is not None)
    assert ids.index("bandage_off") < ids.index("shower")  # same day: bandages first


def test_limit_end_row_only_when_the_visit_does_not_end_it():
    early = dict(calendar_events(DAY0, defaults(), day(1)))
    assert early[day(1)] == ["day1", "follow_up"] and early[day(14)] == ["limits_end"]
    usual = [i for _, ev in calendar_events(DAY0, defaults(), day(14)) for i in ev]
    assert not any(i.endswith("_end") for i in usual)
    cleared = defaults() | {"tub_bath": "until_cleared", "bending_restriction": "until_cleared"}
    ids = [i for _, ev in calendar_events(DAY0, cleared, day(1)) for i in ev]
    assert "lifting_end" in ids and "bending_end" not in ids and "soaking_end" not in ids
