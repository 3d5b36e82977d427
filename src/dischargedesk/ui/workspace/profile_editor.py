"""The clinic profile editor: identity, phones and every clinical parameter, validated."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...clinic.editing import update_profile
from ...clinic.parameters import PARAMETERS, Parameter
from ...clinic.profile import ClinicProfile
from ...errors import ClinicProfileError, DischargeDeskError
from ..errors import show_error

log = logging.getLogger("dischargedesk.ui")

IDENTITY = (("name", "Clinic &name"), ("phone", "&Phone"),
            ("after_hours_phone", "&After-hours phone"),
            ("emergency_number", "&Emergency number"), ("portal_name", "Portal n&ame"),
            ("portal_url", "Portal &web address"))
CHOICE_TEXT = {"until_follow_up": "until the follow-up visit",
               "until_cleared": "until the doctor clears it",
               "911": "call 911", "clinic": "call the clinic now"}


class ProfileEditor(QWidget):
    saved = Signal(object)  # the reloaded ClinicProfile

    def __init__(self, clinic: ClinicProfile, *, read_only: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.fields: dict[str, QLineEdit] = {}
        self.params: dict[str, QWidget] = {}
        form = QFormLayout()
        for key, label in IDENTITY:
            edit = QLineEdit(str(getattr(clinic, key)))
            edit.setObjectName(f"profile_{key}")
            edit.setAccessibleName(label.replace("&", ""))
            form.addRow(label, edit)
            self.fields[key] = edit
        for p in PARAMETERS:
            widget = self._param_widget(p, clinic.parameters[p.key])
            widget.setObjectName(f"param_{p.key}")
            widget.setToolTip(p.description)
            widget.setAccessibleName(_label(p))
            widget.setAccessibleDescription(p.description)
            form.addRow(_label(p), widget)
            self.params[p.key] = widget
        self.message = QLabel()
        self.message.setObjectName("profileMessage")
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save clinic &profile")
        self.save_button.clicked.connect(self.save)
        inner = QWidget()
        v = QVBoxLayout(inner)
        v.addLayout(form)
        v.addWidget(self.message)
        v.addWidget(self.save_button)
        v.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        for w in (*self.fields.values(), *self.params.values(), self.save_button):
            w.setEnabled(not read_only)

    @staticmethod
    def _param_widget(p: Parameter, value: Any) -> QWidget:
        if p.choices:
            combo = QComboBox()
            for choice in p.choices:
                combo.addItem(CHOICE_TEXT.get(choice, choice), choice)
            combo.setCurrentIndex(p.choices.index(value))
            return combo
        spin: QDoubleSpinBox | QSpinBox
        if p.kind is float:
            spin = QDoubleSpinBox()
            spin.setDecimals(1)
            spin.setSingleStep(0.1 if p.unit == "°F" else 1.0)
            spin.setRange(float(p.minimum or 0), float(p.maximum or 999))
            spin.setValue(float(value))
        else:
            spin = QSpinBox()
            spin.setRange(int(p.minimum or 0), int(p.maximum or 999))
            spin.setValue(int(value))
        spin.setSuffix(f" {p.unit}")
        return spin

    def values(self) -> tuple[dict[str, str], dict[str, Any]]:
        identity = {k: e.text().strip() for k, e in self.fields.items()}
        params: dict[str, Any] = {}
        for p in PARAMETERS:
            w = self.params[p.key]
            if isinstance(w, QComboBox):
                params[p.key] = w.currentData()
            elif isinstance(w, QDoubleSpinBox):
                params[p.key] = round(w.value(), 1)
            elif isinstance(w, QSpinBox):
                params[p.key] = w.value()
        return identity, params

    def save(self) -> None:
        if self.clinic.folder is None:
            return
        identity, params = self.values()
        try:
            clinic = update_profile(self.clinic.folder, identity, params)
        except ClinicProfileError as exc:
            self.message.setText(exc.detail)
            self.message.setStyleSheet("color:#9a1b12;")
            log.warning("profile save refused: %s", exc.key or "profile")
            return
        except DischargeDeskError as exc:
            show_error(self, exc)
            return
        self.clinic = clinic
        self.message.setText("Saved.")
        self.message.setStyleSheet("color:#0b5d1e;")
        log.info("clinic profile saved")
        self.saved.emit(clinic)


def _label(p: Parameter) -> str:
    return p.key.replace("_", " ").capitalize()
