"""Language packs (pack.toml) a clinic edits: every mistake is a plain FILE, line message,
and `templates check` lists it instead of crashing (issue 11)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dischargedesk.checks import check_templates
from dischargedesk.cli import main
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.engine import render_pdf
from dischargedesk.errors import DischargeDeskError
from dischargedesk.resources import sample_clinic_dir, templates_dir


@pytest.fixture
def clinic_folder(tmp_path) -> Path:
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    (folder / "templates" / "en").mkdir(parents=True)
    shutil.copyfile(templates_dir() / "en" / "pack.toml", folder / "templates/en/pack.toml")
    return folder


def edit_pack(folder: Path, old: str, new: str) -> Path:
    path = folder / "templates" / "en" / "pack.toml"
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, re.M), old
    path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    return path


CASES = [
    # (pattern, replacement, expected line or None for "the [labels] header", words)
    (r'^mrn = "MRN"\n', "", "labels", "labels.mrn” is missing"),
    (r'^mrn = "MRN"', "mrn = 5", "mrn", "must be text"),
    (r'^mrn = "MRN"', 'mrn = "MRN {name}"', "mrn", "placeholder"),
    (r'^page = .*', 'page = "Page {page} of {pages"', "page", "pair up"),
    (r'^levels_count = .*', 'levels_count = { one = "{count} level" }', "levels_count",
     "plural"),
    (r'^locale = "en_US"', 'locale = "vi_XX"', "locale", "locale"),
    (r'^code = "en"', 'code = "zz_QQ"', "code", "locale"),
    (r'^\[labels\]', "[labelz]", None, "[labels]"),
]


def line_of(path: Path, key: str) -> int:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith((key + " ", f"[{key}]")):
            return no
    raise AssertionError(key)


@pytest.mark.parametrize(("old", "new", "key", "words"), CASES)
def test_bad_pack_is_a_plain_message_with_file_and_line(clinic_folder, make_request, old,
                                                        new, key, words):
    path = edit_pack(clinic_folder, old, new)
    where = f"{path}, line {line_of(path, key)}: " if key else f"{path}: "
    with pytest.raises(DischargeDeskError) as info:
        render_pdf(make_request(), load_clinic(clinic_folder))
    message = str(info.value)
    assert message.startswith(where), message
    assert words in message and "unexpected" not in message


@pytest.mark.parametrize(("old", "new", "key", "words"), CASES[:4])
def test_check_lists_pack_problem_instead_of_crashing(clinic_folder, capsys, old, new, key,
                                                      words):
    path = edit_pack(clinic_folder, old, new)
    report = check_templates(load_clinic(clinic_folder), languages=["en"], build_pdfs=False,
                             grades=False)
    assert len(report.errors) == 1, [str(p) for p in report.problems]
    assert report.errors[0].file == str(path) and report.errors[0].line
    assert main(["templates", "check", "--clinic", str(clinic_folder), "--no-pdf"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{report.errors[0].line}: " in out and "1 error(s)" in out


def test_builtin_packs_are_valid(make_request):
    from dischargedesk.render.language import LABELS, load_pack

    for code in ("en", "es"):
        pack = load_pack(code)
        assert set(LABELS) <= set(pack.labels)


def _pack_codes() -> list[str]:
    from dischargedesk.render.language import available_languages

    return [c for c in available_languages() if c != "en"]


@pytest.mark.parametrize("code", _pack_codes())
def test_every_pack_has_every_section_and_label_of_english(code):
    from dischargedesk.render.language import load_pack

    def sections(lang: str) -> set[str]:
        root = templates_dir() / lang
        return {p.relative_to(root).as_posix() for p in root.rglob("*.txt")}

    assert sections(code) == sections("en")
    english, pack = load_pack("en"), load_pack(code)
    assert set(english.labels) <= set(pack.labels), set(english.labels) - set(pack.labels)
    assert set(english.procedures) <= set(pack.procedures)
    assert set(english.handouts) <= set(pack.handouts)
    if pack.needs_review:  # the bilingual notice, as the Spanish pack has it
        assert pack.unreviewed_notice.endswith(
            " / Not reviewed by a qualified translator: ask if anything is unclear.")
