"""Property-based tests of request -> PDF (hypothesis). The CI profile runs a few dozen
examples; HYPOTHESIS_PROFILE=nightly runs many more."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.levels import TREATABLE_LEVELS
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_pdf
from dischargedesk.render.fonts import missing_characters

from .conftest import TODAY, pdf_text


def _printable(ch: str) -> bool:
    return not missing_characters(ch) and unicodedata.bidirectional(ch) not in ("R", "AL")


# Latin, Greek and Cyrillic letters and digits, with the characters that are markup
# elsewhere; only what the embedded font covers.
NAME_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0x52F,
                           categories=("Lu", "Ll", "Nd", "Po", "Pd", "Ps", "Pe", "Sm", "Zs")
                           ).filter(_printable)
NAMES = st.text(NAME_CHARS, min_size=1, max_size=60).map(lambda s: " ".join(s.split())).filter(
    lambda s: s and all(len(w) <= 60 for w in s.split()))

REQUESTS = st.fixed_dictionaries({
    "procedure": st.sampled_from(["kyphoplasty", "vertebroplasty"]),
    "patient_name": NAMES,
    "mrn": st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True),
    "procedure_date": st.dates(TODAY - dt.timedelta(days=700),
                               TODAY + dt.timedelta(days=59)),
    "anesthesia": st.sampled_from(["local", "sedation", "general"]),
    "brace": st.booleans(),
    "opioids": st.booleans(),
    "large_print": st.booleans(),
    "handouts": st.sampled_from([["discharge"], ["recovery"], ["discharge", "recovery"]]),
}, optional={
    "medications": st.lists(NAMES, max_size=5).map("\n".join),
    "caregiver": NAMES,
}).flatmap(lambda base: st.one_of(
    st.lists(st.sampled_from(TREATABLE_LEVELS), min_size=1, max_size=10, unique=True)
    .map(lambda lv: {**base, "levels": lv}),
    st.integers(1, 10).map(lambda n: {**base, "level_count": n}),
))


@given(REQUESTS)
def test_any_valid_request_renders_and_names_the_patient(data):
    request = HandoutRequest.from_mapping(data, today=TODAY)
    pdf = render_pdf(request, _clinic())
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert unicodedata.normalize("NFC", request.patient_name) in text


@cache
def _clinic():
    return load_sample_clinic()
