"""The idle clear: a visible countdown that any input cancels; at its end every dialog
closes and no question open across the clear can write the previous patient's handouts.

The site sets whole minutes; the tests shorten the same timers with ``set_times``."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from dischargedesk.ui.idle import close_dialogs

from .conftest import PATIENT, WAIT_MS, fill_minimal, wait_for_preview
from .test_site_integration import make_window

IDLE_MS, WARN_MS, TICK_MS = 1500, 1000, 100


def _window(qtbot, tmp_path, questions):
    win = make_window(qtbot, tmp_path, "idle_clear_minutes = 1\n", questions)
    win.printer_names = questions.printer_names
    win.choose_printer = questions.choose_printer
    assert win.idle.active and win.idle.idle_ms == 60_000 and win.idle.warning_ms == 60_000
    return win


def _visible_dialogs() -> list:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QFileDialog | QMessageBox) and w.isVisible()]


def test_countdown_shows_and_any_key_cancels_it(qtbot, tmp_path, questions):
    win = _window(qtbot, tmp_path, questions)
    fill_minimal(qtbot, win)
    win.idle.set_times(IDLE_MS, WARN_MS, TICK_MS)
    win.idle.restart()
    banner = win.idle.banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert banner.text().startswith("Clearing this patient in ")
    assert "move the mouse or press a key to keep working" in banner.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Shift)
    assert not banner.isVisible() and not win.idle.counting_down
    qtbot.wait(IDLE_MS - WARN_MS // 2)  # the idle time started again from the key
    assert win.form.patient_name.text() == PATIENT
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(win.form.mrn, Qt.MouseButton.LeftButton)  # a click cancels it too
    assert not banner.isVisible()
    assert win.form.patient_name.text() == PATIENT
    win.close()


def test_expiry_clears_the_form_after_the_countdown(qtbot, tmp_path, questions):
    win = _window(qtbot, tmp_path, questions)
    fill_minimal(qtbot, win)
    win.idle.set_times(IDLE_MS, WARN_MS, TICK_MS)
    win.idle.restart()
    qtbot.waitUntil(win.idle.banner.isVisible, timeout=WAIT_MS)
    assert win.form.has_patient_data()  # warned first, not yet cleared
    qtbot.waitUntil(lambda: not win.form.has_patient_data(), timeout=WAIT_MS)
    assert not win.idle.banner.isVisible()
    assert "cleared after 1 minute without use" in win.statusBar().currentMessage()
    win.close()


def test_no_countdown_banner_over_an_empty_form(qtbot, tmp_path, questions):
    win = _window(qtbot, tmp_path, questions)
    win.idle.set_times(600, 400, TICK_MS)
    win.idle.restart()
    qtbot.waitUntil(lambda: win.idle.counting_down, timeout=WAIT_MS)
    assert not win.idle.banner.isVisible()
    win.close()


def test_expiry_closes_the_open_save_dialog_and_nothing_is_written(qtbot, tmp_path,
                                                                   questions):
    """The real folder dialog is open when the time runs out: it closes, and the save it
    belonged to writes nothing (before: the next person's "Choose" wrote the PDFs)."""
    win = _window(qtbot, tmp_path, questions)
    del win.choose_folder  # the real QFileDialog
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)
    seen: dict[str, bool] = {}

    def watch() -> None:
        if any(isinstance(w, QFileDialog) for w in _visible_dialogs()):
            seen["dialog"] = True
        if win.idle.banner.isVisible():
            seen["countdown"] = True

    watcher = QTimer(win)
    watcher.timeout.connect(watch)
    watcher.start(50)
    QTimer.singleShot(WAIT_MS, close_dialogs)  # never hang the run if the clear fails
    win.idle.set_times(IDLE_MS, WARN_MS, TICK_MS)
    win.idle.restart()
    win.save_pdfs()  # blocks in the dialog until the idle clear closes it
    watcher.stop()
    assert seen == {"dialog": True, "countdown": True}
    assert not win.form.has_patient_data()
    assert not _visible_dialogs()
    assert list(questions.folder.iterdir()) == []
    assert not list(tmp_path.glob("**/*.pdf"))
    assert "cleared after" in win.statusBar().currentMessage()
    win.close()


def test_a_folder_chosen_after_the_clear_writes_nothing(qtbot, tmp_path, questions):
    """A dialog the app cannot close (a native one) answers after the clear: dropped."""
    win = _window(qtbot, tmp_path, questions)
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)

    def answer_late(start):
        win.clear_after_idle()  # the clear happens while the question is open
        return questions.folder

    win.choose_folder = answer_late
    win.save_pdfs()
    assert list(questions.folder.iterdir()) == []
    assert not win.form.has_patient_data()
    win.close()


def test_a_print_confirmed_after_the_clear_prints_nothing(qtbot, tmp_path, questions):
    win = _window(qtbot, tmp_path, questions)
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)

    def confirm_late(printer, pages):
        win.clear_after_idle()
        return questions.choose_printer(printer, pages)

    win.choose_printer = confirm_late
    win.print_handouts()
    assert not questions.print_file.exists()
    assert len(win.recent) == 0
    win.close()


def test_idle_clear_forgets_the_recent_handouts(qtbot, tmp_path, questions):
    win = _window(qtbot, tmp_path, questions)
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)
    win.print_handouts()
    assert len(win.recent) == 1 and win.recent_action.isEnabled()
    win.form.clear_patient()  # even with nothing on the form, the list goes
    win.idle.set_times(300, 200, TICK_MS)
    win.idle.restart()
    qtbot.waitUntil(lambda: len(win.recent) == 0, timeout=WAIT_MS)
    assert not win.recent_action.isEnabled()
    win.close()


def test_save_instead_of_print_answered_after_the_clear_saves_nothing(qtbot, tmp_path,
                                                                      questions):
    win = _window(qtbot, tmp_path, questions)
    win.printer_names = lambda: []
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)

    def offer_late(sentence):
        win.clear_after_idle()
        return True

    win.offer_save = offer_late
    win.print_handouts()
    assert questions.folder_calls == [] and list(questions.folder.iterdir()) == []
    assert "cleared after" in win.statusBar().currentMessage()
    win.close()
