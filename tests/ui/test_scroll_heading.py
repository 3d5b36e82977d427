"""A field at the top of its section is scrolled into view with the section's heading
(found by the keyboard run at 1024x768: Alt+U showed the language with "Handouts for this
patient" cut in half above it)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QGroupBox, QWidget

from .conftest import WAIT_MS, click_check
from .test_typing import alt, focus


def heading_visible(window: Any, group: QGroupBox) -> bool:
    viewport = window.form_scroll.viewport()
    return group.mapTo(viewport, QPoint(0, 0)).y() >= 0


def section_of(widget: QWidget) -> QGroupBox:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QGroupBox):
        parent = parent.parentWidget()
    assert isinstance(parent, QGroupBox)
    return parent


@pytest.mark.parametrize("letter", ["u", "n", "p", "i", "y"])
def test_first_field_of_a_section_shows_its_heading(qtbot, window, letter):
    window.resize(1024, 768)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    click_check(qtbot, window.form.follow_up.enabled)
    window.form.caregiver.setFocus()  # at the bottom, the form scrolled down
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=WAIT_MS)
    bar.setValue(bar.maximum())
    alt(qtbot, window, letter)
    group = section_of(focus())
    qtbot.waitUntil(lambda: heading_visible(window, group), timeout=WAIT_MS)


def test_a_field_lower_in_a_section_still_scrolls_only_as_needed(qtbot, window):
    window.resize(1024, 768)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    window.form.patient_name.setFocus()
    bar.setValue(0)
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # anesthesia
    assert focus() is window.form.anesthesia
    viewport = window.form_scroll.viewport()
    qtbot.waitUntil(lambda: window.form.anesthesia.mapTo(viewport, QPoint(0, 0)).y() >= 0,
                    timeout=WAIT_MS)
    bottom = window.form.anesthesia.mapTo(viewport, QPoint(0, 0)).y() + \
        window.form.anesthesia.height()
    assert bottom <= viewport.height()
