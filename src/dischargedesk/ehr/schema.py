"""JSON Schema of the handout request (docs/request.schema.json), generated from the
request's own definitions: the field table (domain/fields.py: labels, caps, help), the
dataclass fields, the choice tuples and the patterns in domain/request.py. Rules that
compare fields with each other or with today (dates in range, follow-up after the
procedure) stay in the validator only; the schema's description says so.
``python -m dischargedesk.ehr.schema`` prints it."""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from dataclasses import fields
from typing import Any

from ..domain import request as rq
from ..domain.fields import FIELD
from ..domain.levels import MAX_LEVEL_COUNT, TREATABLE_LEVELS

SCHEMA_ID = "https://dischargedesk.invalid/request.schema.json"
_LEVEL = r"^\s*[TtLlSs]\s*\d{1,2}\s*$"
_DATE = r"^\s*\d{4}-\d{2}-\d{2}\s*$"
_TIME = r"^\s*\d{2}:\d{2}(:\d{2})?\s*$"
REQUIRED = ("procedure", "patient_name")


def _property(name: str, kind: Any) -> dict[str, Any]:
    label = rq.LABELS[name]
    if name in rq.MAX_LENGTH:
        prop: dict[str, Any] = {"type": "string", "maxLength": rq.MAX_LENGTH[name]}
        if name == "mrn":
            prop["pattern"] = rq._MRN_RE.pattern
        if name in REQUIRED:
            prop["minLength"] = 1
    elif name == "procedure":
        prop = {"type": "string", "pattern": rq._PROC_RE.pattern}
    elif name == "language":
        prop = {"type": "string", "pattern": rq._LANG_RE.pattern, "default": "en"}
    elif name == "anesthesia":
        prop = {"enum": list(rq.ANESTHESIA), "default": "sedation"}
    elif name == "levels":
        prop = {"oneOf": [
            {"type": "array", "items": {"type": "string", "pattern": _LEVEL},
             "minItems": 1, "maxItems": MAX_LEVEL_COUNT},
            {"type": "string", "pattern": r"^[\sTtLlSs0-9,]+$"}],
            "description": f"{label}: {', '.join(TREATABLE_LEVELS)} (any order)"}
    elif name == "level_count":
        prop = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": MAX_LEVEL_COUNT},
                          {"type": "string", "pattern": r"^\s*([1-9]|10)\s*$"}]}
    elif name == "handouts":
        prop = {"oneOf": [{"type": "array", "items": {"enum": list(rq.HANDOUTS)},
                           "minItems": 1},
                          {"type": "string", "pattern": r"^\s*(discharge|recovery)"
                                                        r"([,\s]+(discharge|recovery))*\s*$"}],
                "default": list(rq.HANDOUTS)}
    elif kind in (bool,):
        prop = {"type": "boolean", "default": False}
    elif kind in (dt.date, dt.date | None):
        prop = {"type": "string", "format": "date", "pattern": _DATE}
    elif kind in (dt.time, dt.time | None):
        prop = {"type": "string", "pattern": _TIME}
    else:  # pragma: no cover - a new field must be described here
        raise TypeError(f"no schema for request field {name}")
    prop.setdefault("title", label)
    if FIELD[name].help:
        prop.setdefault("description", FIELD[name].help)
    return prop


def request_schema() -> dict[str, Any]:
    hints = typing.get_type_hints(rq.HandoutRequest)
    props = {f.name: _property(f.name, hints[f.name]) for f in fields(rq.HandoutRequest)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Discharge Desk handout request",
        "description": "Fields of `dischargedesk render --request FILE.json`. Generated from "
                       "src/dischargedesk/domain/request.py (python -m dischargedesk.ehr."
                       "schema); the app's validator also checks what a schema cannot: dates "
                       "in range (birth not in the future, procedure within 2 years back and "
                       "60 days ahead, follow-up after the procedure), cleaned text length, "
                       "right-to-left text, words over 60 characters and at most 30 "
                       "medication lines of 200 characters.",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "required": list(REQUIRED),
        "allOf": [
            {"anyOf": [{"required": ["levels"]}, {"required": ["level_count"]}]},
            {"not": {"required": ["levels", "level_count"]}},
            {"anyOf": [{"required": ["date_of_birth"]}, {"required": ["mrn"]}]},
        ],
    }


def schema_text() -> str:
    return json.dumps(request_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(schema_text())
