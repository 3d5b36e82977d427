"""The nurse's keyboard at typing speed: every key goes to whichever widget has focus now
(QApplication.focusWidget()), as it does at a real keyboard. No value setters.

Dates, levels and times are typed; the wheel is turned over fields without focus; the
mnemonics, Tab and New patient must bring the focused field into view; the procedure date
must be confirmed when it is not today or yesterday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from .conftest import MRN, PATIENT, WAIT_MS, click_check, fill_minimal, wait_for_preview

TODAY = dt.date.today()  # the window validates against the real clock


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_keys(qtbot: Any, text: str) -> None:
    """One key at a time, each to the widget that has focus at that moment."""
    for ch in text:
        qtbot.keyClick(focus(), ch)


def press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier =
          Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focus(), key, modifier)


def alt(qtbot: Any, window: Any, letter: str) -> None:
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{letter.upper()}"),
                   Qt.KeyboardModifier.AltModifier)


def click_into(qtbot: Any, widget: QWidget) -> None:
    """Focus a text field by clicking it, then select what is there (typing replaces it)."""
    widget.window().activateWindow()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: focus() is widget)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def error_text(window: Any, field: str) -> str:
    label = window.form.findChild(QLabel, f"error_{field}")
    return label.text() if label is not None and label.isVisible() else ""


def visible_in_scroll(window: Any, widget: QWidget) -> bool:
    viewport = window.form_scroll.viewport()
    rect = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
    return viewport.rect().contains(rect)


@pytest.fixture
def us_locale() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def us_window(us_locale: None, window: Any) -> Any:
    return window


# -- 1. dates --------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["2026-12-16", "2026-11-30", "20261216", "12/16/2026"])
def test_procedure_date_typed_at_typing_speed(qtbot, us_window, typed):
    form = us_window.form
    click_into(qtbot, form.procedure_date)
    type_keys(qtbot, typed)
    assert focus() is form.procedure_date  # "-" and "/" never move the focus out
    press(qtbot, Qt.Key.Key_Tab)
    expected = {"2026-11-30": dt.date(2026, 11, 30)}.get(typed, dt.date(2026, 12, 16))
    assert form.values()["procedure_date"] == expected
    assert form.procedure_date.text() == expected.isoformat()  # shown back as ISO
    weekday = expected.strftime("%a, %b ") + f"{expected.day}, {expected.year}"
    assert form.procedure_date.reading.text() == weekday


def test_date_of_birth_in_the_locale_form_and_iso(qtbot, us_window):
    form = us_window.form
    alt(qtbot, us_window, "b")
    assert focus() is form.date_of_birth
    type_keys(qtbot, "03/04/1948")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.mrn
    assert form.values()["date_of_birth"] == dt.date(1948, 3, 4)  # March 4 in en-US
    assert form.date_of_birth.text() == "1948-03-04"
    assert form.date_of_birth.reading.text() == "Thu, Mar 4, 1948"
    click_into(qtbot, form.date_of_birth)
    type_keys(qtbot, "1950-06-15")
    press(qtbot, Qt.Key.Key_Tab)
    assert form.values()["date_of_birth"] == dt.date(1950, 6, 15)


def test_follow_up_date_typed(qtbot, us_window):
    form = us_window.form
    fill_minimal(qtbot, us_window)
    alt(qtbot, us_window, "k")  # booked
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.follow_up.date
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "2026-12-16")
    press(qtbot, Qt.Key.Key_Tab)
    assert form.values()["follow_up_date"] == dt.date(2026, 12, 16)
    click_into(qtbot, form.follow_up.date)
    type_keys(qtbot, "12/17/2026")
    press(qtbot, Qt.Key.Key_Tab)
    assert form.values()["follow_up_date"] == dt.date(2026, 12, 17)


@pytest.mark.parametrize(("typed", "words"), [
    ("2026-12-", "not a complete date"), ("2/30/2026", "not a real date"),
    ("3/4/26", "four digits"), ("", "Enter the procedure date"),
])
def test_a_date_that_cannot_be_read_is_kept_and_explained(qtbot, us_window, typed, words):
    window = us_window
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    click_into(qtbot, window.form.procedure_date)
    if typed:
        type_keys(qtbot, typed)
    else:
        press(qtbot, Qt.Key.Key_Delete)
    press(qtbot, Qt.Key.Key_Tab)
    assert window.form.procedure_date.text() == typed  # kept as typed, never another date
    qtbot.waitUntil(lambda: words in error_text(window, "procedure_date"), timeout=WAIT_MS)
    assert not window.print_action.isEnabled() and not window.save_action.isEnabled()
    assert window.form.procedure_date.reading.text() == ""


def test_calendar_popup_picks_a_date(qtbot, us_window):
    form = us_window.form
    click_into(qtbot, form.procedure_date)
    press(qtbot, Qt.Key.Key_F4)
    calendar = form.procedure_date.calendar
    qtbot.waitUntil(calendar.isVisible, timeout=WAIT_MS)
    assert calendar.selectedDate().toPython() == TODAY
    qtbot.keyClick(focus(), Qt.Key.Key_Left)  # the day before
    qtbot.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=WAIT_MS)
    assert form.values()["procedure_date"] == TODAY - dt.timedelta(days=1)


# -- 1. the procedure date must be confirmed unless it is today or yesterday ------------------
def test_unusual_procedure_date_must_be_confirmed_before_print_and_save(qtbot, window,
                                                                       questions):
    form = window.form
    fill_minimal(qtbot, window)
    qtbot.waitUntil(window.print_action.isEnabled, timeout=WAIT_MS)
    assert not form.date_warning.isVisible()
    ten_days_ago = TODAY - dt.timedelta(days=10)
    click_into(qtbot, form.procedure_date)
    type_keys(qtbot, ten_days_ago.isoformat())
    assert form.date_warning.isVisible()
    assert "not today or yesterday" in form.date_warning_text.text()
    wait_for_preview(qtbot, window)  # the preview shows it; Print and Save wait
    assert not window.print_action.isEnabled() and not window.save_action.isEnabled()
    assert "Confirm the procedure date" in window.status_label.text()
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert list(questions.folder.iterdir()) == []  # the shortcut writes nothing either
    from .conftest import close_message_boxes

    close_message_boxes()
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.date_confirm  # one key: Space
    assert ten_days_ago.strftime("%b") in form.date_confirm.text()
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(window.print_action.isEnabled, timeout=WAIT_MS)
    assert window.save_action.isEnabled()
    # another unusual date needs its own confirmation
    click_into(qtbot, form.procedure_date)
    type_keys(qtbot, (TODAY + dt.timedelta(days=3)).isoformat())
    assert not form.date_confirm.isChecked()
    qtbot.waitUntil(lambda: not window.print_action.isEnabled(), timeout=WAIT_MS)
    # yesterday needs none
    click_into(qtbot, form.procedure_date)
    type_keys(qtbot, (TODAY - dt.timedelta(days=1)).isoformat())
    assert not form.date_warning.isVisible()
    qtbot.waitUntil(window.print_action.isEnabled, timeout=WAIT_MS)


# -- 2. the wheel ------------------------------------------------------------------------------
def _wheel(widget: QWidget, steps: int = -1) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_never_changes_a_field_without_focus(qtbot, window):
    form = window.form
    window.resize(1024, 768)  # one column: the form scrolls
    click_check(qtbot, form.levels.not_recorded)  # enables the count spin box
    click_check(qtbot, form.follow_up.enabled)
    form.patient_name.setFocus()
    qtbot.waitUntil(lambda: focus() is form.patient_name)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    watched = {
        form.procedure: lambda: form.procedure.currentIndex(),
        form.anesthesia: lambda: form.anesthesia.currentIndex(),
        form.physician: lambda: form.physician.currentText(),
        form.language: lambda: form.language.currentIndex(),
        form.levels.count: lambda: form.levels.count.value(),
    }
    before = {w: read() for w, read in watched.items()}
    for widget in watched:
        for steps in (-1, 1, -1):
            _wheel(widget, steps)
    assert {w: read() for w, read in watched.items()} == before
    assert form.procedure_date.text() == TODAY.isoformat()
    # the wheel scrolled the form instead
    bar.setValue(0)
    _wheel(form.anesthesia, -1)
    assert bar.value() > 0
    # a field the nurse is in still takes the wheel
    form.anesthesia.setFocus()
    qtbot.waitUntil(lambda: focus() is form.anesthesia)
    _wheel(form.anesthesia, -1)
    assert form.anesthesia.currentIndex() != before[form.anesthesia]


def test_wheel_guard_covers_dialogs_too(qtbot):
    from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QSpinBox, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QVBoxLayout(dialog)
    edit, combo, spin = QLineEdit(), QComboBox(), QSpinBox()
    combo.addItems(["a", "b", "c"])
    for w in (edit, combo, spin):
        box.addWidget(w)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # never focused by the wheel
    edit.setFocus()
    _wheel(combo, -1)
    _wheel(spin, 1)
    assert combo.currentIndex() == 0 and spin.value() == 0


# -- 3. keyboard flow -------------------------------------------------------------------------
def test_levels_typed_beside_the_picker(qtbot, window):
    form = window.form
    picker = form.levels.picker
    alt(qtbot, window, "l")
    assert focus() is form.levels.typed
    qtbot.wait(300)  # a mnemonic on a level button used to toggle it after 100 ms
    assert picker.levels() == []
    type_keys(qtbot, "T12 L1")
    assert picker.levels() == ["T12", "L1"]
    assert form.values()["levels"] == ["T12", "L1"]
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, "t11-l1")
    assert picker.levels() == ["T11", "T12", "L1"]
    press(qtbot, Qt.Key.Key_Tab)
    assert form.levels.typed.text() == "T11 T12 L1"
    assert focus() is picker.current_button()  # Tab goes on to the picker
    qtbot.mouseClick(picker.button("L3"), Qt.MouseButton.LeftButton)
    assert form.levels.typed.text() == "T11 T12 L1 L3"  # and back: the picker writes it
    # typed levels are checked as the command line checks them
    click_into(qtbot, form.levels.typed)
    type_keys(qtbot, "T12 L9")
    qtbot.keyClicks(form.patient_name, PATIENT)
    qtbot.keyClicks(form.mrn, MRN)
    label = form.findChild(QLabel, "error_levels")
    # the message names the entry's position, never the typed text (issue 11: no values)
    qtbot.waitUntil(lambda: label.isVisible() and "entry 2" in label.text(), timeout=WAIT_MS)
    assert "L9" not in label.text()
    assert not window.print_action.isEnabled()
    assert form.values()["levels"] == "T12 L9"  # never the picker's last good reading


def test_time_cannot_swallow_the_next_fields_typing(qtbot, window):
    form = window.form
    fill_minimal(qtbot, window)
    alt(qtbot, window, "k")  # follow-up booked, then straight on: no pause
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.follow_up.time
    type_keys(qtbot, "1030")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Dr. Ana Rivera")
    values = form.values()
    assert values["follow_up_time"] == dt.time(10, 30)
    assert values["follow_up_with"] == "Dr. Ana Rivera"
    assert form.follow_up.time.text() == "10:30"
    text = wait_for_preview(qtbot, window)
    assert "1030Dr" not in text and "10:30 AM" in text


def test_bad_time_is_explained(qtbot, window):
    form = window.form
    fill_minimal(qtbot, window)
    click_check(qtbot, form.follow_up.enabled)
    click_into(qtbot, form.follow_up.time)
    type_keys(qtbot, "25:00")
    qtbot.waitUntil(lambda: "not a time of day" in error_text(window, "follow_up_time"),
                    timeout=WAIT_MS)
    assert not window.print_action.isEnabled()


@pytest.mark.parametrize("letter", ["v", "l", "y", "k", "n", "u", "w", "i"])
def test_mnemonic_scrolls_the_field_into_view(qtbot, window, letter):
    window.resize(1024, 768)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    click_check(qtbot, window.form.follow_up.enabled)
    # start at the other end of the form
    at_bottom = letter in "vykwi"
    (window.form.patient_name if at_bottom else window.form.caregiver).setFocus()
    qtbot.wait(10)
    bar.setValue(0 if at_bottom else bar.maximum())
    alt(qtbot, window, letter)
    widget = focus()
    assert window.form.isAncestorOf(widget)
    qtbot.waitUntil(lambda: visible_in_scroll(window, widget), timeout=WAIT_MS)


def test_tab_and_new_patient_scroll_into_view(qtbot, window, questions):
    form = window.form
    window.resize(1024, 768)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    fill_minimal(qtbot, window)
    alt(qtbot, window, "v")  # caregiver, at the bottom
    type_keys(qtbot, "Ota Helper")
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=WAIT_MS)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert focus() is form.patient_name
    qtbot.waitUntil(lambda: visible_in_scroll(window, form.patient_name), timeout=WAIT_MS)
    for _ in range(12):
        press(qtbot, Qt.Key.Key_Tab)
        widget = focus()
        if window.form.isAncestorOf(widget):
            qtbot.waitUntil(lambda w=widget: visible_in_scroll(window, w), timeout=WAIT_MS)


def test_language_and_large_print_are_per_patient(qtbot, window, questions, sample_clinic,
                                                 settings_file):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    form = window.form
    assert window.preview.handout_note.text() == "English handouts"
    fill_minimal(qtbot, window)
    alt(qtbot, window, "u")
    assert focus() is form.language
    press(qtbot, Qt.Key.Key_Down)  # Español
    alt(qtbot, window, "g")  # large print
    assert form.values()["language"] == "es" and form.values()["large_print"] is True
    assert window.preview.handout_note.text() == "Spanish handouts, large print"
    wait_for_preview(qtbot, window)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # "discard?" -> yes
    assert form.language.currentData() == "en" and not form.large_print.isChecked()
    assert window.preview.handout_note.text() == "English handouts"
    # not remembered across restarts either
    press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    press(qtbot, Qt.Key.Key_Down)
    assert form.language.currentData() == "es"
    window.confirm_discard = lambda question: True
    window.close()
    again = MainWindow(sample_clinic, AppSettings(settings_file))
    again.confirm_discard = lambda question: True
    qtbot.addWidget(again)
    assert again.form.language.currentData() == "en"
    assert not again.form.large_print.isChecked()
    again.close()


def test_date_order_follows_the_locale_and_never_guesses():
    from dischargedesk.ui.fields import DateEdit, date_order

    assert date_order(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)) == "MDY"
    assert date_order(QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "DMY"
    assert date_order(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)) == "YMD"
    assert date_order(QLocale.c()) == ""  # an unset machine: only YYYY-MM-DD
    edit = DateEdit("Date of birth", order="")
    edit.setText("03/04/1948")
    assert "YYYY-MM-DD" in edit.problem("Date of birth")


def test_follow_up_before_the_bandage_day_is_flagged_in_the_form(qtbot, us_window):
    """Issue 9: a visit booked before the bandages come off is flagged to the nurse (the CLI
    prints the same sentence on stderr); a later date clears the note."""
    form = us_window.form
    fill_minimal(qtbot, us_window)
    note = form.follow_up_warning
    assert not note.isVisible()
    alt(qtbot, us_window, "k")  # booked
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.follow_up.date
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    procedure_day = form.values()["procedure_date"]
    type_keys(qtbot, (procedure_day + dt.timedelta(days=1)).isoformat())
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: note.isVisible() and "before the bandages come off" in note.text(),
                    timeout=WAIT_MS)
    click_into(qtbot, form.follow_up.date)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(qtbot, (procedure_day + dt.timedelta(days=14)).isoformat())
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=WAIT_MS)
