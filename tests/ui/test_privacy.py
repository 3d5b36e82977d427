"""Canary: after a whole session, patient data is in the page text only, never in settings,
logs, file names, the window title or the print job."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt

from dischargedesk import output
from dischargedesk.errors import OutputError

from .conftest import (
    CAREGIVER,
    MEDICATION,
    MRN,
    TOKEN,
    close_message_boxes,
    fill_minimal,
    wait_for_preview,
)


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_a_whole_session_leaves_no_patient_data_behind(qtbot, window, questions,
                                                        settings_file, monkeypatch, tmp_path):
    from dischargedesk.ui.main import setup_logging

    log_file = setup_logging()
    assert log_file is not None
    assert log_file.is_relative_to(os.environ["XDG_DATA_HOME"])  # the redirected user dir
    try:
        form = window.form
        fill_minimal(qtbot, window)
        qtbot.keyClicks(form.date_of_birth, "1950-06-15")
        qtbot.keyClicks(form.medications, MEDICATION)
        qtbot.keyClicks(form.caregiver, CAREGIVER)
        qtbot.keyClicks(form.blood_thinner, f"Ask Dr. {TOKEN} first")
        wait_for_preview(qtbot, window, contains=TOKEN)
        # success paths
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        # failure paths
        monkeypatch.setattr(output, "write_files_atomic", _raise_output_error)
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        close_message_boxes()
        monkeypatch.setattr(output, "write_files_atomic", _raise_with_token)
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        close_message_boxes()
        form.language.setCurrentIndex(0)
        window.splitter.setSizes([500, 700])
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible())
    finally:
        for h in list(logging.getLogger("dischargedesk").handlers):
            if getattr(h, "_dischargedesk", False):
                logging.getLogger("dischargedesk").removeHandler(h)
                h.close()

    assert settings_file.is_file()
    from dischargedesk.siteconfig import user_file_path

    # the output folder is remembered, in the one settings store (siteconfig's user file)
    assert str(questions.folder) in user_file_path().read_text(encoding="utf-8")
    log_text = log_file.read_text(encoding="utf-8")
    assert "render ok" in log_text and "saved 2 files" in log_text
    assert "save failed: OutputError" in log_text and "RuntimeError" in log_text

    canaries = (TOKEN, MRN, "1950-06-15", "Quilla")
    home = Path(os.environ["HOME"]).parent  # home, config, data, cache, state
    temp = Path(os.environ["TMPDIR"])
    for path in _files_under(home, temp, settings_file.parent):
        if path.suffix == ".pdf":
            continue  # handouts: the one place patient data belongs
        data = path.read_bytes()
        for canary in canaries:
            assert canary.encode() not in data, f"{canary} found in {path}"
    for path in _files_under(tmp_path, home, temp):
        assert all(c not in path.name for c in canaries), path
    assert TOKEN not in window.windowTitle()


def _raise_output_error(folder, files, **kwargs):
    raise OutputError("The disk is full, so nothing was saved; free some space or choose "
                      "another folder.")


def _raise_with_token(folder, files, **kwargs):
    raise RuntimeError(f"weird failure mentioning {TOKEN} and {MRN}")


def test_printed_job_name_has_no_patient_data(qtbot, window, questions):
    seen: list[str] = []
    original = questions.choose_printer

    def record(printer, pages):
        seen.append(printer.docName())
        return original(printer, pages)

    window.choose_printer = record
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["Discharge Desk handouts"]


def test_settings_keep_preferences_and_survive_junk(qtbot, settings_file, sample_clinic):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("[window]\ngeometry=not-bytes\n[output]\nfolder=\n"
                             "[handout]\nlanguage=../../etc\nlarge_print=maybe\n"
                             "[patient]\nname=Should Be Dropped\n", encoding="utf-8")
    settings = AppSettings(settings_file)
    assert settings.geometry is None and settings.output_folder is None
    assert not hasattr(settings, "language")  # the INI holds window layout only
    win = MainWindow(sample_clinic, settings)
    qtbot.addWidget(win)
    win.show()
    assert win.form.language.currentData() == "en"
    win.close()
    assert "Should Be Dropped" not in settings_file.read_text(encoding="utf-8")
