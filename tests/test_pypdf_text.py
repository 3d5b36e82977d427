"""tests/pypdf_text.py reads pypdf's page text exactly (the matrix tests read the text of
their PDFs with it, about five times faster than pypdf): on every language, both print
sizes, the nurse's free text with markup, the bilingual print, one PDF per handout and the
whole print with duplex padding, the two readers return the same strings, page for page.
(Checked on 126 PDFs once, 2026-12-03: all equal; here one case per language and option.)"""

from __future__ import annotations

import pytest

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_handouts, render_pdf
from dischargedesk.render.language import available_languages

from .conftest import TODAY, base_request_data
from .pypdf_text import page_texts, pypdf_page_texts

FREE_TEXT = {"medications": "Oxycodone 5 mg <b>every</b> {{ 6 }} hours\nDocusate & water",
             "blood_thinner": "Restart apixaban on December 1", "caregiver": "Jon Example",
             "follow_up_date": "2026-12-09", "brace": True, "opioids": True}


def _cases() -> list[tuple[str, bool, str]]:
    out = []
    for n, code in enumerate(available_languages()):
        # each language in both print sizes; the options turn with the language
        options = ("free", "bilingual" if code != "en" else "duplex", "plain")
        out += [(code, False, options[n % 3]), (code, True, options[(n + 1) % 3])]
    return out


@pytest.mark.parametrize(("code", "large", "option"), _cases())
def test_page_texts_are_pypdfs(sample_clinic, code, large, option):
    data = base_request_data(language=code, large_print=large,
                             **(FREE_TEXT if option == "free" else {}),
                             **({"bilingual": True} if option == "bilingual" else {}))
    req = HandoutRequest.from_mapping(data, today=TODAY)
    pdfs = [h.pdf for h in render_handouts(req, sample_clinic)]
    pdfs.append(render_pdf(req, sample_clinic, duplex=option == "duplex"))
    for pdf in pdfs:
        expected = pypdf_page_texts(pdf)
        assert page_texts(pdf) == expected
        assert any(text.strip() for text in expected)


def test_a_pdf_it_does_not_read_is_read_by_pypdf():
    """A form XObject (not in the renderer's output): the text comes from pypdf."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.beginForm("box")
    c.drawString(72, 700, "inside a form")
    c.endForm()
    c.doForm("box")
    c.drawString(72, 600, "on the page")
    c.save()
    pdf = buf.getvalue()
    assert page_texts(pdf) == pypdf_page_texts(pdf)
    assert "inside a form" in page_texts(pdf)[0]
