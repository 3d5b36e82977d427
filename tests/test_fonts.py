"""Issue 12: fonts for Chinese, Korean and Vietnamese, per-run fallback, what is refused."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from dischargedesk.domain.request import MAX_WORD
from dischargedesk.engine import render_pdf
from dischargedesk.errors import ClinicProfileError, RequestError
from dischargedesk.render import fonts
from dischargedesk.resources import font_path, sample_clinic_dir
from tests.pdf_glyphs import drawn_text, missing_glyphs

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_fonts_are_truetype_with_their_licences():
    """glyf outlines (ReportLab refuses CFF); each font's licence file ships beside it."""
    from fontTools.ttLib import TTFont

    for face in fonts.FALLBACKS:
        for file_name in filter(None, (face.regular, face.bold)):
            with TTFont(str(font_path(file_name)), lazy=True) as tt:
                assert "glyf" in tt and "CFF " not in tt, file_name
    folder = font_path("x").parent
    assert (folder / "LICENSE-DroidSansFallback.txt").read_text().count("Apache License") >= 1
    assert "SIL Open Font License" in (folder / "LICENSE-Nanum.txt").read_text()


@pytest.mark.parametrize("text", ["王小明", "張偉 陳國華 臺灣 醫院", "김민준 목요일",
                                  "Nguyễn Văn An", "Trần Thị Ngọc Ánh"])
def test_names_in_the_shipped_scripts_are_covered(text):
    assert fonts.missing_characters(text) == []


def _hanzi(encoding: str, rows: range, cells: list[int]) -> set[str]:
    out = set()
    for row in rows:
        for cell in cells:
            try:
                ch = bytes([row, cell]).decode(encoding)
            except UnicodeDecodeError:
                continue
            if 0x4E00 <= ord(ch) <= 0x9FFF:
                out.add(ch)
    return out


def test_every_gb2312_and_big5_character_prints():
    """The national character sets of Simplified (GB 2312) and Traditional (Big5) Chinese,
    and the punctuation Chinese text uses."""
    gb = _hanzi("gb2312", range(0xB0, 0xF8), list(range(0xA1, 0xFF)))
    big5 = _hanzi("big5", range(0xA4, 0xFA), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    assert len(gb) == 6763 and len(big5) == 13051
    punctuation = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—·"
    assert fonts.missing_characters("".join(sorted(gb | big5)) + punctuation) == []


def test_vietnamese_decomposed_marks_print_as_one_glyph_each():
    """"ệ" typed as e + two combining marks becomes the one precomposed letter DejaVu has."""
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert len(decomposed) > len("Nguyễn Văn An")
    assert fonts.with_fallback(decomposed) == "Nguyễn Văn An"
    assert fonts.runs(decomposed) == [(None, "Nguyễn Văn An")]


def test_every_vietnamese_letter_is_one_dejavu_glyph():
    """12 vowels x 6 tones in both cases, and đ: after NFC each is one precomposed letter
    that DejaVu Sans has (ReportLab could not place a separate combining mark)."""
    vowels = "aăâeêioôơuưy"
    letters = [unicodedata.normalize("NFC", v + tone) for v in vowels + vowels.upper()
               for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")]
    letters += ["đ", "Đ"]
    assert all(len(ch) == 1 for ch in letters) and len(letters) == 146
    assert fonts.runs("".join(letters)) == [(None, "".join(letters))]


def test_runs_give_latin_to_dejavu_and_cjk_to_its_font():
    assert fonts.runs("王小明 MRN 123 김민준") == [
        ("DDHan", "王小明 "), (None, "MRN 123 "), ("DDHangul", "김민준")]
    marked = fonts.with_fallback("<b>服用</b> Oxycodone 5 mg &amp; 물")
    assert marked == ('<b><font name="DDHan">服用</font></b> Oxycodone 5 mg &amp; '
                      '<font name="DDHangul">물</font>')
    # bold paragraphs (headings) use the real bold Hangul face
    assert fonts.with_fallback("수술 후", fonts.FONT_BOLD) == \
        '<font name="DDHangul-Bold">수술 후</font>'
    # markup DejaVu prints whole comes back as it was
    latin = 'Call <b>911</b> &amp; <font color="#b42318">now</font>'
    assert fonts.with_fallback(latin) == latin


def test_line_breaking_between_cjk_characters():
    lines = fonts.fit_lines("台北市立联合医院仁爱院区 Spine Clinic", fonts.FONT, 12, 100)
    assert len(lines) > 1 and "".join(lines).replace(" ", "") == \
        "台北市立联合医院仁爱院区SpineClinic"
    assert all(fonts.text_width(line, fonts.FONT, 12) <= 100 for line in lines)
    assert fonts.word_wrap_for("zh-Hans") == "CJK" and fonts.word_wrap_for("zh_Hant") == "CJK"
    assert fonts.word_wrap_for("ko") is None and fonts.word_wrap_for("vi") is None


def test_names_in_chinese_korean_and_vietnamese_print_in_their_fonts(sample_clinic,
                                                                      make_request):
    """Before issue 12 these were refused ("the handout font cannot print")."""
    pdf = render_pdf(make_request(
        patient_name="王小明", caregiver="김민준",
        physician=unicodedata.normalize("NFD", "Nguyễn Văn An"),
        medications="Oxycodone 5 mg：每6小时1片\n타이레놀 500 mg 하루 두 번",
        handouts=["discharge"]), sample_clinic)
    assert missing_glyphs(pdf) == []
    drawn = drawn_text(pdf)
    assert "王小明" in drawn["DroidSansFallback"] and "每" in drawn["DroidSansFallback"]
    assert "김민준" in drawn["NanumGothic"] and "타이레놀" in drawn["NanumGothic"]
    assert "Nguyễn Văn An" in drawn["DejaVuSans"]
    # the Latin pieces inside a Chinese line stay in DejaVu
    assert "Oxycodone 5 mg" in drawn["DejaVuSans"] and "MRN-12345" in drawn["DejaVuSans"]
    assert "O" not in drawn["DroidSansFallback"]


def test_a_chinese_clinic_name_prints_in_the_header(tmp_path, make_request):
    """Header and footer are drawn on the canvas: they use the same fallback."""
    from dischargedesk.clinic.profile import load_clinic

    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    toml = folder / "clinic.toml"
    text = toml.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name ="))
    toml.write_text(text.replace(name_line, 'name = "仁爱医院 Spine Center"'), encoding="utf-8")
    pdf = render_pdf(make_request(handouts=["discharge"]), load_clinic(folder))
    assert missing_glyphs(pdf) == []
    assert "仁爱医院" in drawn_text(pdf)["DroidSansFallback"]
    assert "Spine Center" in drawn_text(pdf)["DejaVuSans-Bold"]


def test_a_character_no_font_prints_is_refused_and_named(sample_clinic, make_request):
    with pytest.raises(RequestError) as info:
        render_pdf(make_request(caregiver="Somchai สมชาย"), sample_clinic)
    assert "U+0E2A" in str(info.value) and "cannot print" in str(info.value)


@pytest.mark.parametrize("value", ["שלום", "مريم", "Ana مريم"])
def test_right_to_left_is_refused_saying_so_plainly(make_request, value):
    with pytest.raises(RequestError) as info:
        make_request(patient_name=value)
    assert "Arabic and Hebrew are not supported yet" in str(info.value)
    assert value not in str(info.value)


def test_right_to_left_clinic_name_is_refused_saying_so_plainly(tmp_path):
    from dischargedesk.clinic.profile import load_clinic

    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    toml = folder / "clinic.toml"
    text = toml.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name ="))
    toml.write_text(text.replace(name_line, 'name = "مستشفى"'), encoding="utf-8")
    with pytest.raises(ClinicProfileError, match="Arabic and Hebrew are not supported yet"):
        load_clinic(folder)


def test_a_long_chinese_line_is_not_one_long_word(make_request):
    """Chinese has no spaces between words: 70 characters are 70 break points, not a 70
    character word (a Latin run that long is still refused)."""
    line = "请在手术后第一天多休息，每天走几次短路，不要提重物，不要弯腰，" * 2 + \
        "有问题请打电话给诊所。"
    assert len(line) > MAX_WORD
    assert make_request(medications=line).medications == line
    with pytest.raises(RequestError, match="word longer"):
        make_request(medications="x" * (MAX_WORD + 1))


def test_glyph_checker_finds_a_character_drawn_without_a_glyph():
    """The helper the language tests use can fail: 王 drawn in DejaVu Sans is a box."""
    fonts.register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.setFont(fonts.FONT, 12)
    canvas.drawString(10, 10, "Wang 王")
    canvas.save()
    problems = missing_glyphs(buf.getvalue())
    assert problems and "DejaVuSans" in problems[0] and "no glyph" in problems[0]
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(10, 10, "Hi")
    canvas.save()
    assert "not an embedded TrueType font" in missing_glyphs(buf.getvalue())[0]


_COLD = """
import json, sys
from dischargedesk.cli import main
code = main(sys.argv[1:])
from reportlab.pdfbase import pdfmetrics
from dischargedesk.render import fonts
print(json.dumps({"code": code, "loaded": fonts.loaded_fallbacks(),
                  "registered": sorted(pdfmetrics.getRegisteredFontNames())}))
"""


def _cold_render(tmp_path: Path, *args: str, prelude: str = "",
                 out: Path | None = None) -> dict[str, object]:
    out = out or tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + _COLD, "render", "--procedure", "kyphoplasty",
         "--levels", "T12", "--mrn", "A1", "--out", str(out), *args],
        capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src"),
                                             "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_an_english_cold_render_loads_no_other_script_font(tmp_path):
    result = _cold_render(tmp_path, "--patient-name", "Ana Diaz")
    assert result["code"] == 0 and result["loaded"] == []
    assert not {"DDHan", "DDHangul", "DDHangul-Bold"} & set(result["registered"])  # type: ignore[arg-type]
    # nor the italic DejaVu faces: no built-in template uses <i>
    assert not {fonts.FONT_ITALIC, fonts.FONT_BOLD_ITALIC} & set(result["registered"])  # type: ignore[arg-type]


_EAGER_ITALIC = """
from dischargedesk.render import fonts as _f
_f.register_fonts()
_f.register_face(_f.FONT_ITALIC); _f.register_face(_f.FONT_BOLD_ITALIC)
"""


def test_italic_faces_load_when_a_template_uses_them_and_print_the_same(tmp_path):
    """A clinic template with <i>: a cold render registers the italic faces when ReportLab
    first asks for them, and writes the same bytes as a process that registered all four
    faces before rendering (as every render did before the faces became lazy)."""
    clinic = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), clinic)
    section = clinic / "templates" / "en" / "discharge" / "30-wound-care.txt"
    section.parent.mkdir(parents=True, exist_ok=True)
    section.write_text("# Needle sites\n- Keep them <i>dry</i> and <b><i>clean</i></b>.\n",
                       encoding="utf-8")
    args = ("--patient-name", "Ana Diaz", "--clinic", str(clinic), "--handouts", "discharge")
    lazy = _cold_render(tmp_path, *args, out=tmp_path / "lazy")
    eager = _cold_render(tmp_path, *args, out=tmp_path / "eager", prelude=_EAGER_ITALIC)
    assert lazy["code"] == eager["code"] == 0
    assert {fonts.FONT_ITALIC, fonts.FONT_BOLD_ITALIC} <= set(lazy["registered"])  # type: ignore[arg-type]
    (pdf,) = (tmp_path / "lazy").glob("*.pdf")
    assert pdf.read_bytes() == (tmp_path / "eager" / pdf.name).read_bytes()
    drawn = drawn_text(pdf.read_bytes())
    assert "dry" in drawn["DejaVuSans-Oblique"] and "clean" in drawn["DejaVuSans-BoldOblique"]


def test_a_lazy_face_is_registered_once_across_threads():
    """Two renders asking for an italic face at the same moment get one font object."""
    from concurrent.futures import ThreadPoolExecutor

    from reportlab.pdfbase import pdfmetrics

    fonts.register_fonts()
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: pdfmetrics.getFont(fonts.FONT_BOLD_ITALIC), range(8)))
    assert all(f is got[0] for f in got) and pdfmetrics.getFont(fonts.FONT_BOLD_ITALIC) is got[0]
    assert fonts.register_face(fonts.FONT_BOLD_ITALIC) is got[0]  # idempotent
    with pytest.raises(KeyError):  # any other unknown name: ReportLab's own error
        pdfmetrics.getFont("NoSuchFont-Anywhere")


def test_a_chinese_name_loads_only_the_chinese_font(tmp_path):
    result = _cold_render(tmp_path, "--patient-name", "王小明")
    assert result["code"] == 0 and result["loaded"] == ["DDHan"]


def test_korean_digits_and_punctuation_stay_in_the_hangul_run():
    """Fewer font switches (each is a fragment ReportLab lays out and draws): Nanum Gothic's
    digits and punctuation stay with the Hangul around them; Latin letters still switch to
    DejaVu, and Chinese (Droid Sans Fallback has no digits) keeps DejaVu digits."""
    assert fonts.runs("다. 12월 3일 (0-10)") == [("DDHangul", "다. 12월 3일 (0-10)")]
    assert fonts.runs("수술 T12 부위") == [("DDHangul", "수술 "), (None, "T12 "),
                                         ("DDHangul", "부위")]
    assert fonts.runs("疼痛（0-10）") == [("DDHan", "疼痛（"), (None, "0-10"), ("DDHan", "）")]


CJK_PARAGRAPHS = [
    "到12月9日 星期三为止，不要提超过 10 lb (4.5 kg) 的东西；不要弯腰、扭身、泡澡。",
    "24 小时内：要有一位成年人陪着您。<b>不要喝酒。</b>",
    "下次复诊：请打 (555) 010-2000，预约大约在12月9日 星期三复诊。",
    "服用 Oxycodone 5 mg：每6小时1片。",
    "短句。",
]


@pytest.mark.parametrize("width", [60, 140, 230, 361, 500])
@pytest.mark.parametrize("bullet", [None, "•"])
def test_one_line_cjk_paragraphs_break_as_reportlab_does(width, bullet):
    """The one-line shortcut (fonts.OneLineCJK) gives the same lines as ReportLab's CJK
    breaker, wrapped again at another width too (the shortcut swaps ReportLab's fragments)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from dischargedesk.render.pdf import _Para

    fonts.register_fonts()
    # a bullet wider than the indent takes room from the first line (4 pt indent)
    style = ParagraphStyle("p", fontName=fonts.FONT, fontSize=12, leading=16, wordWrap="CJK",
                           leftIndent=4 if bullet else 0, bulletIndent=0)

    def lines(para, at):
        para.wrap(at, 1000)
        bl = para.blPara
        if bl.kind == 0:
            return [" ".join(words) for _, words in bl.lines]
        return ["".join(getattr(w, "text", "") for w in line.words) for line in bl.lines]

    for text in CJK_PARAGRAPHS:
        markup = fonts.with_fallback(text)
        ours = _Para(text, style, bulletText=bullet)
        stock = Paragraph(markup, style, bulletText=bullet)
        natural = fonts.text_width(Paragraph(markup, style).getPlainText(), fonts.FONT, 12)
        # wrapped again, wider and narrower; and just wider than the text (+ the indent)
        for at in (width, width * 2, width, natural + 6):
            got, want = lines(ours, at), lines(stock, at)
            assert [x.strip() for x in got] == [x.strip() for x in want], (text, at)
            assert ours.height == stock.height


def test_coverage_from_the_character_map_is_the_registered_fonts():
    """missing_characters reads the fallback fonts' cmaps without registering them (issue
    17.2: a check need not parse 4 MB fonts): the same code points as ReportLab's parse."""
    from dischargedesk.render import fonts

    for font in fonts.FALLBACKS:
        from_cmap = fonts._coverage_of(font)
        assert from_cmap is not None and len(from_cmap) > 10_000
        assert from_cmap == fonts.fallback_covered(font), font.name
    dejavu = fonts.font_path("DejaVuSans.ttf").read_bytes()
    from reportlab.pdfbase.pdfmetrics import getFont

    fonts.register_fonts()
    assert fonts.cmap_codepoints(dejavu) == set(getFont(fonts.FONT).face.charToGlyph)
    assert fonts.cmap_codepoints(b"not a font") is None


def _frag_fields(frags):
    """What a fragment prints with: every attribute but the parser's own bookkeeping (the
    tag it came from and the bold/italic flags it turned into the font name)."""
    return [{k: v for k, v in f.__dict__.items() if k not in ("__tag__", "bold", "italic")}
            for f in frags]


FRAGMENT_CASES = [
    *CJK_PARAGRAPHS,
    "<b>服用</b> Oxycodone 5 mg &amp; 물",
    "수술 후 <b>3일</b> 이내, T12 <i>부위</i>",
    '<font color="#b42318">王小明 B-1</font> &#x738B; &#45; x',
    "<i>王 <b>小</b></i>明<br/>第二行",
    "Only Latin: <b>911</b> &amp; (555) 010&#45;2000",
]


@pytest.mark.parametrize("base", [fonts.FONT, fonts.FONT_BOLD])
@pytest.mark.parametrize("markup", FRAGMENT_CASES)
def test_fragments_are_what_reportlab_parses_from_font_markup(markup, base):
    """_Para cuts ReportLab's parsed fragments into font runs (fonts.FallbackFragments)
    instead of writing <font> markup and parsing it: the fragments are the ones ReportLab's
    parser makes of the <font> markup (fonts.with_fallback), in plain and bold paragraphs."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from dischargedesk.render.pdf import _Para

    fonts.register_fonts()
    style = ParagraphStyle("p", fontName=base, fontSize=12, leading=16, wordWrap="CJK")
    stock = Paragraph(fonts.with_fallback(markup, base), style).frags
    ours = _Para(markup, style).frags
    assert _frag_fields(ours) == _frag_fields(stock)
    assert all(f.fontName.startswith(("DDHan", "DDHangul")) == (fonts.runs(f.text)[0][0]
               is not None) for f in ours if getattr(f, "text", ""))


_MIXED = st.text(alphabet=st.sampled_from(list("王小明，。（）：12 5mg-.김민준다ễA&")), max_size=40)


@given(parts=st.lists(st.tuples(st.sampled_from(["", "b", "i"]), _MIXED), max_size=5))
def test_fragments_match_font_markup_for_mixed_text(parts):
    """The same for generated text in Chinese, Korean, Vietnamese and Latin, with digits,
    punctuation and entities, plain, bold and italic."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from dischargedesk.render.document import escape
    from dischargedesk.render.pdf import _Para

    fonts.register_fonts()
    # (stripped: ReportLab drops the spaces around a paragraph's text, which a <font> tag
    # around them used to hide: "王 " printed a trailing space)
    markup = "".join(f"<{t}>{escape(x)}</{t}>" if t else escape(x) for t, x in parts).strip()
    style = ParagraphStyle("p", fontName=fonts.FONT, fontSize=12, leading=16)
    stock = Paragraph(fonts.with_fallback(markup), style).frags
    assert _frag_fields(_Para(markup, style).frags) == _frag_fields(stock)


def _lines(para_lines):
    return [({k: v for k, v in line.__dict__.items() if k != "words"},
             [w.__dict__ for w in line.words]) for line in para_lines.lines]


_BREAKABLE = st.text(alphabet=st.sampled_from(list("王小明，。（）：、12 5mg-.김민준다ễAabc")),
                     min_size=1, max_size=120)


@given(text=_BREAKABLE, bold=st.booleans(), width=st.floats(4, 400),
       bounds=st.booleans())
def test_cjk_breaker_gives_reportlab_lines(text, bold, width, bounds):
    """fonts.cjk_frag_split (CJK line breaking without ReportLab's cost per character) gives
    ReportLab's cjkFragSplit lines: the same fragments, widths and extents on every line, for
    mixed Chinese, Korean and Latin text with a bold stretch, at any width."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus.paragraph import cjkFragSplit

    from dischargedesk.render.document import escape
    from dischargedesk.render.pdf import _Para

    fonts.register_fonts()
    style = ParagraphStyle("p", fontName=fonts.FONT, fontSize=11, leading=15, wordWrap="CJK")
    cut = len(text) // 3
    markup = escape(text[:cut]) + (f"<b>{escape(text[cut:])}</b>" if bold
                                   else "<br/>" + escape(text[cut:]))
    frags = _Para(markup, style).frags
    widths = [width, width * 1.5]
    assert _lines(fonts.cjk_frag_split(frags, widths, bounds)) == \
        _lines(cjkFragSplit(frags, widths, bounds))


def test_a_fallback_font_asked_for_first_registers_without_deadlock(tmp_path):
    """fallback_covered registers DejaVu under the font lock it already holds (before any
    render registered DejaVu: a first check or a first Chinese render in a new process);
    with a plain lock that hung for ever."""
    code = ("from dischargedesk.render import fonts; "
            "print(0x738B in fonts.fallback_covered(fonts.HAN))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT / "src"),
                                            "HOME": str(tmp_path)})  # its font cache
    assert done.stdout.strip() == "True", done.stderr


def test_remembered_runs_are_the_runs_cut_afresh():
    """fonts.runs remembers each text's runs (a cache must not change output): asked again,
    and after the memory is cleared, the answer is the same, and a caller changing the list
    it got does not change the next answer."""
    texts = [*CJK_PARAGRAPHS, *FRAGMENT_CASES, "다. 12월 3일 (0-10)", "王小明 MRN 123 김민준", ""]
    first = [fonts.runs(t) for t in texts]
    first[0].append((None, "changed"))
    fonts._runs_of.clear()
    again = [fonts.runs(t) for t in texts]
    assert [fonts.runs(t) for t in texts] == again == [list(fonts._cut_runs(t)) for t in texts]
    assert again[0] == first[0][:-1]


def test_missing_characters_reads_a_fallback_font_only_while_characters_lack(monkeypatch):
    """A Korean text asks Nanum Gothic's character map only, a Chinese one Droid Sans
    Fallback's only (each is a 4 MB file); the answer is the one every font's map gives."""
    from dischargedesk.render import fonts

    asked: list[str] = []
    real = fonts.fallback_coverage

    def recording(font):
        asked.append(font.name)
        return real(font)

    monkeypatch.setattr(fonts, "fallback_coverage", recording)
    everything = frozenset().union(*(real(f) for f in fonts.FALLBACKS))
    for text, fonts_asked in (("김민준 수술 후 3일", [fonts.HANGUL.name]),
                              ("王小明 B-1", [fonts.HAN.name]),
                              ("Ana Diaz", []),
                              ("김 王 \u0e01\u1000", [fonts.HANGUL.name, fonts.HAN.name])):
        asked.clear()
        want = [ch for ch in dict.fromkeys(text) if ord(ch) not in fonts._covered()
                and ord(ch) not in everything and not fonts._ignorable(ch)]
        assert fonts.missing_characters(text) == want, text
        assert asked == fonts_asked, text
    assert fonts.missing_characters("김 王 \u0e01\u1000") == ["\u0e01", "\u1000"]
