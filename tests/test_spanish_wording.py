"""Spanish wording found by a native reader (issue 12 item 6), checked in the printed PDF
text: ladders are "escaleras de mano", the needle sites are "sitios de punción" (never
"cortes"), "durante 24 horas", the footer says "Fecha de nacimiento" and the drawing
"Niveles tratados", the summary keeps the procedure date and says the cement is hard, and a
doctor's title (Dr./Dra.) is never left without an article or a label before it."""

from __future__ import annotations

import io
import re

import pytest
from pdfminer.high_level import extract_text

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_handouts

from .conftest import TODAY, base_request_data

TEN = ["T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2"]


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace folded (pdfminer, page by page)."""
    from pypdf import PdfReader

    n = len(PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(extract_text(io.BytesIO(pdf), page_numbers=[i]).split())
            for i in range(n)]


@pytest.fixture(scope="module", params=[
    (["T12", "L1"], False), (TEN, False), (["T12", "L1"], True), (TEN, True)],
    ids=["two", "ten", "two-large", "ten-large"])
def spanish(request, sample_clinic):
    levels, large = request.param
    req = HandoutRequest.from_mapping(base_request_data(
        language="es", levels=levels, large_print=large, anesthesia="sedation", brace=True,
        opioids=True, physician="Dr. Lee", follow_up_date="2026-12-09",
        follow_up_time="09:30", follow_up_with="Dra. Ruiz",
        follow_up_where="Clínica de columna"), today=TODAY)
    return {h.kind: _pages(h.pdf) for h in render_handouts(req, sample_clinic)}


def test_ladders_are_ladders(spanish):
    text = " ".join(spanish["recovery"])
    assert "escaleras de mano" in text
    assert not re.search(r"escaleras(?! de mano)", text)


def test_needle_sites(spanish):
    text = " ".join(spanish["discharge"] + spanish["recovery"])
    assert "sitios de punción" in text
    assert "cortes" not in text


def test_durante_24_horas(spanish):
    text = " ".join(spanish["discharge"])
    assert "Durante 24 horas" in text
    assert not re.search(r"\b[Pp]or \d+ (horas|días)", text)


def test_footer_and_drawing_labels(spanish):
    for kind, pages in spanish.items():
        for n, page in enumerate(pages, 1):
            assert "Fecha de nacimiento: 15 de junio de 1950" in page, (kind, n)
            assert "Nacimiento:" not in page.replace("Fecha de nacimiento:", "")
    summary = " ".join(spanish["discharge"][:2])
    assert "niveles tratados" in summary.lower()  # "Niveles tratados: T12 y L1" or a count
    assert "Se trató" not in summary


def test_summary_keeps_date_and_hard_cement(spanish):
    first = spanish["discharge"][0]
    assert "miércoles, 25 de noviembre" in first
    assert "El cemento ya está duro." in first


def test_doctor_titles_have_an_article_or_a_label(spanish):
    text = " ".join(spanish["discharge"] + spanish["recovery"])
    found = list(re.finditer(r"\bDra?\. ", text))
    assert found
    for m in found:
        before = text[max(0, m.start() - 12):m.start()]
        assert re.search(r"(\b(el|la|del|al) |: )$", before), before + m.group()
