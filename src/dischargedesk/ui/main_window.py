"""The main window: composes the form, the preview and the actions. Slots only translate an
event into a call (session, printing, saving) and show the result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import engine, output
from .._meta import APP_NAME
from ..archive.service import combined_output, handouts_outputs
from ..clinic.profile import ClinicProfile
from ..clinic.source import ClinicSource
from ..domain.request import HandoutRequest
from ..engine import form_choices
from ..errors import DischargeDeskError, RequestError
from ..siteconfig import SiteConfig, load_config
from . import printing, saving
from .about import AboutDialog
from .archive import ArchiveHook
from .background import Lane, QueryOp
from .errors import guarded
from .fields import FieldBox
from .focus_ring import FocusRing
from .form import HandoutForm
from .idle import IdleClear, close_dialogs
from .preview import PreviewPane, notice_label
from .recent import RecentHandouts, RecentSet
from .session import FormSession
from .settings import AppSettings
from .workspace import TemplateWorkspace

log = logging.getLogger("dischargedesk.ui")

PREVIEW_ROOM = 420  # px the preview keeps before the form goes to two columns
PRINT_REPEAT_GUARD_S = 2.0  # the same pages again this soon: a double click, not a reprint
CHECKING_SHARE = "Checking the clinic folder on the network\u2026"
CHECKING_VERSION = "Checking the new clinic version\u2026"
WAITING = "The form opens when the check ends."
SLOW_SHARE_MS = 400  # an ordinary share answers sooner: no banner flashes by


def site_notes(config: SiteConfig, clinic_note: str | None) -> str:
    """Non-blocking notes for the admin and nurse: clinic copy in use, settings problems."""
    return "\n".join(n for n in [clinic_note, *config.messages] if n)


def site_banner(config: SiteConfig, source: ClinicSource) -> QLabel:
    return notice_label(site_notes(config, source.banner), "siteBanner")


def waiting_clinic() -> ClinicProfile:
    """What the form is laid out with while there is no checked clinic copy yet: built-in
    procedures and languages, no phone number. The form is disabled and nothing renders,
    prints or saves until the real clinic replaces it."""
    return ClinicProfile(name=APP_NAME, phone="")


@contextmanager
def busy_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class MainWindow(QMainWindow):
    """``choose_folder``, ``choose_printer``, ``confirm_discard``, ``offer_save`` and
    ``printer_names`` are the questions the window asks (of the nurse or of the system);
    tests replace them on the instance instead of driving modal dialogs.

    ``patient_epoch`` counts the clears (New patient, idle clear): a print or save whose
    question was open across a clear is dropped, so nothing of the previous patient is
    written after it."""

    def __init__(self, clinic: ClinicProfile, settings: AppSettings,
                 today: Callable[[], dt.date] = dt.date.today,
                 debounce_ms: int | None = None, config: SiteConfig | None = None,
                 source: ClinicSource | None = None, waiting: bool = False) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.clinic = clinic
        self.settings = settings
        self.config = config or load_config()
        self.source = source or ClinicSource(clinic, "clinic passed in", None, clinic.version,
                                             "folder")
        self._printing = False
        self._last_print: tuple[object, float] | None = None
        self.patient_epoch = 0
        self.last_outcome: printing.Outcome | None = None
        self.recent = RecentHandouts()  # in memory only: cleared by the idle clear and quit
        self.now: Callable[[], dt.datetime] = dt.datetime.now
        self.setWindowTitle(clinic.name)  # Qt appends " — Discharge Desk"; never patient data

        # language and large print are per patient: the clinic's default at every start
        offered = self.config.languages
        self.form = HandoutForm(form_choices(clinic, offered), today,
                                default_language=self.config["language"]
                                or (offered[0] if offered else "en"))
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.form_scroll.setMinimumWidth(self.form.minimumWidth() + self._scroll_extra())
        self.preview = PreviewPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.form_scroll)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.site_banner = site_banner(self.config, self.source)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.site_banner)
        self._column = column
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        kwargs = {} if debounce_ms is None else {"debounce_ms": debounce_ms}
        self.session = FormSession(self.form, self.preview, clinic, today, self, **kwargs)
        self._build_actions()
        self._today = today
        # the archive (docs/archive.md): nothing at all unless site.toml has [archive] url
        self.archive_hook = ArchiveHook(self, self.config, self.templates_action)
        self._build_status()
        self._set_tab_order()
        self.session.state_changed.connect(self._update_actions)
        self.form.confirm_changed.connect(self._update_actions)
        self.form.changed.connect(self._show_handout_choice)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._scroll_to_focus)
        self._show_handout_choice()
        self._restore_layout()
        self.focus_ring = FocusRing(self)
        self.idle = IdleClear(self.config.idle_clear_minutes, self.clear_after_idle, self,
                              needs_warning=self.form.has_patient_data)
        self._column.insertWidget(1, self.idle.banner)
        #: True while there is no checked clinic yet (see :meth:`check_share`)
        self.waiting = False
        self.clinic_checks = Lane("clinic-share-check")
        self._share_phase: str | None = None
        if waiting:
            self._start_waiting()
        self.session.refresh()
        self.form.patient_name.setFocus()
        if (folder := self.output_start_folder()) is not None:
            output.clean_folder(folder)  # temp files (patient data) a killed save left behind

    # -- construction ------------------------------------------------------------------------
    def _build_actions(self) -> None:
        bar = QToolBar("Actions")
        bar.setObjectName("actionsToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.print_action = self._action(bar, "&Print...", "document-print",
                                         QKeySequence.StandardKey.Print, self.print_handouts)
        self._build_print_menu(bar)
        self.save_action = self._action(bar, "&Save PDF...", "document-save",
                                        QKeySequence.StandardKey.Save, self.save_pdfs)
        self._build_recent_menu(bar)
        bar.addSeparator()
        self.new_action = self._action(bar, "&New patient", "document-new",
                                       QKeySequence.StandardKey.New, self.new_patient)
        bar.addSeparator()
        self.templates_action = QAction("&Templates...", self)
        self.templates_action.setToolTip("Edit, preview and check the clinic's templates and "
                                         "profile")
        self.templates_action.triggered.connect(self.open_workspace)
        bar.addAction(self.templates_action)
        self.about_action = QAction("&About", self)
        self.about_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action.setToolTip("Version, clinic in use and configuration")
        self.about_action.triggered.connect(self.open_about)
        bar.addAction(self.about_action)
        self.quit_action = QAction("&Quit", self)
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcuts(quit_keys or [QKeySequence("Ctrl+Q")])
        self.quit_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.quit_action.triggered.connect(self.close)  # asks first if work would be lost
        self.addAction(self.quit_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        clinic_text = f"Clinic: {self.clinic.name}" + (" (sample, for trying out)"
                                                       if self.clinic.is_sample else "")
        self.clinic_label = QLabel(clinic_text)
        self.clinic_label.setObjectName("clinicLabel")
        self.clinic_label.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.clinic_label)
        self.toolbar = bar

    def _action(self, bar: QToolBar, text: str, icon: str,
                key: QKeySequence.StandardKey, slot: Callable[[], None]) -> QAction:
        action = QAction(QIcon.fromTheme(icon), text, self)
        action.setShortcut(QKeySequence(key))
        plain = text.replace("&", "").rstrip(".")
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain} ({shortcut})")
        action.setIconText(f"{plain} ({shortcut})")
        action.triggered.connect(slot)
        bar.addAction(action)
        button = bar.widgetForAction(action)
        button.setObjectName(f"action_{plain.split()[0].lower()}")
        button.setAccessibleName(plain)
        return action

    def _build_print_menu(self, bar: QToolBar) -> None:
        """The Print button prints the handouts ticked in the form; its menu prints one."""
        choices = form_choices(self.clinic)
        self.procedure_names = dict(choices.procedures)
        menu = QMenu("Print", self)
        menu.setObjectName("printMenu")
        both = menu.addAction("Print both handouts...")
        both.triggered.connect(lambda: self._print_kinds(tuple(k for k, _ in
                                                               choices.handouts)))
        self.print_one_actions: dict[str, QAction] = {"both": both}
        for kind, name in choices.handouts:
            action = menu.addAction(f"Print only {name.lower()}...")
            action.triggered.connect(lambda _=False, k=kind: self._print_kinds((k,)))
            self.print_one_actions[kind] = action
        self.print_action.setMenu(menu)
        button = bar.widgetForAction(self.print_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

    def _build_recent_menu(self, bar: QToolBar) -> None:
        """This shift's printed and saved sets (in memory) to print or save again."""
        self.recent_menu = QMenu("Recent handouts", self)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.recent_action = QAction(QIcon.fromTheme("document-open-recent"),
                                     "&Recent handouts", self)
        self.recent_action.setToolTip("Print or save again the handouts of this shift "
                                      "(kept until the idle clear or quit)")
        self.recent_action.setMenu(self.recent_menu)
        self.recent_action.triggered.connect(self._show_recent_menu)
        bar.addAction(self.recent_action)
        button = bar.widgetForAction(self.recent_action)
        if isinstance(button, QToolButton):
            button.setObjectName("action_recent")
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._update_recent()

    def _show_recent_menu(self) -> None:
        button = self.toolbar.widgetForAction(self.recent_action)
        if isinstance(button, QToolButton):
            button.showMenu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in self.recent.entries():
            sub = self.recent_menu.addMenu(entry.label())
            again = sub.addAction("Print again...")
            again.triggered.connect(lambda _=False, e=entry: self.reprint(e))
            resave = sub.addAction("Save again...")
            resave.triggered.connect(lambda _=False, e=entry: self.resave(e))

    def _update_recent(self) -> None:
        self.recent_action.setEnabled(bool(len(self.recent)))

    def _remember(self, request: HandoutRequest, how: str) -> None:
        self.recent.add(RecentSet(request, request.handouts, self.now(), how,
                                  self.procedure_names.get(request.procedure,
                                                           request.procedure)))
        self._update_recent()

    def _build_status(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("readiness")
        self.status_label.setAccessibleName("Status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.statusBar().addWidget(self.status_label, 1)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [*self.form.focus_chain(), self.preview.view,
                                *self.preview.buttons.values()]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _restore_layout(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            screen = QGuiApplication.primaryScreen().availableGeometry()
            self.resize(min(1280, screen.width()), min(880, screen.height()))
        self.setMinimumSize(760, 520)
        splitter = self.settings.splitter_state
        self._split_pending = splitter is None or not self.splitter.restoreState(splitter)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._split_pending:  # first start: two columns if the preview keeps its room
            self._split_pending = False
            self._fit_form()

    def _form_widths(self, total: int) -> tuple[int, int]:
        """(two columns, one column) widths of the form pane for a window ``total`` wide."""
        extra = self._scroll_extra()
        one = max(self.form_scroll.minimumWidth(), self.form.one_column_width() + extra)
        return self.form.two_column_width() + extra, max(one, min(total // 2, 520))

    def _fit_form(self) -> None:
        total = self.splitter.width() or self.width()
        two, one = self._form_widths(total)
        form_width = two if total - two >= PREVIEW_ROOM else one
        self.splitter.setSizes([form_width, max(1, total - form_width)])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._split_pending and self.isVisible():
            QTimer.singleShot(0, self._rebalance)  # once the splitter has its new width

    def _rebalance(self) -> None:
        """The window got narrower: a form wider than one column gives the preview back
        its room."""
        if not shiboken6.isValid(self):
            return
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and sizes[1] < PREVIEW_ROOM and \
                sizes[0] > self._form_widths(sum(sizes))[1]:
            self._fit_form()

    def _scroll_to_focus(self, old: QWidget | None, new: QWidget | None) -> None:
        """A field focused by Tab, a mnemonic or New patient is scrolled into view, with
        its error line."""
        if not shiboken6.isValid(self) or new is None or not self.form.isAncestorOf(new):
            return
        box = new.parentWidget()
        while box is not None and box is not self.form and not isinstance(box, FieldBox):
            box = box.parentWidget()
        viewport = self.form_scroll.viewport().height()
        target = box if isinstance(box, FieldBox) and box.height() < viewport - 32 else new
        self.form_scroll.ensureWidgetVisible(target, 16, 16)
        # a field at the top of its section comes with the section's heading
        group = target.parentWidget()
        while group is not None and group is not self.form and not isinstance(group,
                                                                               QGroupBox):
            group = group.parentWidget()
        if isinstance(group, QGroupBox):
            top = group.mapTo(self.form, QPoint(0, 0)).y()
            field_top = target.mapTo(self.form, QPoint(0, 0)).y()
            if field_top - top < viewport // 3:
                self.form_scroll.ensureVisible(0, top, 0, 0)

    def _show_handout_choice(self) -> None:
        text, unusual = self.form.handout_summary()
        self.preview.set_handout_note(text, unusual)

    def _scroll_extra(self) -> int:
        scroll = self.form_scroll
        return scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth()

    def save_layout(self) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.sync()

    # -- the three questions (replaceable on the instance) -----------------------------------
    def choose_folder(self, start: Path | None) -> Path | None:
        folder = QFileDialog.getExistingDirectory(
            self, "Save the handouts in this folder", str(start or Path.home()))
        return Path(folder) if folder else None

    def choose_printer(self, printer: QPrinter, pages: int) -> bool:
        return printing.ask_printer(printer, self, pages)

    def confirm_discard(self, question: str) -> bool:
        answer = QMessageBox.question(
            self, APP_NAME, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def offer_save(self, sentence: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, sentence,
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("noPrinterDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)
        save = box.addButton("Save PDF...", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(save)
        box.exec()
        return box.clickedButton() is save

    def printer_names(self) -> list[str]:
        return printing.available_printers()

    # -- state -------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        ok, reason = self.session.readiness()
        unconfirmed = self.form.unconfirmed_date()
        if ok and unconfirmed:
            ok, reason = False, unconfirmed
        self.print_action.setEnabled(ok and not self._printing)
        self.save_action.setEnabled(ok)
        self.status_label.setText(reason if ok else f"Not ready to print: {reason}")

    # -- actions -----------------------------------------------------------------------------
    @guarded("print")
    def print_handouts(self) -> None:
        """Print the handouts ticked in the form (Ctrl+P)."""
        self._print_flow(None)

    def _print_kinds(self, kinds: tuple[str, ...]) -> None:
        guarded("print")(lambda _self: self._print_flow(kinds))(self)

    def reprint(self, entry: RecentSet) -> None:
        guarded("print again")(lambda _self: self._print_flow(None, entry))(self)

    def _print_flow(self, kinds: tuple[str, ...] | None,
                    entry: RecentSet | None = None) -> None:
        if self._printing:
            return
        self._printing = True
        self.print_action.setEnabled(False)
        try:
            epoch = self.patient_epoch
            if entry is not None:  # a set from this shift, not the form
                request = entry.request
                pdf = engine.render_pdf(request, self.clinic)
            else:
                self._require_confirmed_date()
                request, pdf = self.session.pdf_matching_form()
                if kinds is not None and kinds != request.handouts:
                    request = dataclasses.replace(request, handouts=kinds)
                    pdf = engine.render_pdf(request, self.clinic)
            if self._last_print is not None and self._last_print[0] == request and \
                    time.monotonic() - self._last_print[1] < PRINT_REPEAT_GUARD_S:
                self.statusBar().showMessage(
                    "These handouts were just printed or saved; wait a moment to print "
                    "them again.", 5000)
                return
            if not self.printer_names():
                save = self.offer_save("No printer is set up on this computer, so the "
                                       "handouts cannot be printed. Save them as PDF files "
                                       "instead?")
                if not self._still(epoch, "print"):
                    return
                if save:
                    self._save(request, from_form=entry is None)
                else:
                    self.statusBar().showMessage("Nothing was printed: no printer is set up.",
                                                 8000)
                return
            paper = printing.clinic_paper(self.clinic)
            printer = printing.new_printer()
            pages = printing.match_paper(printer, pdf, paper)
            accepted = self.choose_printer(printer, pages)
            if not self._still(epoch, "print"):
                return
            if not accepted:
                self.statusBar().showMessage("Printing cancelled.", 5000)
                return
            with busy_cursor():
                pdf = printing.for_duplex(pdf, printer, request, self.clinic)
                outcome = printing.print_job(pdf, printer, paper)
            self.archive_hook.after_output(request, self.clinic, [combined_output(
                request, pdf, len(request.handouts) > 1 and printing.wants_duplex(printer))],
                outcome.how, self._today())
            self._last_print = (request, time.monotonic())
            self.last_outcome = outcome  # no patient data: pages, printer, job id, seconds
            self._remember(request, outcome.how)
            if entry is None:
                self.session.output_done()
            self.statusBar().showMessage(outcome.message(), 15000)
        finally:
            self._printing = False
            self._update_actions()

    def print_again(self, pdfs: Sequence[bytes]) -> None:
        """Print PDFs made again from the archive (already checked byte for byte)."""
        paper = printing.clinic_paper(self.clinic)
        printer = printing.new_printer()
        if not self.choose_printer(printer, sum(printing.match_paper(printer, pdf, paper)
                                                for pdf in pdfs)):
            return
        with busy_cursor():
            outcomes = [printing.print_job(pdf, printer, paper) for pdf in pdfs]
        if outcomes:
            self.statusBar().showMessage(outcomes[-1].message(), 15000)

    def _still(self, epoch: int, what: str) -> bool:
        """False (and nothing happens) when the patient was cleared while a question was
        open: its answer belongs to the previous patient."""
        if epoch == self.patient_epoch:
            return True
        log.info("%s dropped: the patient was cleared meanwhile", what)
        return False

    def _require_confirmed_date(self) -> None:
        unconfirmed = self.form.unconfirmed_date()
        if unconfirmed:
            raise RequestError("procedure_date", unconfirmed)

    def output_start_folder(self) -> Path | None:
        """Site-locked folder, else the nurse's last folder, else the site default."""
        if not self.config.editable("output_folder"):
            return self.config.output_folder
        return self.settings.output_folder or self.config.output_folder

    @guarded("save")
    def save_pdfs(self) -> None:
        """Save the handouts ticked in the form (Ctrl+S)."""
        self._require_confirmed_date()
        self._save(self.session.current_request(), from_form=True)

    def resave(self, entry: RecentSet) -> None:
        guarded("save again")(lambda _self: self._save(entry.request, from_form=False))(self)

    def _save(self, request: HandoutRequest, from_form: bool) -> None:
        epoch = self.patient_epoch
        start = self.output_start_folder()
        locked = not self.config.editable("output_folder") and start is not None
        folder = start if locked else self.choose_folder(start)
        if not self._still(epoch, "save"):
            return
        if folder is None:
            self.statusBar().showMessage("Saving cancelled.", 5000)
            return
        if not locked:
            self.settings.output_folder = folder
        self.session.wait_for_worker()
        with busy_cursor():
            paths = saving.save_handouts(request, self.clinic, folder, self.now())
        log.info("saved %d files", len(paths))
        if self.archive_hook.enabled:
            self.archive_hook.after_output(request, self.clinic, handouts_outputs(
                [(kind, p.name, p.read_bytes()) for kind, p in
                 zip(request.handouts, paths, strict=False)]), "saved", self._today())
        self._remember(request, "saved")
        if from_form:
            self.session.output_done()
        self.statusBar().showMessage(
            f"Saved {', '.join(p.name for p in paths)} in {folder}.", 15000)

    @guarded("new patient")
    def new_patient(self) -> None:
        if self.form.has_patient_data() and self.session.dirty and not self.confirm_discard(
                "Clear this patient's entries? They were changed after the last print or "
                "save."):
            return
        self.patient_epoch += 1
        self.form.clear_patient()
        self.session.reset()
        log.info("new patient")

    def clear_after_idle(self) -> None:
        """Site setting idle_clear_minutes: patient data leaves the screen, unasked. Every
        open question closes and its answer is dropped (``patient_epoch``); this shift's
        recent handouts are forgotten."""
        self.patient_epoch += 1
        closed = close_dialogs()
        had_recent = bool(len(self.recent))
        self.recent.clear()
        self._update_recent()
        if not self.form.has_patient_data():
            if closed or had_recent:
                log.info("idle clear: %d dialogs closed, recent handouts forgotten", closed)
            return
        self.form.clear_patient()
        self.session.reset()
        minutes = self.config.idle_clear_minutes
        log.info("patient data cleared after %d idle minutes", minutes)
        self.statusBar().showMessage(
            f"The patient's entries were cleared after {minutes} minute"
            f"{'' if minutes == 1 else 's'} without use.", 60_000)

    @guarded("open templates")
    def open_workspace(self) -> None:
        # a share's local copy is verified by hash at each start: edit the share, not it
        copy = self.source.kind in ("share", "cache")
        workspace = TemplateWorkspace(
            self.clinic, read_only=self.config.lock_templates or copy,
            profile_read_only=self.config.lock_clinic_profile or copy, parent=self)
        workspace.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        workspace.clinic_changed.connect(self.use_clinic)
        workspace.show()
        self.workspace = workspace

    def use_clinic(self, clinic: ClinicProfile) -> None:
        """A profile or template saved in the workspace, or a newly checked share version,
        reaches the window at once; everything typed in the form stays."""
        self.clinic = clinic
        self.setWindowTitle(clinic.name)
        self.clinic_label.setText(f"Clinic: {clinic.name}")
        choices = form_choices(clinic, self.config.languages)
        self.procedure_names = dict(choices.procedures)
        for kind, name in choices.handouts:
            if kind in self.print_one_actions:
                self.print_one_actions[kind].setText(f"Print only {name.lower()}...")
        self.form.set_choices(choices, self.config["language"])
        self._show_handout_choice()
        self.session.set_clinic(clinic)

    # -- the clinic share, checked off the GUI thread ----------------------------------------
    def _start_waiting(self) -> None:
        self.waiting = True
        self.source = ClinicSource(self.clinic, "none yet: the clinic folder on the network is "
                                   "being checked", None, "", "waiting")
        self.form.setEnabled(False)
        self.templates_action.setEnabled(False)
        self.session.block(f"{CHECKING_SHARE} {WAITING}")
        self._set_clinic_note(f"{CHECKING_SHARE} {WAITING}")

    def _stop_waiting(self) -> None:
        self.waiting = False
        self.form.setEnabled(True)
        self.templates_action.setEnabled(True)
        self.session.unblock()
        self.form.patient_name.setFocus()

    def _set_clinic_note(self, note: str | None) -> None:
        text = site_notes(self.config, note)
        self.site_banner.setText(text)
        self.site_banner.setVisible(bool(text))

    def check_share(self, finish: Callable[[Callable[[], None] | None], ClinicSource]) -> None:
        """Compare the clinic share with the copy in use, and copy and check a new version,
        off the GUI thread (``ClinicStart.finish``). The window keeps working on the copy it
        has meanwhile and switches when a new version passes; when it fails (or the share
        cannot be read), the window stays on its copy and the banner says why."""
        self._share_phase = "probe"

        def checking() -> None:  # a new version: copied and checked now
            self._share_phase = "check"
            note = f"{CHECKING_VERSION} {WAITING}" if self.waiting else CHECKING_VERSION
            self._set_clinic_note(note)
            if self.waiting:
                self.session.block(note)

        op: QueryOp[ClinicSource] = QueryOp(
            parent=self, op=lambda: finish(lambda: op.post(checking)),
            success=self._share_checked)
        op.failure(self._share_check_failed).run_in_background(self.clinic_checks)
        if not self.waiting:
            QTimer.singleShot(SLOW_SHARE_MS, self, self._slow_share)

    def _slow_share(self) -> None:
        if self._share_phase == "probe":
            self._set_clinic_note(CHECKING_SHARE)

    def _share_checked(self, source: ClinicSource) -> None:
        self._share_phase = None
        if source.problems:
            log.warning("clinic folder update refused: %d template problem(s)",
                        len(source.problems))
        same = not self.waiting and source.clinic == self.clinic
        self.source = source
        if not same:
            self.use_clinic(source.clinic)
            log.info("clinic share checked: %s", "first copy in use" if self.waiting
                     else "new version in use")
        if self.waiting:
            self._stop_waiting()
        self._set_clinic_note(source.banner)

    def _share_check_failed(self, exc: Exception) -> None:
        self._share_phase = None
        log.error("clinic share check failed: %s", type(exc).__name__)  # never the message
        if isinstance(exc, DischargeDeskError):
            text = str(exc)
        else:
            text = (f"The clinic folder on the network could not be checked "
                    f"({type(exc).__name__}); start Discharge Desk again, or ask your "
                    "administrator.")
        if self.waiting:  # nothing safe to print from: the form stays closed
            self.session.block(text)
        else:
            text = (f"The clinic folder on the network could not be checked "
                    f"({type(exc).__name__}); using the copy on this computer, "
                    f"{self.source.source}.")
        self._set_clinic_note(text)

    @guarded("about")
    def open_about(self) -> None:
        dialog = AboutDialog(self.config, self.source, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.about = dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.form.has_patient_data() and self.session.dirty and not self.confirm_discard(
                "Close Discharge Desk? This patient's handouts were changed after the last "
                "print or save."):
            event.ignore()
            return
        self.session.wait_for_worker()
        self.clinic_checks.cancel_pending()  # a share check still running is left to end alone
        self.archive_hook.finish()  # waits (bounded) for the records on the archive lane
        self.idle.stop()
        self.recent.clear()
        self.save_layout()
        super().closeEvent(event)
