"""Issue 12 at the keyboard: names in Chinese, Korean and Vietnamese are typed into the form
and print; a character no font has, and right-to-left text, get a plain message."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tests.pdf_glyphs import drawn_text, missing_glyphs

from .conftest import MRN, WAIT_MS, fill_minimal, wait_for_preview


def focus_on(qtbot: Any, widget: QWidget) -> QWidget:
    widget.window().activateWindow()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
    return widget


def type_layout(qtbot: Any, widget: QWidget, text: str) -> None:
    """Keys of a keyboard layout (Vietnamese, Thai, Arabic): each key press carries its
    letter as text (QTest's keyClicks only knows ASCII), sent to the focused widget."""
    focus_on(qtbot, widget)
    for ch in text:
        target = QApplication.focusWidget()
        if ch.isascii():
            qtbot.keyClick(target, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     ch))


def type_ime(qtbot: Any, widget: QWidget, text: str) -> None:
    """Chinese and Korean are typed through an input method, which commits each word to
    the focused widget."""
    focus_on(qtbot, widget)
    for word in text.split(" "):
        event = QInputMethodEvent()
        event.setCommitString(word + " " if word != text.split(" ")[-1] else word)
        QApplication.sendEvent(QApplication.focusWidget(), event)


def shown_error(window: Any, field: str) -> str:
    label = window.form.findChild(QLabel, f"error_{field}")
    return label.text() if label is not None and label.isVisible() else ""


def test_chinese_korean_and_vietnamese_names_typed_into_the_form_print(qtbot, window):
    """Before issue 12 the form refused 王小明 ("the handout font cannot print")."""
    fill_minimal(qtbot, window, name="", mrn=MRN)
    type_ime(qtbot, window.form.patient_name, "王小明")
    type_layout(qtbot, window.form.patient_name, " Nguyễn Văn An")
    type_ime(qtbot, window.form.caregiver, "김민준")
    assert window.form.patient_name.text() == "王小明 Nguyễn Văn An"
    wait_for_preview(qtbot, window, contains="王小明 Nguyễn Văn An")
    pdf = window.preview.pdf_bytes()
    assert missing_glyphs(pdf) == []
    drawn = drawn_text(pdf)
    assert "王小明" in drawn["DroidSansFallback"] and "김민준" in drawn["NanumGothic"]
    assert shown_error(window, "patient_name") == ""


def test_a_character_no_font_has_is_named_in_the_form(qtbot, window):
    fill_minimal(qtbot, window)
    type_layout(qtbot, window.form.caregiver, "Somchai สมชาย")
    qtbot.waitUntil(lambda: "U+0E2A" in shown_error(window, "caregiver"), timeout=WAIT_MS)
    assert "สมชาย" not in shown_error(window, "caregiver")


def test_right_to_left_text_says_it_is_not_supported_yet(qtbot, window):
    fill_minimal(qtbot, window, name="")
    type_layout(qtbot, window.form.patient_name, "مريم")
    qtbot.waitUntil(lambda: "Arabic and Hebrew are not supported yet"
                    in shown_error(window, "patient_name"), timeout=WAIT_MS)


def test_the_language_list_shows_each_language_in_its_own_name_and_in_english(window):
    combo = window.form.language
    items = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    assert items["en"] == "English" and items["es"] == "Español Spanish"
