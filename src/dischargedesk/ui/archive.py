"""The archive in the app (docs/archive.md): after each print or save, a small education
dialog (teach-back, interpreter, caregiver, nurse's initials) and the record; a Reprint
dialog that finds a patient's records by MRN and prints or saves them again, byte for byte.

Thin on purpose: every decision is in :mod:`dischargedesk.archive` (Qt-free). Nothing here
exists when the archive is off. The education fields print nowhere; they go to the archive.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import output
from ..archive.errors import ArchiveUnreachable
from ..archive.service import Archive, EducationRecord, Listing, Output
from ..clinic.profile import ClinicProfile
from ..domain.request import HandoutRequest
from ..errors import DischargeDeskError, RequestError
from ..siteconfig import SiteConfig
from .background import Lane, QueryOp
from .errors import guarded, report_unexpected, show_error, show_message

log = logging.getLogger("dischargedesk.ui")

#: how long closing the window waits for the archive's records (each one is on this
#: computer's disk before it is sent, so what is left after this still reaches the archive)
CLOSE_WAIT_S = 10.0


class EducationDialog(QDialog):
    """Teach-back done, interpreter, caregiver present, nurse's initials. "Save record"
    (Enter) keeps them; "Skip" (Esc) archives the handouts with them not recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("educationDialog")
        self.setWindowTitle("Education record")
        self.record: EducationRecord | None = None
        intro = QLabel("For the record (this prints nowhere):")
        self.teach_back = QCheckBox("Teach-back done: the patient or caregiver explained "
                                    "the instructions back")
        self.teach_back.setObjectName("teachBack")
        self.interpreter = QLineEdit()
        self.interpreter.setObjectName("interpreter")
        self.interpreter.setPlaceholderText("language and interpreter ID, if one was used")
        self.caregiver = QCheckBox("A caregiver was present")
        self.caregiver.setObjectName("caregiverPresent")
        self.nurse = QLineEdit()
        self.nurse.setObjectName("nurseInitials")
        self.nurse.setMaxLength(8)
        self.problem = QLabel("")
        self.problem.setObjectName("educationProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #a00000")
        form = QFormLayout()
        form.addRow(self.teach_back)
        form.addRow("&Interpreter:", self.interpreter)
        form.addRow(self.caregiver)
        form.addRow("&Nurse's initials:", self.nurse)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save record",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = buttons.addButton("S&kip", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.teach_back.setFocus()

    def accept(self) -> None:
        try:
            self.record = EducationRecord.from_form(
                teach_back=self.teach_back.isChecked(), interpreter=self.interpreter.text(),
                caregiver_present=self.caregiver.isChecked(), nurse=self.nurse.text())
        except RequestError as exc:
            self.problem.setText(str(exc))
            (self.nurse if exc.field == "nurse" else self.interpreter).setFocus()
            return
        super().accept()


class ReprintDialog(QDialog):
    """Find a patient's archived handouts by MRN; print or save one again. Names are shown
    (each search is in the archive's access log); the idle clear closes this dialog.

    The search runs on ``lane`` (ui/background.py; the archive may be a server that is slow
    to answer, or busy sending a record), never on the GUI thread: the dialog says
    "Searching…" meanwhile. A new search supersedes the one before (a waiting one never
    runs; a running one's result is dropped), and a closed dialog drops a late result (the
    idle clear closed it to take the names off the screen)."""

    def __init__(self, archive: Archive, choose_folder: Callable[[Path | None], Path | None],
                 print_pdfs: Callable[[Sequence[bytes]], None],
                 parent: QWidget | None = None, lane: Lane | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reprintDialog")
        self.setWindowTitle("Reprint from the archive")
        self.archive = archive
        self.lane = lane or Lane("archive-search")  # latest_only: a new search replaces
        self._search = 0  # the search whose result may still be shown
        self.choose_folder = choose_folder
        self.print_pdfs = print_pdfs
        self.mrn = QLineEdit()
        self.mrn.setObjectName("reprintMrn")
        self.search_button = QPushButton("&Search")
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.mrn.returnPressed.connect(self.search)
        self.results = QListWidget()
        self.results.setObjectName("reprintResults")
        self.results.currentItemChanged.connect(self._update)
        self.status = QLabel("Type the MRN and press Enter.")
        self.status.setObjectName("reprintStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.print_button = QPushButton("&Print again...")
        self.save_button = QPushButton("Sa&ve PDFs again...")
        close = QPushButton("&Close")
        for button in (self.print_button, self.save_button, close):
            button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_selected)
        self.save_button.clicked.connect(self.save_selected)
        close.clicked.connect(self.reject)
        top = QHBoxLayout()
        label = QLabel("&MRN:")
        label.setBuddy(self.mrn)
        top.addWidget(label)
        top.addWidget(self.mrn, 1)
        top.addWidget(self.search_button)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self.resize(640, 360)
        self._update()
        self.mrn.setFocus()

    def _update(self, *_args: Any) -> None:
        chosen = self.results.currentItem() is not None
        self.print_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def _selected(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    @guarded("archive search")
    def search(self) -> None:
        self.results.clear()
        self._update()
        self._search += 1  # whatever comes back for an earlier search is not shown
        mrn = self.mrn.text().strip()
        if not mrn:
            self.status.setText("Type the MRN first.")
            return
        ticket, archive = self._search, self.archive

        def shown(found: list[Listing]) -> None:
            if ticket == self._search and self.isVisible():
                self._show(found)

        def failed(exc: Exception) -> None:
            if ticket != self._search or not self.isVisible():
                return
            self.status.setText("The search did not finish.")
            if isinstance(exc, DischargeDeskError):
                log.warning("archive search failed: %s", type(exc).__name__)
                show_error(self, exc)
            else:
                log.error("archive search failed unexpectedly")
                report_unexpected(self, exc)

        self.status.setText("Searching…")
        QueryOp(parent=self, op=lambda: archive.listing(mrn=mrn, show_names=True),
                success=shown).failure(failed).run_in_background(self.lane)

    def _show(self, found: list[Listing]) -> None:
        self.results.clear()
        for entry in reversed(found):  # newest first
            item = QListWidgetItem(_shown(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.record_id)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
            self.results.setFocus()
        self.status.setText(f"{len(found)} record(s) found." if found else
                            "No record of this MRN in the archive.")
        self._update()

    def done(self, result: int) -> None:
        """Closed (Close, Esc, the idle clear): a search still out is never shown."""
        self._search += 1
        self.lane.cancel_pending()
        super().done(result)

    @guarded("archive reprint")
    def print_selected(self) -> None:
        record_id = self._selected()
        if record_id is None:
            return
        files = self.archive.reprint_pdfs(record_id)
        self.print_pdfs([pdf for _, pdf in files])
        self.status.setText("Printed again, checked byte for byte against the original.")

    @guarded("archive save")
    def save_selected(self) -> None:
        record_id = self._selected()
        if record_id is None:
            return
        folder = self.choose_folder(None)
        if folder is None:
            return
        from .saving import free_names

        files = self.archive.reprint_pdfs(record_id)
        names = free_names(folder, [name for name, _ in files])
        paths = output.write_files_atomic(folder, [(n, pdf) for n, (_, pdf) in
                                                   zip(names, files, strict=True)])
        self.status.setText(f"Saved {', '.join(p.name for p in paths)} in {folder}.")


def _shown(entry: Listing) -> str:
    """One result line, the time in this computer's time zone (the archive keeps UTC)."""
    try:
        when = dt.datetime.fromisoformat(entry.created_at.replace("Z", "+00:00"))
        shown = when.astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        shown = entry.created_at[:16].replace("T", " ") + " UTC"
    return f"{shown} · {entry.name} · {entry.procedure} · " \
        f"{entry.handouts.replace(',', ', ')} · {entry.language} · {entry.event}"


class ArchiveHook(QObject):
    """The window's link to the archive; inert when the site has no ``[archive] url``.
    Records are written on the archive's lane (ui/background.py), every one, in order (a
    server that cannot be reached costs its connect timeout there, never a frozen window);
    the result comes back on the GUI thread. Each record goes to the local encrypted queue
    (archive/queue.py) first and is then sent, so once it is on this computer's disk it
    is never lost, and the record ID keeps a record sent twice stored once."""

    #: (event, stored now, problem sentence or "")
    recorded = Signal(str, bool, str)

    def __init__(self, window: Any, config: SiteConfig, before: QAction | None) -> None:
        super().__init__(window)
        self.window = window
        self.settings = config.archive
        self._archive: Archive | None = None
        self.education_dialog: EducationDialog | None = None
        self.reprint_dialog: ReprintDialog | None = None
        self.reprint_action: QAction | None = None
        self.lane = Lane("archive", latest_only=False)  # never drop or replace a record
        self.search_lane = Lane("archive-search")  # the Reprint dialog's searches
        self._lock = threading.Lock()
        self._unwritten: set[object] = set()  # records not yet on this computer's disk
        self.recorded.connect(self._show_result)
        if self.settings is None:
            return
        action = QAction("&Reprint from archive...", window)
        action.setObjectName("reprintAction")
        action.setShortcut(QKeySequence("Ctrl+R"))
        action.setToolTip("Find a patient's handouts in the archive by MRN and print them "
                          "again exactly")
        action.triggered.connect(self.open_reprint)
        window.toolbar.insertAction(before, action)
        self.reprint_action = action

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    def archive(self) -> Archive:
        """The archive, its key read on first use (ArchiveKeyError when it is locked)."""
        if self._archive is None:
            assert self.settings is not None
            self._archive = Archive(self.settings)
        return self._archive

    def after_output(self, request: HandoutRequest, clinic: ClinicProfile,
                     outputs: Sequence[Output], event: str, today: Any) -> None:
        """Ask the education questions, then archive (Skip archives without them)."""
        if not self.enabled:
            return
        dialog = EducationDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def done(result: int) -> None:
            record = dialog.record if result == QDialog.DialogCode.Accepted else None
            self._record(request, clinic, outputs, event, today, record or EducationRecord())

        dialog.finished.connect(done)
        dialog.open()
        self.education_dialog = dialog

    def _record(self, request: HandoutRequest, clinic: ClinicProfile,
                outputs: Sequence[Output], event: str, today: Any,
                education: EducationRecord) -> None:
        try:
            archive = self.archive()
        except DischargeDeskError as exc:
            self._show_result(event, False, str(exc))
            return

        token = object()
        with self._lock:
            self._unwritten.add(token)

        def work() -> bool:  # on the archive lane: no widget here
            try:  # reads the clinic folder (maybe a share), then this computer's disk
                row, snap = archive.make_row(request, clinic, outputs, education,
                                             event=event, today=today)
                archive.queue.put(row, (snap.id, snap.data))
            finally:
                with self._lock:
                    self._unwritten.discard(token)
            try:
                archive.flush()  # sends the queue, this record last
            except ArchiveUnreachable:
                log.warning("archive unreachable: record queued")
                return False
            return row["id"] not in archive.queue.pending()

        def failed(exc: Exception) -> None:
            problem = str(exc) if isinstance(exc, DischargeDeskError) else \
                f"an unexpected {type(exc).__name__} stopped it; tell your support team"
            self.recorded.emit(event, False, problem)

        QueryOp(parent=self, op=work,
                success=lambda stored: self.recorded.emit(event, stored, ""))\
            .failure(failed).run_in_background(self.lane)

    def _show_result(self, event: str, stored: bool, problem: str) -> None:
        if problem:
            log.warning("archive record failed")
            show_message(self.window, f"The handouts were {event}, but they could not be "
                         f"archived: {problem}")
            return
        self.window.statusBar().showMessage(
            "Archived." if stored else "The archive cannot be reached; the record waits on "
            "this computer and is sent with the next print.", 10_000)

    def idle(self) -> bool:
        """No record is being written."""
        return not self.lane.busy

    def finish(self, timeout: float | None = None) -> bool:
        """The window closes: wait (bounded) for the records still on the lane, then close
        the archive. False, with a plain message, when they did not all finish in time (the
        lane's threads are daemons: they end with the app)."""
        if self.lane.wait_idle(CLOSE_WAIT_S if timeout is None else timeout):
            if self._archive is not None:
                self._archive.close()
            return True
        with self._lock:
            unwritten = len(self._unwritten)
        log.warning("archive busy at close unwritten=%d", unwritten)
        if unwritten:
            show_message(None, f"{unwritten} archive record(s) were still being made when "
                         "Discharge Desk closed (the clinic folder or this computer's disk "
                         "did not answer); if they are missing from the archive, print those "
                         "handouts again.")
        else:
            show_message(None, "The archive did not answer before Discharge Desk closed; "
                         "the record waits on this computer and is sent with the next print.")
        return False

    def open_reprint(self) -> None:
        try:
            archive = self.archive()
        except DischargeDeskError as exc:
            show_error(self.window, exc)
            return
        dialog = ReprintDialog(archive, self.window.choose_folder, self.window.print_again,
                               self.window, lane=self.search_lane)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.reprint_dialog = dialog
