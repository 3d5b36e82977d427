"""Reading level of Spanish sections in ``templates check`` (issue 12 item 7): Crawford
(a grade, at most MAX_GRADE like English) and the Fernández-Huerta reading ease (at least
MIN_SPANISH_EASE), each section reported with both."""

from __future__ import annotations

import shutil

from dischargedesk.checks import MAX_GRADE, MIN_SPANISH_EASE, check_templates, reading_level
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.resources import sample_clinic_dir


def test_builtin_spanish_sections_are_easy_to_read(sample_clinic):
    report = check_templates(sample_clinic, languages=["es"], build_pdfs=False)
    assert report.ok, [str(p) for p in report.problems]
    assert not [p for p in report.problems if p.severity == "warning"], \
        [str(p) for p in report.problems]
    graded = [g for g in report.grades if g.language == "es"]
    assert len({g.file for g in graded}) >= 13
    for g in graded:
        assert g.grade <= MAX_GRADE, f"{g.file}: {g.grade}"
        assert g.measure.startswith("Crawford; Fernández-Huerta "), g.measure
        assert float(g.measure.rsplit(" ", 1)[1]) >= MIN_SPANISH_EASE, (g.file, g.measure)


def test_hard_spanish_is_flagged_by_fernandez_huerta(tmp_path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    section = folder / "templates" / "es" / "discharge" / "30-wound-care.txt"
    section.parent.mkdir(parents=True, exist_ok=True)
    section.write_text(
        "# Dolor\nLa sintomatología postoperatoria característicamente requiere intervención "
        "farmacológica multimodal, incorporando antiinflamatorios no esteroideos "
        "administrados profilácticamente según indicación facultativa especializada.\n",
        encoding="utf-8")
    report = check_templates(load_clinic(folder), languages=["es"], build_pdfs=False)
    assert report.ok  # warnings, not errors
    messages = [p.message for p in report.problems if p.severity == "warning"
                and "30-wound-care" in p.file]
    assert any("Fernández-Huerta" in m and "reading ease" in m for m in messages), messages


def test_reading_level_per_language():
    easy = ["Camine un poco cada día.", "Descanse si le duele."]
    grade, measure, ease = reading_level(easy, "es")
    assert ease is not None and ease > 90 and grade < 6 and "Fernández-Huerta" in measure
    grade, measure, ease = reading_level(["Walk a little each day."], "en")
    assert ease is None and measure == "Flesch-Kincaid"
