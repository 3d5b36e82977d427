"""The template check lays out each distinct output once (issue 17.2): combinations whose
handouts come out identical share one PDF and one layout check; any difference in what the
PDF shows is a different output."""

from __future__ import annotations

import dataclasses

from dischargedesk import checks, layout_checks
from dischargedesk.checks import CHECK_DATE, LEVEL_PATTERNS, output_key, sample_variants
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import prepare


def prepared(clinic, **changes):
    data = {"procedure": "kyphoplasty", "anesthesia": "sedation", "language": "en",
            "large_print": False, "procedure_date": CHECK_DATE.isoformat(),
            **LEVEL_PATTERNS["2 levels"], **sample_variants()[1], **changes}
    return prepare(HandoutRequest.from_mapping(data, today=CHECK_DATE), clinic)


def test_any_difference_on_the_page_is_another_output(sample_clinic):
    base = output_key(prepared(sample_clinic))
    assert output_key(prepared(sample_clinic)) == base  # deterministic
    for changes in ({"mrn": "CHK-2"}, {"large_print": True}, {"language": "es"},
                    {"procedure": "vertebroplasty"}, {"levels": ["L1", "L3"]},
                    {"caregiver": "Other Giver"}):
        assert output_key(prepared(sample_clinic, **changes)) != base, changes
    p = prepared(sample_clinic)
    layout = p.layouts[0]
    retitled = dataclasses.replace(p, layouts=(dataclasses.replace(layout, title="X"),
                                               *p.layouts[1:]))
    assert output_key(retitled) != base


def test_identical_outputs_are_laid_out_once(sample_clinic, monkeypatch):
    built: list[str] = []

    def counting_build(prep, layouts, duplex=False):
        built.append(output_key(prep))
        return b"%PDF-counted"

    monkeypatch.setattr(checks, "build_document", counting_build)
    monkeypatch.setattr(layout_checks, "check_handouts", lambda pdf, prep: [])
    report = checks.check_templates(sample_clinic, languages=["en"], grades=False)
    assert len(built) == len(set(built))  # never the same output twice
    pdf_cases = report.combinations // len(sample_variants())
    assert 0 < len(built) < pdf_cases  # some combinations shared their output
