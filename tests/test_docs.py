"""Docs generated from the code must match the code (python -m dischargedesk.docsgen)."""

from __future__ import annotations

from pathlib import Path

from dischargedesk.docsgen import clinic_profile_md, templates_md

DOCS = Path(__file__).parents[1] / "docs"


def test_templates_doc_is_current():
    assert (DOCS / "templates.md").read_text(encoding="utf-8") == templates_md(), \
        "run: python -m dischargedesk.docsgen"


def test_clinic_profile_doc_is_current():
    assert (DOCS / "clinic-profile.md").read_text(encoding="utf-8") == clinic_profile_md(), \
        "run: python -m dischargedesk.docsgen"


def test_sample_clinic_sets_every_parameter():
    import tomllib

    from dischargedesk.clinic.parameters import PARAMETERS
    from dischargedesk.resources import sample_clinic_dir

    data = tomllib.loads((sample_clinic_dir() / "clinic.toml").read_text(encoding="utf-8"))
    assert set(data["parameters"]) == {p.key for p in PARAMETERS}
