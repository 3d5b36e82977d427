"""Printing through a real QPrinter in PDF mode: the previewed pages, once, at 300 dpi."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from dischargedesk.ui import printing

from .conftest import WAIT_MS, fill_minimal, message_texts, pdf_page_count, wait_for_preview


def _ink_fraction(pdf: bytes, page: int = 0) -> float:
    """Share of non-white pixels on a page of the printed file (it holds images only)."""
    from PySide6.QtCore import QSize

    with printing.open_pdf(pdf) as doc:
        image = doc.render(page, QSize(306, 396))
    white = QColor("white").rgb()
    dark = sum(1 for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
               if image.pixel(x, y) not in (white, 0))
    return dark / ((image.height() // 3 + 1) * (image.width() // 3 + 1))


def _press_print(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_p_prints_every_previewed_page(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    previewed = window.preview.pdf_bytes()
    _press_print(qtbot, window)
    assert questions.printer_calls == 1
    printed = questions.print_file.read_bytes()
    assert pdf_page_count(printed) == pdf_page_count(previewed)
    assert len(printed) > 200_000  # 300 dpi page images, not empty pages
    assert _ink_fraction(printed, 0) > 0.02
    assert _ink_fraction(printed, pdf_page_count(printed) - 1) > 0.005
    assert "Sent" in window.statusBar().currentMessage()
    assert not window.session.dirty


def test_print_resolution_and_paper(qtbot, window, questions):
    from pypdf import PdfReader

    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_print(qtbot, window)
    reader = PdfReader(questions.print_file)
    page = reader.pages[0]
    width_in = float(page.mediabox.width) / 72
    source = PdfReader(__import__("io").BytesIO(window.preview.pdf_bytes())).pages[0]
    assert float(page.mediabox.width) == float(source.mediabox.width)  # true size
    images = list(page.images)
    assert images, "a printed page is an image of the handout page"
    assert images[0].image.width / width_in >= 299  # at least 300 dpi
    assert "Zembrowski" not in str(reader.metadata or {})


def test_double_click_on_print_prints_once(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    button = window.toolbar.widgetForAction(window.print_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _press_print(qtbot, window)
    assert questions.printer_calls == 1
    assert pdf_page_count(questions.print_file.read_bytes()) == window.preview.page_count()
    assert "just sent" in window.statusBar().currentMessage()


def test_print_uses_the_form_as_it_is_now(qtbot, window, questions):
    """Printing right after an edit (before the preview caught up) prints the edit."""
    from ..conftest import pdf_text

    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    before = window.preview.pdf_bytes()
    qtbot.keyClicks(window.form.caregiver, "Jo Latest")
    _press_print(qtbot, window)  # no wait: the debounce has not fired yet
    assert questions.printer_calls == 1
    assert window.preview.pdf_bytes() != before
    assert "Jo Latest" in pdf_text(window.preview.pdf_bytes())
    assert window.preview.banner_kind() is None
    assert window.session.shown == window.session.request


def test_cancelled_print_changes_nothing(qtbot, window, questions):
    questions.accept_print = False
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_print(qtbot, window)
    assert not questions.print_file.exists()
    assert window.session.dirty
    assert window.print_action.isEnabled()
    questions.accept_print = True
    _press_print(qtbot, window)  # a cancelled print does not count as "just printed"
    assert questions.print_file.exists()


def test_print_is_disabled_while_the_form_is_invalid(qtbot, window, questions):
    qtbot.keyClicks(window.form.patient_name, "Someone")
    qtbot.waitUntil(lambda: window.preview.banner_kind() == "invalid", timeout=WAIT_MS)
    _press_print(qtbot, window)
    assert questions.printer_calls == 0
    assert not message_texts()


def test_duplex_print_keeps_each_handout_on_its_own_sheets(qtbot, window, questions,
                                                           monkeypatch):
    from ..conftest import pdf_pages_text

    fill_minimal(qtbot, window)
    qtbot.keyClicks(window.form.anesthesia, "L")  # local anesthesia: an odd discharge count
    assert window.form.anesthesia.currentData() == "local"
    wait_for_preview(qtbot, window)
    pages = pdf_pages_text(window.preview.pdf_bytes())
    discharge = next(i for i, p in enumerate(pages) if "Your recovery plan" in p)
    # Qt's PDF printer has no duplex unit, so say the chosen printer prints both sides
    monkeypatch.setattr(printing, "wants_duplex", lambda printer: True)
    window.print_handouts()
    printed = pdf_page_count(questions.print_file.read_bytes())
    assert printed == len(pages) + discharge % 2  # an empty back page only when odd
    assert discharge % 2 == 1  # this patient's discharge sheet has an odd page count


def test_single_sided_print_adds_no_page(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    shown = window.preview.page_count()
    window.print_handouts()
    assert pdf_page_count(questions.print_file.read_bytes()) == shown
