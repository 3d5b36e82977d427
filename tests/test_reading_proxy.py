"""Reading level where no grade formula exists (Chinese, Korean, Vietnamese): `templates
check` reports sentence length and characters per sentence as a proxy, and warns above
the limit (docs/languages.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.checks import (
    PROXY_LIMITS,
    check_templates,
    sentence_length,
    split_sentences,
)
from dischargedesk.cli import main
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.resources import sample_clinic_dir, templates_dir


def test_sentences_split_at_chinese_and_latin_stops_not_inside_numbers():
    assert split_sentences(["不要喝酒。起身要慢！您好吗？", "Lift 4.5 kg. Then rest; walk"]) == [
        "不要喝酒。", "起身要慢！", "您好吗？", "Lift 4.5 kg.", "Then rest;", "walk"]


def test_chinese_counts_han_characters_only():
    grade = sentence_length(["到12月9日为止：不要提超过 10 lb (4.5 kg) 的东西。", "咳出血。"],
                            "zh-Hans")
    assert grade is not None and grade.unit == "characters" and grade.proxy
    # 到 月 日 为 止 不 要 提 超 过 的 东 西 = 13 Han characters; 咳 出 血 = 3
    assert (grade.sentences, grade.longest, grade.grade) == (2, 13, 8.0)
    assert grade.characters == grade.grade
    assert "8.0 characters per sentence, longest 13 characters" in grade.describe()


def test_korean_and_vietnamese_count_words_and_characters():
    ko = sentence_length(["오늘은 집에서 쉬세요. 천천히 일어나세요."], "ko")
    assert ko is not None and (ko.unit, ko.sentences, ko.grade, ko.longest) == (
        "words", 2, 2.5, 3)
    assert ko.characters == (9 + 8) / 2
    vi = sentence_length(["Hôm nay hãy nghỉ ngơi ở nhà."], "vi")
    assert vi is not None and (vi.grade, vi.characters) == (7.0, 21.0)
    assert vi.describe().startswith("sentence length 7.0 words and 21.0 characters")


def test_other_languages_have_no_proxy():
    assert sentence_length(["Rest today."], "en") is None
    assert sentence_length(["Descanse hoy."], "es") is None
    assert sentence_length(["123 456", "(555) 010-2000"], "zh-Hant") is None


def test_builtin_chinese_text_is_within_the_limit():
    """The shipped Chinese text measured as written (template words, no values)."""
    limit = PROXY_LIMITS["zh"][1]
    for code in ("zh-Hans", "zh-Hant"):
        for path in sorted((templates_dir() / code).rglob("*.txt")):
            lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
                     if not ln.lstrip().startswith(("{#", "{%", "@", ":::"))]
            grade = sentence_length(lines, code)
            assert grade is not None and grade.grade <= limit, (path, grade)


@pytest.fixture
def vi_clinic(tmp_path) -> Path:
    """A clinic with its own Vietnamese pack (Latin script: the shipped font covers it)."""
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    shutil.copytree(templates_dir() / "en", folder / "templates" / "vi")
    pack = folder / "templates" / "vi" / "pack.toml"
    pack.write_text(pack.read_text(encoding="utf-8").replace('code = "en"', 'code = "vi"')
                    .replace('locale = "en_US"', 'locale = "vi_VN"')
                    .replace('free_text_marker = ""',
                             'free_text_marker = "Chưa dịch: nhờ thông dịch viên đọc dòng này."'),
                    encoding="utf-8")
    return folder


def test_check_reports_the_proxy_and_warns_on_long_sentences(vi_clinic, capsys):
    section = vi_clinic / "templates" / "vi" / "recovery" / "40-fall-prevention.txt"
    section.write_text("# Phòng ngừa té ngã\n" + " ".join(["từ"] * 50) + ".\n",
                       encoding="utf-8")
    report = check_templates(load_clinic(vi_clinic), languages=["vi"], build_pdfs=False)
    assert report.ok, [str(p) for p in report.errors]
    grades = {g.file: g for g in report.grades if g.language == "vi"}
    assert grades and all(g.proxy and g.unit == "words" for g in grades.values())
    # the English text of a bilingual print keeps its grade
    assert all(not g.proxy for g in report.grades if g.language == "en")
    long = grades["clinic vi/recovery/40-fall-prevention.txt"]
    assert long.longest == 50 and long.grade > PROXY_LIMITS["vi"][1]
    warnings = [p for p in report.problems if p.severity == "warning"]
    assert [p.file for p in warnings] == ["clinic vi/recovery/40-fall-prevention.txt"]
    assert "a reading proxy" in warnings[0].message
    main(["templates", "check", "--clinic", str(vi_clinic), "--no-pdf"])  # every language
    out = capsys.readouterr().out
    assert "clinic vi/recovery/40-fall-prevention.txt: sentence length 27.0 words and" in out
    assert "en/recovery/40-fall-prevention.txt: reading grade" in out  # English keeps its grade
