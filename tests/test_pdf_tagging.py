"""Tagged PDF (PDF/UA-1), checked over the combination matrix by the validator of
tests/pdf_structure.py and by the ``pdfua`` checker (no Java): marked content and tree agree,
the tree reads in the document model's order, headings nest, figures have /Alt, fonts are
embedded, no base-14 font. The layout matrix's cases (procedure x level pattern x print
size x language x paper, options rotated, and the Spanish ones again as bilingual print)
render both handouts in one PDF (preview and print); a slice of the clinical matrix
renders one PDF per handout (CLI and Save)."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re

import pikepdf
import pytest
from pdfua import validate

from dischargedesk.domain.fields import UNTRANSLATED
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare, render_handouts, render_pdf
from dischargedesk.render import document as d
from dischargedesk.render import tagging
from dischargedesk.render.language import load_pack

from . import pdf_structure as ps
from .conftest import TODAY, base_request_data
from .test_clinical_matrix import COMBOS as CLINICAL
from .test_clinical_matrix import _case
from .test_layout_matrix import FULL, OPTIONS, PATTERNS, _clinic, _ids


def pdfua_findings(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return [f"{f.rule_id}: {f.message}" for f in validate(str(path)).findings]


def model_sentences(prepared, layouts=None) -> list[str]:
    """The handout's words in document-model order: title, subtitle, notices, then every
    section's sentences (headings, paragraphs, bullets, box contents, table cells)."""
    out: list[str] = []
    for h in layouts or prepared.layouts:
        out += [h.title, d.plain_text(h.subtitle), *(d.plain_text(n) for n in h.notices)]
        for s in h.sections:
            out += s.plain_sentences()
    return out


def reading_order_problems(pdf: bytes, sentences: list[str]) -> list[str]:
    """Each sentence of the model is in the tree's text, after the one before it."""
    text = re.sub(r"\s+", "", ps.tree_text(pdf))
    at, problems = 0, []
    for sentence in sentences:
        want = re.sub(r"\s+", "", sentence)
        found = text.find(want, at)
        if found < 0:
            where = "earlier in the tree" if want in text else "not in the tree"
            problems.append(f"{sentence[:60]!r}: {where}")
            continue
        at = found + len(want)
    return problems


def free_text_lines(request: HandoutRequest) -> list[str]:
    """The nurse's free text (the field table's untranslated fields), a line each."""
    return [line.strip() for name in sorted(UNTRANSLATED)
            for line in str(getattr(request, name) or "").split("\n") if line.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


#: The English every translated pack prints in its own texts, after its own language: the
#: unreviewed notice (in full and short) and the label over the English copy of bilingual
#: print (test_language_packs checks that every pack's texts end with them).
PACK_ENGLISH = ("Not reviewed by a qualified translator: ask if anything is unclear.",
                "Not reviewed by a qualified translator", "English")


def free_text_problems(langs: ps.Languages, request: HandoutRequest,
                       every: bool = True) -> list[str]:
    """In a translated handout each free-text line is read in English: its words are the
    whole text of a Span /Lang en (the marker after it is not), never text read in the
    document's language; with ``every``, each line is in the file (both handouts in one
    PDF print them all). So is the English of the pack's own texts (``PACK_ENGLISH``: the
    English half of the unreviewed notice, the "English" of the English-copy label): a
    Span /Lang en each, never read in the document's language. No other element has /Lang
    en except the English copy of a bilingual print (a Sect), and none a /Lang of its own
    but the Div of the signature block in that copy (in the document's language: it signs
    both checklists). In an English handout no element has a /Lang of its own."""
    lines = {_squash(v): v for v in free_text_lines(request)}
    pack_english = {_squash(v) for v in PACK_ENGLISH}
    english = langs.document.split("-")[0] == "en"
    problems, spans = [], set()
    for role, lang, text in langs.runs:
        if role == "Sect" and lang == "en" and request.bilingual and not english:
            continue  # the clinic's English text of a section
        if role == "Div" and lang == langs.document and request.bilingual and not english:
            continue  # the signature block (the patient's language) after the English checklist
        if role == "Span" and lang == "en" and not english and (
                _squash(text) in lines or _squash(text) in pack_english):
            spans.add(_squash(text))
            continue
        problems.append(f"{role} /Lang {lang} in a {langs.document} handout: {text[:60]!r}")
    if english:
        return problems
    native = _squash(langs.native)
    for key, line in lines.items():
        if key in native:
            problems.append(f"free text read as {langs.document}: {line!r}")
        if every and key not in spans:
            problems.append(f"free text not in a Span /Lang en: {line!r}")
    problems += [f"English of the pack read as {langs.document}: {text!r}"
                 for text in PACK_ENGLISH if _squash(text) in native]
    return problems


def assert_tagged(pdf: bytes, sentences: list[str], tmp_path, request: HandoutRequest,
                  pdfua: bool = True, every: bool = True) -> list[tuple[str, str, str]]:
    """Both checks (pdfua unless told not to), and the nurse's free text read in English
    (``free_text_problems``); returns the tree in reading order."""
    report = ps.full_report(pdf)
    problems, tree = report.problems, report.reading
    assert not problems, problems[:10]
    free = free_text_problems(report.languages, request, every)
    assert not free, free[:10]
    order = reading_order_problems(pdf, sentences)
    assert not order, order[:5]
    if pdfua:
        assert not pdfua_findings(pdf, tmp_path)
    return tree


LANGUAGES = ("en", "es", "zh-Hans", "zh-Hant", "vi", "ko", "tl")


def covering(base: list[tuple], extra: dict[int, tuple], targets) -> list[tuple]:
    """A covering design, the same every run: each row of ``base`` gets a value for every
    factor in ``extra`` (position -> values), chosen to cover the most targets not yet
    covered (``targets(row)``: the set of targets a row covers); then rows of the full
    product are added, the most covering first, until every target of the product is
    covered. Ties go to the first candidate, so the list is deterministic."""
    slots = sorted(extra)
    width = len(base[0]) + len(slots)

    def complete(row: tuple, values: tuple) -> tuple:
        out, it = list(row), iter(values)
        for pos in slots:
            out.insert(pos, next(it))
        assert len(out) == width
        return tuple(out)

    choices = list(itertools.product(*(extra[p] for p in slots)))
    rows: list[tuple] = []
    done: set = set()
    for row in base:
        best = max((complete(row, v) for v in choices), key=lambda r: len(targets(r) - done))
        rows.append(best)
        done |= targets(best)
    everything = [complete(row, v) for row in base for v in choices]
    wanted = set().union(*(targets(r) for r in everything))
    while wanted - done:
        best = max(everything, key=lambda r: len(targets(r) - done))
        rows.append(best)
        done |= targets(best)
    return rows


def pairs(row: tuple, positions: tuple[int, ...]) -> set:
    """The value pairs of any two factors at ``positions`` (all pairs: pairwise covering)."""
    return {(a, row[a], b, row[b]) for a, b in itertools.combinations(positions, 2)}


def singles(row: tuple, positions: tuple[int, ...]) -> set:
    return {(a, row[a]) for a in positions}


# Layout matrix rows: (procedure, pattern, large, language, paper, options, bilingual).
# Validator: every language x print size x bilingual (not for English) x procedure, with the
# level pattern, option set and paper chosen so that every pair of values of any two
# factors appears (pairwise: two-factor interactions are where layouts go wrong), except
# that an option set (anesthesia, brace, opioids) is paired with the print size only
# (pairing it with every language too would take 84 rows instead of 54).
_BASE = [(proc, large, lang, bilingual) for lang in LANGUAGES for large in (False, True)
         for bilingual in ((False,) if lang == "en" else (False, True))
         for proc in ("kyphoplasty", "vertebroplasty")]


def _layout_targets(r: tuple) -> set:
    return pairs(r, (0, 1, 2, 3, 4, 6)) | pairs(r, (2, 5))


VALIDATED = covering(_BASE, {1: tuple(PATTERNS), 4: ("Letter", "A4"), 5: tuple(OPTIONS)},
                     _layout_targets)
# pdfua (slower): a subset of those rows covering every pair of language, print size,
# bilingual and procedure, and every level pattern, option set and paper once.


def _ua_targets(r: tuple) -> set:
    return pairs(r, (0, 2, 3, 6)) | singles(r, (1, 4, 5))


def _ua_subset(rows: list[tuple]) -> set[tuple]:
    """Greedy: the rows covering the most uncovered ``_ua_targets`` first, until none is left."""
    wanted = set().union(*(_ua_targets(r) for r in rows))
    chosen: list[tuple] = []
    done: set = set()
    while wanted - done:
        best = max(rows, key=lambda r: len(_ua_targets(r) - done))
        chosen.append(best)
        done |= _ua_targets(best)
    return set(chosen)


UA_CHECKED = _ua_subset(VALIDATED)


@pytest.mark.parametrize("combo", VALIDATED, ids=[_ids(c) for c in VALIDATED])
def test_layout_matrix_is_tagged(sample_clinic, combo, tmp_path):
    proc, pattern, large, lang, paper, (anesthesia, brace, opioids), bilingual = combo
    req = HandoutRequest.from_mapping(base_request_data(
        procedure=proc, anesthesia=anesthesia, brace=brace, opioids=opioids,
        large_print=large, language=lang, bilingual=bilingual, **PATTERNS[pattern], **FULL),
        today=TODAY)
    prepared = prepare(req, _clinic(sample_clinic, paper))
    pdf = build_document(prepared, prepared.layouts)
    tree = assert_tagged(pdf, model_sentences(prepared), tmp_path, req,
                         pdfua=combo in UA_CHECKED)
    assert str(pikepdf.open(io.BytesIO(pdf)).Root.Lang) == lang
    english = [r for r, _, _ in tree if r.strip() == "Sect lang=en"]
    assert bool(english) == bilingual  # the English copy of bilingual print is /Lang en


# Clinical matrix (procedure, levels, anesthesia, follow-up, language), one PDF per handout
# (CLI and Save): pairwise over its five factors (was every 12th case); pdfua on the rows
# that show every value once.
_CLINICAL_ROWS = sorted({(c[0],) for c in CLINICAL})
_CLINICAL_LEVELS = {i: tuple(dict.fromkeys(c[i] for c in CLINICAL)) for i in range(1, 5)}
CLINICAL_CHECKED = covering(_CLINICAL_ROWS, _CLINICAL_LEVELS,
                            lambda r: pairs(r, tuple(range(5))))
_CLINICAL_UA = covering(_CLINICAL_ROWS, _CLINICAL_LEVELS,
                        lambda r: singles(r, tuple(range(5))))


@pytest.mark.parametrize("combo", CLINICAL_CHECKED, ids=["-".join(c) for c in CLINICAL_CHECKED])
def test_clinical_matrix_one_pdf_per_handout_is_tagged(sample_clinic, combo, tmp_path):
    req = HandoutRequest.from_mapping(_case(combo), today=TODAY)
    prepared = prepare(req, sample_clinic)
    for layout, handout in zip(prepared.layouts, render_handouts(req, sample_clinic),
                               strict=True):
        assert_tagged(handout.pdf, model_sentences(prepared, [layout]), tmp_path, req,
                      pdfua=combo in _CLINICAL_UA, every=False)


def test_the_covering_designs_cover():
    """Every language x print size x bilingual x procedure is validated; every pair of
    values of any two layout factors (option sets: with print size) appears in a validated
    row, and every pair of the
    clinical factors; the pdfua rows are validated rows covering their targets."""
    assert {(r[0], r[2], r[3], r[6]) for r in VALIDATED} == set(_BASE_KEYS)
    full = [(p, pat, lg, lang, paper, opt, bi) for p, lg, lang, bi in _BASE_KEYS
            for pat in PATTERNS for paper in ("Letter", "A4") for opt in OPTIONS]
    want = set().union(*(_layout_targets(r) for r in full))
    assert want <= set().union(*(_layout_targets(r) for r in VALIDATED))
    assert set(VALIDATED) >= UA_CHECKED
    assert set().union(*(_ua_targets(r) for r in full)) <= \
        set().union(*(_ua_targets(r) for r in UA_CHECKED))
    clinical = set().union(*(pairs(c, tuple(range(5))) for c in CLINICAL))
    assert clinical <= set().union(*(pairs(c, tuple(range(5))) for c in CLINICAL_CHECKED))
    assert set(_CLINICAL_UA) <= set(CLINICAL) and set(CLINICAL_CHECKED) <= set(CLINICAL)


_BASE_KEYS = [(proc, large, lang, bilingual) for proc, large, lang, bilingual in _BASE]


@pytest.mark.parametrize("large", [False, True])
def test_duplex_padding_page_is_tagged(sample_clinic, large, tmp_path):
    """The empty back page of a duplex print has no content, /Tabs /S all the same."""
    req = HandoutRequest.from_mapping(base_request_data(anesthesia="local", large_print=large),
                                      today=TODAY)
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts, duplex=True)
    assert_tagged(pdf, model_sentences(prepared), tmp_path, req)


def test_standard_case_structure(sample_clinic, make_request):
    """What a screen reader meets: one Part per handout under its H1 title; sections as
    Sect with H2 headings, warning boxes as Sect with their heading; lists with labels;
    the calendar, diary and signature block as tables with header cells; the drawing and
    the QR code with their descriptions; all in English, the document's language."""
    pdf = render_pdf(make_request(), sample_clinic)
    tree = ps.reading(pdf)
    roles = [r.strip() for r, _, _ in tree]
    assert roles[:4] == ["Document", "Part", "H1", "P"]
    assert roles.count("Part") == 2 and roles.count("H1") == 2
    headings = [(r.strip(), t) for r, t, _ in tree if r.strip().startswith("H")]
    assert ("H1", "Discharge instructions") in headings
    assert ("H1", "Your recovery plan") in headings
    assert ("H2", "Call 911 now, even days or months from now, if you have:") in headings
    figures = [alt for r, _, alt in tree if r.strip() == "Figure"]
    assert "Drawing of the spine, seen from the back. Treated: T12 and L1. Treated levels " \
        "are marked in red." in figures
    assert "QR code. It opens Riverbend MyHealth: portal.example.org/riverbend" in figures
    labels = {t for r, t, _ in tree if r.strip() == "Lbl"}
    assert labels == {"•", "☐"}
    assert roles.count("Table") >= 3  # calendar, signatures, diary
    heads = [tree[i + 1][1] for i, (r, _, _) in enumerate(tree) if r.strip() == "TH"]
    assert "Pain (0-10)" in heads and "Patient or caregiver signature" in heads
    assert not any("lang=" in r for r, _, _ in tree)
    doc = pikepdf.open(io.BytesIO(pdf))
    assert str(doc.Root.Lang) == "en"


def test_heading_levels_never_skip_on_the_summary(sample_clinic, make_request):
    """The summary's boxes have '##' headings and the section no '#': they are all H2 under
    the H1 title, not H3 (a skipped level). Elsewhere '#' is H2 and '##' H3."""
    pdf = render_pdf(make_request(), sample_clinic)
    assert not [p for p in ps.check(pdf) if "skipped" in p]
    tree = ps.reading(pdf)
    boxes = [t for r, t, _ in tree[:60] if r.strip() == "H2"]
    assert boxes[:2] == ["Call 911 now, even days or months from now, if you have:",
                         "Call us now at (555) 010-2000 if:"]
    assert ("      H2", "Your first day at home", "") in tree
    assert ("      H3", "For 24 hours after the sleep medicine", "") in tree


def test_the_validator_sees_a_skipped_heading_level(sample_clinic, make_request,
                                                    monkeypatch):
    def model_levels(root):
        return {id(n): n.level + 1 for n in _walk(root) if n.level >= 0}

    monkeypatch.setattr(tagging, "_heading_levels", model_levels)
    pdf = render_pdf(make_request(), sample_clinic)
    assert any("heading level skipped: H1 then H3" in p for p in ps.check(pdf))


def _walk(node):
    yield node
    for k in node.nodes():
        yield from _walk(k)


def test_the_validator_sees_untagged_content(sample_clinic, make_request, monkeypatch):
    """Paragraphs drawn without their marked content: their text is outside any marked
    content and their elements name MCIDs no page has."""
    from reportlab.platypus import Flowable

    def plain(self, canvas, x, y, _sW=0):
        return Flowable.drawOn(self, canvas, x, y, _sW)

    monkeypatch.setattr(tagging.Marked, "drawOn", plain)
    problems = ps.check(render_pdf(make_request(), sample_clinic))
    assert any("'Tj' outside marked content" in p for p in problems)
    assert any("outside marked content" in p and "'Tj'" not in p
               for p in problems)  # the drawings' paths


def test_the_validator_sees_a_figure_without_alt(sample_clinic, make_request, monkeypatch):
    import dischargedesk.engine as engine

    real = engine.Extras

    def no_alt(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), spine_alt="")

    monkeypatch.setattr(engine, "Extras", no_alt)
    pdf = render_pdf(make_request(), sample_clinic)
    assert "Figure without /Alt" in ps.check(pdf)
    assert any(f.startswith("UA-13-004") for f in _pdfua(pdf))


def _pdfua(pdf: bytes) -> list[str]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "h.pdf"
        path.write_bytes(pdf)
        return [f.rule_id for f in validate(str(path)).findings]


def test_the_reading_order_check_sees_a_reordered_tree(sample_clinic, make_request,
                                                      monkeypatch):
    """With every element's children written in reverse, the words are out of order."""
    real = tagging.Tags.kept

    def reversed_tree(self):
        root = real(self)
        for n in _walk(root):
            n.kids.reverse()
        return root

    monkeypatch.setattr(tagging.Tags, "kept", reversed_tree)
    req = make_request()
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts)
    assert reading_order_problems(pdf, model_sentences(prepared))


def test_same_request_same_bytes(sample_clinic, make_request):
    req = make_request(large_print=True, language="es")
    assert render_pdf(req, sample_clinic) == render_pdf(req, sample_clinic)
    first, second = render_handouts(req, sample_clinic), render_handouts(req, sample_clinic)
    assert [h.pdf for h in first] == [h.pdf for h in second]


def test_document_entries_and_no_patient_data_in_metadata(sample_clinic, make_request):
    pdf = render_pdf(make_request(), sample_clinic)
    doc = pikepdf.open(io.BytesIO(pdf))
    xmp = doc.Root.Metadata.read_bytes().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "Discharge instructions + Your recovery plan - Kyphoplasty" in xmp
    assert "<xmp:CreateDate>2000-01-01T00:00:00+00:00</xmp:CreateDate>" in xmp  # fixed
    assert "Maria" not in xmp and "MRN" not in xmp and "12345" not in xmp
    assert bool(doc.Root.MarkInfo.Marked)
    assert all(p.obj.Tabs == "/S" for p in doc.pages)
    assert "/RoleMap" not in doc.Root.StructTreeRoot  # standard types only
    assert b"Helvetica" not in pdf


def test_section_and_paragraph_languages_are_tagged(sample_clinic, make_request, tmp_path):
    """A section or paragraph of the model in another language (bilingual print, a Latin
    name in a Chinese handout) carries /Lang on its structure element."""
    req = make_request()
    prepared = prepare(req, sample_clinic)
    discharge = prepared.layouts[0]
    second = discharge.sections[1]
    second.lang = "es"
    third = discharge.sections[2]
    k = next(i for i, b in enumerate(third.blocks) if isinstance(b, d.Paragraph))
    third.blocks[k] = dataclasses.replace(third.blocks[k], lang="fr")
    pdf = build_document(prepared, [discharge])
    tree = ps.reading(pdf)
    sects = [r.strip() for r, _, _ in tree if r.strip().startswith("Sect")]
    assert sects.count("Sect lang=es") == 1
    fr = [t for r, t, _ in tree if r.strip() == "P lang=fr"]
    assert fr and re.sub(r"\s+", "", fr[0]) == \
        re.sub(r"\s+", "", d.plain_text(third.blocks[k].text))
    assert not ps.check(pdf)
    doc = pikepdf.open(io.BytesIO(pdf))
    langs = {str(o.Lang) for o in doc.objects if isinstance(o, pikepdf.Dictionary)
             and o.get("/Type") == "/StructElem" and "/Lang" in o}
    assert langs == {"es", "fr"}


def test_large_print_diary_bands_are_row_headers(sample_clinic, make_request):
    pdf = render_pdf(make_request(large_print=True), sample_clinic)
    doc = pikepdf.open(io.BytesIO(pdf))
    scopes = {str(o.A.Scope) for o in doc.objects if isinstance(o, pikepdf.Dictionary)
              and o.get("/S") == "/TH"}
    assert scopes == {"/Column", "/Row"}
    spans = [int(o.A.ColSpan) for o in doc.objects if isinstance(o, pikepdf.Dictionary)
             and o.get("/S") == "/TH" and "/ColSpan" in o.get("/A", {})]
    assert spans and set(spans) == {4}


def test_the_validator_sees_glyph_zero_and_base14_fonts(sample_clinic, make_request):
    """A character no embedded font has (Ugaritic; it would print as glyph 0, a box) and
    a paragraph in Helvetica (a base-14 font, not embedded): both found."""
    prepared = prepare(make_request(), sample_clinic)
    layout = prepared.layouts[0]
    layout.sections[1].blocks.append(d.Paragraph("Ugaritic 𐎀"))
    layout.sections[2].blocks.append(d.Paragraph('<font face="Helvetica">plain</font>'))
    problems = ps.check(build_document(prepared, [layout]))
    assert any("glyph 0 in" in p and "DejaVuSans" in p for p in problems)
    assert any("base-14 font Helvetica" in p for p in problems)
    assert any("Helvetica is not embedded" in p for p in problems)


@pytest.mark.parametrize("large", [False, True])
def test_bilingual_print_is_tagged_with_both_languages(sample_clinic, large, tmp_path):
    """Spanish with the English text after each section: the English sections are Sect
    /Lang en in a document whose /Lang is es, and the whole passes both checks."""
    req = HandoutRequest.from_mapping(base_request_data(language="es", bilingual=True,
                                                        large_print=large), today=TODAY)
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts)
    assert_tagged(pdf, model_sentences(prepared), tmp_path, req)
    tree = ps.reading(pdf)
    english = [r for r, _, _ in tree if r.strip() == "Sect lang=en"]
    assert len(english) >= 5
    assert str(pikepdf.open(io.BytesIO(pdf)).Root.Lang) == "es"


def _with_two_byte_text(pdf: bytes, codes: bytes) -> bytes:
    """The handout with a Type0 font (Identity-H: two bytes a code, CID = glyph id) made
    from its embedded DejaVu subset, showing ``codes`` in an artifact on page 1."""
    doc = pikepdf.open(io.BytesIO(pdf))
    page = doc.pages[0]
    simple = next(f for f in page.obj.Resources.Font.values()
                  if "DejaVuSans" in str(f.BaseFont))
    cmap = doc.make_stream(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"2 beginbfchar <0000> <0041> <0003> <0042> endbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end")
    cid = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=simple.BaseFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                         Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=simple.FontDescriptor, CIDToGIDMap=pikepdf.Name.Identity))
    page.obj.Resources.Font.FZ = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=simple.BaseFont,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[cid], ToUnicode=cmap))
    page.contents_add(doc.make_stream(
        b"/Artifact BMC BT /FZ 12 Tf 72 72 Td <" + codes.hex().encode() + b"> Tj ET EMC"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_the_validator_reads_two_byte_codes_and_sees_glyph_zero(sample_clinic, make_request):
    """Codes of a two-byte (Type0, Identity-H) font are read two bytes at a time: code
    0x0003 is glyph 3, no problem (read a byte at a time it would be codes 0 and 3); code
    0x0000 is glyph 0, found (a byte-wise reading decoded it as two 'A's and saw nothing)."""
    pdf = render_pdf(make_request(), sample_clinic)
    good = ps.check(_with_two_byte_text(pdf, b"\x00\x03"))
    assert not good, good
    bad = ps.check(_with_two_byte_text(pdf, b"\x00\x03\x00\x00"))
    assert any("['A'] shown as glyph 0" in p for p in bad), bad


@pytest.mark.parametrize("large", [False, True])
def test_the_colour_swatch_is_not_read_aloud(sample_clinic, make_request, large,
                                             monkeypatch):
    """The red square before the drawing's caption is decoration: its paragraph reads as
    the caption alone (/ActualText), and without that the validator finds it."""
    pdf = render_pdf(make_request(large_print=large), sample_clinic)
    caption = [t for r, t, _ in ps.reading(pdf) if t.startswith("Treated")]
    assert caption and caption[0].startswith("Treated: T12 and L1")
    assert "■" not in ps.tree_text(pdf)
    assert not ps.check(pdf)

    real = tagging.Tags.leaf

    def no_actual(self, flowable, role, **kwargs):
        kwargs.pop("actual", None)
        return real(self, flowable, role, **kwargs)

    monkeypatch.setattr(tagging.Tags, "leaf", no_actual)
    problems = ps.check(render_pdf(make_request(large_print=large), sample_clinic))
    assert any("decoration ['■'] is read aloud" in p for p in problems), problems


@pytest.mark.parametrize("lang", ["es", "zh-Hans"])
def test_free_text_is_a_span_in_english_printed_as_typed(sample_clinic, lang, tmp_path):
    """The nurse's free text in a translated handout: each line is a Span /Lang en inside
    its paragraph or list item, holding the line as typed (never markup: ``<b>`` and ``&``
    print as written), with the handout's marker after it in the handout's language; the
    same request gives the same bytes."""
    typed = "<b>O'Brien & Sons"
    req = HandoutRequest.from_mapping(base_request_data(
        language=lang, medications="Oxycodone 5 mg every 6 hours\nDocusate 100 mg",
        blood_thinner=typed, follow_up_date="2026-12-09",
        follow_up_where="Spine Clinic, 2nd floor"), today=TODAY)
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts)
    tree = assert_tagged(pdf, model_sentences(prepared), tmp_path, req)
    spans = [(i, t) for i, (r, t, _) in enumerate(tree)
             if r.strip() == "Span lang=en" and t not in PACK_ENGLISH]  # (the notice's)
    assert typed in {t for _, t in spans}
    assert b"<b>O'Brien" not in pdf  # (content streams are compressed: no markup left raw)
    marker = str(prepared.pack.labels["free_text_marker"])
    for i, text in spans:
        role, parent, _ = tree[i - 1]  # the element holding the Span, read before it
        assert role.strip() in ("P", "LBody", "TD", "TH"), role
        assert _squash(parent).startswith(_squash(text)) or \
            _squash(text) in _squash(parent)
        after = _squash(parent)[_squash(parent).index(_squash(text)) + len(_squash(text)):]
        assert after.startswith(_squash(f"({marker})")), parent  # outside the Span
        assert _squash(marker) not in _squash(text)
    assert build_document(prepared, prepared.layouts) == pdf


TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


def test_every_translated_pack_prints_the_same_english_in_its_texts():
    """The English halves that ``PACK_ENGLISH`` expects are what every built-in
    translated pack prints after its own language (a new pack keeps the form)."""
    for code in TRANSLATED:
        pack = load_pack(code)
        assert pack.unreviewed_notice.endswith(" / " + PACK_ENGLISH[0]), code
        assert str(pack.labels["unreviewed_short"]).endswith(" · " + PACK_ENGLISH[1]), code
        assert str(pack.labels["english_copy"]).endswith(" · " + PACK_ENGLISH[2]), code


@pytest.mark.parametrize("lang", ["es", "zh-Hans", "ko"])
def test_the_english_of_the_unreviewed_notice_is_read_in_english(sample_clinic, lang,
                                                                  tmp_path):
    """The unreviewed notice is printed in the pack's language and then in English
    ("Traducción no revisada ... / Not reviewed by a qualified translator: ..."): its English
    is a Span /Lang en inside the notice's paragraph, the part before it read in the
    handout's language; so is the "English" of the label over each English copy of
    bilingual print (the label's own words are the handout's language). Read from the
    structure tree of the PDF; the same request gives the same bytes."""
    req = HandoutRequest.from_mapping(base_request_data(language=lang, bilingual=True),
                                      today=TODAY)
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts)
    tree = assert_tagged(pdf, model_sentences(prepared), tmp_path, req)
    langs = ps.languages(pdf)
    pack = load_pack(lang)
    native = _squash(langs.native)
    spans = [t for r, lng, t in langs.runs if r == "Span" and lng == "en"]
    for full in (pack.unreviewed_notice, str(pack.labels["unreviewed_short"])):
        own, english = re.split(r" / | · (?=Not)", full)
        assert english in spans, (english, spans)
        assert _squash(english) not in native
        assert _squash(own) in native
        # the Span is a child of the notice's paragraph, right after it in reading order
        at = next(i for i, (r, t, _) in enumerate(tree)
                  if r.strip() == "Span lang=en" and t == english)
        role, parent, _ = tree[at - 1]
        assert len(tree[at][0]) - len(tree[at][0].lstrip()) == \
            len(role) - len(role.lstrip()) + 2  # one level deeper
        assert role.strip() == "P" and _squash(parent).endswith(_squash(english))
        assert _squash(parent).startswith(_squash(own))
    copies = [s for h in prepared.layouts for s in h.sections if s.english_copy]
    label_own = str(pack.labels["english_copy"]).rsplit(" · ", 1)[0]
    assert copies and spans.count("English") == len(copies)
    assert native.count(_squash(label_own)) >= len(copies)
    assert build_document(prepared, prepared.layouts) == pdf


@pytest.mark.parametrize(("run_lang", "words"), [("es", "Pida un intérprete"),
                                                 ("ko", "통역사를 요청하세요")])
def test_a_run_in_another_language_in_an_english_handout(sample_clinic, make_request,
                                                         run_lang, words):
    """The reverse: a run of the document model in another language (document.lang_run)
    inside a paragraph of an English handout is a Span with that /Lang; the text around it
    stays English (no /Lang of its own)."""
    prepared = prepare(make_request(), sample_clinic)
    layout = prepared.layouts[0]
    layout.sections[1].blocks.append(
        d.Paragraph(f"Need help? {d.lang_run(words, run_lang)} Ask at the desk."))
    pdf = build_document(prepared, [layout])
    report = ps.full_report(pdf)
    assert not report.problems, report.problems[:5]
    assert [(r, lng, _squash(t)) for r, lng, t in report.languages.runs] == \
        [("Span", run_lang, _squash(words))]
    assert "Needhelp?" in _squash(report.languages.native)
    assert "Askatthedesk." in _squash(report.languages.native)


#: A blood-thinner restart the nurse typed, long enough to take several lines (a
#: paragraph of two lines is never split: no orphan, no widow).
LONG_RESTART = (
    "Restart apixaban 5 mg twice a day on Thursday morning, December 3, with breakfast, "
    "only if the wound is dry and there is no new bleeding; if you see blood in the urine "
    "or black stools, do not take it and call the clinic first, day or night")


def _split_restart(sample_clinic, lang: str, large: bool, near: int):
    """A handout whose long blood-thinner line is split by a page break: the medication
    lines before it (tried from ``near`` outwards) push it to a page bottom. Returns the
    request, the prepared handout, the PDF, and the Span's text page by page."""
    for n in sorted(range(31), key=lambda k: (abs(k - near), k)):
        meds = "\n".join(f"Medicine {i + 1}: 1 tablet a day" for i in range(n))
        req = HandoutRequest.from_mapping(base_request_data(
            language=lang, large_print=large, medications=meds, blood_thinner=LONG_RESTART,
            handouts=["discharge"]), today=TODAY)
        prepared = prepare(req, sample_clinic)
        pdf = build_document(prepared, prepared.layouts)
        langs = ps.languages(pdf)
        for (_, _, text), pages in zip(langs.runs, langs.pages, strict=True):
            if _squash(text) == _squash(LONG_RESTART) and len(pages) > 1:
                return req, prepared, pdf, pages
    raise AssertionError("no medication count puts the line across a page break")


@pytest.mark.parametrize(("lang", "large", "near"),
                         [("es", False, 27), ("es", True, 6), ("zh-Hans", False, 2)])
def test_a_free_text_span_split_by_a_page_break(sample_clinic, lang, large, near, tmp_path):
    """A free-text line split by a page break stays one Span /Lang en: its text on both
    pages (a marked-content piece on each, one element), nothing of it read in the
    handout's language, and the tree passes the validator and the pdfua checker."""
    req, prepared, pdf, pages = _split_restart(sample_clinic, lang, large, near)
    assert len(pages) == 2 and all(pages.values()), pages
    first, second = pages.values()
    assert _squash(first + second) == _squash(LONG_RESTART)
    assert list(pages) == [min(pages), min(pages) + 1]
    assert_tagged(pdf, model_sentences(prepared), tmp_path, req)


@pytest.mark.parametrize("text", [
    "英文原文 · " + d.lang_run("English", "en"),
    "抗凝药：" + d.FREE_START + "Apixaban5mgtwiceaday" + d.FREE_END + " <i>(没有翻译)</i>"])
def test_cjk_lines_break_before_a_latin_word_after_a_run_mark(text):
    """Chinese line breaking looks back from a Latin word at the line end for a space or
    a Chinese character; the zero-width mark where a run in another language starts is
    neither (ReportLab's own breaker raised TypeError on it: a large-print bilingual
    Chinese handout could not be laid out). Every width lays the paragraph out, and the
    text stays whole."""
    from dischargedesk.render.fonts import register_fonts
    from dischargedesk.render.pdf import _Para
    from dischargedesk.render.style import Styles

    register_fonts()
    st = Styles(True, word_wrap="CJK")
    want = _squash(d.plain_text(text))
    for width in range(20, 260, 4):
        para = _Para(text, st.body)
        para.wrap(width, 10_000)
        lines = para.blPara.lines
        got = "".join(getattr(w, "text", "") for ln in lines for w in ln.words)
        assert _squash(got) == want, width


def test_a_label_the_pack_lacks_is_read_in_the_language_it_comes_from():
    """A clinic's pack without a newer label prints the built-in pack's of its language
    (its English half still a run in English), else the English pack's: then the whole
    label is a run in English. (The PDF side of a run: the tests above.)"""
    from dischargedesk.engine import _label_markup

    es = load_pack("es")
    en = load_pack("en")
    lacking = {k: v for k, v in es.labels.items() if k not in ("english_copy", "bilingual_note")}
    clinic_es = dataclasses.replace(es, labels=lacking)
    assert _label_markup(clinic_es, "english_copy") == \
        "Texto en inglés · " + d.lang_run("English", "en")
    assert _label_markup(clinic_es, "bilingual_note") == d.escape(
        str(es.labels["bilingual_note"]))
    clinic_fr = dataclasses.replace(es, code="fr", labels=lacking)
    assert _label_markup(clinic_fr, "bilingual_note") == d.lang_run(
        d.escape(str(en.labels["bilingual_note"])), "en")
    assert _label_markup(clinic_fr, "english_copy") == d.lang_run("English", "en")
    assert _label_markup(en, "english_copy") == "English"  # an English handout: no runs
