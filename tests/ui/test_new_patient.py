"""New patient (Ctrl+N): clears every patient field; asks only when work would be lost."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from .conftest import (
    MEDICATION,
    PATIENT,
    WAIT_MS,
    click_check,
    fill_minimal,
    wait_for_preview,
)


def _press_new(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)


def _fill_everything(qtbot, window) -> None:
    form = window.form
    fill_minimal(qtbot, window)
    qtbot.keyClicks(form.date_of_birth, "1950-06-15")
    qtbot.keyClicks(form.medications, MEDICATION)
    qtbot.keyClicks(form.blood_thinner, "Restart warfarin Friday")
    qtbot.keyClicks(form.caregiver, "Ota Helper")
    qtbot.keyClicks(form.physician.lineEdit(), "Dr. Kofi Osei")
    click_check(qtbot, form.brace)
    click_check(qtbot, form.opioids)
    click_check(qtbot, form.follow_up.enabled)
    qtbot.keyClicks(form.follow_up.where, "Room 4")
    click_check(qtbot, form.large_print)
    form.anesthesia.setCurrentIndex(form.anesthesia.findData("general"))
    assert form.brace.isChecked() and form.opioids.isChecked() and form.large_print.isChecked()
    assert form.follow_up.enabled.isChecked()


def test_new_patient_asks_then_clears_every_patient_field(qtbot, window, questions):
    _fill_everything(qtbot, window)
    wait_for_preview(qtbot, window)
    questions.discard_answer = False
    _press_new(qtbot, window)
    assert len(questions.discard_calls) == 1
    assert window.form.patient_name.text() == PATIENT  # "No" keeps everything

    questions.discard_answer = True
    _press_new(qtbot, window)
    form = window.form
    assert len(questions.discard_calls) == 2
    for edit in (form.patient_name, form.date_of_birth, form.mrn, form.blood_thinner,
                 form.caregiver, form.follow_up.where, form.follow_up.with_whom):
        assert edit.text() == "", edit.accessibleName()
    assert form.medications.toPlainText() == ""
    assert form.physician.currentText() == ""
    assert form.levels.picker.levels() == []
    assert not form.brace.isChecked() and not form.opioids.isChecked()
    assert not form.follow_up.enabled.isChecked()
    assert form.anesthesia.currentData() == "sedation"
    assert form.values()["procedure_date"] == dt.date.today()
    assert form.procedure_date.text() == dt.date.today().isoformat()
    assert not form.has_patient_data()
    # language and large print are per patient: back to the clinic's default
    assert not form.large_print.isChecked()
    assert form.language.currentData() == "en"
    # the last patient's pages are gone, and no red errors greet the next patient
    assert window.preview.page_count() == 0
    assert window.preview.pdf_bytes() == b""
    assert not window.print_action.isEnabled()
    assert window.form.findChild(type(window.status_label), "error_patient_name").isHidden()
    assert form.patient_name.hasFocus()


def test_no_question_after_the_handouts_were_saved(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    _press_new(qtbot, window)
    assert questions.discard_calls == []
    assert window.form.patient_name.text() == ""


def test_an_edit_after_printing_asks_again(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert not window.session.dirty
    qtbot.keyClicks(window.form.caregiver, "Late Change")
    _press_new(qtbot, window)
    assert len(questions.discard_calls) == 1


def test_empty_form_needs_no_question(qtbot, window, questions):
    qtbot.keyClicks(window.form.patient_name, "x")
    window.form.patient_name.clear()
    _press_new(qtbot, window)
    assert questions.discard_calls == []


def test_next_patient_after_new_patient(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_new(qtbot, window)
    fill_minimal(qtbot, window, name="Second Person", levels=("L3",))
    text = wait_for_preview(qtbot, window, contains="Second Person")
    assert PATIENT not in text
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)


def test_closing_with_unsaved_entries_asks_first(qtbot, window, questions):
    fill_minimal(qtbot, window)
    questions.discard_answer = False
    window.close()
    assert window.isVisible() and len(questions.discard_calls) == 1
    assert window.form.patient_name.text() == PATIENT
    questions.discard_answer = True
    window.close()
    assert not window.isVisible()


def test_ctrl_q_closes_the_window_and_asks_when_needed(qtbot, window, questions):
    qtbot.keyClicks(window.form.patient_name, "Someone")
    questions.discard_answer = False
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible() and len(questions.discard_calls) == 1
    questions.discard_answer = True
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
