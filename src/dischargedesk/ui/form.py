"""The discharge form: widgets -> a dict of raw values; shows the field errors it is given.

The form knows no rules: :meth:`HandoutForm.values` returns what was typed in the shape
``HandoutRequest.from_mapping`` reads, and the caller shows any ``RequestError`` with
:meth:`HandoutForm.set_field_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.calendar import (
    PROCEDURE_DATE_WARNING,
    TypedValueError,
    procedure_date_warning,
    weekday_date_text,
)
from ..domain.fields import UNTRANSLATED
from ..domain.request import LABELS, MAX_LENGTH, is_english
from ..engine import FormChoices
from ..errors import RequestError
from .fields import DateEdit, FieldBox, FollowUpField, LevelsField, check_box
from .notify import Notifier
from .preview import notice_label

ANESTHESIA_CHOICES = (("local", "Local anesthetic only"), ("sedation", "Sedation"),
                      ("general", "General anesthesia"))
DEFAULT_ANESTHESIA = "sedation"
UNTRANSLATED_STYLE = "color: #4d3300; font-size: 90%;"  # 10:1 on white
def _line(name: str, field: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(MAX_LENGTH[field] * 2)  # the validation names the real limit
    return edit


def language_name(code: str) -> str:
    """"Spanish" for "es" (in English, like the form); the code when Qt does not know it."""
    language = QLocale(code).language()
    if language == QLocale.Language.C or not code:
        return code
    return QLocale.languageToString(language)


class HandoutForm(QWidget):
    """All inputs of one patient's handouts. Emits ``changed`` on every edit and
    ``confirm_changed`` when the procedure-date confirmation changes."""

    def __init__(self, choices: FormChoices, today: Callable[[], dt.date],
                 parent: QWidget | None = None, default_language: str = "en") -> None:
        super().__init__(parent)
        self.changed = Notifier()
        self.confirm_changed = Notifier()
        self._quiet = False
        self.setObjectName("handoutForm")
        self._today = today
        self._boxes: dict[str, FieldBox] = {}
        self._confirmed_date: dt.date | None = None
        self._build(choices)
        codes = [code for code, _ in choices.languages]
        self.default_language = default_language if default_language in codes else \
            (codes[0] if codes else default_language)
        self.reset_handout_choices()
        self._connect()
        self.setMinimumWidth(self.one_column_width())
        self._arrange()

    # -- construction ------------------------------------------------------------------------
    def _row(self, form: QFormLayout, text: str, field: str, *inputs: QWidget,
             stretch_last: bool = True) -> FieldBox:
        box = FieldBox(field, *inputs, stretch_last=stretch_last)
        self._boxes[field] = box
        if text:
            label = QLabel(text)
            label.setBuddy(inputs[0])
            form.addRow(label, box)
        else:
            form.addRow(box)
        return box

    @staticmethod
    def _group(title: str) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(8, 4, 8, 6)
        form.setVerticalSpacing(5)
        return group, form

    def _build(self, choices: FormChoices) -> None:
        today = self._today()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(6)

        # Per patient, at the top: language, large print and which handouts.
        group, form = self._group("Handouts for this patient")
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        # names such as "中文（繁體） Chinese, Traditional" must not widen the form (the popup
        # shows them whole; the closed box gets what the row has to spare)
        self.language.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.language.setMinimumContentsLength(16)
        for code, name in choices.languages:
            self.language.addItem(name, code)
        self.large_print = check_box("Lar&ge print (18 pt)", "Large print")
        self.handout_checks: dict[str, QCheckBox] = {}
        for key, name in choices.handouts:
            check = check_box(name, name)
            check.setChecked(True)
            self.handout_checks[key] = check
        box = self._row(form, "Lang&uage:", "language", self.language, self.large_print,
                        stretch_last=False)
        self._boxes["large_print"] = box
        # bilingual print: each section in the patient's language, then the clinic's
        # English text of it (refused with English: the error shows under this box)
        self.bilingual = check_box("Bilingual: add the Engli&sh text after each section",
                                   "Bilingual print")
        self.bilingual.setToolTip("For staff and family: each section prints in the "
                                  "patient's language, then in English.")
        self._row(form, "", "bilingual", self.bilingual, stretch_last=False)
        self._row(form, "Print:", "handouts", *self.handout_checks.values(), stretch_last=False)
        outer.addWidget(group)
        self.handouts_group = group

        group, form = self._group("Patient")
        self.patient_name = _line("Patient name", "patient_name")
        self.date_of_birth = DateEdit("Date of birth")
        self.mrn = _line("MRN", "mrn")
        self.mrn.setPlaceholderText("date of birth, MRN, or both")
        self._row(form, "Patient &name:", "patient_name", self.patient_name)
        self._row(form, "Date of &birth:", "date_of_birth", *self.date_of_birth.widgets(),
                  stretch_last=False)
        self._row(form, "&MRN:", "mrn", self.mrn)
        left = [group]

        group, form = self._group("Procedure")
        self.procedure = QComboBox()
        self.procedure.setAccessibleName("Procedure")
        for pid, name in choices.procedures:
            self.procedure.addItem(name, pid)
        self.procedure_date = DateEdit("Procedure date", today)
        self.anesthesia = QComboBox()
        self.anesthesia.setAccessibleName("Anesthesia")
        for key, name in ANESTHESIA_CHOICES:
            self.anesthesia.addItem(name, key)
        self.anesthesia.setCurrentIndex(self.anesthesia.findData(DEFAULT_ANESTHESIA))
        self.levels = LevelsField()
        self.brace = check_box("Bra&ce prescribed", "Brace prescribed")
        self.opioids = check_box("&Opioid pain medicine", "Opioid pain medicine prescribed")
        self._row(form, "&Procedure:", "procedure", self.procedure)
        self._row(form, "Procedure &date:", "procedure_date", *self.procedure_date.widgets(),
                  stretch_last=False)
        self.date_warning = QFrame()
        self.date_warning.setObjectName("procedureDateWarning")
        bg, fg = "#fff1c2", "#4d3300"  # the preview's notice colours (contrast > 7:1)
        self.date_warning.setStyleSheet(f"QFrame#procedureDateWarning {{ background: {bg}; "
                                        f"border: 1px solid #c9a227; border-radius: 4px; }} "
                                        f"QFrame#procedureDateWarning * {{ color: {fg}; }}")
        warning_box = QVBoxLayout(self.date_warning)
        warning_box.setContentsMargins(6, 4, 6, 4)
        warning_box.setSpacing(2)
        self.date_warning_text = QLabel(PROCEDURE_DATE_WARNING)
        self.date_warning_text.setWordWrap(True)
        self.date_warning_text.setTextFormat(Qt.TextFormat.PlainText)
        self.date_warning_text.setAccessibleName("Procedure date warning")
        self.date_confirm = check_box("Yes, the procedure was on that day",
                                      "Confirm the procedure date")
        warning_box.addWidget(self.date_warning_text)
        warning_box.addWidget(self.date_confirm)
        self.date_warning.hide()
        form.addRow(self.date_warning)
        self._row(form, "&Levels treated:", "levels_typed", self.levels)
        form.addRow(self.levels.below)
        self._levels_label = form.labelForField(self._boxes["levels_typed"])
        assert isinstance(self._levels_label, QLabel)
        self._levels_label.setBuddy(self.levels.typed)  # Alt+L: to the levels, toggling none
        self._row(form, "&Anesthesia:", "anesthesia", self.anesthesia)
        self._row(form, "", "brace", self.brace, self.opioids, stretch_last=False)
        self._boxes["opioids"] = self._boxes["brace"]
        left.append(group)

        group, form = self._group("Medicines")
        self.medications = QPlainTextEdit()
        self.medications.setAccessibleName("Medication instructions")
        self.medications.setTabChangesFocus(True)  # Tab must not be a keyboard trap
        self.medications.setPlaceholderText("One medicine per line, for example:\n"
                                            "Oxycodone 5 mg: 1 tablet every 6 hours if needed")
        lines = self.medications.fontMetrics().lineSpacing()
        self.medications.setMinimumHeight(lines * 4 + 12)
        self.medications.setMaximumHeight(lines * 5 + 12)
        self.blood_thinner = _line("Blood thinner restart", "blood_thinner")
        self.blood_thinner.setPlaceholderText("e.g. restart apixaban tomorrow")
        med_label = QLabel("Medication &instructions:")
        med_label.setBuddy(self.medications)
        form.addRow(med_label)
        self._row(form, "", "medications", self.medications)
        self._row(form, "Blood &thinner restart:", "blood_thinner", self.blood_thinner)
        right = [group]

        group, form = self._group("Care team and follow-up")
        self.physician = QComboBox()
        self.physician.setEditable(True)
        self.physician.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.physician.setAccessibleName("Physician")
        self.physician.addItems(list(choices.physicians))
        self.physician.setCurrentIndex(-1)
        physician_edit = self.physician.lineEdit()
        assert physician_edit is not None  # editable combo box
        physician_edit.setPlaceholderText("choose or type")
        physician_edit.setMaxLength(MAX_LENGTH["physician"] * 2)
        self.follow_up = FollowUpField(today)
        self.caregiver = _line("Caregiver name", "caregiver")
        self._row(form, "Ph&ysician:", "physician", self.physician)
        form.addRow(self.follow_up)
        # "check this date" notes from the engine (request_warnings): the handout still prints
        self.follow_up_warning = notice_label("", "followUpWarning")
        # which fields the EHR record filled (dischargedesk --patient-context): check them
        self.record_note = notice_label("", "recordNote")
        self.record_note.setAccessibleName("Filled from the patient record")
        outer.insertWidget(0, self.record_note)  # at the very top: seen before anything else
        self.follow_up_warning.setAccessibleName("Follow-up date warning")
        form.addRow(self.follow_up_warning)
        self._boxes.update(self.follow_up.boxes)
        self._row(form, "Caregi&ver name:", "caregiver", self.caregiver)
        right.append(group)

        # the nurse's free text prints as typed (in English) in a translated handout: say
        # so under each of those fields (the field table marks them)
        self.untranslated_hints: dict[str, QLabel] = {}
        for name in sorted(UNTRANSLATED):
            field_box = self._boxes.get(name)
            if field_box is None:
                continue
            hint = QLabel()
            hint.setObjectName(f"untranslated_{name}")
            hint.setAccessibleName("Prints in English")
            hint.setTextFormat(Qt.TextFormat.PlainText)
            hint.setWordWrap(True)
            hint.setStyleSheet(UNTRANSLATED_STYLE)
            hint.hide()
            field_box.add_hint(hint)
            self.untranslated_hints[name] = hint

        self._columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._columns.setSpacing(6)
        self._column_widgets: list[QWidget] = []
        for groups in (left, right):
            column = QWidget()
            stack = QVBoxLayout(column)
            stack.setContentsMargins(0, 0, 0, 0)
            stack.setSpacing(6)
            for g in groups:
                stack.addWidget(g)
            stack.addStretch(1)
            self._columns.addWidget(column, 1)
            self._column_widgets.append(column)
        outer.addLayout(self._columns)
        outer.addStretch(1)

    def _connect(self) -> None:
        for edit in (self.patient_name, self.date_of_birth, self.mrn, self.blood_thinner,
                     self.caregiver, self.procedure_date):
            edit.textChanged.connect(self._emit)
        for combo in (self.procedure, self.anesthesia, self.language):
            combo.currentIndexChanged.connect(self._emit)
        self.language.currentIndexChanged.connect(self._update_untranslated_hints)
        self.physician.currentTextChanged.connect(self._emit)
        self.medications.textChanged.connect(self._emit)
        for check in (self.brace, self.opioids, self.large_print, self.bilingual,
                      *self.handout_checks.values()):
            check.toggled.connect(self._emit)
        self.levels.changed.connect(self._emit)
        self.follow_up.changed.connect(self._emit)
        self.procedure_date.textChanged.connect(self._update_date_warning)
        self.date_confirm.toggled.connect(self._on_date_confirmed)

    def _emit(self, *_: object) -> None:
        if not self._quiet:
            self.changed.emit()

    def _update_untranslated_hints(self, *_: object) -> None:
        """Under the free-text fields: in a handout of another language they print as
        typed, in English, each line marked for the interpreter."""
        code = str(self.language.currentData() or "en")
        text = "" if is_english(code) else (
            f"Will print in English, as typed, with a note in {language_name(code)} to "
            "ask the interpreter.")
        for hint in self.untranslated_hints.values():
            hint.setText(text)
            hint.setVisible(bool(text))

    # -- two columns where the width allows ----------------------------------------------
    def _margins(self) -> int:
        layout = self.layout()
        m = layout.contentsMargins() if layout is not None else None
        return m.left() + m.right() if m is not None else 0

    def one_column_width(self) -> int:
        widest = max(w.minimumSizeHint().width()
                     for w in (*self._column_widgets, self.handouts_group))
        return widest + self._margins()

    def two_column_width(self) -> int:
        """The width at which the sections stand side by side."""
        left, right = (w.sizeHint().width() for w in self._column_widgets)
        return left + right + self._columns.spacing() + self._margins()

    def two_columns(self) -> bool:
        return self._columns.direction() == QBoxLayout.Direction.LeftToRight

    def _arrange(self) -> None:
        wanted = (QBoxLayout.Direction.LeftToRight if self.width() >= self.two_column_width()
                  else QBoxLayout.Direction.TopToBottom)
        if self._columns.direction() != wanted:
            self._columns.setDirection(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    # -- the procedure date must be today or yesterday, or confirmed ----------------------
    def _procedure_day(self) -> dt.date | None:
        try:
            return self.procedure_date.value()
        except TypedValueError:
            return None

    def _update_date_warning(self, *_: object) -> None:
        day = self._procedure_day()
        unusual = day is not None and bool(procedure_date_warning(day, self._today()))
        if unusual and day is not None:
            self.date_confirm.setText(f"Yes, the procedure was on {weekday_date_text(day)}")
        self.date_confirm.blockSignals(True)
        self.date_confirm.setChecked(unusual and day == self._confirmed_date)
        self.date_confirm.blockSignals(False)
        self.date_warning.setVisible(unusual)
        self.confirm_changed.emit()

    def _on_date_confirmed(self, checked: bool) -> None:
        self._confirmed_date = self._procedure_day() if checked else None
        self.confirm_changed.emit()

    def fill_from_record(self, values: dict[str, Any], from_record: tuple[str, ...],
                         notes: tuple[str, ...] = ()) -> None:
        """Fill the form from an EHR patient context (values as the request reads them) and
        say which fields came from the record, so the nurse checks them. Values are set, not
        typed: they are the record's, and every rule still runs when the form is read."""
        self.clear_patient()
        self._quiet = True
        try:
            for name, edit in (("patient_name", self.patient_name), ("mrn", self.mrn),
                               ("blood_thinner", self.blood_thinner),
                               ("caregiver", self.caregiver)):
                if isinstance(values.get(name), str):
                    edit.setText(values[name])
            for name, date_edit in (("date_of_birth", self.date_of_birth),
                                    ("procedure_date", self.procedure_date)):
                raw = values.get(name)
                if isinstance(raw, dt.date):
                    date_edit.set_value(raw)
                elif isinstance(raw, str):
                    date_edit.setText(raw)
            index = self.procedure.findData(values.get("procedure"))
            if index >= 0:
                self.procedure.setCurrentIndex(index)
            levels = values.get("levels")
            self.levels.set_from_record(list(levels) if isinstance(levels, list | tuple)
                                        else None, values.get("level_count"))
            if isinstance(values.get("physician"), str):
                self.physician.setEditText(values["physician"])
            if isinstance(values.get("language"), str):
                self.set_language(values["language"])
        finally:
            self._quiet = False
        names = [LABELS[n] for n in from_record if n in LABELS]
        text = ("Filled from the patient record: " + ", ".join(names) + ". Check each one "
                "against the wristband and the chart before printing.") if names else ""
        self.record_note.setText(" ".join([text, *notes]).strip())
        self.record_note.setVisible(bool(self.record_note.text()))
        self.changed.emit()

    def set_request_warnings(self, warnings: list[str]) -> None:
        """Show the engine's warnings for a valid request (empty list: hide)."""
        self.follow_up_warning.setText(" ".join(warnings))
        self.follow_up_warning.setVisible(bool(warnings))

    def unconfirmed_date(self) -> str:
        """Why Print and Save must wait ("" when they need not). Computed now: "today" may
        have moved on since the last edit."""
        day = self._procedure_day()
        if day is not None and procedure_date_warning(day, self._today()) and \
                self._confirmed_date != day:
            return "Confirm the procedure date in the form: it is not today or yesterday."
        return ""

    # -- keyboard order ----------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        """Every focusable input, in visual order (the caller applies setTabOrder)."""
        return [self.language, self.large_print, self.bilingual,
                *self.handout_checks.values(),
                self.patient_name, self.date_of_birth, self.mrn, self.procedure,
                self.procedure_date, self.date_confirm, *self.levels.focus_widgets(),
                self.anesthesia, self.brace, self.opioids, self.medications,
                self.blood_thinner, self.physician, *self.follow_up.focus_widgets(),
                self.caregiver]

    # -- values ------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Raw values in the shape ``HandoutRequest.from_mapping`` reads. A date or time that
        cannot be read raises RequestError naming the field: it is never replaced by
        another date (an empty procedure date is not "today")."""
        problem = self.date_of_birth.problem(LABELS["date_of_birth"])
        if problem:
            raise RequestError("date_of_birth", problem)
        problem = self.procedure_date.problem(LABELS["procedure_date"])
        if problem:
            raise RequestError("procedure_date", problem)
        procedure_date = self.procedure_date.value()
        if procedure_date is None:
            raise RequestError("procedure_date", "Enter the procedure date.")
        data: dict[str, Any] = {
            "procedure": self.procedure.currentData(),
            **self.levels.values(),
            "patient_name": self.patient_name.text(),
            "date_of_birth": self.date_of_birth.value(),
            "mrn": self.mrn.text(),
            "procedure_date": procedure_date,
            "anesthesia": self.anesthesia.currentData(),
            "brace": self.brace.isChecked(),
            "opioids": self.opioids.isChecked(),
            "medications": self.medications.toPlainText(),
            "blood_thinner": self.blood_thinner.text(),
            "physician": self.physician.currentText(),
            **self.follow_up.values(),
            "caregiver": self.caregiver.text(),
            "language": self.language.currentData(),
            "large_print": self.large_print.isChecked(),
            "bilingual": self.bilingual.isChecked(),
            "handouts": [k for k, c in self.handout_checks.items() if c.isChecked()],
        }
        return {k: v for k, v in data.items() if v is not None}

    def set_choices(self, choices: FormChoices, default_language: str | None = None) -> None:
        """Another clinic version (a checked share copy, a saved profile): its procedures,
        languages, physicians and handout names. Everything typed or chosen stays; a choice
        the new clinic does not offer stays selected, so the check names it instead of the
        form quietly picking another one."""
        self._quiet = True
        try:
            for combo, items in ((self.language, choices.languages),
                                 (self.procedure, choices.procedures)):
                current, text = combo.currentData(), combo.currentText()
                combo.clear()
                for code, name in items:
                    combo.addItem(name, code)
                index = combo.findData(current)
                if index < 0 and current is not None:
                    combo.addItem(text, current)
                    index = combo.count() - 1
                combo.setCurrentIndex(max(index, 0))
            typed = self.physician.currentText()
            self.physician.clear()
            self.physician.addItems(list(choices.physicians))
            self.physician.setCurrentIndex(-1)
            self.physician.setEditText(typed)
            for key, name in choices.handouts:
                if key in self.handout_checks:
                    self.handout_checks[key].setText(name)
                    self.handout_checks[key].setAccessibleName(name)
            codes = [code for code, _ in choices.languages]
            wanted = default_language or self.default_language
            self.default_language = wanted if wanted in codes else \
                (codes[0] if codes else wanted)
        finally:
            self._quiet = False  # not an edit: the caller refreshes the preview

    def set_language(self, code: str) -> None:
        index = self.language.findData(code)
        if index >= 0:
            self.language.setCurrentIndex(index)

    def reset_handout_choices(self) -> None:
        """The clinic's default language, regular print, both handouts: per patient, never
        carried over to the next one."""
        self.set_language(self.default_language)
        self._update_untranslated_hints()
        self.large_print.setChecked(False)
        self.bilingual.setChecked(False)
        for check in self.handout_checks.values():
            check.setChecked(True)

    def handout_summary(self) -> tuple[str, bool]:
        """("Spanish handouts, large print", True when not the clinic's default)."""
        code = str(self.language.currentData() or "")
        text = f"{language_name(code)} handouts"
        if self.large_print.isChecked():
            text += ", large print"
        if self.bilingual.isChecked():
            text += ", with English"
        unusual = code != self.default_language or self.large_print.isChecked() or \
            self.bilingual.isChecked()
        return text, unusual

    # -- errors ------------------------------------------------------------------------------
    def set_field_error(self, field: str, message: str) -> bool:
        """Show ``message`` under ``field``; False if the form has no such field."""
        if field in ("levels", "level_count"):
            self.levels.set_error(field, message)
            return True
        box = self._boxes.get(field)
        if box is None:
            return False
        box.set_error(message)
        return True

    def clear_errors(self) -> None:
        for box in self._boxes.values():
            box.set_error("")
        self.levels.set_error("levels", "")
        self.levels.set_error("level_count", "")

    def field_widget(self, field: str) -> QWidget | None:
        if field == "levels":
            return self.levels.typed
        if field == "level_count":
            return self.levels.count
        box = self._boxes.get(field)
        return box.inputs[0] if box else None

    # -- new patient -------------------------------------------------------------------------
    def has_patient_data(self) -> bool:
        texts = (self.patient_name.text(), self.date_of_birth.text(), self.mrn.text(),
                 self.medications.toPlainText(), self.blood_thinner.text(),
                 self.caregiver.text())
        return (any(t.strip() for t in texts) or self.levels.has_data()
                or self.follow_up.has_data())

    def clear_patient(self) -> None:
        """Clear everything about the patient, and the per-patient handout choices."""
        today = self._today()
        self._quiet = True
        try:
            for edit in (self.patient_name, self.date_of_birth, self.mrn, self.blood_thinner,
                         self.caregiver):
                edit.clear()
            self.medications.clear()
            self.procedure.setCurrentIndex(0)
            self.procedure_date.set_value(today)
            self._confirmed_date = None
            self.anesthesia.setCurrentIndex(self.anesthesia.findData(DEFAULT_ANESTHESIA))
            self.brace.setChecked(False)
            self.opioids.setChecked(False)
            self.physician.setCurrentIndex(-1)
            self.physician.clearEditText()
            self.levels.clear()
            self.follow_up.clear(today)
            self.reset_handout_choices()
            self.clear_errors()
            self.record_note.clear()
            self.record_note.hide()
        finally:
            self._quiet = False
        self.changed.emit()
        self.patient_name.setFocus(Qt.FocusReason.OtherFocusReason)

