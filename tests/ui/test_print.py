"""Printing from the window. The ``questions`` fixture answers the print dialog like its
"Print to File" entry (a PDF-mode QPrinter), so these tests check that this is a saved
vector PDF, reported as saved; the raster fallback (Windows) is checked on a PDF-mode
QPrinter directly. Real CUPS printing: test_print_cups.py."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter

from dischargedesk.ui import printing

from ..conftest import pdf_pages_text, pdf_text
from .conftest import (
    PATIENT,
    TOKEN,
    WAIT_MS,
    fill_minimal,
    message_texts,
    pdf_page_count,
    wait_for_preview,
)


@pytest.fixture
def sample_pdf(make_request, sample_clinic) -> bytes:
    from dischargedesk import engine

    return engine.render_pdf(make_request(patient_name=PATIENT), sample_clinic)


def _ink_fraction(pdf: bytes, page: int = 0) -> float:
    """Share of non-white pixels on a page of the printed file."""
    from PySide6.QtCore import QSize

    with printing.open_pdf(pdf) as doc:
        image = doc.render(page, QSize(306, 396))
    white = QColor("white").rgb()
    dark = sum(1 for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
               if image.pixel(x, y) not in (white, 0))
    return dark / ((image.height() // 3 + 1) * (image.width() // 3 + 1))


def _press_print(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)


def test_print_to_file_saves_the_vector_pdf_and_says_saved(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    previewed = window.preview.pdf_bytes()
    _press_print(qtbot, window)
    assert questions.printer_calls == 1
    written = questions.print_file.read_bytes()
    assert pdf_page_count(written) == pdf_page_count(previewed)
    assert len(written) < 2 * len(previewed)  # the PDF itself, not page images
    text = pdf_text(written)
    assert PATIENT in text and "Discharge instructions" in text  # real text, not pictures
    assert written == previewed  # the very PDF of the preview, not a re-drawing of it
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved to {questions.print_file}") and "not printed" in message
    assert "Sent" not in message
    assert not window.session.dirty
    assert [e.how for e in window.recent.entries()] == ["saved"]


def test_no_printer_says_so_and_offers_save_pdf(qtbot, window, questions):
    questions.printers = []
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_print(qtbot, window)
    assert questions.offers == ["No printer is set up on this computer, so the handouts "
                                "cannot be printed. Save them as PDF files instead?"]
    assert questions.printer_calls == 0 and not questions.print_file.exists()
    saved = sorted(p.name for p in questions.folder.iterdir())
    assert len(saved) == 2 and all(TOKEN not in n for n in saved)
    assert window.statusBar().currentMessage().startswith("Saved ")
    assert not message_texts()


def test_no_printer_and_no_save_writes_nothing(qtbot, window, questions):
    questions.printers = []
    questions.save_instead = False
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    _press_print(qtbot, window)
    assert questions.folder_calls == [] and list(questions.folder.iterdir()) == []
    assert "no printer" in window.statusBar().currentMessage()
    assert window.session.dirty


def test_double_click_on_print_prints_once(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    button = window.toolbar.widgetForAction(window.print_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _press_print(qtbot, window)
    assert questions.printer_calls == 1
    assert pdf_page_count(questions.print_file.read_bytes()) == window.preview.page_count()
    assert "just printed or saved" in window.statusBar().currentMessage()


def test_print_uses_the_form_as_it_is_now(qtbot, window, questions):
    """Printing right after an edit (before the preview caught up) prints the edit."""
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    before = window.preview.pdf_bytes()
    qtbot.keyClicks(window.form.caregiver, "Jo Latest")
    _press_print(qtbot, window)  # no wait: the debounce has not fired yet
    assert questions.printer_calls == 1
    assert window.preview.pdf_bytes() != before
    assert "Jo Latest" in pdf_text(window.preview.pdf_bytes())
    assert "Jo Latest" in pdf_text(questions.print_file.read_bytes())
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
    assert window.statusBar().currentMessage() == "Printing cancelled."
    assert len(window.recent) == 0
    questions.accept_print = True
    _press_print(qtbot, window)  # a cancelled print does not count as "just printed"
    assert questions.print_file.exists()


def test_print_is_disabled_while_the_form_is_invalid(qtbot, window, questions):
    qtbot.keyClicks(window.form.patient_name, "Someone")
    qtbot.waitUntil(lambda: window.preview.banner_kind() == "invalid", timeout=WAIT_MS)
    _press_print(qtbot, window)
    assert questions.printer_calls == 0
    assert not message_texts()


def test_print_menu_prints_just_one_handout(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    window.print_one_actions["recovery"].trigger()
    text = pdf_text(questions.print_file.read_bytes())
    assert "Your recovery plan" in text and "Discharge instructions" not in text
    assert window.recent.entries()[0].kinds == ("recovery",)
    questions.print_file.unlink()
    window._last_print = None
    window.print_one_actions["discharge"].trigger()
    text = pdf_text(questions.print_file.read_bytes())
    assert "Discharge instructions" in text and "Your recovery plan" not in text


def test_duplex_print_keeps_each_handout_on_its_own_sheets(qtbot, window, questions,
                                                           monkeypatch):
    fill_minimal(qtbot, window)
    qtbot.keyClicks(window.form.anesthesia, "L")  # local anesthesia: an odd discharge count
    assert window.form.anesthesia.currentData() == "local"
    wait_for_preview(qtbot, window)
    pages = pdf_pages_text(window.preview.pdf_bytes())
    discharge = next(i for i, p in enumerate(pages) if "Your recovery plan" in p)
    # Qt's PDF printer has no duplex unit, so say the chosen printer prints both sides
    monkeypatch.setattr(printing, "wants_duplex", lambda printer: True)
    window.print_handouts()
    printed = pdf_pages_text(questions.print_file.read_bytes())
    assert len(printed) == len(pages) + discharge % 2  # an empty back page only when odd
    assert discharge % 2 == 1  # this patient's discharge sheet has an odd page count
    assert printed[discharge].strip() == ""
    assert "Your recovery plan" in printed[discharge + 1]


def test_single_sided_print_adds_no_page(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    shown = window.preview.page_count()
    window.print_handouts()
    assert pdf_page_count(questions.print_file.read_bytes()) == shown


# -- the raster fallback (no vector path: Windows) --------------------------------------------

def _pdf_printer(path, dpi: int) -> QPrinter:
    printer = printing.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return printer


def test_raster_fallback_is_true_size_at_the_printer_resolution(sample_pdf, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "raster.pdf"
    printer = _pdf_printer(target, 300)
    printing.match_paper(printer, sample_pdf, "Letter")
    assert printing.raster_dpi(printer) == 300
    printed = printing.print_pdf(sample_pdf, printer, printing.raster_dpi(printer))
    assert printed == pdf_page_count(sample_pdf)
    data = target.read_bytes()
    reader = PdfReader(target)
    page = reader.pages[0]
    source = PdfReader(io.BytesIO(sample_pdf)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    assert float(page.mediabox.width) == float(source.mediabox.width)  # true size
    images = list(page.images)
    assert images and images[0].image.width / 8.5 >= 299  # 300 dpi
    assert _ink_fraction(data, 0) > 0.02
    assert _ink_fraction(data, printed - 1) > 0.005
    assert "Zembrowski" not in str(reader.metadata or {})


def test_raster_fallback_follows_the_printer_resolution_within_limits(tmp_path):
    assert printing.raster_dpi(_pdf_printer(tmp_path / "a.pdf", 600)) == 600
    assert printing.raster_dpi(_pdf_printer(tmp_path / "b.pdf", 1200)) == 600
    assert printing.raster_dpi(_pdf_printer(tmp_path / "c.pdf", 150)) == 300


def test_handouts_on_other_paper_than_the_clinics_are_refused(sample_pdf, tmp_path):
    printer = _pdf_printer(tmp_path / "x.pdf", 300)
    with pytest.raises(printing.PrintError, match="laid out for A4 paper"):
        printing.match_paper(printer, sample_pdf, "A4")  # the sample PDF is Letter


def test_clinic_paper_reads_the_parameter_defensively(sample_clinic):
    import dataclasses
    from types import MappingProxyType

    def with_paper(value):
        params = dict(sample_clinic.parameters)
        if value is not None:
            params["paper"] = value
        return dataclasses.replace(sample_clinic, parameters=MappingProxyType(params))

    assert printing.clinic_paper(with_paper(None)) == "Letter"
    assert printing.clinic_paper(with_paper("a4")) == "A4"
    assert printing.clinic_paper(with_paper("Letter")) == "Letter"
    assert printing.clinic_paper(with_paper("legal")) == "Letter"
