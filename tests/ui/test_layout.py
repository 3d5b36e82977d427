"""Layout: usable at 1024x768, with larger fonts, with a focus ring that can be seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QToolButton

from .conftest import WAIT_MS


def _check_usable(qtbot, win) -> None:
    """Everything usable once the layout has settled after the resize (retried until then)."""

    def usable() -> None:
        assert win.preview.view.width() > 0
        for action in (win.print_action, win.save_action, win.new_action):
            button = win.toolbar.widgetForAction(action)
            assert button.isVisible(), action.text()
            assert win.toolbar.rect().contains(button.geometry()), action.text()
        scroll = win.form_scroll
        assert not scroll.horizontalScrollBar().isVisible(), "the form is clipped sideways"
        # a form taller than its pane scrolls
        assert scroll.verticalScrollBar().isVisible() or \
            win.form.height() <= scroll.viewport().height()
        assert win.preview.view.width() >= 300
        for button in win.preview.findChildren(QToolButton):
            assert button.width() >= button.sizeHint().width() - 1, button.accessibleName()
        label = win.preview.page_label
        assert label.width() >= label.fontMetrics().horizontalAdvance("Page 10 of 10")

    qtbot.waitUntil(usable, timeout=WAIT_MS)


def test_usable_at_1024x768(qtbot, window):
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=WAIT_MS)
    _check_usable(qtbot, window)


def test_usable_with_a_larger_font(qtbot, sample_clinic, tmp_path: Path):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    app = QApplication.instance()
    original = app.font()
    bigger = app.font()
    bigger.setPointSizeF(original.pointSizeF() * 1.5)
    app.setFont(bigger)
    try:
        win = MainWindow(sample_clinic, AppSettings(tmp_path / "s.ini"))
        win.confirm_discard = lambda question: True
        qtbot.addWidget(win)
        win.resize(1024, 768)
        win.show()
        qtbot.waitExposed(win)
        _check_usable(qtbot, win)
        assert win.form.patient_name.height() >= win.form.patient_name.fontMetrics().height()
    finally:
        app.setFont(original)


def test_window_layout_is_remembered(qtbot, window, settings_file, sample_clinic):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    window.resize(790, 580)  # fits the offscreen test screen (800x600)
    qtbot.waitUntil(lambda: window.width() == 790, timeout=WAIT_MS)
    window.splitter.setSizes([420, 360])
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] == 420, timeout=WAIT_MS)
    window.close()
    again = MainWindow(sample_clinic, AppSettings(settings_file))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size().width() == 790
    assert again.splitter.sizes()[0] == pytest.approx(420, abs=2)


def test_focus_ring_follows_the_keyboard(qtbot, window):
    form = window.form
    form.date_of_birth.setFocus()
    qtbot.waitUntil(lambda: form.date_of_birth.hasFocus())
    qtbot.keyClick(form.date_of_birth, Qt.Key.Key_Tab)
    ring = window.focus_ring
    qtbot.waitUntil(lambda: ring.target() is form.mrn and ring.isVisible(), timeout=WAIT_MS)
    host = ring.parentWidget()
    target = QRect(form.mrn.mapTo(host, QPoint(0, 0)), form.mrn.size())
    assert ring.geometry().contains(target)
    assert ring.geometry() != target  # drawn around the field, not over it
    qtbot.keyClick(form.mrn, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: ring.target() is form.procedure, timeout=WAIT_MS)


def _type_standard_case(qtbot, win) -> None:
    """A standard case, typed: patient, levels, medicines, physician, a booked follow-up."""
    from .conftest import fill_minimal

    form = win.form
    fill_minimal(qtbot, win)
    qtbot.keyClicks(form.date_of_birth, "1950-06-15")
    qtbot.keyClicks(form.medications, "Oxycodone 5 mg: 1 tablet every 6 hours if needed")
    qtbot.keyClicks(form.physician.lineEdit(), "Dr. Ana Rivera")
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.follow_up.time, "1030")
    qtbot.keyClicks(form.follow_up.with_whom, "Dr. Ana Rivera")
    qtbot.keyClicks(form.follow_up.where, "Spine Center, floor 2")
    qtbot.keyClicks(form.caregiver, "Ota Helper")


def test_standard_case_fits_at_1280x800_without_scrolling(qtbot, window):
    _type_standard_case(qtbot, window)
    bar = window.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() == 0 and not bar.isVisible(), timeout=WAIT_MS)
    assert not window.form_scroll.horizontalScrollBar().isVisible()
    assert window.preview.view.width() >= 400


def test_standard_case_at_1024x768_scrolls_at_most_one_screen(qtbot, window):
    window.resize(1024, 768)
    _type_standard_case(qtbot, window)
    scroll = window.form_scroll
    qtbot.waitUntil(lambda: window.preview.width() >= 420, timeout=WAIT_MS)
    assert scroll.verticalScrollBar().maximum() <= scroll.viewport().height()
    _check_usable(qtbot, window)
