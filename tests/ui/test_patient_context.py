"""Issue 15: the app opens with the patient from the EHR record, and says which fields came
from the record so the nurse checks them."""

from __future__ import annotations

from dischargedesk.ehr.cli import form_context

from ..ehr_helpers import sample_text, write
from .conftest import wait_for_preview


def test_the_form_opens_filled_from_an_hl7_record_and_marks_the_fields(qtbot, window,
                                                                         tmp_path, questions):
    ctx = form_context(write(tmp_path / "adt.hl7", sample_text("adt-a04-pr1.hl7")))
    form = window.form
    form.fill_from_record(ctx.values, ctx.from_record, ctx.notes)
    assert form.patient_name.text() == "Lucia M O&Connor-Diaz"  # \T\ is the HL7 escape for &
    assert form.mrn.text() == "4410982"
    assert form.date_of_birth.text() == "1946-08-17"
    assert form.procedure.currentData() == "kyphoplasty"
    assert form.levels.picker.levels() == ["L1", "L2"]
    assert form.language.currentData() == "es"  # PID-15 SPA, a pack exists
    note = form.record_note
    assert note.isVisible()
    for label in ("Patient name", "Date of birth", "MRN", "Procedure", "Levels treated"):
        assert label in note.text()
    assert "Check each one" in note.text()
    text = wait_for_preview(qtbot, window)
    assert "Lucia M O&Connor-Diaz" in text
    # New patient: the record's notice goes with the patient
    window.new_patient()
    assert not note.isVisible() and form.patient_name.text() == ""
