"""Small building blocks of the form: a field with its inline error, the levels group and
the follow-up group. No rules here: the request validation decides what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.levels import MAX_LEVEL_COUNT
from .notify import Notifier
from .spine_picker import SpinePicker

ERROR_STYLE = "color: #b3261e; font-size: 90%;"  # 6.0:1 on white


class ErrorLabel(QLabel):
    """A small red sentence under a field; hidden while there is nothing to say."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"error_{field}")
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Error")
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))


class FieldBox(QWidget):
    """An input (or a row of inputs) with its error label underneath."""

    def __init__(self, field: str, *inputs: QWidget, stretch_last: bool = True) -> None:
        super().__init__()
        self.setObjectName(f"box_{field}")
        self.inputs = inputs
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        if len(inputs) == 1:
            box.addWidget(inputs[0])
        else:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            for w in inputs:
                row.addWidget(w)
            if not stretch_last:
                row.addStretch(1)
            box.addLayout(row)
        self.error = ErrorLabel(field)
        box.addWidget(self.error)

    def set_error(self, text: str) -> None:
        self.error.show_message(text)
        for w in self.inputs:
            w.setAccessibleDescription(text)


class DateEdit(QDateEdit):
    """Tab leaves the field (Qt's default walks year, month, day first); arrows still do."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class TimeEdit(QTimeEdit):
    """Tab leaves the field, like every other input of the form."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def date_edit(name: str, value: dt.date) -> QDateEdit:
    edit = DateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("0000-00-00") + 60)
    return edit


def to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class LevelsField(QWidget):
    """The spine picker with its selection text, or "levels not recorded" with a count."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = Notifier()
        self.picker = SpinePicker()
        self.selection = QLabel()
        self.selection.setObjectName("levelsSelection")
        self.selection.setWordWrap(True)
        self.selection.setAccessibleName("Levels selected")
        self.not_recorded = QCheckBox("Levels not &recorded")
        self.not_recorded.setAccessibleName("Levels not recorded")
        self.count = QSpinBox()
        self.count.setRange(1, MAX_LEVEL_COUNT)
        self.count.setAccessibleName("Number of levels")
        self.count.setEnabled(False)
        count_label = QLabel("Number o&f levels:")
        count_label.setBuddy(self.count)
        self.error = ErrorLabel("levels")
        self.count_error = ErrorLabel("level_count")

        side = QVBoxLayout()
        side.setSpacing(6)
        side.addWidget(QLabel("Selected:"))
        side.addWidget(self.selection)
        side.addSpacing(12)
        side.addWidget(self.not_recorded)
        row = QHBoxLayout()
        row.addWidget(count_label)
        row.addWidget(self.count)
        row.addStretch(1)
        side.addLayout(row)
        side.addWidget(self.count_error)
        side.addWidget(self.error)
        side.addStretch(1)
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.picker, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(12)
        top.addLayout(side, 1)

        self.picker.changed.connect(self._on_changed)
        self.not_recorded.toggled.connect(self._on_mode)
        self.count.valueChanged.connect(self._on_changed)
        self._on_changed()

    def focus_widgets(self) -> list[QWidget]:
        return [*self.picker.buttons(), self.not_recorded, self.count]

    def _on_mode(self, not_recorded: bool) -> None:
        self.picker.setEnabled(not not_recorded)
        self.count.setEnabled(not_recorded)
        self._on_changed()

    def _on_changed(self, *_: object) -> None:
        if self.not_recorded.isChecked():
            self.selection.setText(f"not recorded ({self.count.value()})")
        else:
            self.selection.setText(self.picker.selection_text())
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        if self.not_recorded.isChecked():
            return {"level_count": self.count.value()}
        return {"levels": self.picker.levels()}

    def has_data(self) -> bool:
        return bool(self.picker.levels()) or self.not_recorded.isChecked()

    def clear(self) -> None:
        self.picker.clear()
        self.not_recorded.setChecked(False)
        self.count.setValue(1)

    def set_error(self, field: str, text: str) -> None:
        (self.count_error if field == "level_count" else self.error).show_message(text)
        self.setAccessibleDescription(text)


class FollowUpField(QWidget):
    """Optional follow-up appointment: a checkbox enables date, time, with whom and where."""

    FIELDS = ("follow_up_date", "follow_up_time", "follow_up_with", "follow_up_where")

    def __init__(self, today: dt.date) -> None:
        super().__init__()
        self.changed = Notifier()
        self.enabled = QCheckBox("Follow-up appointment boo&ked")
        self.enabled.setAccessibleName("Follow-up appointment booked")
        self.date = date_edit("Follow-up date", today + dt.timedelta(days=14))
        self.time_set = QCheckBox("&Set a time")
        self.time_set.setAccessibleName("Follow-up time: set a time")
        self.time = TimeEdit(QTime(9, 0))
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Follow-up time")
        self.with_whom = QLineEdit()
        self.with_whom.setAccessibleName("Follow-up with")
        self.with_whom.setPlaceholderText("e.g. Dr. Rivera")
        self.where = QLineEdit()
        self.where.setAccessibleName("Follow-up place")
        self.where.setPlaceholderText("e.g. Spine Center, 2nd floor")
        self.boxes = {
            "follow_up_date": FieldBox("follow_up_date", self.date, stretch_last=False),
            "follow_up_time": FieldBox("follow_up_time", self.time_set, self.time,
                                       stretch_last=False),
            "follow_up_with": FieldBox("follow_up_with", self.with_whom),
            "follow_up_where": FieldBox("follow_up_where", self.where),
        }
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(24, 0, 0, 0)
        for text, field, buddy in (("Follow-up dat&e:", "follow_up_date", self.date),
                                   ("Follow-up time:", "follow_up_time", self.time_set),
                                   ("Follow-up wit&h:", "follow_up_with", self.with_whom),
                                   ("Follo&w-up place:", "follow_up_where", self.where)):
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, self.boxes[field])
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.enabled)
        box.addWidget(self.details)
        self.enabled.toggled.connect(self._sync)
        self.time_set.toggled.connect(self._sync)
        for signal in (self.date.dateChanged, self.time.timeChanged,
                       self.with_whom.textChanged, self.where.textChanged):
            signal.connect(self._emit)
        self._sync()

    def focus_widgets(self) -> list[QWidget]:
        return [self.enabled, self.date, self.time_set, self.time, self.with_whom, self.where]

    def _emit(self, *_: object) -> None:
        self.changed.emit()

    def _sync(self, *_: object) -> None:
        on = self.enabled.isChecked()
        self.details.setEnabled(on)
        self.time.setEnabled(on and self.time_set.isChecked())
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        if not self.enabled.isChecked():
            return {}
        out: dict[str, Any] = {"follow_up_date": to_date(self.date.date()),
                               "follow_up_with": self.with_whom.text(),
                               "follow_up_where": self.where.text()}
        if self.time_set.isChecked():
            t = self.time.time()
            out["follow_up_time"] = dt.time(t.hour(), t.minute())
        return out

    def has_data(self) -> bool:
        return self.enabled.isChecked() and bool(self.with_whom.text() or self.where.text()
                                                 or self.time_set.isChecked())

    def clear(self, today: dt.date) -> None:
        self.enabled.setChecked(False)
        self.time_set.setChecked(False)
        self.time.setTime(QTime(9, 0))
        self.date.setDate(QDate(today.year, today.month, today.day).addDays(14))
        self.with_whom.clear()
        self.where.clear()

    def set_error(self, field: str, text: str) -> None:
        self.boxes[field].set_error(text)

    def clear_errors(self) -> None:
        for box in self.boxes.values():
            box.set_error("")
