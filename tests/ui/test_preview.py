"""The live preview: the real PDF, re-rendered off the GUI thread as soon as the form
changes, honest banners."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView

from dischargedesk import engine
from dischargedesk.errors import RenderError

from .conftest import PATIENT, TOKEN, WAIT_MS, fill_minimal, pdf_page_count, wait_for_preview


def test_preview_shows_the_pdf_of_the_form(qtbot, window):
    fill_minimal(qtbot, window)
    text = wait_for_preview(qtbot, window, contains=PATIENT)
    assert "Discharge instructions" in text and "Your recovery plan" in text
    assert "T12 and L1" in text
    pages = pdf_page_count(window.preview.pdf_bytes())
    assert window.preview.page_count() == pages >= 2
    assert window.preview.page_label.text() == f"Page 1 of {pages}"
    assert window.print_action.isEnabled() and window.save_action.isEnabled()


def test_page_navigation_and_zoom(qtbot, window):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    preview = window.preview
    assert not preview.prev_action.isEnabled()
    qtbot.mouseClick(preview.buttons["next"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: preview.current_page() == 1)
    assert preview.page_label.text().startswith("Page 2 of ")
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_PageDown)  # page keys work in the preview
    qtbot.waitUntil(lambda: preview.current_page() == 2)
    qtbot.mouseClick(preview.buttons["prev"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: preview.current_page() == 1)

    before = preview.effective_zoom()
    qtbot.mouseClick(preview.buttons["zoom_in"], Qt.MouseButton.LeftButton)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert preview.view.zoomFactor() == pytest.approx(before * 1.25, rel=0.01)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert preview.view.zoomFactor() == pytest.approx(before, rel=0.01)
    qtbot.mouseClick(preview.buttons["fit"], Qt.MouseButton.LeftButton)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth

    # a re-render keeps the page the nurse was reading
    qtbot.keyClicks(window.form.caregiver, "Sam")
    wait_for_preview(qtbot, window, contains="Sam")
    assert preview.current_page() == 1


def test_edits_say_updating_then_show_new_pages(qtbot, window):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClicks(window.form.caregiver, "Robin Helper")
    assert window.preview.banner_kind() == "updating"  # at once, before the debounce
    assert window.preview.banner.text() == "Updating preview..."
    wait_for_preview(qtbot, window, contains="Robin Helper")


def test_invalid_form_marks_the_preview_out_of_date(qtbot, window):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    window.form.mrn.selectAll()
    qtbot.keyClick(window.form.mrn, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.preview.banner_kind() == "invalid", timeout=WAIT_MS)
    assert window.preview.banner.text().startswith("Preview is out of date: fix the form")
    assert not window.print_action.isEnabled()


def test_rendering_does_not_block_the_form(qtbot, window, monkeypatch):
    real = engine.render_pdf
    started = threading.Event()
    threads: list[str] = []

    def slow(request, clinic, kinds=None):
        threads.append(threading.current_thread().name)
        started.set()
        time.sleep(0.8)
        return real(request, clinic, kinds)

    monkeypatch.setattr(engine, "render_pdf", slow)
    fill_minimal(qtbot, window)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    t0 = time.perf_counter()
    qtbot.keyClicks(window.form.caregiver, "Kim")  # while the slow render runs
    assert time.perf_counter() - t0 < 0.5
    wait_for_preview(qtbot, window, contains="Kim")
    assert threading.main_thread().name not in threads


def test_stale_results_are_dropped(qtbot, window, monkeypatch):
    """A render that finishes after a newer edit never reaches the view."""
    real = engine.render_pdf
    first = threading.Event()

    def slow_first(request, clinic, kinds=None):
        if not first.is_set():
            first.set()
            time.sleep(0.8)
        return real(request, clinic, kinds)

    monkeypatch.setattr(engine, "render_pdf", slow_first)
    fill_minimal(qtbot, window)
    qtbot.waitUntil(first.is_set, timeout=WAIT_MS)
    qtbot.keyClicks(window.form.caregiver, "Lee Newer")
    shown: list[bytes] = []
    window.preview.loaded.connect(lambda pages: shown.append(window.preview.pdf_bytes()))
    wait_for_preview(qtbot, window, contains="Lee Newer")
    from ..conftest import pdf_text

    assert shown and all("Lee Newer" in pdf_text(pdf) for pdf in shown)


def test_render_failure_keeps_the_form_and_says_why(qtbot, window, monkeypatch):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)

    def broken(request, clinic, kinds=None):
        raise RenderError("The handout could not be laid out (LayoutError); shorten the "
                          "longest entries and try again.")

    monkeypatch.setattr(engine, "render_pdf", broken)
    qtbot.keyClicks(window.form.caregiver, "Max")
    qtbot.waitUntil(lambda: window.preview.banner_kind() == "failed", timeout=WAIT_MS)
    assert "shorten the longest entries" in window.preview.banner.text()
    assert not window.print_action.isEnabled()
    assert "shorten the longest entries" in window.status_label.text()
    assert window.form.caregiver.text() == "Max"
    assert window.form.patient_name.text() == PATIENT


def test_unexpected_render_error_shows_type_not_message(qtbot, window, monkeypatch, caplog):
    def broken(request, clinic, kinds=None):
        raise ValueError(f"paragraph text of {TOKEN}")

    monkeypatch.setattr(engine, "render_pdf", broken)
    caplog.set_level("INFO", logger="dischargedesk")
    fill_minimal(qtbot, window)
    qtbot.waitUntil(lambda: window.preview.banner_kind() == "failed", timeout=WAIT_MS)
    assert "(ValueError)" in window.preview.banner.text()
    assert TOKEN not in window.preview.banner.text()
    assert "render failed: ValueError" in caplog.text
    assert TOKEN not in caplog.text
    monkeypatch.undo()
    qtbot.keyClicks(window.form.caregiver, "Ann")  # any edit tries again
    wait_for_preview(qtbot, window, contains="Ann")
