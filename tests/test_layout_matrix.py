"""Layout guarantees over the combination matrix, measured from the printed PDF
(dischargedesk.layout_checks): summary on page 1 (pages 1-2 in large print), warning tiers
and the checklist with its signatures kept whole, headings kept with their first lines, no
bullet alone on a page, pages at least 40% full, nothing under the footer rule, no text over
other text, diary dates on one line, calendar dates in order, page budget.

The default matrix crosses procedure x level pattern x print size x language x paper in
full and rotates anesthesia x brace x opioids through it (every option value meets every
other dimension). ``DD_FULL_MATRIX=1`` runs the full product (slow)."""

from __future__ import annotations

import dataclasses
import itertools
import os
from functools import cache
from types import MappingProxyType

import pytest

from dischargedesk import layout_checks as lc
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare
from dischargedesk.render import pdf as layout

from .conftest import TODAY, base_request_data

TEN = ["T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2"]
PATTERNS = {
    "one-lumbar": {"levels": ["L2"]},
    "two": {"levels": ["T12", "L1"]},
    "three-thoracic": {"levels": ["T6", "T7", "T9"]},
    "skipped": {"levels": ["T12", "L2"]},
    "count-only": {"levels": None, "level_count": 2},
    "ten": {"levels": TEN},
}
OPTIONS = list(itertools.product(("local", "sedation", "general"), (False, True),
                                 (False, True)))
FULL = {"medications": "Oxycodone 5 mg every 6 hours if needed\nDocusate 100 mg twice a day",
        "blood_thinner": "Restart apixaban on December 1", "physician": "Dr. Lee",
        "follow_up_date": "2026-12-09", "follow_up_time": "09:30", "follow_up_with": "Dr. Lee",
        "follow_up_where": "Spine Clinic, 2nd floor", "caregiver": "Jon Example"}
def matrix_for(languages: tuple[str, ...]) -> list[tuple]:
    """Procedures x level patterns x print size x languages x paper, each with one option
    set in turn (every option set with DD_FULL_MATRIX=1); not bilingual."""
    axes_all = (("kyphoplasty", "vertebroplasty"), tuple(PATTERNS), (False, True), languages,
                ("Letter", "A4"))
    if os.environ.get("DD_FULL_MATRIX"):
        return [(*axes, opt, False) for axes in itertools.product(*axes_all)
                for opt in OPTIONS]
    # the option set turns with the case, not with the print size: a large-print case and
    # its normal-print twin share one, so the large-print budget (2.5x the normal pages)
    # reads two cases the matrix checks anyway instead of laying out a third
    cases = list(itertools.product(*(axes_all[:2] + axes_all[3:])))
    option = {case: OPTIONS[n % len(OPTIONS)] for n, case in enumerate(cases)}
    return [(*axes, option[(*axes[:2], *axes[3:])], False)
            for axes in itertools.product(*axes_all)]


MATRIX = matrix_for(("en", "es"))
#: Bilingual print (issue 12 item 5): every case of a language other than English again,
#: with the English text after each section.
BILINGUAL = [(*c[:-1], True) for c in MATRIX if c[3] != "en"]


def _clinic(base, paper: str):
    if paper == base.parameters["paper"]:
        return base
    return dataclasses.replace(base, parameters=MappingProxyType(
        {**base.parameters, "paper": paper}))


@pytest.fixture(scope="module")
def checked(sample_clinic):
    """Render and check each combination once for the whole module."""

    @cache
    def run(proc, pattern, large, lang, paper, options, bilingual=False):
        anesthesia, brace, opioids = options
        req = HandoutRequest.from_mapping(base_request_data(
            procedure=proc, anesthesia=anesthesia, brace=brace, opioids=opioids,
            large_print=large, language=lang, bilingual=bilingual, **PATTERNS[pattern],
            **FULL), today=TODAY)
        prepared = prepare(req, _clinic(sample_clinic, paper))
        return lc.check_handouts(build_document(prepared, prepared.layouts), prepared)

    return run


def _ids(combo) -> str:
    proc, pattern, large, lang, paper, (anesthesia, brace, opioids), bilingual = combo
    return "-".join([proc[:5], pattern, "large" if large else "normal", lang, paper,
                     anesthesia, "brace" if brace else "nobrace",
                     "opioids" if opioids else "noopioids",
                     *(["bilingual"] if bilingual else [])])


@pytest.mark.parametrize("combo", MATRIX + BILINGUAL, ids=[_ids(c) for c in MATRIX + BILINGUAL])
def test_layout_guarantees(checked, combo):
    handouts = checked(*combo)
    assert [h.kind for h in handouts] == ["discharge", "recovery"]
    errors = [f"{p.file}: {p.message}" for p in lc.problems_of(handouts)
              if p.severity == "error"]
    assert not errors, errors


@pytest.mark.parametrize("combo", [c for c in MATRIX + BILINGUAL if c[2]],
                         ids=[_ids(c) for c in MATRIX + BILINGUAL if c[2]])
def test_large_print_at_most_two_and_a_half_times(checked, combo):
    normal = (combo[0], combo[1], False, *combo[3:])
    counts = {h.kind: h.count for h in checked(*combo)}
    normal_counts = {h.kind: h.count for h in checked(*normal)}
    assert not lc.budget_problems(counts, normal_counts, combo[3], standard=False), \
        (counts, normal_counts)


@pytest.mark.parametrize("combo", BILINGUAL, ids=[_ids(c) for c in BILINGUAL])
def test_bilingual_at_most_twice_the_pages_of_one_language(checked, combo):
    counts = {h.kind: h.count for h in checked(*combo)}
    single = {h.kind: h.count for h in checked(*combo[:-1], False)}
    assert all(counts[k] > single[k] for k in counts), (counts, single)  # English added
    over = lc.budget_problems(counts, None, combo[3], standard=True, single_counts=single)
    assert not over, (counts, single)


def test_bilingual_budget_is_applied():
    """The budget check is not blind: a bilingual print of more than twice the pages of
    the same case in one language is a problem; the one-language budget does not apply."""
    found = lc.budget_problems({"discharge": 11}, None, "es", standard=True,
                               single_counts={"discharge": 5})
    assert [p.message for p in found] == ["11 pages in bilingual print, more than 2 times "
                                          "the 5 in one language"]
    assert not lc.budget_problems({"discharge": 9}, None, "es", standard=True,
                                  single_counts={"discharge": 5})


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize("pattern", ["one-lumbar", "two", "skipped"])
@pytest.mark.parametrize("anesthesia", ["sedation", "general"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_budget_standard_case(checked, lang, paper, pattern, anesthesia):
    """1-2 levels (side by side or with an untreated bone between them), every option,
    every free-text field filled (in Spanish with its "written in English" markers),
    normal print: at most 4 + 4 pages."""
    handouts = checked("kyphoplasty", pattern, False, lang, paper, (anesthesia, True, True),
                       False)
    counts = {h.kind: h.count for h in handouts}
    assert not lc.budget_problems(counts, None, lang, standard=True), counts


def switch_off_keep_together(monkeypatch) -> None:
    """Break the layout on purpose: a keep-together group never moves to the next page and a
    heading never starts a new one (the checks must then find split tiers and headings)."""
    class NeverMoves(layout.KeepTogether):
        def __init__(self, flowables, maxHeight=None):
            super().__init__(flowables, maxHeight=1)

    class NeverBreaks(layout.CondPageBreak):
        def wrap(self, availWidth, availHeight):
            return 0, 0

    monkeypatch.setattr(layout, "KeepTogether", NeverMoves)
    monkeypatch.setattr(layout, "CondPageBreak", NeverBreaks)


def test_checks_catch_a_broken_layout(sample_clinic, monkeypatch):
    """The checks are not blind: with keep-together switched off (a group never moves to
    the next page, a heading never starts a new page) the tiers, the checklist or a
    heading end up split somewhere, and the checks say so."""
    switch_off_keep_together(monkeypatch)
    found = []
    for pattern, large in itertools.product(PATTERNS, (False, True)):
        req = HandoutRequest.from_mapping(base_request_data(
            large_print=large, brace=True, opioids=True, **PATTERNS[pattern], **FULL),
            today=TODAY)
        prepared = prepare(req, sample_clinic)
        found += lc.problems_of(lc.check_handouts(build_document(prepared, prepared.layouts),
                                                  prepared))
    messages = " ".join(p.message for p in found)
    assert "split over two pages" in messages or "away from the lines" in messages


def test_signature_block_and_paper_size(checked, sample_clinic):
    """A4 pages are A4; the signature block is on the page of its checklist."""
    a4 = checked("kyphoplasty", "two", False, "en", "A4", ("sedation", True, True), False)
    letter = checked("kyphoplasty", "two", False, "en", "Letter", ("sedation", True, True),
                     False)
    assert round(a4[0].pages[0].width) == 595 and round(a4[0].pages[0].height) == 842
    assert round(letter[0].pages[0].width) == 612 and round(letter[0].pages[0].height) == 792


@pytest.mark.parametrize(("lang", "key", "qr"), [
    ("en", "Seen from the back.", "Scan to open Riverbend MyHealth: portal.example.org/riverbend"),
    ("es", "Vista de espaldas.", "Escanee para abrir Riverbend MyHealth: "
                                 "portal.example.org/riverbend"),
])
@pytest.mark.parametrize("large", [False, True])
def test_spine_key_and_portal_address_are_printed(sample_clinic, lang, key, qr, large):
    from dischargedesk.engine import render_pdf

    from .conftest import pdf_text

    req = HandoutRequest.from_mapping(base_request_data(language=lang, large_print=large),
                                      today=TODAY)
    text = pdf_text(render_pdf(req, sample_clinic))
    assert key in text and qr in text
    assert ("Neck (C)" if lang == "en" else "Cuello (C)") in text
    assert ("T = chest" if lang == "en" else "T = pecho") in text


def test_older_clinic_pack_without_new_labels_gets_the_built_in_ones(tmp_path):
    """A clinic's pack.toml written before the spine key existed still renders, with the
    built-in wording of its language."""
    import shutil

    from dischargedesk.clinic.profile import load_clinic
    from dischargedesk.engine import render_pdf
    from dischargedesk.resources import sample_clinic_dir, templates_dir

    from .conftest import pdf_text

    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    pack = folder / "templates" / "en" / "pack.toml"
    pack.parent.mkdir(parents=True, exist_ok=True)
    lines = (templates_dir() / "en" / "pack.toml").read_text(encoding="utf-8").splitlines()
    new = ("spine_top", "spine_key", "qr_caption", "qr_portal")
    pack.write_text("\n".join(ln for ln in lines if not ln.startswith(new)) + "\n",
                    encoding="utf-8")
    req = HandoutRequest.from_mapping(base_request_data(), today=TODAY)
    text = pdf_text(render_pdf(req, load_clinic(folder)))
    assert "Seen from the back." in text and "portal.example.org/riverbend" in text


LONG_CLINIC = {"name": "Riverbend Regional Spine and Pain Center at Saint Mary's University "
                       "Hospital", "phone": "(555) 010-2000 ext. 4321",
               "after_hours_phone": "(555) 010-2999 ext. 8765"}


def _long_clinic_handouts(sample_clinic, lang, large, paper):
    clinic = dataclasses.replace(_clinic(sample_clinic, paper), **LONG_CLINIC)
    req = HandoutRequest.from_mapping(base_request_data(
        language=lang, large_print=large, brace=True, opioids=True, **FULL), today=TODAY)
    prepared = prepare(req, clinic)
    return lc.check_handouts(build_document(prepared, prepared.layouts), prepared)


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_header_never_cuts_a_long_clinic_name_or_phone(sample_clinic, lang, large, paper):
    """A long clinic name wraps and long labelled phones take short labels or a line each:
    every page's header prints the whole name and both numbers, with their labels."""
    handouts = _long_clinic_handouts(sample_clinic, lang, large, paper)
    errors = [p.message for p in lc.problems_of(handouts) if "header" in p.message]
    assert not errors, errors
    head = " ".join(ln.text for ln in handouts[0].pages[0].lines
                    if ln.bottom >= handouts[0].pages[0].header_rule)
    day, night = ("Day", "Night") if lang == "en" else ("Día", "Noche")
    assert f"{day}" in head and f"{night}" in head, head  # labelled numbers


def test_header_check_catches_a_cut_line(sample_clinic, monkeypatch):
    """The check is not blind: a header that keeps only the first line of the name and
    of the phones (as the header did before) is reported."""
    real = layout._Furniture._header_lines

    def first_lines(self):
        names, phones = real(self)
        return names[:1], phones[:1]

    monkeypatch.setattr(layout._Furniture, "_header_lines", first_lines)
    handouts = _long_clinic_handouts(sample_clinic, "en", True, "Letter")
    assert any("header does not show" in p.message for p in lc.problems_of(handouts))


def diary_last_clinic(sample_clinic, folder):
    """The sample clinic with a recovery plan that ends with the diary and the QR code (as
    the built-in templates did before the code moved ahead of the diary): the plan whose
    last page the diary checks watch."""
    from dischargedesk.resources import templates_dir

    recovery = folder / "templates" / "en" / "recovery"
    recovery.mkdir(parents=True)
    builtin = templates_dir() / "en" / "recovery"
    questions = (builtin / "60-questions-diary.txt").read_text(encoding="utf-8")
    qr = "{% if clinic.portal_url %}\n@qr\n{% endif %}\n"
    assert qr in questions
    (recovery / "60-questions-diary.txt").write_text(questions.replace(qr, "") + qr,
                                                     encoding="utf-8")
    return dataclasses.replace(sample_clinic, folder=folder)


def test_diary_never_ends_with_one_day_alone(sample_clinic, monkeypatch, tmp_path):
    """Large print: the diary continues over pages and its last days print together, with
    the QR code after them, so the last page never holds a single day, nor the QR code
    alone. The checks are not blind: with the last days free to split, or the code free to
    move on without them (as before), that page is reported. The built-in plan prints the
    QR code before the diary; a clinic's templates may end the plan with the diary and the
    code (as the built-in ones did): such a clinic here."""
    clinic_dir = diary_last_clinic(sample_clinic, tmp_path)

    def recovery_problems(pattern, paper, options):
        anesthesia, brace, opioids = options
        req = HandoutRequest.from_mapping(base_request_data(
            large_print=True, anesthesia=anesthesia, brace=brace, opioids=opioids,
            **PATTERNS[pattern], **FULL), today=TODAY)
        prepared = prepare(req, _clinic(clinic_dir, paper), kinds=["recovery"])
        handouts = lc.check_handouts(build_document(prepared, prepared.layouts), prepared)
        return [p.message for p in lc.problems_of(handouts)]

    one_day = ("two", "Letter", ("sedation", True, True))  # 14 days: 5 + 8 + 1 before
    qr_alone = ("three-thoracic", "A4", ("local", True, False))  # the code alone before
    for case in (one_day, qr_alone):
        assert not [m for m in recovery_problems(*case) if "diary" in m or "QR" in m]
    with monkeypatch.context() as m:
        m.setattr(layout, "TABLE", dataclasses.replace(layout.TABLE, diary_tail_days=1))
        assert any("the diary ends with one day alone" in msg
                   for msg in recovery_problems(*one_day))

    class MovesOnAlone(layout._EndsTogether):  # the table splits, the code follows it
        def split(self, aW, aH):
            if self._table.wrap(aW, aH)[1] <= aH:
                return [self._table, *self._after]
            return [*self._table.split(aW, aH), *self._after]

    monkeypatch.setattr(layout, "_EndsTogether", MovesOnAlone)
    assert any("the QR code stands alone" in msg for msg in recovery_problems(*qr_alone))
