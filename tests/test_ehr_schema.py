"""docs/request.schema.json is generated from the request's definitions and agrees with the
validator (HandoutRequest.from_mapping) on valid and invalid requests."""

from __future__ import annotations

import json

import jsonschema
import pytest

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.errors import RequestError
from dischargedesk.resources import resources_dir

from .conftest import TODAY, base_request_data

SCHEMA_FILE = resources_dir().parent / "docs" / "request.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema,
                                           format_checker=jsonschema.FormatChecker())


def test_published_schema_is_the_generated_one():
    from dischargedesk.ehr.schema import schema_text

    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), \
        "regenerate: python -m dischargedesk.ehr.schema > docs/request.schema.json"


VALID = [
    base_request_data(),
    base_request_data(levels="T12, L1", handouts="discharge"),
    base_request_data(levels=None, level_count=3, mrn=None),
    base_request_data(date_of_birth=None, language="es", anesthesia="general", brace=True,
                      opioids=True, medications="Take 1 tablet\nTake 2", follow_up_date=
                      "2026-12-02", follow_up_time="14:30", handouts=["recovery"]),
    {"procedure": "vertebroplasty", "patient_name": "Ana", "mrn": "A-1", "levels": ["s1"]},
]
INVALID = [
    base_request_data(procedure=None),
    base_request_data(patient_name=None),
    base_request_data(patient_name="x" * 101),
    base_request_data(unknown_field=1),
    base_request_data(anesthesia="spinal"),
    base_request_data(mrn="12#4"),
    base_request_data(level_count=2),
    base_request_data(levels=None),
    base_request_data(date_of_birth=None, mrn=None),
    base_request_data(date_of_birth="15/06/1950"),
    base_request_data(language="English"),
    base_request_data(handouts=["consent"]),
    base_request_data(brace="yes"),
    base_request_data(levels=["T12", "C5"]),
    base_request_data(levels=None, level_count=11),
    base_request_data(follow_up_time="2pm", follow_up_date="2026-12-01"),
    base_request_data(procedure="Kyphoplasty!"),
]


def _validator_accepts(data) -> bool:
    try:
        HandoutRequest.from_mapping(data, today=TODAY)
    except RequestError:
        return False
    return True


@pytest.mark.parametrize("data", VALID)
def test_valid_requests_pass_both(validator, data):
    assert list(validator.iter_errors(data)) == []
    assert _validator_accepts(data)


@pytest.mark.parametrize("data", INVALID)
def test_invalid_requests_fail_both(validator, data):
    assert list(validator.iter_errors(data)) != []
    assert not _validator_accepts(data)


def test_every_request_field_is_in_the_schema():
    from dataclasses import fields

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert set(schema["properties"]) == {f.name for f in fields(HandoutRequest)}
