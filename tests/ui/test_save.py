"""Saving PDFs: one file per handout, named by handout, procedure, date and minute (no
patient data), never a silent overwrite, plain errors; reprint and re-save from this
shift's recent handouts."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from dischargedesk import output
from dischargedesk.errors import OutputError

from ..conftest import pdf_text
from .conftest import (
    MRN,
    PATIENT,
    TOKEN,
    click_check,
    close_message_boxes,
    fill_minimal,
    message_texts,
    wait_for_preview,
)

NOW = dt.datetime(2026, 12, 1, 14, 30, 12)
NAMES = ["discharge-instructions-kyphoplasty-2026-12-01-1430.pdf",
         "recovery-plan-kyphoplasty-2026-12-01-1430.pdf"]


@pytest.fixture(autouse=True)
def _clock(window):
    """The window reads the clock for file names; here it is a fixed minute."""
    window.now = lambda: NOW


def _press_save(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_s_writes_one_file_per_handout(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    folder = questions.folder
    assert sorted(p.name for p in folder.iterdir()) == NAMES
    discharge = pdf_text((folder / NAMES[0]).read_bytes())
    recovery = pdf_text((folder / NAMES[1]).read_bytes())
    assert PATIENT in discharge and PATIENT in recovery
    assert "Discharge instructions" in discharge and "Your recovery plan" not in discharge
    assert "Your recovery plan" in recovery
    assert window.settings.output_folder == folder
    assert "Saved" in window.statusBar().currentMessage()
    assert not window.session.dirty
    assert not message_texts()


def test_saving_again_never_overwrites(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    folder = questions.folder
    (folder / NAMES[0]).write_bytes(b"older file")
    _press_save(qtbot, window)
    _press_save(qtbot, window)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([NAMES[0], *(n.replace(".pdf", f"-{i}.pdf") for i in (2, 3)
                                        for n in NAMES)])
    assert (folder / NAMES[0]).read_bytes() == b"older file"
    assert questions.folder_calls == [None, folder]  # starts where it saved last time
    assert all(TOKEN not in n and MRN not in n for n in names)


def test_only_the_chosen_handout_is_saved(qtbot, window, questions):
    fill_minimal(qtbot, window)
    click_check(qtbot, window.form.handout_checks["discharge"])
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    assert [p.name for p in questions.folder.iterdir()] == [NAMES[1]]


def test_write_failure_shows_one_sentence_and_keeps_the_form(qtbot, window, questions,
                                                             monkeypatch):
    sentence = (f"You do not have permission to save in {questions.folder}; choose another "
                "folder or ask your IT team for access.")

    def refuse(folder, files, **kwargs):
        raise OutputError(sentence)

    monkeypatch.setattr(output, "write_files_atomic", refuse)
    fill_minimal(qtbot, window)
    qtbot.keyClicks(window.form.caregiver, "Pat Keeper")
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    assert message_texts() == [sentence]
    assert list(questions.folder.iterdir()) == []
    assert window.form.patient_name.text() == PATIENT
    assert window.form.caregiver.text() == "Pat Keeper"
    assert window.form.levels.picker.levels() == ["T12", "L1"]
    assert window.session.dirty  # nothing was saved
    close_message_boxes()
    monkeypatch.undo()
    _press_save(qtbot, window)  # fixed: the same entries save fine
    assert len(list(questions.folder.iterdir())) == 2


def test_unexpected_save_error_is_generic_and_logs_no_patient_data(qtbot, window, questions,
                                                                    monkeypatch, caplog):
    def crash(folder, files, **kwargs):
        raise RuntimeError(f"disk said no about {TOKEN}")

    monkeypatch.setattr(output, "write_files_atomic", crash)
    caplog.set_level("INFO", logger="dischargedesk")
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    texts = message_texts()
    assert len(texts) == 1
    assert texts[0].startswith("Something went wrong (RuntimeError). Your entries are kept")
    assert TOKEN not in texts[0] and TOKEN not in caplog.text
    assert "RuntimeError" in caplog.text
    assert window.form.patient_name.text() == PATIENT


def test_cancelled_folder_choice_saves_nothing(qtbot, window, questions):
    questions.folder = None
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    assert window.statusBar().currentMessage() == "Saving cancelled."
    assert window.settings.output_folder is None
    assert window.session.dirty


def test_a_later_minute_gets_its_own_name_without_suffix(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    window.now = lambda: NOW + dt.timedelta(minutes=7)
    _press_save(qtbot, window)
    assert sorted(p.name for p in questions.folder.iterdir()) == sorted(
        [*NAMES, *(n.replace("1430", "1437") for n in NAMES)])


def test_recent_handouts_reprint_and_resave_after_new_patient(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    entries = window.recent.entries()
    assert [e.label() for e in entries] == ["Q.Z. · Kyphoplasty · 14:30 (saved)"]
    assert window.recent_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.form.patient_name.text() == ""
    # the menu lists the set; its actions print and save it again
    window._fill_recent_menu()
    sub = window.recent_menu.actions()[0].menu()
    assert window.recent_menu.actions()[0].text() == entries[0].label()
    again, resave = sub.actions()
    assert (again.text(), resave.text()) == ("Print again...", "Save again...")
    again.trigger()
    reprinted = pdf_text(questions.print_file.read_bytes())
    assert PATIENT in reprinted and "Your recovery plan" in reprinted
    window.now = lambda: NOW + dt.timedelta(minutes=1)
    resave.trigger()
    names = sorted(p.name for p in questions.folder.iterdir())
    assert len(names) == 4 and all(TOKEN not in n for n in names)
    assert PATIENT in pdf_text((questions.folder / NAMES[0].replace("1430", "1431"))
                               .read_bytes())
    # the same set again moves to the top instead of repeating ("Print to File" is saved)
    assert [e.label() for e in window.recent.entries()] == [
        "Q.Z. · Kyphoplasty · 14:31 (saved)"]
    assert window.form.patient_name.text() == ""  # the form stays with the new patient


def test_recent_handouts_never_reach_the_disk(qtbot, window, questions, settings_file,
                                              tmp_path):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_save(qtbot, window)
    window.close()
    assert len(window.recent) == 0  # forgotten at quit
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            text = path.read_bytes()
            assert b"Q.Z." not in text and TOKEN.encode() not in text, path.name
