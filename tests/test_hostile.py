"""Hostile and odd user text, through request validation -> templates -> PDF.

Every value prints exactly as typed (checked by extracted text) or is refused with a plain
message naming the field (and, for unprintable characters, the characters). No value adds
links, images or fonts to the PDF. Catalogue: ../shared/guides/hostile-inputs.md.
"""

from __future__ import annotations

import io
import time

import pikepdf
import pytest

from dischargedesk.domain.request import LABELS, MAX_LENGTH
from dischargedesk.engine import render_pdf
from dischargedesk.errors import RequestError

from .conftest import pdf_pages_text, pdf_text

MARKUP = [
    "Pat <O'Brien> & Sons",
    "<b>O'Brien & Sons",
    "<![CDATA[hidden]]> shown",
    "<!-- comment --> visible",
    "<script>alert(1)</script>",
    '<font size="40">big</font>',
    '<para textColor="white">invisible</para>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="file:///etc/passwd">file</a>',
    '<img src="/etc/passwd"/>',
    "<b>unclosed",
    '<font color="notacolor">x</font>',
    "&#9999999; and &#0; and &bogus;",
    "a <![ b",
    "x</br b/",
    "&amp; &lt; &gt; &quot;",
    "{{ 7*7 }} {% raw %} {# c #}",
    "%s %d {0} ${HOME} $(id)",
    "# not a heading",
    "- not a bullet",
    "::: 911",
    "@spine @pagebreak",
    "| a | b |",
    "[ ] box",
    "back\\slash 'single' \"double\"",
]
UNICODE_OK = [
    "Łukasz Żółć",
    "Nguyễn Thị Ánh",
    "Ιωάννης Παπαδόπουλος",
    "Иван Петров",
    "Zoë Ångström-Ñúñez",
    "José\u0301",  # combining accent, NFC-normalised
]
FIELDS = ["patient_name", "medications", "blood_thinner", "follow_up_with",
          "follow_up_where", "physician", "caregiver"]


def render_text(sample_clinic, make_request, **fields) -> tuple[str, bytes]:
    extra = {}
    if "follow_up_with" in fields or "follow_up_where" in fields:
        extra["follow_up_date"] = "2026-12-09"
    pdf = render_pdf(make_request(**fields, **extra, handouts=["discharge"]), sample_clinic)
    # the tests look for what must print (never for what must not): pypdf's text, read by
    # tests/pypdf_text.py, shows it as pdfminer's does, in a fifth of the time
    return " ".join(pdf_pages_text(pdf)), pdf


def fold(text: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", MARKUP, ids=range(len(MARKUP)))
def test_markup_prints_literally(sample_clinic, make_request, field, value):
    text, pdf = render_text(sample_clinic, make_request, **{field: value})
    assert fold(value) in text
    assert_no_injected_objects(pdf)


@pytest.mark.parametrize("value", UNICODE_OK)
def test_unicode_names_print(sample_clinic, make_request, value):
    text, _ = render_text(sample_clinic, make_request, patient_name=value)
    assert fold(value) in text


def assert_no_injected_objects(pdf: bytes) -> None:
    doc = pikepdf.open(io.BytesIO(pdf))
    for page in doc.pages:
        assert "/Annots" not in page, "a link annotation appeared"
        xobjects = page.Resources.get("/XObject", {})
        images = [x for x in xobjects.values() if x.get("/Subtype") == "/Image"]
        assert len(images) <= 1, "only the clinic logo may be an image"
    fonts = {str(f.get("/BaseFont")) for p in doc.pages
             for f in p.Resources.get("/Font", {}).values()}
    assert all("DejaVuSans" in f for f in fonts), fonts


def test_multiline_medications_print_one_line_each(sample_clinic, make_request):
    from pypdf import PdfReader

    pdf = render_pdf(make_request(medications="First <b>line\nSecond & line\n\nThird"),
                     sample_clinic)
    lines = [ln.strip(" •") for p in PdfReader(io.BytesIO(pdf)).pages
             for ln in (p.extract_text() or "").splitlines()]
    for expected in ("First <b>line", "Second & line", "Third"):
        assert expected in lines


@pytest.mark.parametrize(("value", "named"), [  # (Chinese and Korean print since issue 12)
    ("Somchai สมชาย", "U+0E2A"),
    ("Party 🎉 time", "U+1F389"),
    ("Rare \U0002000b", "U+2000B"),
])
def test_unprintable_characters_refused_and_named(sample_clinic, make_request, value, named):
    with pytest.raises(RequestError) as info:
        render_pdf(make_request(caregiver=value), sample_clinic)
    assert info.value.field == "caregiver"
    assert LABELS["caregiver"] in str(info.value) and named in str(info.value)


def test_control_characters_do_not_print_as_boxes(sample_clinic, make_request):
    text, _ = render_text(sample_clinic, make_request,
                          patient_name="Ana\x01\x1b[31m Diaz\u200b\ufeff")
    assert "Ana[31m Diaz" in text


def test_right_to_left_refused(sample_clinic, make_request):
    with pytest.raises(RequestError, match="right-to-left"):
        make_request(patient_name="مريم")


def longest(field: str) -> str:
    cap = MAX_LENGTH[field]
    if field == "mrn":
        return "M" * cap
    if field == "medications":
        line = ("Take one tablet " * 20)[:199].strip()
        return "\n".join([line] * 10)[:cap]
    word = "Wolfeschlegelsteinhausen"
    return " ".join([word] * (cap // (len(word) + 1) + 1))[:cap].strip()


@pytest.mark.parametrize("large_print", [False, True])
def test_longest_allowed_values_render_quickly(sample_clinic, make_request, large_print):
    fields = {f: longest(f) for f in MAX_LENGTH}
    fields["medications"] = "\n".join(("Take one tablet " * 12)[:199].strip()
                                      for _ in range(10))
    levels = ["T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"]
    start = time.perf_counter()
    pdf = render_pdf(make_request(levels=levels, large_print=large_print,
                                  follow_up_date="2026-12-09", follow_up_time="10:00",
                                  **fields), sample_clinic)
    elapsed = time.perf_counter() - start
    text = pdf_text(pdf)
    assert fold(fields["patient_name"][:40]) in text
    # generous bound (shared CI machines); the benchmark tracks real numbers
    assert elapsed < 5, elapsed
