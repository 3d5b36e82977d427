"""Clinic template overrides and `templates export` / `templates check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.checks import check_templates
from dischargedesk.cli import main
from dischargedesk.clinic.folder import customize, revert
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.engine import render_pdf
from dischargedesk.resources import sample_clinic_dir

from .conftest import pdf_text

SECTION = "en/discharge/30-wound-care.txt"


@pytest.fixture
def clinic_folder(tmp_path) -> Path:
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    return folder


def write(folder: Path, relative: str, text: str) -> Path:
    path = folder / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_override_takes_effect_and_revert_restores(clinic_folder, make_request):
    path = customize(clinic_folder, SECTION)
    assert path.read_text() == (Path(__file__).parents[1] / "templates" / SECTION).read_text()
    path.write_text("# Pain at Riverbend\n- Call our pain nurse at {{ clinic.phone }}.\n")
    clinic = load_clinic(clinic_folder)
    text = pdf_text(render_pdf(make_request(), clinic))
    assert "Pain at Riverbend" in text and "Call our pain nurse at (555) 010-2000." in text
    revert(clinic_folder, SECTION)
    text = pdf_text(render_pdf(make_request(), load_clinic(clinic_folder)))
    assert "Pain at Riverbend" not in text and "Needle sites and soreness" in text


def test_clinic_can_add_a_section(clinic_folder, make_request):
    write(clinic_folder, "en/recovery/35-nutrition.txt", "# Eating well\n- Eat protein.\n")
    text = pdf_text(render_pdf(make_request(), load_clinic(clinic_folder)))
    assert text.index("Keeping your bones strong") < text.index("Eating well")


@pytest.mark.parametrize(("source", "line", "words"), [
    ("# T\n\n{% if %}\n", 3, "syntax error"),
    ("# T\nok\n{{ patient.nmae }}\n", 3, "nmae"),
    ("# T\n{{ ''.__class__.__mro__ }}\n", 2, "not allowed"),
    ("# T\n- fine\n<img src='x.png'>\n", 3, "markup the handout format does not allow"),
    ("# T\n{% include '../../../etc/passwd' %}\n", 2, "cannot be included"),
])
def test_check_reports_file_and_line(clinic_folder, source, line, words):
    write(clinic_folder, SECTION, source)
    report = check_templates(load_clinic(clinic_folder), languages=["en"], build_pdfs=False)
    assert not report.ok
    problem = report.errors[0]
    assert problem.file == f"clinic {SECTION}"
    assert problem.line == line, problem
    assert words in problem.message
    assert str(problem).startswith(f"clinic {SECTION}:{line}: ")


def test_check_warns_above_grade_8(clinic_folder):
    write(clinic_folder, SECTION, "# Pain\nPostprocedural discomfort characteristically "
          "necessitates multimodal pharmacological intervention incorporating "
          "nonsteroidal anti-inflammatory medications administered prophylactically.\n")
    report = check_templates(load_clinic(clinic_folder), languages=["en"], build_pdfs=False)
    assert report.ok  # a warning, not an error
    warnings = [p for p in report.problems if p.severity == "warning"]
    assert warnings and "reading grade" in warnings[0].message
    grade = next(g for g in report.grades if g.file == f"clinic {SECTION}")
    assert grade.grade > 8


def test_builtin_english_sections_read_at_grade_8_or_lower(sample_clinic):
    report = check_templates(sample_clinic, languages=["en"], build_pdfs=False)
    assert report.ok, [str(p) for p in report.problems]
    assert len({g.file for g in report.grades}) >= 13
    for g in report.grades:
        assert g.grade <= 8, f"{g.file}: {g.grade}"
    assert sum(g.grade for g in report.grades) / len(report.grades) <= 6.5


def test_cli_export_then_check_clean(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["templates", "export", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "clinic.toml" in out and (folder / "templates" / SECTION).is_file()
    assert main(["templates", "export", str(folder)]) == 1  # never clobbers silently
    assert "already has clinic files" in capsys.readouterr().err
    assert main(["templates", "check", "--clinic", str(folder), "--no-pdf"]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_cli_check_fails_with_file_line(clinic_folder, capsys):
    write(clinic_folder, SECTION, "# T\n{{ patient.nmae }}\n")
    assert main(["templates", "check", "--clinic", str(clinic_folder), "--no-pdf"]) == 1
    out = capsys.readouterr().out
    assert f"clinic {SECTION}:2: unknown variable" in out


def test_cli_check_reports_profile_error(clinic_folder, capsys):
    toml = clinic_folder / "clinic.toml"
    toml.write_text(toml.read_text().replace("fever_threshold_f = 100.4",
                                             "fever_threshold_f = 95"))
    assert main(["templates", "check", "--clinic", str(clinic_folder)]) == 2
    assert "clinic.toml, line" in capsys.readouterr().err


def test_runaway_clinic_template_reported_not_hung(clinic_folder, make_request):
    write(clinic_folder, SECTION, "# T\n{% for i in range(9999) %}{% for j in range(9999) %}"
          "{% endfor %}{% endfor %}\n")
    from dischargedesk.errors import TemplateError

    with pytest.raises(TemplateError, match="longer than"):
        render_pdf(make_request(), load_clinic(clinic_folder))


def test_unsaved_editor_text_previews_and_checks(clinic_folder, make_request):
    path = customize(clinic_folder, SECTION)
    clinic = load_clinic(clinic_folder)
    unsaved = {SECTION: "# Unsaved pain text\n- Ice helps.\n"}
    text = pdf_text(render_pdf(make_request(), clinic, overrides=unsaved))
    assert "Unsaved pain text" in text
    assert "Unsaved" not in path.read_text()
    report = check_templates(clinic, languages=["en"], build_pdfs=False,
                             overrides={SECTION: "# T\n\n{{ oops }}\n"})
    assert [(p.file, p.line) for p in report.errors] == [(f"clinic {SECTION}", 3)]


def test_check_reports_a_runaway_template_once_and_fast(clinic_folder):
    """One timeout per file, then every combination that uses it is skipped (was 144
    timeouts of 3 s each)."""
    import time

    write(clinic_folder, "en/partials/spin.inc", "{% for a in range(9999) %}"
          "{% for b in range(9999) %}{% set z = a %}{% endfor %}{% endfor %}")
    write(clinic_folder, SECTION, "# T\n{% include 'partials/spin.inc' %}\n")
    start = time.monotonic()
    report = check_templates(load_clinic(clinic_folder), languages=["en"], build_pdfs=False,
                             grades=False)
    elapsed = time.monotonic() - start
    runaway = [p for p in report.errors if "longer than" in p.message]
    # Reported once. Usually it names the partial; under heavy load the limit has been seen
    # to fire while the including section's frame ran, and then it names that section
    # (which holds the include line). Known imprecision, noted on issue 11's follow-up.
    assert len(runaway) == 1, report.errors
    assert runaway[0].file in ("clinic en/partials/spin.inc", f"clinic en/{SECTION}"), \
        report.errors
    assert report.errors == runaway
    assert elapsed < 30, elapsed  # one time limit plus the normal check, not 72 of them
