"""The main window: composes the form, the preview and the actions. Slots only translate an
event into a call (session, printing, saving) and show the result."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME
from ..clinicsource import ClinicSource
from ..domain.clinic import ClinicProfile
from ..resources import sample_clinic_dir
from ..siteconfig import SiteConfig, load_config
from . import printing, saving
from .about import AboutDialog
from .errors import guarded
from .focus_ring import FocusRing
from .form import HandoutForm, choices_for
from .idle import IdleClear
from .preview import PreviewPane, notice_label
from .session import FormSession
from .settings import AppSettings
from .workspace import TemplateWorkspace

log = logging.getLogger("dischargedesk.ui")

PRINT_REPEAT_GUARD_S = 2.0  # the same pages again this soon: a double click, not a reprint


def site_banner(config: SiteConfig, source: ClinicSource) -> QLabel:
    """Non-blocking notes for the admin and nurse: clinic copy in use, settings problems."""
    notes = [source.banner] if source.banner else []
    notes += list(config.messages)
    return notice_label("\n".join(n for n in notes if n), "siteBanner")


@contextmanager
def busy_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class MainWindow(QMainWindow):
    """``choose_folder``, ``choose_printer`` and ``confirm_discard`` are the three questions
    the window asks; tests replace them on the instance instead of driving modal dialogs."""

    def __init__(self, clinic: ClinicProfile, settings: AppSettings,
                 today: Callable[[], dt.date] = dt.date.today,
                 debounce_ms: int | None = None, config: SiteConfig | None = None,
                 source: ClinicSource | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.clinic = clinic
        self.settings = settings
        self.config = config or load_config()
        self.source = source or ClinicSource(clinic, "clinic passed in", None, clinic.version,
                                             "folder")
        self._printing = False
        self._last_print: tuple[object, float] | None = None
        self.setWindowTitle(clinic.name)  # Qt appends " — Discharge Desk"; never patient data

        self.form = HandoutForm(choices_for(clinic, self.config.languages), today)
        self.form.set_language(settings.language or "en")
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("formScroll")
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.form_scroll.setMinimumWidth(self.form.minimumSizeHint().width() + self._scroll_extra())
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
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        kwargs = {} if debounce_ms is None else {"debounce_ms": debounce_ms}
        self.session = FormSession(self.form, self.preview, clinic, today, self, **kwargs)
        self._build_actions()
        self._build_status()
        self._set_tab_order()
        self.session.state_changed.connect(self._update_actions)
        self.form.language.currentIndexChanged.connect(self._remember_language)
        self._restore_layout()
        self.focus_ring = FocusRing(self)
        self.idle = IdleClear(self.config.idle_clear_minutes, self.clear_after_idle, self)
        self.session.refresh()
        self.form.patient_name.setFocus()

    # -- construction ------------------------------------------------------------------------
    def _build_actions(self) -> None:
        bar = QToolBar("Actions")
        bar.setObjectName("actionsToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.print_action = self._action(bar, "&Print...", "document-print",
                                         QKeySequence.StandardKey.Print, self.print_handouts)
        self.save_action = self._action(bar, "&Save PDF...", "document-save",
                                        QKeySequence.StandardKey.Save, self.save_pdfs)
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
        is_sample = self.clinic.folder is not None and \
            self.clinic.folder.resolve() == sample_clinic_dir().resolve()
        clinic_text = f"Clinic: {self.clinic.name}" + (" (sample, for trying out)"
                                                       if is_sample else "")
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
        if self._split_pending:  # first start: the form as wide as it likes, up to half
            self._split_pending = False
            total = self.splitter.width() or self.width()
            wanted = self.form.sizeHint().width() + self._scroll_extra()
            form_width = max(self.form_scroll.minimumWidth(), min(wanted, total // 2))
            self.splitter.setSizes([form_width, max(1, total - form_width)])

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

    # -- state -------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        ok, reason = self.session.readiness()
        self.print_action.setEnabled(ok and not self._printing)
        self.save_action.setEnabled(ok)
        self.status_label.setText(reason if ok else f"Not ready to print: {reason}")

    def _remember_language(self) -> None:
        code = self.form.language.currentData()
        if code:
            self.settings.language = code

    # -- actions -----------------------------------------------------------------------------
    @guarded("print")
    def print_handouts(self) -> None:
        if self._printing:
            return
        self._printing = True
        self.print_action.setEnabled(False)
        try:
            request, pdf = self.session.pdf_matching_form()
            if self._last_print is not None and self._last_print[0] == request and \
                    time.monotonic() - self._last_print[1] < PRINT_REPEAT_GUARD_S:
                self.statusBar().showMessage("These handouts were just sent to the printer.",
                                             5000)
                return
            printer = printing.new_printer()
            pages = printing.match_paper(printer, pdf)
            if not self.choose_printer(printer, pages):
                self.statusBar().showMessage("Printing cancelled.", 5000)
                return
            with busy_cursor():
                pdf = printing.for_duplex(pdf, printer, request, self.clinic)
                printed = printing.print_pdf(pdf, printer)
            self._last_print = (request, time.monotonic())
            self.session.output_done()
            self.statusBar().showMessage(f"Sent {printed} pages to the printer.", 8000)
        finally:
            self._printing = False
            self._update_actions()

    def output_start_folder(self) -> Path | None:
        """Site-locked folder, else the nurse's last folder, else the site default."""
        if not self.config.editable("output_folder"):
            return self.config.output_folder
        return self.settings.output_folder or self.config.output_folder

    @guarded("save")
    def save_pdfs(self) -> None:
        request = self.session.current_request()
        start = self.output_start_folder()
        locked = not self.config.editable("output_folder") and start is not None
        folder = start if locked else self.choose_folder(start)
        if folder is None:
            self.statusBar().showMessage("Saving cancelled.", 5000)
            return
        if not locked:
            self.settings.output_folder = folder
        self.session.wait_for_worker()
        with busy_cursor():
            paths = saving.save_handouts(request, self.clinic, folder)
        log.info("saved %d files", len(paths))
        self.session.output_done()
        self.statusBar().showMessage(
            f"Saved {', '.join(p.name for p in paths)} in {folder}.", 15000)

    @guarded("new patient")
    def new_patient(self) -> None:
        if self.form.has_patient_data() and self.session.dirty and not self.confirm_discard(
                "Clear this patient's entries? They were changed after the last print or "
                "save."):
            return
        self.form.clear_patient()
        self.session.reset()
        log.info("new patient")

    def clear_after_idle(self) -> None:
        """Site setting idle_clear_minutes: patient data leaves the screen, unasked."""
        if not self.form.has_patient_data():
            return
        for widget in QApplication.topLevelWidgets():  # an open question would keep data
            if isinstance(widget, QMessageBox) and widget.isVisible():
                widget.close()
        self.form.clear_patient()
        self.session.reset()
        log.info("patient data cleared after %d idle minutes", self.config.idle_clear_minutes)
        self.statusBar().showMessage(
            f"The patient's entries were cleared after {self.config.idle_clear_minutes} "
            "minutes without use.", 60_000)

    @guarded("open templates")
    def open_workspace(self) -> None:
        workspace = TemplateWorkspace(
            self.clinic, read_only=self.config.lock_templates,
            profile_read_only=self.config.lock_clinic_profile, parent=self)
        workspace.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        workspace.clinic_changed.connect(self.use_clinic)
        workspace.show()
        self.workspace = workspace

    def use_clinic(self, clinic: ClinicProfile) -> None:
        """A profile or template saved in the workspace reaches the window at once."""
        self.clinic = clinic
        self.setWindowTitle(clinic.name)
        self.clinic_label.setText(f"Clinic: {clinic.name}")
        self.session.set_clinic(clinic)

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
        self.save_layout()
        super().closeEvent(event)
