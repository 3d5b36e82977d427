"""The archive in the app, driven by keys: after a print or save the education dialog
(teach-back, interpreter, caregiver, nurse) and the record; the Reprint dialog finds the
patient by MRN and saves the handouts again byte for byte; nothing of it when the archive
is off."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dischargedesk.archive.service import Archive
from dischargedesk.archive.store import open_sqlite
from dischargedesk.cli import main
from dischargedesk.siteconfig import SITE_ENV, load_config

from ..archive_helpers import write_site
from .conftest import MRN, PATIENT, WAIT_MS, fill_minimal, message_texts, wait_for_preview


@pytest.fixture
def archive_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    key = tmp_path / "archive.key"
    assert main(["archive", "init-key", str(key)]) == 0
    db = tmp_path / "archive.db"
    monkeypatch.setenv(SITE_ENV, str(write_site(tmp_path, f"sqlite:///{db}", key)))
    return {"key": key, "db": db}


@pytest.fixture
def awindow(archive_site, qtbot, sample_clinic, settings_file, questions):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    win = MainWindow(sample_clinic, AppSettings(settings_file), config=load_config())
    for name in ("choose_folder", "choose_printer", "confirm_discard", "printer_names",
                 "offer_save"):
        setattr(win, name, getattr(questions, name))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and w is not win and w.objectName().endswith("Dialog"):
            w.close()
    win.confirm_discard = lambda question: True
    win.close()


def education_dialog(qtbot):
    found = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if w.objectName() == "educationDialog" and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return found[0]


def rows(db: Path, key: Path) -> list[dict]:
    from ..archive_helpers import key_of

    store = open_sqlite(db, key_of(key))
    try:
        return store.records()
    finally:
        store.close()


def test_print_then_education_by_keys_then_the_record(qtbot, awindow, questions,
                                                      archive_site):
    fill_minimal(qtbot, awindow)
    wait_for_preview(qtbot, awindow)
    qtbot.keyClick(awindow, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = education_dialog(qtbot)
    assert dialog.focusWidget() is dialog.teach_back
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)       # teach-back: yes
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "Spanish, ID 4471")    # interpreter
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)       # caregiver present
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "A1")                  # not initials
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.isVisible() and "initials" in dialog.problem.text()
    assert not archive_site["db"].exists()  # nothing archived while the dialog is open
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.focusWidget(), "B")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Archived" in awindow.statusBar().currentMessage(),
                    timeout=WAIT_MS)  # written on the archive's thread, then reported
    (row,) = rows(archive_site["db"], archive_site["key"])
    assert (row["teach_back"], row["interpreter_used"], row["caregiver_present"]) == (1, 1, 1)
    assert row["event"] == "saved"  # the test printer prints to a file
    printed = questions.print_file.read_bytes()
    assert json.loads(row["outputs"])[0]["sha256"] == hashlib.sha256(printed).hexdigest()
    archive = Archive(load_config().archive)
    assert [pdf for _, pdf in archive.reprint_pdfs(row["id"])] == [printed]
    phi = archive.key.open(row["id"], row["phi"])
    assert phi["nurse"] == "AB" and phi["interpreter"] == "Spanish, ID 4471"


def test_save_skip_then_reprint_dialog_by_mrn(qtbot, awindow, questions, archive_site,
                                              tmp_path):
    fill_minimal(qtbot, awindow)
    wait_for_preview(qtbot, awindow)
    qtbot.keyClick(awindow, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = {p.name: p.read_bytes() for p in questions.folder.iterdir()}
    dialog = education_dialog(qtbot)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)      # Skip: not recorded
    qtbot.waitUntil(lambda: "Archived" in awindow.statusBar().currentMessage(),
                    timeout=WAIT_MS)
    (row,) = rows(archive_site["db"], archive_site["key"])
    assert row["teach_back"] is None and row["caregiver_present"] is None
    questions.folder = tmp_path / "again"
    questions.folder.mkdir()
    awindow.activateWindow()  # the offscreen platform does not give it back by itself
    qtbot.waitUntil(awindow.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(awindow, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: awindow.archive_hook.reprint_dialog is not None
                    and awindow.archive_hook.reprint_dialog.isVisible(), timeout=WAIT_MS)
    reprint = awindow.archive_hook.reprint_dialog
    assert reprint.focusWidget() is reprint.mrn
    qtbot.keyClicks(reprint.mrn, "nope")
    qtbot.keyClick(reprint.mrn, Qt.Key.Key_Return)
    searched(qtbot, reprint)
    assert reprint.results.count() == 0 and "No record" in reprint.status.text()
    reprint.mrn.selectAll()
    qtbot.keyClicks(reprint.mrn, MRN.lower())
    qtbot.keyClick(reprint.mrn, Qt.Key.Key_Return)
    searched(qtbot, reprint)
    assert reprint.results.count() == 1 and PATIENT in reprint.results.item(0).text()
    assert reprint.focusWidget() is reprint.results  # the newest record is chosen
    qtbot.keyClick(reprint.focusWidget(), Qt.Key.Key_Tab)       # Print again...
    qtbot.keyClick(reprint.focusWidget(), Qt.Key.Key_Tab)       # Save PDFs again...
    assert reprint.focusWidget() is reprint.save_button
    qtbot.keyClick(reprint.focusWidget(), Qt.Key.Key_Space)
    assert {p.name: p.read_bytes() for p in questions.folder.iterdir()} == saved
    assert "Saved" in reprint.status.text()
    actions = [e.action for e in Archive(load_config().archive).access_log()]
    assert actions == ["list", "list", "name-shown", "reprint"]
    awindow.clear_after_idle()  # names on screen: the idle clear closes the dialog
    assert not reprint.isVisible()
    assert not message_texts()


def test_archive_off_no_dialog_no_action(qtbot, window, questions):
    assert window.archive_hook.reprint_action is None
    assert window.findChild(object, "reprintAction") is None
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(list(questions.folder.iterdir())) == 2
    qtbot.wait(100)
    assert not [w for w in QApplication.topLevelWidgets()
                if w.objectName() == "educationDialog" and w.isVisible()]


def test_reprint_without_the_key_says_so(qtbot, awindow, archive_site):
    archive_site["key"].unlink()
    qtbot.keyClick(awindow, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(message_texts()), timeout=WAIT_MS)
    (text,) = message_texts()
    assert "key file" in text and "is missing" in text
    assert awindow.archive_hook.reprint_dialog is None


def test_a_two_sided_print_reprints_with_its_blank_back_page(qtbot, awindow, questions,
                                                            monkeypatch):
    from dischargedesk.ui import printing

    fill_minimal(qtbot, awindow)
    qtbot.keyClicks(awindow.form.anesthesia, "L")  # an odd page count: a blank back page
    wait_for_preview(qtbot, awindow)
    single = awindow.preview.pdf_bytes()
    monkeypatch.setattr(printing, "wants_duplex", lambda printer: True)
    qtbot.keyClick(awindow, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = education_dialog(qtbot)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "Archived" in awindow.statusBar().currentMessage(),
                    timeout=WAIT_MS)
    printed = questions.print_file.read_bytes()
    assert printed != single  # the two-sided job had its padding page
    archive = Archive(load_config().archive)
    (entry,) = archive.listing()
    assert [pdf for _, pdf in archive.reprint_pdfs(entry.record_id)] == [printed]


def searched(qtbot, dialog) -> None:
    """Wait for the Reprint dialog's search (on its lane) to come back."""
    qtbot.waitUntil(lambda: dialog.status.text() != "Searching…", timeout=WAIT_MS)


@pytest.fixture
def archived(archive_site, tmp_path) -> Archive:
    """One record of MRN in the archive (a command-line render), and the archive."""
    assert main(["render", "--procedure", "kyphoplasty", "--levels", "T12", "--patient-name",
                 PATIENT, "--mrn", MRN, "--out", str(tmp_path / "rendered")]) == 0
    archive = Archive(load_config().archive)
    yield archive
    archive.close()


@pytest.fixture
def held_listing(monkeypatch: pytest.MonkeyPatch):
    """Archive.listing of an MRN in ``gates`` waits until the test sets its gate; every
    call is noted (MRN, thread) and sets ``started[mrn]``."""
    import threading
    from collections import defaultdict

    gates: dict[str, threading.Event] = {}
    started: defaultdict[str, threading.Event] = defaultdict(threading.Event)
    calls: list[tuple[str, threading.Thread]] = []
    original = Archive.listing

    def listing(self, **kwargs):
        mrn = kwargs["mrn"]
        calls.append((mrn, threading.current_thread()))
        started[mrn].set()
        if mrn in gates:
            assert gates[mrn].wait(20), "the test never let the search through"
        return original(self, **kwargs)

    monkeypatch.setattr(Archive, "listing", listing)
    yield gates, started, calls
    for gate in gates.values():
        gate.set()


def reprint_dialog(qtbot, archive: Archive):
    from dischargedesk.ui.archive import ReprintDialog

    dialog = ReprintDialog(archive, lambda folder: None, lambda pdfs: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def search_for(qtbot, dialog, mrn: str) -> None:
    dialog.mrn.setText(mrn)
    qtbot.keyClick(dialog.mrn, Qt.Key.Key_Return)


def test_the_reprint_search_runs_on_its_lane_and_says_searching(qtbot, archived,
                                                                  held_listing):
    import threading

    gates, started, calls = held_listing
    gates[MRN] = threading.Event()
    dialog = reprint_dialog(qtbot, archived)
    search_for(qtbot, dialog, MRN)  # returns at once: the archive has not answered yet
    assert dialog.status.text() == "Searching…" and dialog.results.count() == 0
    assert started[MRN].wait(WAIT_MS / 1000)
    qtbot.keyClicks(dialog.mrn, "7")  # the dialog answers while the archive does not
    assert dialog.mrn.text() == MRN + "7"
    ((mrn, thread),) = calls
    assert mrn == MRN and thread is not threading.main_thread()
    assert thread.daemon and thread.name == dialog.lane.name == "archive-search"
    gates[MRN].set()
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=WAIT_MS)
    assert PATIENT in dialog.results.item(0).text()
    assert dialog.status.text() == "1 record(s) found."
    assert dialog.print_button.isEnabled()


def test_a_new_search_supersedes_the_one_before(qtbot, archived, held_listing):
    import threading

    gates, started, calls = held_listing
    gates[MRN], gates["nope"] = threading.Event(), threading.Event()
    dialog = reprint_dialog(qtbot, archived)
    search_for(qtbot, dialog, MRN)
    assert started[MRN].wait(WAIT_MS / 1000)  # running
    search_for(qtbot, dialog, "OTHER-1")  # waits behind it...
    search_for(qtbot, dialog, "nope")  # ...and is replaced: it never runs
    gates[MRN].set()  # the first search's result comes back while "nope" runs
    assert started["nope"].wait(WAIT_MS / 1000)
    QApplication.processEvents()  # delivers the first result (sent before "nope" began)
    assert dialog.results.count() == 0 and dialog.status.text() == "Searching…"
    gates["nope"].set()
    qtbot.waitUntil(lambda: "No record" in dialog.status.text(), timeout=WAIT_MS)
    assert dialog.results.count() == 0
    assert [mrn for mrn, _ in calls] == [MRN, "nope"]
    assert dialog.lane.wait_idle(WAIT_MS / 1000)


def test_a_closed_reprint_dialog_drops_a_late_result(qtbot, archived, held_listing):
    """The idle clear closes the dialog to take the names off the screen: a search that
    answers afterwards shows nothing."""
    import threading

    from dischargedesk.ui.idle import close_dialogs

    gates, started, _ = held_listing
    gates[MRN] = threading.Event()
    dialog = reprint_dialog(qtbot, archived)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    search_for(qtbot, dialog, MRN)
    assert started[MRN].wait(WAIT_MS / 1000)
    assert close_dialogs() == 1 and not dialog.isVisible()
    gates[MRN].set()
    assert dialog.lane.wait_idle(WAIT_MS / 1000)
    QApplication.processEvents()  # the late result reaches the GUI thread
    assert dialog.results.count() == 0 and dialog.status.text() == "Searching…"
    assert not message_texts()


def _print_and_skip(qtbot, win) -> None:
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = education_dialog(qtbot)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)


@pytest.fixture
def held_send(monkeypatch: pytest.MonkeyPatch):
    """Every insert into the archive database waits until the test sets ``gate``."""
    import threading

    from dischargedesk.archive.store import Store

    gate, started = threading.Event(), threading.Event()
    original = Store.add

    def add(self, row, snapshot):
        started.set()
        assert gate.wait(20), "the test never let the insert through"
        return original(self, row, snapshot)

    monkeypatch.setattr(Store, "add", add)
    yield gate, started
    gate.set()


def test_close_during_a_slow_send_is_bounded_and_keeps_the_record(
        qtbot, awindow, archive_site, held_send, monkeypatch):
    import time

    from dischargedesk.ui import archive as archive_ui

    gate, started = held_send
    monkeypatch.setattr(archive_ui, "CLOSE_WAIT_S", 0.5)
    _print_and_skip(qtbot, awindow)
    assert started.wait(WAIT_MS / 1000)  # the record is on its way to the database
    name = awindow.form.patient_name
    qtbot.keyClicks(name, "x")  # the window still answers while the server does not
    assert name.text().endswith("x") and not awindow.archive_hook.idle()
    awindow.confirm_discard = lambda question: True
    began = time.monotonic()
    awindow.close()
    assert time.monotonic() - began < 5  # bounded: not until the server answers
    assert not awindow.isVisible()
    (text,) = message_texts()
    assert "waits on this computer" in text
    assert PATIENT not in text and MRN not in text
    archive = Archive(load_config().archive)
    assert len(archive.queue.pending()) == 1  # on this computer's disk, sealed
    gate.set()  # the server answers at last: the lane's send goes through
    assert awindow.archive_hook.lane.wait_idle(WAIT_MS / 1000)
    archive.flush()  # the queue is sent again (the next start): still one record
    assert len(rows(archive_site["db"], archive_site["key"])) == 1
    assert archive.queue.pending() == []


def test_close_waits_for_a_record_being_written(qtbot, awindow, archive_site, held_send):
    import threading

    gate, started = held_send
    _print_and_skip(qtbot, awindow)
    assert started.wait(WAIT_MS / 1000)
    threading.Timer(0.3, gate.set).start()
    awindow.confirm_discard = lambda question: True
    awindow.close()  # waits for the lane (well inside CLOSE_WAIT_S)
    assert awindow.archive_hook.idle()
    assert len(rows(archive_site["db"], archive_site["key"])) == 1
    assert Archive(load_config().archive).queue.pending() == []
    assert not message_texts()


def test_records_are_made_on_the_shared_background_lane(qtbot, awindow, monkeypatch):
    import threading

    threads: list[threading.Thread] = []
    original = Archive.make_row

    def make_row(self, *args, **kwargs):
        threads.append(threading.current_thread())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Archive, "make_row", make_row)
    _print_and_skip(qtbot, awindow)
    qtbot.waitUntil(lambda: "Archived" in awindow.statusBar().currentMessage(),
                    timeout=WAIT_MS)
    (thread,) = threads
    # a Lane thread (ui/background.py): a daemon named after its lane, never the GUI
    # thread nor a ThreadPoolExecutor worker (those are not daemons and are numbered)
    assert thread is not threading.main_thread()
    assert thread.daemon and thread.name == awindow.archive_hook.lane.name == "archive"


def test_no_thread_pool_of_its_own_in_the_ui():
    ui = Path(__file__).resolve().parents[2] / "src" / "dischargedesk" / "ui"
    offenders = [p.name for p in ui.glob("*.py")
                 if "ThreadPoolExecutor" in p.read_text(encoding="utf-8")]
    assert offenders == []  # background work goes through ui/background.py
