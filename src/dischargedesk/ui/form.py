"""The discharge form: widgets -> a dict of raw values; shows the field errors it is given.

The form knows no rules: :meth:`HandoutForm.values` returns what was typed in the shape
``HandoutRequest.from_mapping`` reads, and the caller shows any ``RequestError`` with
:meth:`HandoutForm.set_field_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.clinic import ClinicProfile
from ..domain.request import HANDOUTS, MAX_LENGTH
from ..errors import DischargeDeskError
from ..render.language import available_languages, load_pack
from .fields import FieldBox, FollowUpField, LevelsField, date_edit, to_date
from .notify import Notifier

ANESTHESIA_CHOICES = (("local", "Local anesthetic only"), ("sedation", "Sedation"),
                      ("general", "General anesthesia"))
DEFAULT_ANESTHESIA = "sedation"
FALLBACK_HANDOUT_NAMES = {"discharge": "Discharge instructions", "recovery": "Recovery plan"}


@dataclass(frozen=True)
class FormChoices:
    """What the clinic offers: procedures and languages (code, shown name), physicians."""

    procedures: tuple[tuple[str, str], ...]
    physicians: tuple[str, ...]
    languages: tuple[tuple[str, str], ...]
    handouts: tuple[tuple[str, str], ...]


def _pack_or_none(code: str, clinic: ClinicProfile) -> Any:
    try:
        return load_pack(code, clinic.templates_dir)
    except (KeyError, DischargeDeskError):
        return None


def choices_for(clinic: ClinicProfile, offered: tuple[str, ...] = ()) -> FormChoices:
    """Display names come from the English language pack (the form is in English).
    ``offered`` (site setting ``languages``) limits the languages; empty offers all."""
    pack = _pack_or_none("en", clinic)
    names = dict(pack.procedures) if pack else {}
    procedures = tuple((pid, names.get(pid, pid.replace("-", " ").capitalize()))
                       for pid in clinic.procedures)
    languages = []
    for code in available_languages(clinic.templates_dir):
        if offered and code not in offered:
            continue
        lp = _pack_or_none(code, clinic)
        languages.append((code, f"{lp.name} ({code})" if lp else code))
    handout_names = dict(pack.handouts) if pack else {}
    handouts = tuple((k, handout_names.get(k, FALLBACK_HANDOUT_NAMES[k])) for k in HANDOUTS)
    return FormChoices(procedures, tuple(clinic.physicians), tuple(languages), handouts)


def _line(name: str, field: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(MAX_LENGTH[field] * 2)  # the validation names the real limit
    return edit


class HandoutForm(QWidget):
    """All inputs of one patient's handouts. Emits ``changed`` on every edit."""

    def __init__(self, choices: FormChoices, today: Callable[[], dt.date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.changed = Notifier()
        self._quiet = False
        self.setObjectName("handoutForm")
        self._today = today
        self._boxes: dict[str, FieldBox] = {}
        self._build(choices)
        self._connect()

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
        return group, form

    def _build(self, choices: FormChoices) -> None:
        today = self._today()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(10)

        group, form = self._group("Patient")
        self.patient_name = _line("Patient name", "patient_name")
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setAccessibleName("Date of birth")
        self.date_of_birth.setPlaceholderText("YYYY-MM-DD, for example 1948-03-04")
        self.date_of_birth.setMaxLength(20)
        self.mrn = _line("MRN", "mrn")
        self.mrn.setPlaceholderText("date of birth, MRN, or both")
        self._row(form, "Patient &name:", "patient_name", self.patient_name)
        self._row(form, "Date of &birth:", "date_of_birth", self.date_of_birth)
        self._row(form, "&MRN:", "mrn", self.mrn)
        outer.addWidget(group)

        group, form = self._group("Procedure")
        self.procedure = QComboBox()
        self.procedure.setAccessibleName("Procedure")
        for pid, name in choices.procedures:
            self.procedure.addItem(name, pid)
        self.procedure_date = date_edit("Procedure date", today)
        self.anesthesia = QComboBox()
        self.anesthesia.setAccessibleName("Anesthesia")
        for key, name in ANESTHESIA_CHOICES:
            self.anesthesia.addItem(name, key)
        self.anesthesia.setCurrentIndex(self.anesthesia.findData(DEFAULT_ANESTHESIA))
        self.levels = LevelsField()
        self.brace = QCheckBox("Bra&ce prescribed")
        self.brace.setAccessibleName("Brace prescribed")
        self.opioids = QCheckBox("&Opioid pain medicine prescribed")
        self.opioids.setAccessibleName("Opioid pain medicine prescribed")
        self._row(form, "&Procedure:", "procedure", self.procedure)
        self._row(form, "Procedure &date:", "procedure_date", self.procedure_date,
                  stretch_last=False)
        levels_label = QLabel("&Levels treated:")
        levels_label.setBuddy(self.levels.picker.current_button())
        self._levels_label = levels_label
        form.addRow(levels_label)
        form.addRow(self.levels)
        self._row(form, "&Anesthesia:", "anesthesia", self.anesthesia)
        self._row(form, "", "brace", self.brace)
        self._row(form, "", "opioids", self.opioids)
        outer.addWidget(group)

        group, form = self._group("Medicines")
        self.medications = QPlainTextEdit()
        self.medications.setAccessibleName("Medication instructions")
        self.medications.setTabChangesFocus(True)  # Tab must not be a keyboard trap
        self.medications.setPlaceholderText("One medicine per line, for example:\n"
                                            "Oxycodone 5 mg: 1 tablet every 6 hours if needed")
        lines = self.medications.fontMetrics().lineSpacing()
        self.medications.setMinimumHeight(lines * 4 + 12)
        self.medications.setMaximumHeight(lines * 8 + 12)
        self.blood_thinner = _line("Blood thinner restart", "blood_thinner")
        self.blood_thinner.setPlaceholderText("e.g. restart apixaban tomorrow")
        med_label = QLabel("Medication &instructions:")
        med_label.setBuddy(self.medications)
        form.addRow(med_label)
        self._row(form, "", "medications", self.medications)
        self._row(form, "Blood &thinner restart:", "blood_thinner", self.blood_thinner)
        outer.addWidget(group)

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
        self._boxes.update(self.follow_up.boxes)
        self._row(form, "Caregi&ver name:", "caregiver", self.caregiver)
        outer.addWidget(group)

        group, form = self._group("Handouts")
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        for code, name in choices.languages:
            self.language.addItem(name, code)
        self.large_print = QCheckBox("Lar&ge print (18 pt)")
        self.large_print.setAccessibleName("Large print")
        self.handout_checks: dict[str, QCheckBox] = {}
        for key, name in choices.handouts:
            check = QCheckBox(name)
            check.setAccessibleName(name)
            check.setChecked(True)
            self.handout_checks[key] = check
        self._row(form, "Lang&uage:", "language", self.language)
        self._row(form, "", "large_print", self.large_print)
        self._row(form, "Print:", "handouts", *self.handout_checks.values(), stretch_last=False)
        outer.addWidget(group)
        outer.addStretch(1)

    def _connect(self) -> None:
        for edit in (self.patient_name, self.date_of_birth, self.mrn, self.blood_thinner,
                     self.caregiver):
            edit.textChanged.connect(self._emit)
        for combo in (self.procedure, self.anesthesia, self.language):
            combo.currentIndexChanged.connect(self._emit)
        self.physician.currentTextChanged.connect(self._emit)
        self.procedure_date.dateChanged.connect(self._emit)
        self.medications.textChanged.connect(self._emit)
        for check in (self.brace, self.opioids, self.large_print,
                      *self.handout_checks.values()):
            check.toggled.connect(self._emit)
        self.levels.changed.connect(self._emit)
        self.levels.picker.changed.connect(self._follow_roving_stop)
        self.follow_up.changed.connect(self._emit)

    def _emit(self, *_: object) -> None:
        if not self._quiet:
            self.changed.emit()

    def _follow_roving_stop(self) -> None:
        self._levels_label.setBuddy(self.levels.picker.current_button())

    # -- keyboard order ----------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        """Every focusable input, in visual order (the caller applies setTabOrder)."""
        return [self.patient_name, self.date_of_birth, self.mrn, self.procedure,
                self.procedure_date, *self.levels.focus_widgets(), self.anesthesia, self.brace,
                self.opioids, self.medications, self.blood_thinner, self.physician,
                *self.follow_up.focus_widgets(), self.caregiver, self.language,
                self.large_print, *self.handout_checks.values()]

    # -- values ------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Raw values in the shape ``HandoutRequest.from_mapping`` reads (no checking)."""
        dob_text = self.date_of_birth.text().strip()
        try:
            dob: Any = dt.date.fromisoformat(dob_text) if dob_text else None
        except ValueError:
            dob = dob_text  # the validation explains the expected form
        data: dict[str, Any] = {
            "procedure": self.procedure.currentData(),
            **self.levels.values(),
            "patient_name": self.patient_name.text(),
            "date_of_birth": dob,
            "mrn": self.mrn.text(),
            "procedure_date": to_date(self.procedure_date.date()),
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
            "handouts": [k for k, c in self.handout_checks.items() if c.isChecked()],
        }
        return {k: v for k, v in data.items() if v is not None}

    def set_language(self, code: str) -> None:
        index = self.language.findData(code)
        if index >= 0:
            self.language.setCurrentIndex(index)

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
            return self.levels.picker.current_button()
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
        """Clear everything about the patient; keep the handout preferences."""
        today = self._today()
        self._quiet = True
        try:
            for edit in (self.patient_name, self.date_of_birth, self.mrn, self.blood_thinner,
                         self.caregiver):
                edit.clear()
            self.medications.clear()
            self.procedure.setCurrentIndex(0)
            self.procedure_date.setDate(QDate(today.year, today.month, today.day))
            self.anesthesia.setCurrentIndex(self.anesthesia.findData(DEFAULT_ANESTHESIA))
            self.brace.setChecked(False)
            self.opioids.setChecked(False)
            self.physician.setCurrentIndex(-1)
            self.physician.clearEditText()
            self.levels.clear()
            self.follow_up.clear(today)
            self.clear_errors()
        finally:
            self._quiet = False
        self.changed.emit()
        self.patient_name.setFocus(Qt.FocusReason.OtherFocusReason)

