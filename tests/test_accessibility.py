"""PDF accessibility checks on every rendered combination (what ReportLab can give):
title without patient data, /Lang, displayed title, fonts embedded, body text >= 12 pt
(18 pt in large print), text contrast >= 4.5:1, headings in reading order."""

from __future__ import annotations

import io
import itertools

import pikepdf
import pytest
from pdfminer.converter import TextConverter
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextContainer
from pdfminer.pdfinterp import PDFResourceManager

from dischargedesk.engine import build_document, prepare, render_pdf
from dischargedesk.render import pdf as layout

from .conftest import base_request_data
from .test_engine import LEVEL_PATTERNS

COMBOS = list(itertools.product(("kyphoplasty", "vertebroplasty"), LEVEL_PATTERNS,
                                ("local", "sedation"), (False, True)))
BACKGROUNDS = ["#ffffff", "#eef2f6"] + [bg.hexval()[2:] for bg, _ in layout.BOX_STYLE.values()]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def hex_rgb(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def layout_text(pages: list[LTPage]) -> str:
    """conftest.pdf_text from pages pdfminer has laid out already: extract_text lays each
    page out as extract_pages does (the same LAParams) and writes it with TextConverter."""
    out = io.StringIO()
    converter = TextConverter(PDFResourceManager(), out, laparams=LAParams())
    for page in pages:
        converter.receive_layout(page)
    return " ".join(out.getvalue().split())


def chars(pages: list[LTPage]):
    for page in pages:
        for element in page:
            if isinstance(element, LTTextContainer):
                for line in element:
                    for ch in getattr(line, "_objs", []):
                        if isinstance(ch, LTChar) and ch.get_text().strip():
                            yield ch


@pytest.mark.parametrize(("proc", "pattern", "anesthesia", "large"), COMBOS)
def test_pdf_accessibility(sample_clinic, proc, pattern, anesthesia, large):
    check_accessibility(sample_clinic, base_request_data(
        procedure=proc, anesthesia=anesthesia, large_print=large, **LEVEL_PATTERNS[pattern]))


@pytest.mark.parametrize(("lang", "paper", "large"),
                         list(itertools.product(("en", "es"), ("Letter", "A4"), (False, True))))
def test_pdf_accessibility_languages_and_paper(sample_clinic, lang, paper, large):
    """Every option on (brace, opioids, 10 levels): the compact summary layouts, the
    spine key and the large-print diary keep the same minimum sizes and contrast."""
    import dataclasses
    from types import MappingProxyType

    clinic = dataclasses.replace(sample_clinic, parameters=MappingProxyType(
        {**sample_clinic.parameters, "paper": paper}))
    check_accessibility(clinic, base_request_data(
        language=lang, large_print=large, brace=True, opioids=True, anesthesia="general",
        levels=["T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2"]))


def check_accessibility(sample_clinic, data):
    from dischargedesk.domain.request import HandoutRequest

    from .conftest import TODAY

    req = HandoutRequest.from_mapping(data, today=TODAY)
    proc, large = req.procedure, req.large_print
    prepared = prepare(req, sample_clinic)  # render_pdf is build_document(prepare(...))
    pdf = build_document(prepared, prepared.layouts)

    doc = pikepdf.open(io.BytesIO(pdf))
    title = str(doc.docinfo["/Title"])
    assert "Maria" not in title and "MRN" not in title
    assert (proc.capitalize() if req.language == "en" else "Cifoplastia") in title
    assert str(doc.Root.Lang) == req.language
    assert bool(doc.Root.ViewerPreferences.DisplayDocTitle)

    minimum = 18 if large else 12
    sizes, worst = set(), 99.0
    pages = list(extract_pages(io.BytesIO(pdf)))  # one layout for the sizes and the text
    for ch in chars(pages):
        sizes.add(round(ch.size, 1))
        color = ch.graphicstate.ncolor
        rgb = (color,) * 3 if isinstance(color, float | int) else tuple(color or (0, 0, 0))
        if len(rgb) == 3:
            worst = min(worst, min(contrast(rgb, hex_rgb(bg)) for bg in BACKGROUNDS))
    assert min(sizes) >= minimum - 0.05, sorted(sizes)[:5]
    assert worst >= 4.5, worst

    # headings come in the order of the section files (single-column reading order)
    # (the summary section has no heading of its own: the handout title heads page 1)
    titles = [s.title for h in prepared.layouts for s in h.sections if s.title != s.source]
    text = layout_text(pages)
    positions = [text.find(t) for t in titles]
    assert -1 not in positions, titles
    assert positions == sorted(positions)


def test_layout_text_is_pdf_text(sample_clinic):
    """The heading-order check reads the text of the layout it read the sizes from: the
    same text conftest.pdf_text (pdfminer's extract_text) reads, in both print sizes."""
    from dischargedesk.domain.request import HandoutRequest

    from .conftest import TODAY, pdf_text

    for large in (False, True):
        req = HandoutRequest.from_mapping(base_request_data(large_print=large, language="es",
                                                            brace=True), today=TODAY)
        pdf = render_pdf(req, sample_clinic)
        assert layout_text(list(extract_pages(io.BytesIO(pdf)))) == pdf_text(pdf)
