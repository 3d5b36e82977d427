"""The layout checks' own PDF reader (dischargedesk.pdftext) reads what the pypdf reader it
replaced read (tests/layout_reference.py): the same text runs at the same positions, the
same rules, and so the same findings, on the sample handouts (English, Spanish, Chinese,
Korean, large print, bilingual, ten levels) and on layouts broken on purpose, which both
readers must report."""

from __future__ import annotations

import dataclasses

import pytest

from dischargedesk import layout_checks as lc
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare
from dischargedesk.pdftext import PdfReadError, read_pdf
from dischargedesk.render import pdf as layout

from . import layout_reference
from .conftest import TODAY, base_request_data
from .test_layout_matrix import (
    FULL,
    LONG_CLINIC,
    PATTERNS,
    TEN,
    diary_last_clinic,
    switch_off_keep_together,
)

CASES = {
    "en": {},
    "es": {"language": "es"},
    "zh-Hans": {"language": "zh-Hans", "patient_name": "王小明"},
    "ko": {"language": "ko", "patient_name": "김민준"},
    "en-large": {"large_print": True},
    "es-bilingual": {"language": "es", "bilingual": True},
    "ko-large-bilingual": {"language": "ko", "large_print": True, "bilingual": True},
    "en-ten-levels-large": {"levels": TEN, "large_print": True},
    "zh-Hans-ten-levels": {"language": "zh-Hans", "levels": TEN},
}


def _prepared(clinic, **overrides):
    data = {**FULL, "brace": True, "opioids": True, **overrides}
    return prepare(HandoutRequest.from_mapping(base_request_data(**data), today=TODAY), clinic)


def _findings(handouts: list[lc.HandoutPages]) -> list[tuple]:
    return [(h.kind, h.count, [p.label for p in h.pages], sorted(h.kept_starts),
             sorted(h.opens.items()), h.problems) for h in handouts]


def _same_reading(pdf: bytes, prepared) -> list[lc.LayoutProblem]:
    """Both readers on one PDF: equal pages, lines and rules, equal findings; the findings."""
    new, old = lc.read_pages(pdf), layout_reference.read_pages(pdf)
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert (a.width, a.height, a.rules) == (b.width, b.height, b.rules), a.index
        assert a.lines == b.lines, a.index
    found = lc.check_handouts(pdf, prepared)
    assert _findings(found) == _findings(lc.check_handouts(pdf, prepared,
                                                           layout_reference.read_pages))
    return lc.problems_of(found)


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_readers_agree_on_the_sample_handouts(sample_clinic, case):
    prepared = _prepared(sample_clinic, **CASES[case])
    pdf = build_document(prepared, prepared.layouts)
    problems = _same_reading(pdf, prepared)
    assert not [p for p in problems if p.severity == "error"], problems


def test_both_readers_report_a_layout_without_keep_together(sample_clinic, monkeypatch):
    """Keep-together switched off (as in test_layout_matrix): headings, tiers or the
    checklist split; both readers report the same problems."""
    switch_off_keep_together(monkeypatch)
    messages = []
    for pattern, large, lang in (("ten", True, "en"), ("three-thoracic", False, "en"),
                                 ("two", True, "ko")):
        prepared = _prepared(sample_clinic, large_print=large, language=lang,
                             **PATTERNS[pattern])
        messages += [p.message for p in _same_reading(build_document(prepared,
                                                                     prepared.layouts),
                                                      prepared)]
    assert any("split over two pages" in m or "away from the lines" in m for m in messages)


def test_both_readers_report_a_cut_header(sample_clinic, monkeypatch):
    real = layout._Furniture._header_lines

    def first_lines(self):
        names, phones = real(self)
        return names[:1], phones[:1]

    monkeypatch.setattr(layout._Furniture, "_header_lines", first_lines)
    clinic = dataclasses.replace(sample_clinic, **LONG_CLINIC)
    prepared = _prepared(clinic, large_print=True)
    problems = _same_reading(build_document(prepared, prepared.layouts), prepared)
    assert any("header does not show" in p.message for p in problems)


def test_both_readers_report_a_diary_day_alone(sample_clinic, monkeypatch, tmp_path):
    monkeypatch.setattr(layout, "TABLE", dataclasses.replace(layout.TABLE, diary_tail_days=1))
    data = base_request_data(large_print=True, anesthesia="sedation", brace=True, opioids=True,
                             **PATTERNS["two"], **FULL)
    prepared = prepare(HandoutRequest.from_mapping(data, today=TODAY),
                       diary_last_clinic(sample_clinic, tmp_path), kinds=["recovery"])
    problems = _same_reading(build_document(prepared, prepared.layouts), prepared)
    assert any("the diary ends with one day alone" in p.message for p in problems)


@pytest.mark.parametrize("a85", [0, 1])
def test_both_readers_agree_on_text_operators_our_renderer_rarely_writes(monkeypatch, a85):
    """TJ arrays with word gaps, ' and ", TD, Tc, escapes and hex strings, a rule drawn in
    a moved coordinate system; content Flate only (as we write it) or ASCII85 on top (as
    ReportLab's default writes it): the same runs and rules as pypdf."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    monkeypatch.setattr(rl_config, "useA85", a85)

    from dischargedesk.render.fonts import FONT, FONT_BOLD, register_fonts

    register_fonts()
    import io

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(300, 300), pageCompression=1)
    c.setFont(FONT, 10)
    c.drawString(10, 280, "Escapes: (a) \\ back")  # subset 0 gets every character used
    c.setFont(FONT_BOLD, 10)
    c.drawString(10, 265, "Bold words")
    c.line(20, 100, 200, 100)
    code = c._code  # raw operators, after the fonts are in the page's resources
    code += ["BT /F1+0 12 Tf 14 TL 10 240 Td [(Esc) -400 (apes) 120 (:)] TJ",
             "(\\(a\\)) ' 2 0 (back) \" 0 -20 TD <45736361> Tj 1 Tc (pes) Tj 0 Tc",
             "/F2+0 10 Tf (Bold) Tj T* (words) Tj ET",
             "q 1 0 0 1 30 50 cm 0 0 m 150 0 l S Q"]
    c.showPage()
    c.save()
    pdf = buf.getvalue()
    new, old = lc.read_pages(pdf), layout_reference.read_pages(pdf)
    assert [p.lines for p in new] == [p.lines for p in old]
    assert [p.rules for p in new] == [p.rules for p in old] == [[(20.0, 200.0, 100.0),
                                                                 (30.0, 180.0, 50.0)]]
    texts = [ln.text for ln in new[0].lines]
    assert "Esc apes:" in texts[2] and "Bold" in "".join(texts)


def test_the_reader_refuses_what_it_does_not_read():
    with pytest.raises(PdfReadError):
        read_pdf(b"%PDF-1.7\nnot a pdf")
