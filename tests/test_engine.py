"""The engine end to end: every procedure x level pattern x anesthesia, checked by text."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import sys

import pikepdf
import pytest

from dischargedesk.engine import render_handouts, render_pdf
from dischargedesk.render.context import VARIABLES, build_context, flatten_keys
from dischargedesk.render.language import load_pack

from .conftest import PerCase, pdf_pages_text, pdf_text

LEVEL_PATTERNS = {
    "one": {"levels": ["L2"]},
    "two": {"levels": ["L1", "L2"]},
    "three": {"levels": ["L2", "L3", "L4"]},
    "thoracic": {"levels": ["T8"]},
    "skipped": {"levels": ["T12", "L2"]},
    "count": {"levels": None, "level_count": 2},
}
COMBOS = list(itertools.product(("kyphoplasty", "vertebroplasty"), LEVEL_PATTERNS,
                                ("local", "sedation", "general")))


@pytest.fixture(scope="session")
def rendered(sample_clinic):
    """Each combination rendered once, when a test first reads it (both handouts in one PDF;
    conftest.PerCase)."""
    from dischargedesk.domain.request import HandoutRequest

    from .conftest import TODAY, base_request_data

    def render(combo):
        proc, pattern, anesthesia = combo
        data = base_request_data(procedure=proc, anesthesia=anesthesia,
                                 **LEVEL_PATTERNS[pattern])
        return render_pdf(HandoutRequest.from_mapping(data, today=TODAY), sample_clinic)

    return PerCase(render)


@pytest.fixture(scope="session")
def texts(rendered):
    return PerCase(lambda combo: pdf_text(rendered[combo]))


@pytest.mark.parametrize(("proc", "pattern", "anesthesia"), COMBOS)
def test_combination_content(texts, proc, pattern, anesthesia):
    text = texts[(proc, pattern, anesthesia)]
    low = text.lower()
    # identity and structure
    assert "Maria Example" in text and "MRN-12345" in text
    assert "Riverbend Spine Center" in text
    assert "Discharge instructions" in text and "Your recovery plan" in text
    assert ("Kyphoplasty" if proc == "kyphoplasty" else "Vertebroplasty") in text  # title
    assert f"you had {proc}" in text  # lower case mid-sentence
    # balloon only for kyphoplasty
    assert ("balloon" in low) is (proc == "kyphoplasty")
    # levels named in text, in spine order
    levels = LEVEL_PATTERNS[pattern].get("levels")
    if levels:
        for name in levels:
            assert name in text
    else:
        assert "2 levels" in text
    # every handout: symptoms can start late, and emergency staff must hear about cement
    assert low.count("even days or months from now") >= 2  # both handouts
    assert "you have bone cement" in low
    # the stronger breathing warning with 3+ levels, a thoracic level or levels not recorded
    strong = pattern in ("three", "thoracic", "skipped", "count")
    assert ("watch your breathing." in low) is strong, "lung warning"
    # untreated level between treated ones
    assert ("L1" in text and "checked" in low) if pattern == "skipped" else True
    # an adult stays after sedation or general anesthesia
    assert ("24 hours" in text) if anesthesia != "local" else True
    # clinic parameters printed as set
    assert "100.4 °F" in text and "10 lb" in text
    # real dates
    assert "Wednesday, November 25, 2026" in text
    assert "Friday, November 27" in text  # bandage off / shower, day 2
    assert "Wednesday, December 9" in text  # follow-up, day 14
    # three tiers
    assert "911" in text


def test_adult_stay_only_when_sedated(texts):
    local = texts[("kyphoplasty", "one", "local")]
    sedated = texts[("kyphoplasty", "one", "sedation")]
    assert "stay with you" in sedated.lower()
    assert "stay with you" not in local.lower()


def test_opioids_and_brace_change_content(sample_clinic, make_request):
    plain = pdf_text(render_pdf(make_request(), sample_clinic)).lower()
    both = pdf_text(render_pdf(make_request(opioids=True, brace=True), sample_clinic)).lower()
    assert "constipation" in both
    assert "brace" in both and "brace" not in plain


def test_clinic_parameters_flow_through(sample_clinic, make_request):
    from dataclasses import replace
    from types import MappingProxyType

    params = dict(sample_clinic.parameters) | {"fever_threshold_f": 101.0,
                                                "lifting_limit_lb": 5.0,
                                                "bladder_bowel_tier": "clinic"}
    clinic = replace(sample_clinic, parameters=MappingProxyType(params))
    text = pdf_text(render_pdf(make_request(), clinic))
    assert "101 °F (38.3 °C)" in text
    assert "5 lb (2.3 kg)" in text


def test_follow_up_scheduled(sample_clinic, make_request):
    req = make_request(follow_up_date="2026-12-03", follow_up_time="14:30",
                       follow_up_with="Dr. Ana Rivera", follow_up_where="Suite 200")
    text = pdf_text(render_pdf(req, sample_clinic))
    assert "Thursday, December 3, 2026" in text and "2:30" in text
    assert "Dr. Ana Rivera" in text and "Suite 200" in text
    # a line ending in {% endif %} must not swallow the next bullet (trim_blocks)
    from dischargedesk.engine import prepare
    from dischargedesk.render.document import Bullet, plain_text

    bullets = [plain_text(b.text) for h in prepare(req, sample_clinic).layouts
               for s in h.sections for b in s.blocks if isinstance(b, Bullet)]
    assert any(b.startswith("When:") and b.endswith("PM") for b in bullets), bullets


def test_summary_is_one_page_then_details(rendered):
    pages = pdf_pages_text(rendered[("kyphoplasty", "two", "sedation")])
    assert "Page 1 of" in pages[0]
    assert "911" in pages[0]
    assert "(555) 010-2000" in pages[0]


def test_page_numbers_restart_per_handout(rendered):
    pages = pdf_pages_text(rendered[("kyphoplasty", "two", "sedation")])
    firsts = [i for i, p in enumerate(pages) if "Page 1 of" in p]
    assert len(firsts) == 2
    for p in pages:  # two identifiers on every page
        assert "Maria Example" in p and "MRN-12345" in p


def test_separate_handouts_have_safe_names(sample_clinic, make_request):
    handouts = render_handouts(make_request(), sample_clinic)
    assert [h.file_name for h in handouts] == ["discharge-instructions-kyphoplasty.pdf",
                                               "recovery-plan-kyphoplasty.pdf"]
    assert "Your recovery plan" not in pdf_text(handouts[0].pdf)
    one = render_handouts(make_request(handouts=["recovery"]), sample_clinic)
    assert [h.kind for h in one] == ["recovery"]


def test_deterministic(sample_clinic, make_request):
    req = make_request(medications="A\nB", brace=True)
    assert render_pdf(req, sample_clinic) == render_pdf(req, sample_clinic)


def test_metadata_without_patient_data(sample_clinic, make_request):
    pdf = pikepdf.open(io.BytesIO(render_pdf(make_request(), sample_clinic)))
    info = {k: str(v) for k, v in pdf.docinfo.items()}
    assert info["/Title"] == "Discharge instructions + Your recovery plan - Kyphoplasty"
    assert info["/Creator"].startswith("Discharge Desk ")
    blob = " ".join(info.values())
    for phi in ("Maria", "Example", "MRN-12345", "1950"):
        assert phi not in blob
    assert str(pdf.Root.Lang) == "en"
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_all_fonts_embedded_no_base14(sample_clinic, make_request):
    pdf = pikepdf.open(io.BytesIO(render_pdf(make_request(), sample_clinic)))
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            fonts[str(font.get("/BaseFont"))] = font
    assert fonts
    for base, font in fonts.items():
        assert "Helvetica" not in base and "Times" not in base and "Courier" not in base
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        desc = descendant.get("/FontDescriptor")
        assert desc is not None and ("/FontFile2" in desc or "/FontFile" in desc), base


def test_large_print_has_same_content(sample_clinic, make_request):
    normal = render_pdf(make_request(), sample_clinic)
    large = render_pdf(make_request(large_print=True), sample_clinic)
    assert len(pdf_pages_text(large)) > len(pdf_pages_text(normal))
    def words(pdf: bytes) -> set[str]:  # a line may break after a hyphen: "(0-" "10)"
        return set(re.sub(r"-\s+", "-", pdf_text(pdf)).split())

    # the large-print header labels the phones briefly ("Day:", "Night:") and its compact
    # footer prints the short sample notice: page furniture only, the handout text is all there
    labels = load_pack("en").labels
    furniture = set(f"{labels['phone_day']}: {labels['phone_night']}: "
                    f"{labels['sample_notice']}".split())
    words = words(normal) - words(large) - furniture
    # only page labels ("1", "of"...) may differ
    assert all(w.isdigit() for w in words), words


def test_context_variables_all_documented(sample_clinic, make_request):
    ctx = build_context(make_request(), sample_clinic, load_pack("en"))
    assert flatten_keys(ctx) == set(VARIABLES)


def test_engine_does_not_import_qt():
    code = ("import sys, dischargedesk.engine, dischargedesk.cli, dischargedesk.output, "
            "dischargedesk.docsgen; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_duplex_pads_odd_handouts_with_an_empty_back_page(sample_clinic, make_request):
    req = make_request()
    plain = pdf_pages_text(render_pdf(req, sample_clinic))
    duplex = pdf_pages_text(render_pdf(req, sample_clinic, duplex=True))
    first_recovery = next(i for i, p in enumerate(duplex) if "Your recovery plan" in p)
    assert first_recovery % 2 == 0  # starts on a front side
    discharge_pages = next(i for i, p in enumerate(plain) if "Your recovery plan" in p)
    if discharge_pages % 2:  # odd: exactly one empty page was added, with no furniture
        assert len(duplex) == len(plain) + 1
        assert duplex[first_recovery - 1] == ""
    else:
        assert len(duplex) == len(plain)
    assert [p for p in duplex if p] == plain
