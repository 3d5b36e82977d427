"""What people type: dates (ISO and the locale's numeric order), times, level lists and
ranges, and the procedure-date warning. Pure domain functions, no Qt."""

from __future__ import annotations

import datetime as dt

import pytest

from dischargedesk.domain.calendar import (
    TypedValueError,
    date_example,
    parse_date_text,
    parse_time_text,
    procedure_date_warning,
    weekday_date_text,
)
from dischargedesk.domain.levels import format_levels, level_tokens


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2026-12-16", "MDY", dt.date(2026, 12, 16)),
    ("2026-11-30", "DMY", dt.date(2026, 11, 30)),
    (" 1948-3-4 ", "MDY", dt.date(1948, 3, 4)),
    ("20261216", "MDY", dt.date(2026, 12, 16)),
    ("03/04/1948", "MDY", dt.date(1948, 3, 4)),
    ("03/04/1948", "DMY", dt.date(1948, 4, 3)),
    ("4.3.1948", "DMY", dt.date(1948, 3, 4)),
    ("1948/03/04", "YMD", dt.date(1948, 3, 4)),
])
def test_dates_read_as_typed(text, order, expected):
    assert parse_date_text(text, order) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "complete"), ("2026-1", "complete"), ("2026-12-", "complete"), ("2026", "complete"),
    ("2026-02-30", "real date"), ("13/01/2026", "real date"), ("3/4/48", "four digits"),
    ("Mar 4 1948", "complete"), ("2026-12-16x", "complete"), ("123/4/1948", "complete"),
])
def test_incomplete_or_impossible_dates_are_refused(text, reason):
    with pytest.raises(TypedValueError, match=reason):
        parse_date_text(text, "MDY")


@pytest.mark.parametrize(("text", "expected"), [
    ("14:30", dt.time(14, 30)), ("1430", dt.time(14, 30)), ("930", dt.time(9, 30)),
    ("9:05", dt.time(9, 5)), ("9.05", dt.time(9, 5)), ("2:30 pm", dt.time(14, 30)),
    ("12 am", dt.time(0, 0)), ("12:15 PM", dt.time(12, 15)), ("7", dt.time(7, 0)),
])
def test_times_read_as_typed(text, expected):
    assert parse_time_text(text) == expected


@pytest.mark.parametrize("text", ["25:00", "10:3", "10:60", "13 pm", "ten", "10:30x", ""])
def test_bad_times_are_refused(text):
    with pytest.raises(TypedValueError):
        parse_time_text(text)


def test_dates_shown_back_unambiguously():
    assert weekday_date_text(dt.date(1948, 3, 4)) == "Thu, Mar 4, 1948"
    assert date_example("MDY") == "11/30/2026"
    assert date_example("DMY") == "30/11/2026"
    assert date_example("YMD") == "2026-11-30"
    assert date_example("") == "2026-11-30"


def test_without_a_known_locale_order_only_iso_is_read():
    assert parse_date_text("1948-03-04", "") == dt.date(1948, 3, 4)
    with pytest.raises(TypedValueError, match="YYYY-MM-DD"):
        parse_date_text("03/04/1948", "")


def test_procedure_date_warning_unless_today_or_yesterday():
    today = dt.date(2026, 11, 25)
    assert procedure_date_warning(today, today) == ""
    assert procedure_date_warning(today - dt.timedelta(days=1), today) == ""
    for days in (-2, 1, 14, -365):
        warning = procedure_date_warning(today + dt.timedelta(days=days), today)
        assert "not today or yesterday" in warning
        assert "2026" not in warning


def test_level_tokens_and_ranges():
    assert level_tokens("T12 L1") == ["T12", "L1"]
    assert level_tokens("T12, L1") == ["T12", "L1"]
    assert level_tokens("T11-L1") == ["T11", "T12", "L1"]
    assert level_tokens("t11 \u2013 l1") == ["T11", "T12", "L1"]
    assert level_tokens("L1 to T11") == ["T11", "T12", "L1"]
    assert level_tokens("T12 - L2, S1") == ["T12", "L1", "L2", "S1"]
    assert level_tokens("T1-X") == ["T1-X"]  # reported by the validation as typed
    assert level_tokens("T12-") == ["T12-"]
    assert format_levels(["L1", "T12", "L1"]) == "T12 L1"


def test_request_reads_a_level_range(make_request):
    from dischargedesk.errors import RequestError

    assert make_request(levels="T11-L1").levels == ("T11", "T12", "L1")
    with pytest.raises(RequestError) as err:
        make_request(levels="T12-L9")
    assert err.value.field == "levels"
    with pytest.raises(RequestError, match="at most 10"):
        make_request(levels="T1-L5")
