"""The template workspace dialog: template list, editor, live preview and check results.

A slot turns a click into a call of the Qt-free engine (clinic.folder, checks, engine) and
shows the result; no business rules live here.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...checks import LEVEL_PATTERNS, CheckReport, Problem, check_templates
from ...clinic.folder import customize, read_template, revert, save_template, template_names
from ...clinic.profile import ClinicProfile, load_clinic
from ...errors import DischargeDeskError
from ...render.language import available_languages
from ..background import Lane, QueryOp
from ..errors import guarded
from ..preview import PreviewPane, notice_label
from .highlighter import TemplateHighlighter
from .jobs import PreviewJob, PreviewResult, preview_and_check
from .profile_editor import ProfileEditor

log = logging.getLogger("dischargedesk.ui")
DEBOUNCE_MS = 350
ROLE_NAME = Qt.ItemDataRole.UserRole
ROLE_LINE = Qt.ItemDataRole.UserRole + 1


def _labelled(text: str, widget: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text)
    label.setBuddy(widget)
    row.addWidget(label)
    row.addWidget(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    return box


class TemplateWorkspace(QDialog):
    """Customize, edit, preview and check the templates of one clinic folder.

    A template is saved only when its check passes, so the nurse's window only ever renders
    checked text. ``confirm_discard`` is the question the dialog asks before unsaved edits
    are lost (tests replace it on the instance instead of driving a modal box).
    """

    checked = Signal(object)  # CheckReport, after each check (tests wait for it)
    fully_checked = Signal(object)  # CheckReport of every language, after a save
    previewed = Signal(bool)  # True when the preview shows the current edit
    clinic_changed = Signal(object)  # the reloaded ClinicProfile, after any save

    def __init__(self, clinic: ClinicProfile, *, read_only: bool = False,
                 profile_read_only: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Templates and clinic profile[*] - Discharge Desk")
        self.setObjectName("templateWorkspace")
        self.clinic = clinic
        folder = clinic.folder
        self.is_sample = clinic.is_sample
        self.read_only = read_only or self.is_sample or folder is None
        self.current: str | None = None
        self.dirty = False
        self.last_report: CheckReport | None = None

        self.jobs = Lane("workspace-preview", latest_only=True)  # the newest edit wins
        # after a save: every language (the edit's language was checked before saving)
        self.full_checks = Lane("workspace-full-check", latest_only=True)
        self.generation = 0
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)

        self.banner = notice_label(self._banner_text(), "workspaceBanner")

        self.tabs = tabs = QTabWidget()
        tabs.addTab(self._build_templates_tab(), "&Templates")
        profile_locked = self.read_only if profile_read_only is None else \
            (profile_read_only or self.is_sample or folder is None)
        self.profile = ProfileEditor(clinic, read_only=profile_locked)
        self.profile.saved.connect(self._on_profile_saved)
        tabs.addTab(self.profile, "Clinic &profile")

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(tabs)
        close = QPushButton("&Close")
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(1200, 760)
        self._fill_list()

    # -- layout --------------------------------------------------------------------------
    def _banner_text(self) -> str:
        if self.is_sample:
            return ("This is the bundled sample clinic, so it cannot be changed here. Create "
                    "your clinic folder with 'dischargedesk templates export FOLDER' and open it.")
        if self.read_only:
            return "Read-only: your administrator has locked template and profile editing."
        return ""

    def _build_templates_tab(self) -> QWidget:
        self.language = QComboBox()
        self.language.addItems(available_languages(self.clinic.templates_dir))
        self.procedure = QComboBox()
        self.procedure.addItems(sorted(self.clinic.procedures))
        self.pattern = QComboBox()
        self.pattern.addItems(list(LEVEL_PATTERNS))
        self.pattern.setCurrentText("2 levels")
        self.large = QCheckBox("&Large print")
        self.large.setAccessibleName("Large print")
        for combo in (self.procedure, self.pattern):
            combo.currentIndexChanged.connect(self._schedule)
        self.language.currentIndexChanged.connect(self._fill_list)
        self.large.toggled.connect(self._schedule)
        bar = QHBoxLayout()
        for text, widget in (("La&nguage:", self.language), ("Pr&ocedure:", self.procedure),
                             ("Le&vels:", self.pattern)):
            bar.addWidget(_labelled(text, widget))
        bar.addWidget(self.large)
        bar.addStretch(1)

        self.templates = QListWidget()
        self.templates.setObjectName("templateList")
        self.templates.setAccessibleName("Templates")
        self.templates.currentItemChanged.connect(self._on_select)
        self.customize_button = QPushButton("C&ustomize")
        self.customize_button.setToolTip("Copy the built-in template into your clinic folder")
        self.customize_button.clicked.connect(self.customize_current)
        self.revert_button = QPushButton("&Revert to built-in")
        self.revert_button.clicked.connect(self.revert_current)
        self.save_button = QPushButton("&Save template")
        self.save_button.clicked.connect(self.save_current)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_current)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.templates)
        for b in (self.customize_button, self.revert_button, self.save_button):
            lv.addWidget(b)
        self.save_message = QLabel()
        self.save_message.setObjectName("saveMessage")
        self.save_message.setWordWrap(True)
        lv.addWidget(self.save_message)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("templateEditor")
        self.editor.setAccessibleName("Template text")
        self.editor.setFont(QFont("DejaVu Sans Mono", 10))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = TemplateHighlighter(self.editor.document())
        self.editor.textChanged.connect(self._on_edit)

        self.results = QListWidget()
        self.results.setObjectName("checkResults")
        self.results.setAccessibleName("Check results")
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self.jump_to_result)
        self.results.itemClicked.connect(self.jump_to_result)
        center = QSplitter(Qt.Orientation.Vertical)
        center.addWidget(self.editor)
        center.addWidget(self.results)
        center.setSizes([520, 200])

        self.preview = PreviewPane()
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(center)
        split.addWidget(self.preview)
        split.setSizes([260, 520, 420])

        tab = QWidget()
        v = QVBoxLayout(tab)
        v.addLayout(bar)
        v.addWidget(split, 1)
        return tab

    # -- template list -------------------------------------------------------------------
    def _fill_list(self) -> None:
        keep = self.current
        self.templates.blockSignals(True)
        self.templates.clear()
        for name, customized in template_names(self.clinic.folder, self.language.currentText()):
            shown = name.split("/", 1)[1]
            item = QListWidgetItem(f"{shown}  ({'clinic copy' if customized else 'built-in'})")
            item.setData(ROLE_NAME, name)
            item.setData(ROLE_LINE, customized)
            self.templates.addItem(item)
        self.templates.blockSignals(False)
        names = [self.templates.item(i).data(ROLE_NAME) for i in range(self.templates.count())]
        self.select(keep if keep in names else (names[0] if names else None))

    def select(self, name: str | None) -> None:
        for i in range(self.templates.count()):
            if self.templates.item(i).data(ROLE_NAME) == name:
                self.templates.setCurrentRow(i)
                return

    def is_customized(self, name: str | None) -> bool:
        return bool(name) and self.clinic.folder is not None and \
            (self.clinic.folder / "templates" / name).is_file()  # type: ignore[operator]

    def _on_select(self, item: QListWidgetItem | None,
                   previous: QListWidgetItem | None = None) -> None:
        if item is None:
            return
        if self.dirty and item.data(ROLE_NAME) != self.current and not self.confirm_discard(
                "Discard your unsaved changes to this template?"):
            if previous is not None:
                self.templates.blockSignals(True)
                self.templates.setCurrentItem(previous)
                self.templates.blockSignals(False)
            return
        self.current = item.data(ROLE_NAME)
        self._load_current()

    def _load_current(self) -> None:
        self.editor.blockSignals(True)
        self.editor.setPlainText(read_template(self.clinic.folder, self.current)
                                 if self.current else "")
        self.editor.blockSignals(False)
        self._set_dirty(False)
        self.save_message.clear()
        self._schedule()

    def _set_dirty(self, dirty: bool) -> None:
        """The unsaved marker: '*' in the window title and on the Templates tab."""
        self.dirty = dirty
        self.setWindowModified(dirty)
        self.tabs.setTabText(0, "&Templates *" if dirty else "&Templates")
        self._update_buttons()

    def confirm_discard(self, question: str) -> bool:
        answer = QMessageBox.question(
            self, "Discharge Desk", question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _update_buttons(self) -> None:
        own = self.is_customized(self.current)
        editable = not self.read_only and own
        self.editor.setReadOnly(not editable)
        self.customize_button.setEnabled(not self.read_only and not own)
        self.revert_button.setEnabled(not self.read_only and own)
        self.save_button.setEnabled(editable and self.dirty)

    # -- actions -------------------------------------------------------------------------
    @guarded("customize template")
    def customize_current(self) -> None:
        if self.current and self.clinic.folder is not None and not self.read_only:
            customize(self.clinic.folder, self.current)
            self._reload_clinic()
            log.info("template customized")

    @guarded("revert template")
    def revert_current(self) -> None:
        if not (self.current and self.clinic.folder is not None and not self.read_only):
            return
        unsaved = " Your unsaved changes are lost too." if self.dirty else ""
        if not self.confirm_discard("Revert this template to the built-in text? The clinic's "
                                    f"copy is deleted.{unsaved}"):
            return
        revert(self.clinic.folder, self.current)
        self._set_dirty(False)
        self._reload_clinic()
        log.info("template reverted")

    def save_problems(self, text: str) -> list[Problem]:
        """Errors the edit would bring: the check of what the edited file can change
        (``check_templates(only=...)``: its language, its handout), less the errors the
        saved files already have (so one broken file never blocks fixing another). The
        other languages are checked in the background after the save (:meth:`check_all`)."""
        assert self.current is not None
        edited = check_templates(self.clinic, build_pdfs=False, only=self.current,
                                 overrides={self.current: text}, grades=False)
        if edited.ok:
            return []
        own = f"clinic {self.current}"
        if all(p.file == own for p in edited.errors):
            return edited.errors
        before = check_templates(self.clinic, build_pdfs=False, only=self.current,
                                 grades=False)
        return [p for p in edited.errors if p.file == own or p not in before.errors]

    @guarded("save template")
    def save_current(self) -> None:
        if not (self.current and self.clinic.folder is not None and self.dirty
                and not self.read_only and self.is_customized(self.current)):
            return
        text = self.editor.toPlainText()
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            problems = self.save_problems(text)
        finally:
            self.unsetCursor()
        if problems:
            # Not saved: the nurse's window keeps rendering the last text that passed.
            self._show_report(CheckReport(problems=problems))
            self.save_message.setText("Not saved: this template has problems (listed below "
                                      "the editor). Fix them, then save again; your text is "
                                      "kept in the editor.")
            self.save_message.setStyleSheet("color:#9a1b12;")
            log.info("template save refused: %d problem(s)", len(problems))
            return
        save_template(self.clinic.folder, self.current, text)
        self._set_dirty(False)
        self._reload_clinic()
        self.save_message.setText("Saved: the check passed. Checking every language...")
        self.save_message.setStyleSheet("color:#0b5d1e;")
        log.info("template saved")
        self.check_all()

    def check_all(self) -> None:
        """Check every language (the English text prints in each bilingual handout) off the
        GUI thread; the result replaces the list unless the nurse has edited since."""
        clinic = self.clinic

        def done(report: CheckReport) -> None:
            if not self.dirty:
                self._fill_results(report)
                errors = len(report.errors)
                self.save_message.setText(
                    "Saved: the check passed." + (" Every language checked." if not errors
                                                  else f" Every language checked: {errors} "
                                                  "problem(s), listed below the editor."))
            self.fully_checked.emit(report)

        QueryOp(parent=self, op=lambda: check_templates(clinic, build_pdfs=False),
                success=done).run_in_background(self.full_checks)

    def _reload_clinic(self) -> None:
        assert self.clinic.folder is not None
        self.clinic = load_clinic(self.clinic.folder)
        self._fill_list()
        self.clinic_changed.emit(self.clinic)

    def _on_profile_saved(self, clinic: ClinicProfile) -> None:
        self.clinic = clinic
        self._schedule()
        self.clinic_changed.emit(clinic)

    def _on_edit(self) -> None:
        self._set_dirty(True)
        self.save_message.clear()
        self._schedule()

    # -- preview and checks ----------------------------------------------------------------
    def _schedule(self, *_: object) -> None:
        self.preview.set_banner("updating", "Updating preview...")
        self.timer.start()

    def overrides(self) -> dict[str, str]:
        if self.current and self.dirty and self.is_customized(self.current):
            return {self.current: self.editor.toPlainText()}
        return {}

    def refresh(self) -> None:
        job = PreviewJob(self.clinic, self.procedure.currentText(), self.pattern.currentText(),
                         self.language.currentText(), self.large.isChecked(), self.overrides())
        self.generation += 1
        generation = self.generation

        def done(result: PreviewResult) -> None:
            if generation == self.generation:  # an older edit's result is never shown
                self._on_result(result)

        QueryOp(parent=self, op=lambda: preview_and_check(job), success=done)\
            .run_in_background(self.jobs)

    def _on_result(self, result: PreviewResult) -> None:
        pdf, error, report = result.pdf, result.error, result.report
        if isinstance(pdf, bytes):
            self.preview.show_pdf(pdf)
            self.preview.set_banner(None)
        elif isinstance(error, DischargeDeskError):
            self.preview.set_banner("failed", f"The preview is out of date: {error}")
        else:
            self.preview.set_banner("failed", "The preview could not be made "
                                    f"({type(error).__name__}).")
        self.previewed.emit(isinstance(pdf, bytes))
        if isinstance(report, CheckReport):
            self._show_report(report)

    def _show_report(self, report: CheckReport) -> None:
        self._fill_results(report)
        self.checked.emit(report)

    def _fill_results(self, report: CheckReport) -> None:
        self.last_report = report
        self.results.clear()
        for problem in report.problems:
            item = QListWidgetItem(str(problem))
            item.setData(ROLE_NAME, problem.file.removeprefix("clinic "))
            item.setData(ROLE_LINE, problem.line)
            item.setForeground(Qt.GlobalColor.darkRed if problem.severity == "error"
                               else Qt.GlobalColor.black)
            self.results.addItem(item)
        if not report.problems:
            self.results.addItem(f"No problems in {report.combinations} combinations.")
        for g in report.grades:
            item = QListWidgetItem(f"{g.file}: {g.describe()}")
            item.setData(ROLE_NAME, g.file.removeprefix("clinic "))
            self.results.addItem(item)

    def jump_to_result(self, item: QListWidgetItem) -> None:
        name, line = item.data(ROLE_NAME), item.data(ROLE_LINE)
        if name and name != self.current:
            self.select(name)
        if isinstance(line, int) and line > 0:
            block = self.editor.document().findBlockByNumber(line - 1)
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)
            self.editor.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not self.confirm_discard(
                "Close the template workspace? Your unsaved changes to this template are "
                "lost."):
            event.ignore()
            return
        self.timer.stop()
        self.jobs.wait(5000)
        self.full_checks.wait(5000)
        super().closeEvent(event)

