"""Small building blocks of the form: a field with its inline error, the levels group and
the follow-up group. No rules here: the request validation decides what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QEvent, QLocale, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QShortcutEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from ..domain.calendar import (
    TypedValueError,
    date_example,
    parse_date_text,
    parse_time_text,
    weekday_date_text,
)
from ..domain.levels import MAX_LEVEL_COUNT, format_levels, level_tokens, parse_level, spine_order
from ..errors import RequestError
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
        self._box = box

    def add_hint(self, hint: QWidget) -> None:
        """A note under the input, above its error (e.g. "these lines print in English")."""
        self._box.insertWidget(self._box.count() - 1, hint)

    def set_error(self, text: str) -> None:
        self.error.show_message(text)
        for w in self.inputs:
            w.setAccessibleDescription(text)


class CheckBox(QCheckBox):
    """A checkbox whose mnemonic (Alt+letter) toggles it at once. Qt's default "animates"
    the click for 100 ms, so a quick Tab afterwards skipped the fields it enables and the
    next typing landed in the wrong field."""

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.Shortcut and isinstance(e, QShortcutEvent) and \
                not e.isAmbiguous():
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if self.isEnabled():
                self.click()
            return True
        return super().event(e)


def check_box(text: str, name: str) -> CheckBox:
    box = CheckBox(text)
    box.setAccessibleName(name)
    return box


def date_order(locale: QLocale | None = None) -> str:
    """"MDY", "DMY" or "YMD": the order of the locale's numeric short date format (en-US:
    MDY). "" (only YYYY-MM-DD) when the locale does not say: the C locale of an unset
    machine, or a short format with month names; a guess could read 03/04 the wrong way."""
    locale = locale or QLocale()
    fmt = locale.dateFormat(QLocale.FormatType.ShortFormat)
    first = {c: fmt.find(c) for c in "dMy" if c in fmt}
    if locale.language() == QLocale.Language.C or "MMM" in fmt or len(first) != 3:
        return ""
    return "".join({"d": "D", "M": "M", "y": "Y"}[c]
                   for c in sorted(first, key=lambda c: first[c]))


class DateEdit(QLineEdit):
    """A date typed as text: ``YYYY-MM-DD`` or the locale's numeric order (``03/04/1948`` in
    en-US), at any speed. What was typed stays until it reads as a date; then it is shown
    back as ISO with the weekday beside it ("Thu, Mar 4, 1948"). F4 or Alt+Down (or the
    button) opens a calendar. Nothing here ever turns one date into another."""

    def __init__(self, name: str, value: dt.date | None = None, order: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order = date_order() if order is None else order
        self.setAccessibleName(name)
        self.setMaxLength(24)
        pattern = {"Y": "YYYY", "M": "MM", "D": "DD"}
        local = "/".join(pattern[c] for c in self.order)
        self.setPlaceholderText("YYYY-MM-DD" if self.order in ("YMD", "") else
                                f"YYYY-MM-DD or {local}")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + 24)
        self.reading = QLabel()
        self.reading.setObjectName("dateReading")
        self.reading.setAccessibleName(f"{name} as read")
        self.reading.setTextFormat(Qt.TextFormat.PlainText)
        self.reading.setMinimumWidth(self.fontMetrics().horizontalAdvance("Wed, Sep 30, 2026"))
        self.calendar_button = QToolButton()
        self.calendar_button.setObjectName("calendarButton")
        self.calendar_button.setText("\u25be")  # a small down triangle, like a combo box
        self.calendar_button.setToolTip(f"Choose the {name.lower()} on a calendar (F4)")
        self.calendar_button.setAccessibleName(f"{name}: calendar")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F4 from the field
        self.calendar_button.clicked.connect(self.open_calendar)
        self.textChanged.connect(self._show_reading)
        self.editingFinished.connect(self._normalize)
        self.set_value(value)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self, self.calendar_button, self.reading)

    def value(self) -> dt.date | None:
        """None when empty; :class:`TypedValueError` when the text is not a date."""
        text = self.text().strip()
        return parse_date_text(text, self.order) if text else None

    def set_value(self, value: dt.date | None) -> None:
        self.setText(value.isoformat() if value else "")

    def problem(self, label: str) -> str:
        """The sentence for a text that is not a date (it names the field, not the value)."""
        try:
            self.value()
        except TypedValueError as exc:
            local = "" if self.order in ("YMD", "") else f" or {date_example(self.order)}"
            return (f"{label} {exc}; type it like 2026-11-30{local}, or pick it on the "
                    "calendar (F4).")
        return ""

    def _parsed(self) -> dt.date | None:
        try:
            return self.value()
        except TypedValueError:
            return None

    def _show_reading(self, *_: object) -> None:
        day = self._parsed()
        self.reading.setText(weekday_date_text(day) if day else "")

    def _normalize(self) -> None:
        day = self._parsed()
        if day is not None and self.text() != day.isoformat():
            self.setText(day.isoformat())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F4 or (
                event.key() == Qt.Key.Key_Down
                and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        menu = QMenu(self)
        menu.setObjectName("calendarPopup")
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(True)
        calendar.setFirstDayOfWeek(QLocale().firstDayOfWeek())
        day = self._parsed() or dt.date.today()
        calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def pick(chosen: QDate) -> None:
            self.set_value(dt.date(chosen.year(), chosen.month(), chosen.day()))
            menu.close()

        calendar.clicked.connect(pick)
        calendar.activated.connect(pick)
        menu.aboutToShow.connect(lambda: calendar.setFocus(Qt.FocusReason.PopupFocusReason))
        self.calendar = calendar  # for tests and accessibility tools
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))


class TimeEdit(QLineEdit):
    """An optional time of day typed as text (``14:30``, ``1430``, ``2:30 pm``); empty: no
    time. Always enabled, so the typing meant for it can never land in the next field."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMaxLength(12)
        self.setPlaceholderText("optional, e.g. 14:30")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("optional, e.g. 14:30") + 16)
        self.editingFinished.connect(self._normalize)

    def value(self) -> dt.time | None:
        text = self.text().strip()
        return parse_time_text(text) if text else None

    def problem(self, label: str) -> str:
        try:
            self.value()
        except TypedValueError as exc:
            return f"{label} {exc}; type it like 14:30 or 2:30 pm, or leave it empty."
        return ""

    def _normalize(self) -> None:
        try:
            value = self.value()
        except TypedValueError:
            return
        if value is not None and self.text() != value.strftime("%H:%M"):
            self.setText(value.strftime("%H:%M"))


class LevelsField(QWidget):
    """The spine picker and a text field for typing levels ("T12 L1", "T11-L1"), kept in
    sync both ways; or "levels not recorded" with a count."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = Notifier()
        self.picker = SpinePicker()
        self.typed = QLineEdit()
        self.typed.setObjectName("levelsTyped")
        self.typed.setAccessibleName("Levels treated")
        self.typed.setPlaceholderText("type, e.g. T12 L1 or T11-L1")
        self.typed.setMaxLength(80)
        self.selection = QLabel()
        self.selection.setObjectName("levelsSelection")
        self.selection.setWordWrap(True)
        self.selection.setAccessibleName("Levels selected")
        self.not_recorded = check_box("Levels not &recorded", "Levels not recorded")
        self.count = QSpinBox()
        self.count.setRange(1, MAX_LEVEL_COUNT)
        self.count.setAccessibleName("Number of levels")
        self.count.setEnabled(False)
        count_label = QLabel("Number o&f levels:")
        count_label.setBuddy(self.count)
        self.error = ErrorLabel("levels")
        self.count_error = ErrorLabel("level_count")

        typed_row = QHBoxLayout()
        typed_row.addWidget(self.typed, 1)
        typed_row.addWidget(self.selection, 1)
        count_row = QHBoxLayout()
        count_row.addWidget(self.not_recorded)
        count_row.addSpacing(12)
        count_row.addWidget(count_label)
        count_row.addWidget(self.count)
        count_row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addLayout(typed_row)
        box.addWidget(self.error)
        # the picker and the count go on a row of their own, under the label column too
        self.below = QWidget()
        below = QVBoxLayout(self.below)
        below.setContentsMargins(0, 0, 0, 0)
        below.setSpacing(4)
        below.addWidget(self.picker, 0, Qt.AlignmentFlag.AlignLeft)
        below.addLayout(count_row)
        below.addWidget(self.count_error)

        self._syncing = False
        self.picker.changed.connect(self._on_picked)
        self.typed.textEdited.connect(self._on_typed)
        self.typed.editingFinished.connect(self._tidy_typed)
        self.not_recorded.toggled.connect(self._on_mode)
        self.count.valueChanged.connect(self._on_changed)
        self._on_changed()

    def focus_widgets(self) -> list[QWidget]:
        return [self.typed, *self.picker.buttons(), self.not_recorded, self.count]

    def set_from_record(self, levels: list[str] | None, count: int | None) -> None:
        """Levels (or only their number) from the EHR record; the typed field shows them."""
        if levels:
            self.picker.set_levels(spine_order(levels))
        elif count:
            self.not_recorded.setChecked(True)
            self.count.setValue(count)

    def _typed_levels(self) -> list[str] | None:
        """The typed text as levels, or None when a piece of it is not a level."""
        names = [parse_level(t) for t in level_tokens(self.typed.text())]
        return None if None in names else spine_order(n for n in names if n)

    def _on_typed(self, *_: object) -> None:
        names = self._typed_levels()
        if names is not None and len(names) <= MAX_LEVEL_COUNT:
            self._syncing = True
            try:
                self.picker.set_levels(names)
            finally:
                self._syncing = False
        self._on_changed()

    def _on_picked(self) -> None:
        if not self._syncing:
            self.typed.setText(format_levels(self.picker.levels()))
        self._on_changed()

    def _tidy_typed(self) -> None:
        names = self._typed_levels()
        if names is not None and len(names) <= MAX_LEVEL_COUNT:
            self.typed.setText(format_levels(names))

    def _on_mode(self, not_recorded: bool) -> None:
        self.picker.setEnabled(not not_recorded)
        self.typed.setEnabled(not not_recorded)
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
        names = self._typed_levels()
        if names is None or len(names) > MAX_LEVEL_COUNT:
            return {"levels": self.typed.text()}  # the validation names what is wrong
        return {"levels": self.picker.levels()}

    def has_data(self) -> bool:
        return bool(self.picker.levels() or self.typed.text().strip()) or \
            self.not_recorded.isChecked()

    def clear(self) -> None:
        self.picker.clear()
        self.typed.clear()
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
        self.enabled = check_box("Follow-up appointment boo&ked", "Follow-up appointment booked")
        self.date = DateEdit("Follow-up date", today + dt.timedelta(days=14))
        self.time = TimeEdit("Follow-up time")
        self.with_whom = QLineEdit()
        self.with_whom.setAccessibleName("Follow-up with")
        self.with_whom.setPlaceholderText("e.g. Dr. Rivera")
        self.where = QLineEdit()
        self.where.setAccessibleName("Follow-up place")
        self.where.setPlaceholderText("e.g. Spine Center, 2nd floor")
        self.boxes = {
            "follow_up_date": FieldBox("follow_up_date", *self.date.widgets(),
                                       stretch_last=False),
            "follow_up_time": FieldBox("follow_up_time", self.time, stretch_last=False),
            "follow_up_with": FieldBox("follow_up_with", self.with_whom),
            "follow_up_where": FieldBox("follow_up_where", self.where),
        }
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(12, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, field, buddy in (("Follow-up dat&e:", "follow_up_date", self.date),
                                   ("Follow-up time:", "follow_up_time", self.time),
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
        for signal in (self.date.textChanged, self.time.textChanged,
                       self.with_whom.textChanged, self.where.textChanged):
            signal.connect(self._emit)
        self._sync()

    def focus_widgets(self) -> list[QWidget]:
        return [self.enabled, self.date, self.time, self.with_whom, self.where]

    def _emit(self, *_: object) -> None:
        self.changed.emit()

    def _sync(self, *_: object) -> None:
        self.details.setEnabled(self.enabled.isChecked())
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        """RequestError (naming the field) for a date or time that cannot be read."""
        if not self.enabled.isChecked():
            return {}
        problem = self.date.problem("Follow-up date")
        if problem:
            raise RequestError("follow_up_date", problem)
        if not self.date.text().strip():
            raise RequestError("follow_up_date", "Enter the follow-up date, or clear "
                               "“Follow-up appointment booked”.")
        problem = self.time.problem("Follow-up time")
        if problem:
            raise RequestError("follow_up_time", problem)
        out: dict[str, Any] = {"follow_up_date": self.date.value(),
                               "follow_up_with": self.with_whom.text(),
                               "follow_up_where": self.where.text()}
        time = self.time.value()
        if time is not None:
            out["follow_up_time"] = time
        return out

    def has_data(self) -> bool:
        return self.enabled.isChecked() and bool(self.with_whom.text() or self.where.text()
                                                 or self.time.text().strip())

    def clear(self, today: dt.date) -> None:
        self.enabled.setChecked(False)
        self.time.clear()
        self.date.set_value(today + dt.timedelta(days=14))
        self.with_whom.clear()
        self.where.clear()

    def set_error(self, field: str, text: str) -> None:
        self.boxes[field].set_error(text)

    def clear_errors(self) -> None:
        for box in self.boxes.values():
            box.set_error("")
