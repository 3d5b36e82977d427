"""Issue 12: dates, plurals, codes and names of each language in its own form.

The real Chinese, Korean and Vietnamese packs are written separately; these tests make
small packs of their own in a temporary clinic folder (the English templates, a pack.toml
in the language), so the mechanism is tested whatever the packs say.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from dischargedesk.cli import main
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.engine import form_choices, render_pdf
from dischargedesk.errors import ClinicProfileError
from dischargedesk.render import language
from dischargedesk.render.language import (
    _read_pack,
    day_text,
    diary_day_text,
    english_language_name,
    full_date_text,
    load_pack,
)
from dischargedesk.resources import sample_clinic_dir, templates_dir
from tests.pdf_glyphs import missing_glyphs

THURSDAY = dt.date(2026, 12, 3)

PACKS = {
    "zh-Hans": ('name = "中文（简体）"', '[dates]\nday = "M月d日 EEEE"\n',
                {"patient": "患者", "page": "第 {page} 页，共 {pages} 页",
                 "levels_count": '{ other = "{count} 个椎骨" }',
                 "free_text_marker": "这一行是英文：请翻译员和您一起读。"}),
    "ko": ('name = "한국어"', "",
           {"patient": "환자", "levels_count": '{ other = "{count}개 부위" }',
            "free_text_marker": "영어로 쓴 줄입니다. 통역사에게 읽어 달라고 하세요."}),
    "vi": ('name = "Tiếng Việt"', "[dates]\nday = \"EEEE, 'ngày' d MMMM\"\n",
           {"patient": "Bệnh nhân",
            "free_text_marker": "Dòng này viết bằng tiếng Anh: nhờ thông dịch viên đọc cùng bạn."}),
}


def make_pack(folder: Path, code: str, extra_language: str = "") -> None:
    """templates/<code>: the English templates with a pack.toml in ``code``."""
    target = folder / "templates" / code
    shutil.copytree(templates_dir() / "en", target)
    name, dates, labels = PACKS[code]
    lines = []
    for line in (target / "pack.toml").read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if line.startswith("code ="):
            line = f'code = "{code}"'
        elif line.startswith("name ="):
            line = name + ("\n" + extra_language if extra_language else "")
        elif line.startswith("locale ="):
            continue
        elif line.startswith("status ="):
            line = 'status = "unreviewed"'
        elif key in labels:
            value = labels[key]
            line = f"{key} = {value}" if value.startswith("{") else f'{key} = "{value}"'
        lines.append(line)
    (target / "pack.toml").write_text("\n".join(lines) + "\n" + dates, encoding="utf-8")


@pytest.fixture
def clinic_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    for code in PACKS:
        make_pack(folder, code)
    return folder


def test_dates_without_the_year_in_year_first_languages():
    """The year used to be trimmed by an English-shaped regex: it stayed in Chinese and
    Korean ("2026年12月3日星期四")."""
    assert day_text(THURSDAY, "zh_Hans") == "12月3日星期四"
    assert day_text(THURSDAY, "zh_Hant") == "12月3日 星期四"
    assert day_text(THURSDAY, "ko") == "12월 3일 목요일"
    assert day_text(THURSDAY, "vi") == "Thứ Năm, 3 tháng 12"
    assert day_text(THURSDAY, "en_US") == "Thursday, December 3"
    assert day_text(THURSDAY, "es_US") == "jueves, 3 de diciembre"
    assert day_text(THURSDAY, "de") == "Donnerstag, 3. Dezember"
    assert full_date_text(THURSDAY, "ko") == "2026년 12월 3일 목요일"
    assert diary_day_text(THURSDAY, "ko") == "12월 3일 (목)"


def test_pack_date_patterns_and_plural_rules(clinic_folder):
    zh = load_pack("zh-Hans", clinic_folder / "templates")
    assert zh.format_locale == "zh_Hans"
    assert day_text(THURSDAY, zh.format_locale, zh.dates["day"]) == "12月3日 星期四"
    vi = load_pack("vi", clinic_folder / "templates")
    assert day_text(THURSDAY, vi.format_locale, vi.dates["day"]) == "Thứ Năm, ngày 3 tháng 12"
    # Chinese has one plural form; Babel used to be asked about "zh-Hans" and fail
    assert zh.label("levels_count", count=1) == "1 个椎骨"
    es = load_pack("es")
    assert es.label("levels_count", count=1) == "1 nivel tratado"
    assert es.label("levels_count", count=2) == "2 niveles tratados"


def test_handouts_print_dates_in_the_language_and_lang_is_the_code(clinic_folder,
                                                                    make_request):
    clinic = load_clinic(clinic_folder)
    expected = {"zh-Hans": "12月3日 星期四", "ko": "12월 3일 목요일",
                "vi": "Thứ Năm, ngày 3 tháng 12"}
    for code, date in expected.items():
        pdf = render_pdf(make_request(language=code, procedure_date="2026-12-01",
                                      patient_name="王小明 Kim 김민준"), clinic)
        text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
        assert date in text, code
        assert "2026年12月3日" not in text and "2026년 12월 3일 목요일" not in text
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            assert str(doc.Root.Lang) == code
        assert missing_glyphs(pdf) == [], code


def test_a_spanish_weekday_after_a_colon_is_lower_case(sample_clinic, make_request):
    pdf = render_pdf(make_request(language="es", follow_up_date="2026-12-03",
                                  handouts=["discharge"]), sample_clinic)
    text = " ".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())
    assert "Su próxima cita: jueves, 3 de diciembre de 2026" in text


def test_the_form_lists_each_language_in_its_own_name_and_in_english(clinic_folder):
    languages = dict(form_choices(load_clinic(clinic_folder)).languages)
    assert languages["zh-Hans"] == "中文（简体） Chinese, Simplified"
    assert languages["vi"] == "Tiếng Việt Vietnamese"
    assert languages["ko"] == "한국어 Korean"
    assert languages["es"] == "Español Spanish"
    assert languages["en"] == "English"
    assert english_language_name("zh-Hant") == "Chinese, Traditional"
    assert english_language_name("tl") == "Tagalog"


def test_a_pack_may_name_itself_in_english(tmp_path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    make_pack(folder, "vi", extra_language='english_name = "Vietnamese (Tiếng Việt)"')
    assert load_pack("vi", folder / "templates").display_name == \
        "Tiếng Việt Vietnamese (Tiếng Việt)"


@pytest.mark.parametrize(("line", "key"), [
    ('code = "zh_Hans"', "language.code"),
    ('[dates]\nday = "EEEE, \'ngày d MMMM"', "dates.day"),
    ('[dates]\nday = "HH:mm"', "dates.day"),
    ('[dates]\nweekday = "EEEE"', "dates.weekday"),
])
def test_bad_codes_and_date_patterns_are_refused_naming_the_key(tmp_path, line, key):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    make_pack(folder, "ko")
    path = folder / "templates" / "ko" / "pack.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('code = "ko"', line) if line.startswith("code") else text + line + "\n"
    path.write_text(text, encoding="utf-8")
    _read_pack.cache_clear()
    with pytest.raises(ClinicProfileError) as info:
        load_pack("ko", folder / "templates")
    assert info.value.key == key


def test_cli_language_is_bcp47_and_an_unknown_code_names_the_offered_ones(clinic_folder,
                                                                           tmp_path, capsys):
    out = tmp_path / "out"
    args = ["render", "--procedure", "kyphoplasty", "--levels", "T12", "--mrn", "A1",
            "--patient-name", "王小明", "--clinic", str(clinic_folder), "--out", str(out)]
    assert main([*args, "--language", "zh-Hans"]) == 0
    pdf = next(out.glob("discharge*.pdf")).read_bytes()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.Lang) == "zh-Hans"
    capsys.readouterr()
    assert main([*args, "--language", "zh-Hant"]) == 0  # BCP 47 with its script subtag
    capsys.readouterr()
    assert main([*args, "--language", "fr"]) == 2  # no French pack
    err = capsys.readouterr().err
    assert "en, es" in err and "zh-Hans, zh-Hant" in err


@pytest.mark.parametrize("code", sorted(PACKS))
def test_the_layout_check_reads_lines_that_mix_fonts(clinic_folder, make_request, code):
    """A line with Korean or Chinese runs is several text runs in several fonts: the check
    measures each in its own font and joins them (it reported Korean lines as printed over
    each other, and the Korean diary dates as broken)."""
    from dischargedesk.engine import build_document, prepare
    from dischargedesk.layout_checks import check_handouts, problems_of

    prepared = prepare(make_request(language=code, patient_name="王小明 김민준"),
                       load_clinic(clinic_folder))
    pdf = build_document(prepared, prepared.layouts)
    assert problems_of(check_handouts(pdf, prepared)) == []


def test_chinese_lines_break_between_characters_and_keep_latin_words(clinic_folder,
                                                                     make_request):
    """wordWrap=CJK: a long Chinese medication line fills its lines (no spaces needed) and
    the drug name in it is not cut."""
    line = ("Oxycodone 5 mg：每六小时吃一片，饭后吃，吃药以后不要开车，也不要喝酒。" * 3)
    pdf = render_pdf(make_request(language="zh-Hans", medications=line,
                                  handouts=["discharge"]), load_clinic(clinic_folder))
    lines = [ln.strip(" •") for p in PdfReader(io.BytesIO(pdf)).pages
             for ln in (p.extract_text() or "").splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Oxycodone 5 mg：每"))
    printed = lines[start:start + 4]  # (the free-text marker follows the line)
    assert "".join(printed).replace(" ", "").startswith(line.replace(" ", ""))
    assert all("Oxycodone" in ln or "Oxy" not in ln for ln in printed)  # never "Oxy|codone"
    assert len(printed[0]) > 30  # the first line is filled, not broken at the first space
    assert missing_glyphs(pdf) == []


@pytest.mark.parametrize("lang", sorted(language.ENGLISH))
def test_english_is_formatted_without_babel_as_babel_formats_it(lang):
    """The English forms written in Python (issue 17: no Babel in an English cold render)
    give Babel's text: every day of two years in each date form, every minute of a day,
    lists of 1 to 6 items, the numbers the handouts print, the plural rule and the locale."""
    from babel import Locale
    from babel.dates import format_date, format_skeleton, format_time
    from babel.lists import format_list
    from babel.numbers import format_decimal

    assert language.babel_locale(lang) == str(Locale.parse(lang))
    assert language.babel_locale(lang.replace("_", "-")) == str(Locale.parse(lang))
    day_pattern = language._day_pattern(lang)
    first = dt.date(2027, 1, 1)
    for n in range(730):
        day = first + dt.timedelta(days=n)
        assert language.day_text(day, lang) == format_date(day, day_pattern, locale=lang)
        assert language.full_date_text(day, lang) == format_date(day, "full", locale=lang)
        assert language.birth_date_text(day, lang) == format_date(day, "long", locale=lang)
        assert language.diary_day_text(day, lang) == format_skeleton("MMMEd", day, locale=lang)
    for minute in range(24 * 60):
        t = dt.time(minute // 60, minute % 60)
        assert language.time_text(t, lang) == format_time(t, "short", locale=lang)
    names = ["T10", "T11", "T12", "L1", "L2", "L3"]
    for n in range(1, 7):
        assert language.list_text(names[:n], lang) == format_list(names[:n], locale=lang)
    for value in (0, 0.04, 0.05, 0.25, 2.25, 4.5359237, 10, 10 * 0.45359237, 22.5, 999.95,
                  1234.56, 99999.9, 1e6, 123456789.123):
        assert language.number_text(value, lang) == format_decimal(
            round(value, 1), format="#,##0.#", locale=lang), value
    for count in range(0, 25):
        assert language._plural_form(lang, count) == Locale.parse(lang).plural_form(count)


def test_a_cold_english_render_does_not_import_babel(tmp_path):
    """What the English forms above are for; a Spanish render still formats with Babel."""
    from tests.test_cold_start import _cold

    english = _cold(tmp_path / "en", "--procedure-date", "2026-11-24", "--date-of-birth",
                    "1948-03-04", "--follow-up-date", "2026-12-08", "--follow-up-time", "14:30")
    assert not {m for m in english["modules"] if m.split(".")[0] == "babel"}  # type: ignore[union-attr]
    spanish = _cold(tmp_path / "es", "--language", "es")
    assert "babel.dates" in spanish["modules"]  # type: ignore[operator]
