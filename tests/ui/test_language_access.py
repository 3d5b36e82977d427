"""The form and language access (issue 12 items 4 and 5): the free-text fields say they
print in English when the handout is in another language, and the Bilingual box (Alt+S,
in the Tab order) prints the English text after each section."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from dischargedesk.render.language import load_pack

from .conftest import MEDICATION, WAIT_MS, click_check, fill_minimal, wait_for_preview

MARKER = load_pack("es").labels["free_text_marker"]


def _focus():
    return QApplication.focusWidget()


def _alt(qtbot, window, letter: str) -> None:
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{letter.upper()}"),
                   Qt.KeyboardModifier.AltModifier)


def _hints(window) -> dict[str, QLabel]:
    return window.form.untranslated_hints


def _choose_spanish(qtbot, window) -> None:
    _alt(qtbot, window, "u")
    assert _focus() is window.form.language
    qtbot.keyClick(window.form.language, Qt.Key.Key_Down)  # English -> Español
    assert window.form.language.currentData() == "es"


def test_free_text_fields_say_they_print_in_english_in_a_spanish_handout(qtbot, window):
    form = window.form
    fill_minimal(qtbot, window)
    assert set(_hints(window)) == {"medications", "blood_thinner", "follow_up_where"}
    # in English: no hint while typing
    qtbot.keyClicks(form.medications, MEDICATION)
    assert not any(h.isVisible() for h in _hints(window).values())
    _choose_spanish(qtbot, window)
    _alt(qtbot, window, "t")
    qtbot.keyClicks(_focus(), "Restart apixaban on Thursday")
    _alt(qtbot, window, "k")  # follow-up booked
    _alt(qtbot, window, "w")
    qtbot.keyClicks(_focus(), "Spine Center, 2nd floor")
    for name, hint in _hints(window).items():
        assert hint.isVisible(), name
        assert "print in English" in hint.text() and "Spanish" in hint.text()
    # the hint sits right under its field
    box = form._boxes["blood_thinner"]
    assert box.isAncestorOf(_hints(window)["blood_thinner"])
    text = wait_for_preview(qtbot, window)
    assert f"{MEDICATION} ({MARKER})" in text
    assert f"Restart apixaban on Thursday ({MARKER})" in text
    # back to English: the hints go
    _alt(qtbot, window, "u")
    qtbot.keyClick(form.language, Qt.Key.Key_Up)
    assert not any(h.isVisible() for h in _hints(window).values())
    assert MARKER not in wait_for_preview(qtbot, window)


def test_bilingual_box_by_keyboard_prints_both_languages(qtbot, window):
    form = window.form
    fill_minimal(qtbot, window)
    _choose_spanish(qtbot, window)
    qtbot.keyClick(form.language, Qt.Key.Key_Tab)
    assert _focus() is form.large_print
    qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
    assert _focus() is form.bilingual and not form.bilingual.isChecked()
    qtbot.keyClick(form.bilingual, Qt.Key.Key_Space)
    assert form.values()["bilingual"] is True
    assert window.preview.handout_note.text() == "Spanish handouts, with English"
    text = wait_for_preview(qtbot, window)
    assert "Sus medicinas" in text and "Your medicines" in text
    assert text.index("Sus medicinas") < text.index("Your medicines")
    # the mnemonic toggles it too, and a new patient starts without it
    _alt(qtbot, window, "s")
    assert _focus() is form.bilingual and not form.bilingual.isChecked()
    _alt(qtbot, window, "s")
    assert form.bilingual.isChecked()
    window.confirm_discard = lambda question: True
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not form.bilingual.isChecked() and form.language.currentData() == "en"


def test_bilingual_with_english_is_explained_under_the_box(qtbot, window):
    form = window.form
    fill_minimal(qtbot, window)
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)
    click_check(qtbot, form.bilingual)
    error = form.findChild(QLabel, "error_bilingual")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=WAIT_MS)
    assert "another language" in error.text()
    assert not window.print_action.isEnabled()
    _choose_spanish(qtbot, window)
    qtbot.waitUntil(lambda: window.print_action.isEnabled(), timeout=WAIT_MS)
    assert not error.isVisible()
