"""The field table (domain/fields.py) is the one list of request fields: the request, the
CLI, the schema and the form's caps follow it (issue 10 item 8)."""

from __future__ import annotations

from dataclasses import fields

from dischargedesk.cli import build_parser
from dischargedesk.domain import request as rq
from dischargedesk.domain.fields import FIELD, FIELDS, KINDS
from dischargedesk.ehr.schema import request_schema


def test_table_and_request_dataclass_name_the_same_fields():
    assert len(FIELD) == len(FIELDS)  # no name twice
    assert set(FIELD) == {f.name for f in fields(rq.HandoutRequest)}
    assert all(f.kind in KINDS for f in FIELDS)


def test_labels_and_caps_come_from_the_table():
    assert {f.name: f.label for f in FIELDS} == rq.LABELS
    assert {f.name: f.cap for f in FIELDS if f.cap} == rq.MAX_LENGTH
    assert {f.name for f in FIELDS if f.kind == "multiline"} == rq.MULTILINE_FIELDS
    # every free-text field is capped
    assert all(f.cap for f in FIELDS if f.kind in ("text", "multiline"))


def _render_options() -> dict[str, object]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    render = sub.choices["render"]  # type: ignore[attr-defined]
    return {opt: action for action in render._actions for opt in action.option_strings}


def test_every_field_is_a_render_option_with_its_help():
    options = _render_options()
    for f in FIELDS:
        assert f.option in options, f.name
        assert (options[f.option].help or "") == f.help  # type: ignore[attr-defined]


def test_schema_has_every_field_with_the_table_label_and_cap():
    props = request_schema()["properties"]
    assert list(props) == [f.name for f in fields(rq.HandoutRequest)]
    for f in FIELDS:
        assert props[f.name]["title"] == f.label
        if f.cap:
            assert props[f.name]["maxLength"] == f.cap
