"""Bilingual and large print of the Chinese, Vietnamese, Korean and Tagalog handouts as
printed (issue 12, "done when"): a sample of procedures x level patterns x print size x
bilingual for each language, read back from the PDF's structure tree (the tagged text,
without the page furniture) and its first page:

* the patient's text is in the language's script, with its dates in the language's form,
  and no English left but the nurse's free text (flagged), proper names, units and the
  English half of the unreviewed notice;
* in bilingual print each English text is its own section tagged ``/Lang en`` after the
  pack's label (and only there: the patient's sections hold no English sentence);
* the summary stays on page 1 in the patient's language, with no English copy;
* the structure tree is valid (tests/pdf_structure.py) and every character drawn has a glyph
  in its font (tests/pdf_glyphs.py).

The full product (2 x 6 x 2 x 2 per language) is sampled: each language gets five cases
that together cover both procedures, every level pattern over the languages, both print
sizes and both bilingual settings, so the file adds well under a minute of CPU."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_pdf
from dischargedesk.render.language import load_pack

from . import pdf_structure
from .conftest import TODAY, base_request_data
from .pdf_glyphs import missing_glyphs
from .test_engine import LEVEL_PATTERNS
from .test_translated_packs import ENGLISH, FREE_TEXT, OWN_WORDS, _strip_known

LANGS = ("zh-Hans", "zh-Hant", "vi", "ko", "tl")
PATTERNS = tuple(LEVEL_PATTERNS)
#: the language's letters, and the least count on the two handouts (patient's text)
SCRIPT = {
    "zh-Hans": (re.compile(r"[\u4e00-\u9fff]"), 2000),
    "zh-Hant": (re.compile(r"[\u4e00-\u9fff]"), 2000),
    "ko": (re.compile(r"[\uac00-\ud7a3]"), 2000),
    "vi": (re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
                      r"àáèéìíòóùúýĩũ]", re.I), 1500),
    "tl": (re.compile(r"\b(?:ang|ng|sa|mga|kung|na|ninyo|kayo|huwag)\b", re.I), 300),
}
#: the procedure date (Wednesday, November 25) in the language's form, as on page 1
#: (whitespace removed)
PROCEDURE_DAY = {"zh-Hans": "11月25日星期三", "zh-Hant": "11月25日星期三",
                 "ko": "11월25일수요일", "vi": "ThứTư,ngày25tháng11",
                 "tl": "Miyerkules,Nobyembre25"}
#: the first words of the summary's 911 box, on page 1
CALL_911 = {"zh-Hans": "请马上打911", "zh-Hant": "請馬上打911", "ko": "911에전화하세요",
            "vi": "Gọi911ngay", "tl": "Tumawagsa911ngayondin"}
NAMES = {"zh-Hans": "王小明", "zh-Hant": "王小明"}  # else Maria Example
ALLOWED_LATIN = frozenset({"T", "L", "S", "C", "D", "lb", "kg", "mg", "F", "DXA", "QR", "ID",
                           "Tylenol", "Advil", "Motrin", "English", "am", "pm", "ER"})


def _cases() -> list[tuple[str, str, str, bool, bool]]:
    """(language, procedure, pattern, large print, bilingual): five per language."""
    out = []
    n = 0
    for lang in LANGS:
        for k in range(5):
            proc = ("kyphoplasty", "vertebroplasty")[(n + k) % 2]
            pattern = PATTERNS[n % len(PATTERNS)]
            large, bilingual = [(False, True), (True, True), (False, False), (True, False),
                                (False, True)][k]
            out.append((lang, proc, pattern, large, bilingual))
            n += 1
    return out


CASES = _cases()


def test_the_sample_covers_every_axis():
    assert {c[0] for c in CASES} == set(LANGS)
    assert {c[1] for c in CASES} == {"kyphoplasty", "vertebroplasty"}
    assert {c[2] for c in CASES} == set(PATTERNS)
    for lang in LANGS:
        own = [c for c in CASES if c[0] == lang]
        assert {(c[3], c[4]) for c in own} == {(a, b) for a in (False, True)
                                               for b in (False, True)}


def _split(reading: list[tuple[str, str, str]]) -> tuple[str, str, int]:
    """The structure tree's text: the patient's, the English sections', and how many
    English sections (a Sect with /Lang en and everything under it)."""
    own, english, sections = [], [], 0
    inside: int | None = None  # depth of the English Sect we are in
    back: int | None = None  # depth of a Div in the patient's language in it (signatures)
    for role, text, _ in reading:
        depth = (len(role) - len(role.lstrip(" "))) // 2
        if back is not None and depth <= back:
            back = None
        if inside is not None and depth <= inside:
            inside = None
        if inside is None and role.strip().startswith("Sect lang=en"):
            inside, sections = depth, sections + 1
        elif inside is not None and re.match(r"Div lang=(?!en\b)", role.strip()):
            back = depth
        if text:
            (english if inside is not None and back is None else own).append(text)
    return " ".join(own), " ".join(english), sections


@pytest.mark.parametrize("case", CASES, ids=["-".join([c[0], c[1][:5], c[2],
                                                       "large" if c[3] else "normal",
                                                       "bilingual" if c[4] else "one"])
                                             for c in CASES])
def test_translated_handout_prints_in_its_language(sample_clinic, case):
    lang, proc, pattern, large, bilingual = case
    full = CASES.index(case) % 2 == 0  # every other case with all the nurse's free text
    data: dict[str, Any] = base_request_data(
        procedure=proc, language=lang, large_print=large, bilingual=bilingual,
        **LEVEL_PATTERNS[pattern], **(FREE_TEXT if full else {}),
        **({"patient_name": NAMES[lang]} if lang in NAMES else {}))
    pdf = render_pdf(HandoutRequest.from_mapping(data, today=TODAY), sample_clinic)
    pack = load_pack(lang)

    problems, reading = pdf_structure.analyse(pdf)
    assert problems == [], problems[:5]
    assert missing_glyphs(pdf) == []
    own, english, sections = _split(reading)

    # the patient's text: the script, the date form, the marker after the nurse's lines
    letters, least = SCRIPT[lang]
    assert len(letters.findall(own)) >= least, len(letters.findall(own))
    flat = re.sub(r"\s+", "", own)
    assert PROCEDURE_DAY[lang] in flat
    marker = re.sub(r"\s+", "", str(pack.labels["free_text_marker"]))
    assert (marker in flat) is full
    for word in ("Wednesday", "November", "Discharge instructions", "Call 911 now"):
        assert word not in own
    # no English left once free text, names and the notice are taken out
    portal = sample_clinic.portal_url.split("://", 1)[-1].rstrip("/")  # the QR caption
    rest = _strip_known(own.replace(portal, " "), sample_clinic).replace(
        NAMES.get(lang, "Maria Example"), " ")
    words = set(re.findall(r"[A-Za-z]+", rest))
    english_words = sorted(w for w in words if w.lower() in ENGLISH - OWN_WORDS.get(lang, set()))
    assert not english_words, english_words
    if lang.startswith("zh"):  # Chinese: no Latin word at all but these
        typed = {w for v in FREE_TEXT.values() if isinstance(v, str)
                 for w in re.findall(r"[A-Za-z]+", v)}
        assert not words - ALLOWED_LATIN - typed, sorted(words - ALLOWED_LATIN - typed)

    # bilingual: the English text in its own /Lang en sections, each after the label
    label = str(pack.labels["english_copy"])
    if bilingual:
        assert sections >= 10
        assert own.count(label) == sections
        assert "Call 911 now" in english and "Wednesday, November 25" in english
        assert not letters.findall(english) or lang in ("vi", "tl")
        assert "英文" not in english and "영어" not in english
    else:
        assert sections == 0 and english == "" and label not in own

    # the summary: page 1 (pages 1-2 in large print), in the patient's language, no
    # English copy on it
    pages = PdfReader(io.BytesIO(pdf)).pages[:2 if large else 1]
    first = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in pages))
    assert CALL_911[lang] in first and PROCEDURE_DAY[lang] in first
    assert re.sub(r"\s+", "", label) not in first and "Callusnow" not in first


#: Bilingual print of the check's own case (the sample clinic, sedation, every option: what
#: ``dischargedesk templates check`` lays out) against the same case in one language, for
#: each pack (Spanish too) and print size, one level pattern each (the full check found the
#: same counts for every pattern of a language and print size, so one each is the cheap
#: guard; the patterns rotate so each is covered). Over budget before the bilingual blocks
#: that print once moved after the English (engine._bilingual): es, vi and tl discharge
#: 9 pages against 4; Korean recovery 9 against 4 (fixed by the warning tiers printing
#: last in bilingual print), Chinese large-print discharge 15 against 7 (fixed by the
#: heading's room measured as placed, render/pdf.py _flows), Korean large-print recovery
#: 15 against 7 (fixed by the English copy's tighter spacing between blocks, render/pdf.py
#: _english_copy; type sizes unchanged). A case still over goes here as a strict xfail
#: until it is fixed at the cause (never the budget or type size).
OVER_BUDGET: set[tuple[str, bool]] = set()
GUARD_PATTERN = {
    ("es", False): "count only", ("es", True): "3+ levels",
    ("zh-Hans", False): "thoracic", ("zh-Hans", True): "2 levels",
    ("zh-Hant", False): "skipped level", ("zh-Hant", True): "1 level",
    ("vi", False): "2 levels", ("vi", True): "skipped level",
    ("ko", False): "3+ levels", ("ko", True): "thoracic",
    ("tl", False): "count only", ("tl", True): "count only",
}
#: The standard case in one language, normal print (1 or 2 levels: at most 4 pages each
#: handout): the Spanish, Vietnamese and Tagalog recovery plans took 5 (the diary's last
#: three days and the QR code on a page of their own, after a heading that asked for two
#: lines more room than it takes left a fifth of page 1 empty). Strict xfails when over.
OVER_STANDARD: set[str] = set()


def _check_counts(clinic, lang: str, large: bool, bilingual: bool,
                  pattern: str = "1 level") -> dict[str, int]:
    from dischargedesk import layout_checks as lc
    from dischargedesk.checks import CHECK_DATE, LEVEL_PATTERNS, sample_variants
    from dischargedesk.engine import build_document, prepare

    data = {"procedure": "kyphoplasty", "anesthesia": "sedation", "language": lang,
            "large_print": large, "procedure_date": CHECK_DATE.isoformat(),
            "bilingual": bilingual, **LEVEL_PATTERNS[pattern], **sample_variants()[1]}
    prepared = prepare(HandoutRequest.from_mapping(data, today=CHECK_DATE), clinic)
    return {h.kind: h.count
            for h in lc.check_handouts(build_document(prepared, prepared.layouts), prepared)}


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("lang", ("es", *LANGS))
def test_bilingual_check_case_within_twice_one_language(sample_clinic, lang, large, request):
    from dischargedesk import layout_checks as lc

    if (lang, large) in OVER_BUDGET:
        request.applymarker(pytest.mark.xfail(strict=True, reason="bilingual print over 2x"))
    pattern = GUARD_PATTERN[(lang, large)]
    single = _check_counts(sample_clinic, lang, large, False, pattern)
    both = _check_counts(sample_clinic, lang, large, True, pattern)
    over = lc.budget_problems(both, None, lang, standard=True, single_counts=single)
    assert not over, [p.message for p in over]


def test_the_guard_covers_every_pattern():
    from dischargedesk.checks import LEVEL_PATTERNS

    assert set(GUARD_PATTERN.values()) == set(LEVEL_PATTERNS)
    assert set(GUARD_PATTERN) == {(lang, large) for lang in ("es", *LANGS)
                                  for large in (False, True)}


@pytest.mark.parametrize("pattern", ["1 level", "2 levels"])
@pytest.mark.parametrize("lang", ("es", *LANGS))
def test_check_standard_case_within_the_page_budget(sample_clinic, lang, pattern, request):
    from dischargedesk import layout_checks as lc

    if lang in OVER_STANDARD:
        request.applymarker(pytest.mark.xfail(strict=True, reason="recovery plan 5 pages"))
    counts = _check_counts(sample_clinic, lang, False, False, pattern)
    over = lc.budget_problems(counts, None, lang, standard=True)
    assert not over, [p.message for p in over]
