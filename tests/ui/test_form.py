"""The form: keyboard order, the spine picker, labels and mnemonics, inline validation."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QWidget

from .conftest import MEDICATION, MRN, PATIENT, WAIT_MS, click_check, fill_minimal


def _focus() -> QWidget | None:
    return QApplication.focusWidget()


def _tab(qtbot, backwards: bool = False) -> QWidget | None:
    widget = _focus()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
    return _focus()


def test_fill_the_whole_form_by_keyboard(qtbot, window):
    form = window.form
    form.patient_name.setFocus()
    qtbot.waitUntil(lambda: _focus() is form.patient_name)
    qtbot.keyClicks(_focus(), PATIENT)
    qtbot.keyClicks(_tab(qtbot), "1948-03-04")
    qtbot.keyClicks(_tab(qtbot), MRN)
    assert _tab(qtbot) is form.procedure
    qtbot.keyClick(form.procedure, Qt.Key.Key_Down)  # kyphoplasty -> vertebroplasty
    assert _tab(qtbot) is form.procedure_date
    assert _tab(qtbot) is form.levels.typed  # today: no date warning to confirm
    # one tab stop for the whole spine: it starts on L1
    assert _tab(qtbot) is form.levels.picker.button("L1")
    qtbot.keyClick(_focus(), Qt.Key.Key_Space)
    qtbot.keyClick(_focus(), Qt.Key.Key_Up)
    assert _focus() is form.levels.picker.button("T12")
    qtbot.keyClick(_focus(), Qt.Key.Key_Space)
    assert form.levels.selection.text() == "T12 and L1"
    assert form.levels.typed.text() == "T12 L1"  # the typed field follows the picker
    assert _tab(qtbot) is form.levels.not_recorded  # Tab leaves the spine at once
    assert _tab(qtbot) is form.anesthesia  # the count is disabled until "not recorded"
    qtbot.keyClick(form.anesthesia, Qt.Key.Key_Down)  # sedation -> general
    assert _tab(qtbot) is form.brace
    qtbot.keyClick(form.brace, Qt.Key.Key_Space)
    assert _tab(qtbot) is form.opioids
    qtbot.keyClick(form.opioids, Qt.Key.Key_Space)
    assert _tab(qtbot) is form.medications
    qtbot.keyClicks(form.medications, MEDICATION)
    qtbot.keyClick(form.medications, Qt.Key.Key_Return)
    qtbot.keyClicks(form.medications, "Docusate 100 mg twice a day")
    assert _tab(qtbot) is form.blood_thinner  # Tab leaves the text box (no trap)
    qtbot.keyClicks(form.blood_thinner, "Restart apixaban tomorrow")
    physician = _tab(qtbot)
    assert physician is form.physician or physician is form.physician.lineEdit()
    qtbot.keyClicks(physician, "Dr. Mei Lin")
    assert _tab(qtbot) is form.follow_up.enabled
    qtbot.keyClick(form.follow_up.enabled, Qt.Key.Key_Space)
    assert _tab(qtbot) is form.follow_up.date
    assert _tab(qtbot) is form.follow_up.time
    qtbot.keyClicks(form.follow_up.time, "0900")
    assert _tab(qtbot) is form.follow_up.with_whom
    qtbot.keyClicks(form.follow_up.with_whom, "Dr. Mei Lin")
    assert _tab(qtbot) is form.follow_up.where
    qtbot.keyClicks(form.follow_up.where, "Spine Center, floor 2")
    qtbot.keyClicks(_tab(qtbot), "Ota Caregiver")
    assert _focus() is form.caregiver
    # the per-patient handout choices come first, at the top of the form
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert _focus() is form.language
    assert _tab(qtbot) is form.large_print
    qtbot.keyClick(form.large_print, Qt.Key.Key_Space)
    assert _tab(qtbot) is form.bilingual
    assert _tab(qtbot) is form.handout_checks["discharge"]
    assert _tab(qtbot) is form.handout_checks["recovery"]
    assert _tab(qtbot) is form.patient_name
    # and back again
    assert _tab(qtbot, backwards=True) is form.handout_checks["recovery"]

    values = form.values()
    today = dt.date.today()
    assert values["patient_name"] == PATIENT
    assert values["date_of_birth"] == dt.date(1948, 3, 4)
    assert values["mrn"] == MRN
    assert values["procedure"] == "vertebroplasty"
    assert values["procedure_date"] == today
    assert values["levels"] == ["T12", "L1"]
    assert "level_count" not in values
    assert values["anesthesia"] == "general"
    assert values["brace"] is True and values["opioids"] is True
    assert values["medications"] == f"{MEDICATION}\nDocusate 100 mg twice a day"
    assert values["physician"] == "Dr. Mei Lin"
    assert values["follow_up_date"] == today + dt.timedelta(days=14)
    assert values["follow_up_time"] == dt.time(9, 0)
    assert values["follow_up_where"] == "Spine Center, floor 2"
    assert values["caregiver"] == "Ota Caregiver"
    assert values["language"] == "en"
    assert values["large_print"] is True
    assert values["bilingual"] is False
    assert values["handouts"] == ["discharge", "recovery"]
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)


def test_spine_picker_keys_and_mouse(qtbot, window):
    picker = window.form.levels.picker
    picker.button("L1").setFocus()
    qtbot.keyClick(picker.button("L1"), Qt.Key.Key_Home)
    assert _focus() is picker.button("T1")
    qtbot.keyClick(_focus(), Qt.Key.Key_End)
    assert _focus() is picker.button("S1")
    qtbot.keyClick(_focus(), Qt.Key.Key_Down)  # stays at the bottom
    assert _focus() is picker.button("S1")
    qtbot.keyClick(_focus(), Qt.Key.Key_Space)
    qtbot.mouseClick(picker.button("T8"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(picker.button("L2"), Qt.MouseButton.LeftButton)
    assert picker.levels() == ["T8", "L2", "S1"]
    assert window.form.levels.selection.text() == "T8, L2, and S1"
    qtbot.mouseClick(picker.button("L2"), Qt.MouseButton.LeftButton)
    assert picker.levels() == ["T8", "S1"]
    # the roving tab stop follows the last level used
    focusable = [b for b in picker.buttons() if b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(focusable) == 1
    assert picker.accessibleDescription() == "Selected: T8 and S1"


def test_levels_not_recorded_gives_a_count(qtbot, window):
    levels = window.form.levels
    assert not levels.count.isEnabled()
    click_check(qtbot, levels.not_recorded)
    assert levels.count.isEnabled() and not levels.picker.isEnabled()
    levels.count.setFocus()
    qtbot.keyClick(levels.count, Qt.Key.Key_Up)
    qtbot.keyClick(levels.count, Qt.Key.Key_Up)
    values = window.form.values()
    assert values["level_count"] == 3 and "levels" not in values
    assert levels.selection.text() == "not recorded (3)"


def test_every_input_has_a_name_and_labels_have_buddies(window):
    for widget in window.form.focus_chain():
        assert widget.accessibleName(), widget
    letters: list[str] = []
    for label in window.form.findChildren(QLabel):
        match = re.search(r"&(\w)", label.text())
        if match:
            assert label.buddy() is not None, label.text()
            name = label.text().replace("&", "").rstrip(":")
            buddy = label.buddy()
            if not isinstance(buddy, QCheckBox) and label.buddy() is not \
                    window.form.levels.picker.current_button():
                assert buddy.accessibleName() == name, (name, buddy.accessibleName())
            letters.append(match.group(1).lower())
    for check in window.form.findChildren(QCheckBox):
        match = re.search(r"&(\w)", check.text())
        if match:
            letters.append(match.group(1).lower())
    assert len(letters) == len(set(letters)), sorted(letters)  # mnemonics are unique
    assert len(letters) >= 20


def test_mnemonic_moves_focus(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _focus() is window.form.mrn)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _focus() is window.form.levels.typed)
    qtbot.wait(300)  # a mnemonic on a level button used to "animate" a toggle
    assert window.form.levels.picker.levels() == []


def test_validation_shows_inline_and_disables_output(qtbot, window):
    form = window.form
    qtbot.keyClicks(form.patient_name, PATIENT)
    for level in ("T12", "L1"):
        qtbot.mouseClick(form.levels.picker.button(level), Qt.MouseButton.LeftButton)
    error = form.findChild(QLabel, "error_date_of_birth")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=WAIT_MS)
    assert "date of birth or the MRN" in error.text()
    assert not window.print_action.isEnabled() and not window.save_action.isEnabled()
    assert "date of birth or the MRN" in window.status_label.text()
    assert window.preview.banner_kind() == "invalid"
    assert form.date_of_birth.accessibleDescription() == error.text()

    qtbot.keyClicks(form.date_of_birth, "1948-13-40")
    qtbot.waitUntil(lambda: "real date" in error.text(), timeout=WAIT_MS)
    form.date_of_birth.clear()
    qtbot.keyClicks(form.mrn, MRN)
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)
    assert window.save_action.isEnabled()
    assert not error.isVisible()
    assert window.status_label.text().startswith("Ready")


def test_no_red_errors_before_anything_is_typed(window):
    assert not [e for e in window.form.findChildren(QLabel) if
                e.objectName().startswith("error_") and e.isVisible()]
    assert not window.print_action.isEnabled()
    assert window.preview.banner_kind() == "invalid"
    assert "fill in the form" in window.preview.banner.text()


def test_handouts_need_one_choice(qtbot, window):
    fill_minimal(qtbot, window)
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)
    for check in window.form.handout_checks.values():
        click_check(qtbot, check)
    error = window.form.findChild(QLabel, "error_handouts")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=WAIT_MS)
    assert not window.print_action.isEnabled()
