"""Chinese handouts as printed: every procedure x level pattern x anesthesia x large print
renders to a PDF whose extracted text is Chinese (no English left but names, units, the
nurse's typed lines and the bilingual notice), with the summary and its three warning
tiers on page 1, dates in Chinese form, /Lang set to the code, and a glyph for every
character drawn (tests/pdf_glyphs.py)."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

import pytest
from pypdf import PdfReader

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_pdf
from dischargedesk.render.language import load_pack

from .conftest import TODAY, PerCase
from .pypdf_text import page_texts
from .test_chinese import ALLOWED_LATIN, BLOOD_THINNER, MEDICATIONS, WORDS

CHINESE = ("zh-Hans", "zh-Hant")
PATTERNS: dict[str, dict[str, Any]] = {
    "one": {"levels": ["L2"]},
    "two": {"levels": ["L1", "L2"]},
    "three": {"levels": ["L2", "L3", "L4"]},
    "thoracic": {"levels": ["T8"]},
    "skipped": {"levels": ["T12", "L2"]},
    "count": {"level_count": 2},
}
EVERY_OPTION: dict[str, Any] = {
    "brace": True, "opioids": True, "medications": MEDICATIONS,
    "blood_thinner": BLOOD_THINNER, "physician": "Dr. Ana Rivera",
    "follow_up_date": "2026-12-09", "follow_up_time": "14:30",
    "follow_up_with": "Dr. Ana Rivera", "follow_up_where": "Suite 200, Building B",
    "caregiver": "Tom Example"}
COMBOS = list(itertools.product(CHINESE, ("kyphoplasty", "vertebroplasty"), PATTERNS,
                                ("local", "sedation", "general"), (False, True)))
#: The three tiers as the summary prints them (first words of each box heading)
TIERS = {"zh-Hans": ("请马上打911", "请马上打电话给我们", "请在诊所上班时间打电话"),
         "zh-Hant": ("請馬上打911", "請馬上打電話給我們", "請在門診時間打電話")}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _data(combo: tuple[Any, ...]) -> dict[str, Any]:
    lang, proc, pattern, anesthesia, large = combo
    # every option or none, alternating by anesthesia: normal and large print of a case
    # have the same options
    options = EVERY_OPTION if (COMBOS.index(combo) // 2) % 2 else {}
    return {"procedure": proc, "anesthesia": anesthesia, "language": lang,
            "large_print": large, "procedure_date": TODAY.isoformat(),
            "patient_name": "王小明", "mrn": "MRN-12345", "date_of_birth": "1948-03-04",
            **PATTERNS[pattern], **options}


def squeeze(text: str) -> str:
    """Text without whitespace: a line the PDF wrapped reads as one phrase again."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def rendered(sample_clinic):
    """combo -> (request data, PDF, page texts), each rendered when a test first reads it
    (conftest.PerCase)."""
    def render(combo: tuple[Any, ...]) -> tuple[dict[str, Any], bytes, list[str]]:
        data = _data(combo)
        pdf = render_pdf(HandoutRequest.from_mapping(data, today=TODAY), sample_clinic)
        return data, pdf, page_texts(pdf)  # pypdf's page text, read faster

    return PerCase(render)


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_printed_text_is_chinese(rendered, sample_clinic, combo):
    lang, _, pattern, anesthesia, _ = combo
    data, _, pages = rendered[combo]
    pack = load_pack(lang)
    assert all(_HAN.search(p) for p in pages)
    english_notice = pack.unreviewed_notice.split(" / ")[1]
    typed = [data.get(k, "") for k in ("mrn", "blood_thinner", "physician", "follow_up_with",
                                       "follow_up_where", "caregiver")]
    typed += data.get("medications", "").splitlines()
    typed += [sample_clinic.name, sample_clinic.portal_name, *sample_clinic.address,
              sample_clinic.portal_url.split("://", 1)[-1].rstrip("/"),  # the QR caption
              english_notice, english_notice.split(":")[0]]
    text = " ".join(" ".join(pages).split())
    for value in sorted((v for v in typed if v), key=len, reverse=True):
        text = text.replace(value, " ")
    # a typed line the PDF wrapped: its words may be left in pieces; they are all typed
    typed_words = {w for v in typed for w in re.findall(r"[A-Za-z]+", v)}
    left = set(re.findall(r"[A-Za-z]+", text)) - ALLOWED_LATIN - typed_words
    assert not left, sorted(left)
    w = WORDS[lang]
    flat = squeeze(" ".join(pages)).lower()
    for key in ("late", "cement", "blood", "faint", "fever"):
        assert squeeze(w[key]) in flat, key
    assert (squeeze(w["strong"]) in flat) is (pattern not in ("one", "two"))
    assert (w["alcohol"] in flat) is (anesthesia != "local")


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_summary_tiers_and_dates_on_the_first_page(rendered, combo):
    lang, _, _, _, large = combo
    data, pdf, pages = rendered[combo]
    # large print: the summary takes pages 1-2
    first = squeeze(" ".join(pages[:2] if large else pages[:1]))
    missing = [tier for tier in TIERS[lang] if tier not in first]
    # no known cases left: every large-print summary, every option included, keeps
    # its three warning boxes on pages 1-2 (issue 9, fixed by the large-print layout)
    assert not missing, missing
    assert re.search(r"(?<!\d)11月25日星期三", first), "procedure date, Chinese form"
    if data.get("follow_up_date"):
        assert re.search(r"2026年12月9日星期三，(?:下午2:30)", first), first
    assert "Wednesday" not in first and "November" not in first
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == lang


@pytest.mark.parametrize("lang", CHINESE)
def test_every_drawn_character_has_a_glyph(rendered, lang):
    from .pdf_glyphs import drawn_text, missing_glyphs

    for combo in (c for c in COMBOS if c[0] == lang):
        _, pdf, _ = rendered[combo]
        assert missing_glyphs(pdf) == [], combo
    fonts = drawn_text(pdf)
    han = "".join(t for t in fonts.values() if _HAN.search(t))
    assert "王" in han and ("您" in han)
    assert any(re.search("[A-Za-z]", t) and not _HAN.search(t) for t in fonts.values()), \
        "Latin runs (MRN, typed lines) print in a Latin font"
