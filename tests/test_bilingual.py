"""Language access (issue 12 items 4 and 5): the nurse's free text is never silent in a
translated handout (it prints with the pack's `free_text_marker`, set by the engine for
every template), and bilingual print (each section in the patient's language, then the
clinic's English text of it; the summary on page 1 in the patient's language)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from dischargedesk.cli import main
from dischargedesk.domain.fields import FIELD, UNTRANSLATED
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import BILINGUAL_NOTE, build_document, prepare, render_pdf
from dischargedesk.errors import DischargeDeskError, RequestError, TemplateError
from dischargedesk.render import document as d
from dischargedesk.render import language
from dischargedesk.render.context import build_context
from dischargedesk.render.language import load_pack
from dischargedesk.render.templating import (
    FREE_END,
    FREE_START,
    HandoutEnvironment,
    SectionSource,
    render_section,
)
from dischargedesk.resources import templates_dir

from .conftest import TODAY, base_request_data, pdf_pages_text, pdf_text

ES_MARKER = load_pack("es").labels["free_text_marker"]
EN_NOTE = load_pack("en").labels["bilingual_note"]
ES_NOTE = load_pack("es").labels["bilingual_note"]
# one unmistakable token per free-text value
FREE = {"medications": "Qortaxin 5 mg every 6 hours\nVelmorine 100 mg twice a day",
        "blood_thinner": "Restart Zabrixan on Thursday morning",
        "follow_up_where": "Plumtree Spine Center, 2nd floor"}
TOKENS = ("Qortaxin", "Velmorine", "Zabrixan", "Plumtree")
NAMES = {"physician": "Dr. Xolotl", "follow_up_with": "Dr. Xolotl", "caregiver": "Yusra Q"}


def _request(**extra):
    return HandoutRequest.from_mapping(base_request_data(**{
        **FREE, **NAMES, "follow_up_date": "2026-12-09", "follow_up_time": "09:30",
        "brace": True, "opioids": True, **extra}), today=TODAY)


def _fold(text: str) -> str:
    return " ".join(text.split())


# -- item 4: the marker -----------------------------------------------------------------------
def test_spanish_pdf_has_the_marker_after_each_free_text_line_and_nowhere_else(sample_clinic):
    text = pdf_text(render_pdf(_request(language="es"), sample_clinic))
    marker = f"({_fold(ES_MARKER)})"
    printed = sum(text.count(t) for t in TOKENS)
    assert printed >= 6  # the 2 medicines, the restart (3 times), the place
    assert text.count(marker) == printed  # never elsewhere: not after names, not alone
    for token in TOKENS:
        for m in re.finditer(re.escape(token), text):
            # the marker follows the rest of the same value (before any other text)
            value = next(v for v in (*FREE["medications"].split("\n"), FREE["blood_thinner"],
                                     FREE["follow_up_where"]) if token in v)
            start = m.start() - value.index(token)
            assert text[start:].startswith(f"{value} {marker}"), text[start:start + 140]
    assert "Xolotl" in text and f"Xolotl {marker}" not in text  # names are not marked
    assert FREE_START not in text and FREE_END not in text


def test_english_pdf_has_no_marker(sample_clinic):
    text = pdf_text(render_pdf(_request(), sample_clinic))
    assert all(t in text for t in TOKENS)
    assert "Not translated" not in text and "(" + ES_MARKER not in text
    assert FREE_START not in text and FREE_END not in text


def test_every_untranslated_field_is_marked_in_the_context_and_nothing_else(sample_clinic):
    """The field table says which fields are free text; the context marks each of them,
    and no other value (a name reads the same in every language)."""
    assert {"medications", "blood_thinner", "follow_up_where"} == UNTRANSLATED
    assert all(FIELD[n].kind in ("text", "multiline") for n in UNTRANSLATED)
    ctx = build_context(_request(language="es"), sample_clinic, load_pack("es"))
    marked: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and (FREE_START in value or FREE_END in value):
            marked.append(value)

    walk(ctx)
    expected = [*FREE["medications"].split("\n"), FREE["blood_thinner"],
                FREE["follow_up_where"]]
    assert sorted(marked) == sorted(f"{FREE_START}{v}{FREE_END}" for v in expected)


def _render(tmp_path: Path, body: str, marker: str, **extra) -> str:
    root = tmp_path / "tpl"
    (root / "es" / "discharge").mkdir(parents=True, exist_ok=True)
    path = root / "es" / "discharge" / "10-x.txt"
    path.write_text(body, encoding="utf-8")
    env = HandoutEnvironment([root], root, "es")
    from dischargedesk.clinic.profile import load_sample_clinic

    ctx = build_context(_request(language="es", **extra), load_sample_clinic(),
                        load_pack("es"))
    return render_section(env, SectionSource("discharge/10-x.txt", path, True, "es"), ctx,
                          marker)


@pytest.mark.parametrize("body", [
    "- {{ blood_thinner }}",
    "- {{ blood_thinner|upper }}",
    "- {{ blood_thinner|truncate(12) }}",
    "- {{ blood_thinner[5:] }}",
    "{% set x = 'Ojo: ' ~ blood_thinner %}- {{ x }}",
    "{% macro say(t) %}- {{ t }}{% endmacro %}{{ say(blood_thinner) }}",
    "{% for line in medications %}\n- {{ line|title }}\n{% endfor %}",
    "- <b>{{ follow_up.where }}</b>",
    "- {{ [blood_thinner, 'x']|join(', ') }}",
])
def test_the_marker_survives_what_a_clinic_template_does(tmp_path, body):
    out = _render(tmp_path, body, "MARK")
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all("<i>(MARK)</i>" in ln for ln in lines), out
    # each value stays one run for the document model (tagged /Lang en in the PDF): runs
    # on one line never nest, and each is followed by the marker, outside it
    for ln in lines:
        assert re.fullmatch(f"[^{FREE_START}{FREE_END}]*(?:{FREE_START}[^{FREE_START}"
                            f"{FREE_END}]+{FREE_END} <i>\\(MARK\\)</i>[^{FREE_START}"
                            f"{FREE_END}]*)+", ln), ln
    # an English handout (no marker): the same template prints the text plain
    plain = _render(tmp_path, body, "")
    assert "MARK" not in plain and FREE_START not in plain and FREE_END not in plain


@pytest.mark.parametrize("body", [
    "- {{ blood_thinner|replace('\\ufdd1', '') }}",
    "- {{ blood_thinner }}\ufdd1",
    "{% set end = '\\ufdd0' %}- {{ end }}",
    "- \ufdd2en\ufdd3Not read as Spanish\ufdd4",
])
def test_a_template_cannot_write_or_remove_the_marks(tmp_path, body):
    with pytest.raises(TemplateError) as info:
        _render(tmp_path, body, "MARK")
    assert "free text" in str(info.value)


def _pack_root(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    root = tmp_path / "packs"
    shutil.copytree(templates_dir() / "es", root / "es")
    pack = root / "es" / "pack.toml"
    text = pack.read_text(encoding="utf-8")
    assert re.search(old, text, re.M), old
    pack.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    language._read_pack.cache_clear()
    return root, pack


@pytest.mark.parametrize(("new", "words"), [
    ("", "has no free_text_marker"),
    ('free_text_marker = "  "', "is empty"),
    ('free_text_marker = 3', "must be text"),
    ('free_text_marker = "Sin traducir {x}"', "placeholder"),
])
def test_a_translated_pack_must_say_its_marker(tmp_path, new, words):
    root, pack = _pack_root(tmp_path, r"^free_text_marker = .*$", new)
    with pytest.raises(DischargeDeskError) as info:
        language.load_pack("es", root)
    assert str(info.value).startswith(str(pack)) and words in str(info.value)
    if "has no" not in words:
        assert ", line " in str(info.value)


def test_an_english_pack_needs_no_marker(tmp_path):
    root = tmp_path / "packs"
    shutil.copytree(templates_dir() / "en", root / "en")
    pack = root / "en" / "pack.toml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text("\n".join(ln for ln in text.splitlines()
                              if not ln.startswith(("free_text_marker", "bilingual_note"))),
                    encoding="utf-8")
    language._read_pack.cache_clear()
    assert "free_text_marker" not in language.load_pack("en", root).labels


# -- item 5: bilingual print -----------------------------------------------------------------
def test_bilingual_with_english_is_refused_plainly():
    with pytest.raises(RequestError) as info:
        _request(bilingual=True)
    assert info.value.field == "bilingual" and "another language" in str(info.value)
    assert _request(bilingual=True, language="es").bilingual


@pytest.fixture(scope="module")
def bilingual(sample_clinic):
    prepared = prepare(_request(language="es", bilingual=True), sample_clinic)
    return prepared, build_document(prepared, prepared.layouts)


def test_each_section_then_its_english_in_order(bilingual):
    prepared, pdf = bilingual
    text = pdf_text(pdf)
    es, en = load_pack("es"), load_pack("en")
    cursor = 0
    for layout in prepared.layouts:
        sections = [s for s in layout.sections if not s.source.endswith(BILINGUAL_NOTE)]
        # the diary's rows print after the English text of their section
        diary = [n for n, s in enumerate(sections) if d.Directive("diary") in s.blocks]
        if layout.kind == "recovery":
            assert len(diary) == 1 and sections[diary[0] - 1].lang == "en"
            n = diary[0]
            assert sections[n].source == sections[n - 2].source and \
                sections[n].blocks[0] == d.Directive("diary")
            # the warning tiers (When to get help) print last, in both languages
            assert [s.source.split("/", 1)[1] for s in sections[-2:]] == \
                ["recovery/50-when-to-call.txt"] * 2
            pairs = sections[:n] + sections[n + 1:]
        else:
            assert not diary
            pairs = sections
        langs = [s.lang for s in pairs]
        assert langs == ["es", "en"] * (len(pairs) // 2), [s.source for s in pairs]
        for own, english in zip(pairs[::2], pairs[1::2], strict=True):
            assert own.source.split("/", 1)[1] == english.source.split("/", 1)[1]
            assert english.source.startswith("en/")
            for section in (own, english):
                first = _fold(section.plain_sentences()[0])
                at = text.find(first, cursor)
                assert at >= 0, (section.source, first)
                cursor = at + len(first)
        notes = [s for s in layout.sections if s.source.endswith(BILINGUAL_NOTE)]
        assert all(s.lang == "es" for s in notes)
    assert text.count(_fold(ES_NOTE)) == 2  # once per handout
    assert _fold(EN_NOTE) not in text
    # the English text carries no marker: it is the clinic's English
    marker = f"({_fold(ES_MARKER)})"
    assert "Restart Zabrixan on Thursday morning " + marker in text
    eng = text[text.find("Your medicines"):]
    assert eng.startswith("Your medicines") and \
        eng[:eng.find("Opioid")].count(marker) == 0
    assert es.handouts["discharge"] in text and en.handouts["discharge"] not in text


def test_bilingual_summary_stays_on_page_1_in_the_patients_language(bilingual):
    prepared, pdf = bilingual
    pages = pdf_pages_text(pdf)
    summary_es = prepared.layouts[0].sections[0]
    summary_en = next(s for s in prepared.layouts[0].sections if s.lang == "en")
    assert summary_es.lang == "es" and summary_en.source == "en/discharge/10-summary.txt"
    first_es = _fold(summary_es.plain_sentences()[0])
    first_en = _fold(summary_en.plain_sentences()[0])
    assert first_es in pages[0] and first_en not in pages[0]
    assert "Llame al 911" in pages[0]
    assert first_en in pages[1] and _fold(ES_NOTE) in pages[1]
    # the drawings, QR code, signatures and diary print once
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages)
    text = pdf_text(pdf)
    assert text.count("Firma de enfermería") == 1 and "Nurse signature" not in text


def test_bilingual_teach_back_is_signed_under_both_checklists(bilingual):
    """The signature block prints once, in the patient's language, after the English
    checklist (not between the two checklists), on the page of its last items; the diary
    follows the English text of its section, so no English stands alone after it."""
    prepared, pdf = bilingual
    discharge = prepared.layouts[0].sections
    own = next(s for s in discharge if s.source == "es/discharge/90-teach-back.txt")
    english = next(s for s in discharge if s.source == "en/discharge/90-teach-back.txt")
    assert d.Directive("signatures") not in own.blocks
    assert english.blocks[-1] == d.Directive("signatures")
    assert any(isinstance(b, d.Checkbox) for b in own.blocks)
    pages = pdf_pages_text(pdf)
    text = pdf_text(pdf)
    last_en = _fold(d.plain_text([b for b in english.blocks
                                  if isinstance(b, d.Checkbox)][-1].text))
    signature = _fold(prepared.extras.signature_labels[1])
    assert text.find(last_en) < text.find(signature)
    assert [n for n, p in enumerate(pages) if last_en in p] == \
        [n for n, p in enumerate(pages) if signature in p]
    recovery = prepared.layouts[1].sections
    english = next(s for s in recovery if s.source == "en/recovery/60-questions-diary.txt")
    assert text.rfind(_fold(english.plain_sentences()[-1])) < \
        text.rfind(prepared.extras.diary_days[-1])


def test_bilingual_pdf_language_is_the_patients(bilingual):
    _, pdf = bilingual
    assert str(PdfReader(io.BytesIO(pdf)).trailer["/Root"].get("/Lang")) == "es"


# -- the command line --------------------------------------------------------------------------
ARGS = ["render", "--procedure", "kyphoplasty", "--levels", "L1", "--patient-name",
        "Zed Quorum", "--mrn", "Q-77", "--procedure-date", TODAY.isoformat(),
        "--medication", "Qortaxin 5 mg every 6 hours", "--handouts", "discharge"]


def test_cli_bilingual_writes_both_languages(tmp_path, capsys):
    code = main([*ARGS, "--language", "es", "--bilingual", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    text = pdf_text(Path(out.strip()).read_bytes())
    assert "Sus medicinas" in text and "Your medicines" in text
    assert f"Qortaxin 5 mg every 6 hours ({_fold(ES_MARKER)})" in text


@pytest.mark.parametrize("language", [[], ["--language", "en"]])
def test_cli_bilingual_in_english_is_exit_2_naming_the_field(tmp_path, capsys, language):
    code = main([*ARGS, *language, "--bilingual", "--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Bilingual print" in err
    assert "Zed" not in err and not (tmp_path / "o").exists()


def test_templates_check_renders_the_bilingual_print_of_each_other_language(sample_clinic):
    from dischargedesk.checks import (
        ANESTHESIA,
        BILINGUAL_ANESTHESIA,
        LEVEL_PATTERNS,
        check_templates,
    )

    report = check_templates(sample_clinic, languages=["es"], build_pdfs=False)
    one = len(sample_clinic.procedures) * len(LEVEL_PATTERNS) * len(ANESTHESIA) * 2
    assert BILINGUAL_ANESTHESIA in ANESTHESIA
    assert report.combinations == 2 * (one + one // len(ANESTHESIA))
    assert report.ok, [str(p) for p in report.errors]
    # the English text of the bilingual print is graded as English, the note not at all
    langs = {g.file: (g.language, g.measure) for g in report.grades}
    assert langs["en/discharge/50-medicines.txt"] == ("en", "Flesch-Kincaid")
    assert langs["es/discharge/50-medicines.txt"][0] == "es"
    assert not [f for f in langs if f.endswith(BILINGUAL_NOTE)]


def test_typed_text_cannot_forge_or_hide_a_mark(sample_clinic):
    """The marks are noncharacters: cleaning drops them from whatever was typed or came
    from the record, so a value can neither end its mark early nor add one."""
    req = _request(language="es", blood_thinner="Restart\ufdd1 Zabrixan \ufdd0today")
    assert req.blood_thinner == "Restart Zabrixan today"
    text = pdf_text(render_pdf(req, sample_clinic))
    assert text.count(f"Restart Zabrixan today ({_fold(ES_MARKER)})") == \
        text.count("Restart Zabrixan today") >= 3


# -- bilingual print: the English copy is set apart -------------------------------------------
def _lines(pdf: bytes) -> list[tuple[int, float, str, tuple[float, ...], float]]:
    """(page, x0, folded text, colour of its first character, smallest size) of every
    text line (pdfminer)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer

    out = []
    for n, page in enumerate(extract_pages(io.BytesIO(pdf))):
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                chars = [c for c in getattr(line, "_objs", [])
                         if isinstance(c, LTChar) and c.get_text().strip()]
                if not chars:
                    continue
                colour = chars[0].graphicstate.ncolor
                rgb = (colour,) * 3 if isinstance(colour, float | int) else tuple(colour or ())
                out.append((n, line.x0, _fold(line.get_text()), rgb,
                            min(c.size for c in chars)))
    return out


@pytest.mark.parametrize(("code", "large"), [("es", False), ("zh-Hans", False),
                                             ("ko", True), ("vi", True)])
def test_english_copy_is_labelled_and_grey_at_full_size(sample_clinic, code, large):
    """Each English text opens with the pack's label in the patient's language ("英文原文
    · English") under a rule, prints in the copy grey (contrast >= 4.5:1 on white) at
    the handout's type size (COPY.indent from the margin, 0 today: an indent cost
    bilingual print a page); the patient's text stays in the text or heading colour, and
    the summary page has neither label nor English."""
    from dischargedesk.render import style
    from dischargedesk.render.pdf import FONT  # noqa: F401 (fonts registered)

    from .test_accessibility import contrast

    req = _request(language=code, bilingual=True, large_print=large,
                   patient_name="王小明" if code == "zh-Hans" else "Maria Example")
    prepared = prepare(req, sample_clinic)
    pdf = build_document(prepared, prepared.layouts)
    lines = _lines(pdf)
    label = _fold(load_pack(code).labels["english_copy"])
    assert label.endswith("· English") and not label.startswith("English")
    st = style.Styles(large)
    margin = st.margin
    indent = st.size * style.COPY.indent
    grey = tuple(style.COPY_TEXT.rgb())
    text_colour, heading = tuple(style.TEXT.rgb()), tuple(style.HEADING.rgb())
    assert contrast(grey, (1.0, 1.0, 1.0)) >= 4.5
    labels = [ln for ln in lines if ln[2] == label]
    english = [s for h in prepared.layouts for s in h.sections if s.english_copy]
    assert english and all(d.plain_text(s.english_copy)
                           == load_pack(code).labels["english_copy"]
                           for s in english)
    assert len(labels) == len(english)
    assert all(abs(x - (margin + indent)) < 1 and page > 0 for page, x, _, _, _ in labels)
    assert not [ln for ln in lines if ln[0] == 0 and ln[2] == label]  # summary page
    minimum = st.size - 0.05
    for own_or_en in (s for h in prepared.layouts for s in h.sections
                      if not s.source.endswith(BILINGUAL_NOTE)
                      and s.plain_sentences()):  # (not the diary's rows)
        first = _fold(own_or_en.plain_sentences()[0])[:18]
        if own_or_en.english_copy:
            found = [ln for ln in lines if ln[2].startswith(first)]
            assert found, first
            _, x, _, rgb, size = found[0]
            assert x >= margin + indent - 1 and rgb == pytest.approx(grey, abs=0.01), first
            assert size >= minimum
        elif not own_or_en.source.endswith("10-summary.txt"):
            # (the patient's sections: text at the margin, bullets a little in)
            found = [ln for ln in lines if _fold(ln[2]).replace(" ", "").startswith(
                first.replace(" ", "")[:8])]
            assert found, (own_or_en.source, first)
            assert found[0][3] in (pytest.approx(text_colour, abs=0.01),
                                   pytest.approx(heading, abs=0.01)), own_or_en.source
    # every English text follows its label, in order, and the label follows the patient's
    # text of the same section
    flat = pdf_text(pdf)
    cursor = 0
    for section in english:
        at = flat.find(label, cursor)
        first = _fold(section.plain_sentences()[0])
        assert at >= 0 and flat.find(first, at) == at + len(label) + 1, (section.source, first)
        cursor = at + len(label)
    assert min(ln[4] for ln in lines if ln[0] > 0 and ln[3] == pytest.approx(grey, abs=0.01)) \
        >= minimum
