"""Request validation: every rule gives a plain message naming the field."""

from __future__ import annotations

import datetime as dt

import pytest

from dischargedesk.domain.request import LABELS, MAX_LENGTH, HandoutRequest
from dischargedesk.errors import RequestError

from .conftest import TODAY, base_request_data


def make(**kw):
    return HandoutRequest.from_mapping(base_request_data(**kw), today=TODAY)


def refused(field: str, **kw) -> RequestError:
    with pytest.raises(RequestError) as info:
        make(**kw)
    assert info.value.field == field
    assert info.value.exit_code == 2
    return info.value


def test_valid_request_is_normalised():
    r = make(levels=["l1", " T12 "], medications="a\r\nb\n\n c  d ")
    assert r.levels == ("T12", "L1")
    assert r.medication_lines == ["a", "b", "c d"]
    assert r.procedure_date == TODAY
    assert r.handouts == ("discharge", "recovery")


def test_levels_as_text_and_spine_order():
    assert make(levels="L1, T12 S1").levels == ("T12", "L1", "S1")


@pytest.mark.parametrize("levels", [["T13"], ["C5"], ["L6"], ["X"], ["T0"], "banana"])
def test_untreatable_levels_refused(levels):
    err = refused("levels", levels=levels)
    assert "T1 to T12" in str(err)


def test_levels_or_count_required_and_exclusive():
    refused("levels", levels=None)
    refused("levels", levels=["T12"], level_count=2)
    assert make(levels=None, level_count=3).level_facts.count == 3
    for bad in (0, 11, -1, "x", True):
        refused("level_count", levels=None, level_count=bad)


def test_too_many_levels():
    names = [f"T{i}" for i in range(1, 12)]
    refused("levels", levels=names)


def test_name_required_and_capped():
    refused("patient_name", patient_name="   ")
    err = refused("patient_name", patient_name="A" * 50 + " " + "B" * 50)
    assert "100" in str(err)
    assert make(patient_name=("Ab " * 40)[:100]).patient_name


def test_second_identifier_required():
    err = refused("date_of_birth", date_of_birth=None, mrn=None)
    assert "MRN" in str(err)
    assert make(date_of_birth=None).mrn == "MRN-12345"
    assert make(mrn=None).date_of_birth == dt.date(1950, 6, 15)


@pytest.mark.parametrize("value", ["2026-02-30", "15/06/1950", "yesterday", 12])
def test_bad_dates(value):
    err = refused("date_of_birth", date_of_birth=value)
    assert "2026-03-04" in str(err)


def test_date_rules():
    refused("date_of_birth", date_of_birth="2027-01-01")
    refused("date_of_birth", date_of_birth="1899-12-31")


    refused("procedure_date", procedure_date="2030-01-01")
    refused("procedure_date", procedure_date="2020-01-01")
    refused("follow_up_date", follow_up_date="2026-11-01")
    refused("follow_up_date", follow_up_time="10:30")
    refused("follow_up_time", follow_up_date="2026-12-09", follow_up_time="25:00")
    r = make(follow_up_date="2026-12-09", follow_up_time="10:30:15")
    assert r.follow_up_time == dt.time(10, 30)


def test_choices_and_flags():
    refused("anesthesia", anesthesia="spinal")
    refused("brace", brace="yes")
    refused("handouts", handouts=["discharge", "leaflet"])
    refused("handouts", handouts=[])
    assert make(handouts="recovery").handouts == ("recovery",)
    assert make(handouts=["recovery", "discharge"]).handouts == ("discharge", "recovery")
    refused("procedure", procedure="Kypho Plasty!")
    refused("language", language="english")


def test_unknown_field_refused():
    err = refused("request", pateint_name="x")
    assert "not known" in str(err) and "pateint" not in str(err)


def test_mrn_characters():
    refused("mrn", mrn="12<3>")
    assert make(mrn="A-12/3.4 5").mrn == "A-12/3.4 5"


@pytest.mark.parametrize("field", sorted(MAX_LENGTH))
def test_every_text_field_capped_without_echoing_value(field):
    cap = MAX_LENGTH[field]
    token = "Zq" * (cap // 2 + 1) + "Zq"
    value = " ".join(token[i:i + 20] for i in range(0, len(token), 20))
    err = refused(field, **{field: value})
    assert LABELS[field] in str(err)
    assert "Zq" not in str(err)


def test_control_characters_and_bidi_overrides_removed():
    r = make(patient_name="Ana\x00\x07 \u202eDiaz\ufeff\ue000", caregiver="A\tB")
    assert r.patient_name == "Ana Diaz"
    assert r.caregiver == "A B"


def test_nfc_normalisation():
    assert make(patient_name="Jose\u0301").patient_name == "Jos\u00e9"


def test_right_to_left_refused_with_plain_message():
    err = refused("patient_name", patient_name="שלום")
    assert "right-to-left" in str(err)
    refused("medications", medications="دواء")


def test_long_word_refused():
    refused("medications", medications="x" * 61)


def test_medication_line_limits():
    refused("medications", medications="\n".join(["a"] * 31))
    refused("medications", medications="word " * 41)


def test_round_trip_mapping():
    r = make(follow_up_date="2026-12-09", follow_up_time="09:05", brace=True)
    again = HandoutRequest.from_mapping(r.to_mapping(), today=TODAY)
    assert again == r


# -- issue 11: values never reach a message; invisible names; repeated levels -------------

SECRET = "Qzxwv"  # stands for a surname typed into the wrong place


@pytest.mark.parametrize("levels", [[f"{SECRET}123"], f"T12,{SECRET}", [f"T{SECRET}"],
                                    ["T12", SECRET[:3]]])
def test_a_bad_level_is_named_by_position_never_by_value(levels):
    err = refused("levels", levels=levels)
    assert SECRET not in str(err) and SECRET[:3] not in str(err)
    assert "T1 to T12" in str(err)


def test_an_unknown_field_is_not_quoted():
    with pytest.raises(RequestError) as info:
        HandoutRequest.from_mapping({**base_request_data(), f"{SECRET} Smith": 1}, today=TODAY)
    assert SECRET not in str(info.value) and SECRET not in info.value.field
    assert "patient_name" in str(info.value)  # says which fields are known


@pytest.mark.parametrize("levels", [["T12", "T12"], "T12,T12", ["t12", " T12 "], "L1 T12 L1"])
def test_a_repeated_level_is_refused_naming_it(levels):
    err = refused("levels", levels=levels)
    assert ("T12" in str(err) or "L1" in str(err)) and "twice" in str(err)


@pytest.mark.parametrize("blank", ["\u200d", "\u200c\u200d", "\u2800\u2800", "\u034f",
                                   "\u3164", "\u200b\u2060", " \u00ad "])
def test_a_name_of_invisible_characters_is_missing(blank):
    err = refused("patient_name", patient_name=blank)
    assert "required" in str(err)


def test_an_invisible_optional_value_prints_nothing():
    assert make(physician="\u2800\u200d").physician == ""


@pytest.mark.parametrize("count", ["9" * 5000, 10 ** 5000, "²", "1e3", 3.0, float("nan"),
                                   float("inf")],
                         ids=["5000-digits", "huge-int", "superscript", "1e3", "float",
                              "nan", "inf"])
def test_level_count_that_is_not_a_small_whole_number(count):
    err = refused("level_count", levels=None, level_count=count)
    assert "whole number" in str(err) and "9999" not in str(err)


def test_remembered_texts_give_what_cleaning_gives():
    """A template check cleans its sample entries once (remembering_texts): the same
    requests as cleaning each time, and an entry that is refused is refused every time
    (with the same message); outside the block nothing is remembered."""
    from dischargedesk.domain import request as module

    entries = [{"patient_name": " Ana\u00a0 Díaz "}, {"medications": "one\r\n\r\ntwo\t"},
               {"caregiver": "x" * 200}, {"patient_name": "   "},
               {"follow_up_where": "Room\u200b 4"}]

    def outcome(entry):
        try:
            return make(**entry)
        except RequestError as exc:
            return str(exc)

    plain = [outcome(entry) for entry in entries]
    with module.remembering_texts():
        for _ in range(2):
            assert [outcome(entry) for entry in entries] == plain
        assert module._TEXTS.get()  # (remembered in the block)
    assert module._TEXTS.get() is None
    assert any(isinstance(x, str) for x in plain) and any(not isinstance(x, str) for x in plain)
