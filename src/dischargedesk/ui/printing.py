"""Printing: the previewed PDF pages, rasterized at 300 dpi, painted on a QPrinter.

Works the same for a real printer and for a QPrinter in PDF output mode (tests). One call
prints all selected handouts as one job; the job name never contains patient data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from .. import engine
from ..domain.clinic import ClinicProfile
from ..domain.request import HandoutRequest
from ..errors import DischargeDeskError

log = logging.getLogger("dischargedesk.ui")

PRINT_DPI = 300
JOB_NAME = "Discharge Desk handouts"  # shown in the print queue: no patient data


class PrintError(DischargeDeskError):
    """The printer could not take the job."""


@contextmanager
def open_pdf(pdf: bytes) -> Iterator[QPdfDocument]:
    """A QPdfDocument over ``pdf`` held in memory (no temp file with patient data)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    try:
        doc.load(buffer)
        if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() == 0:
            raise PrintError("The handout pages could not be read for printing; try again.")
        yield doc
    finally:
        doc.close()
        buffer.close()


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(JOB_NAME)
    printer.setCreator("Discharge Desk")
    return printer


def match_paper(printer: QPrinter, pdf: bytes) -> int:
    """Preselect the paper size of the handouts; returns the page count."""
    with open_pdf(pdf) as doc:
        size = doc.pagePointSize(0)
        pages = doc.pageCount()
    page_size = QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point,
                          "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageSize(page_size)
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFromTo(1, pages)
    return pages


def ask_printer(printer: QPrinter, parent: QWidget | None, pages: int) -> bool:
    """The system print dialog (printer, copies, duplex where the printer has it)."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print handouts")
    dialog.setMinMax(1, pages)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintSelection, False)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintCollateCopies, True)
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


def wants_duplex(printer: QPrinter) -> bool:
    """Both sides, all pages (a chosen page range is printed exactly as numbered)."""
    return printer.duplex() != QPrinter.DuplexMode.DuplexNone and \
        printer.printRange() == QPrinter.PrintRange.AllPages


def for_duplex(pdf: bytes, printer: QPrinter, request: HandoutRequest,
               clinic: ClinicProfile) -> bytes:
    """Printing on both sides: the PDF with an empty back page after a handout that ends on
    a front side, so each handout stays its own set of sheets."""
    if len(request.handouts) < 2 or not wants_duplex(printer):
        return pdf
    return engine.render_pdf(request, clinic, duplex=True)


def _page_image(doc: QPdfDocument, index: int, dpi: int) -> QImage:
    points = doc.pagePointSize(index)
    size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
    rendered = doc.render(index, size)
    page = QImage(size, QImage.Format.Format_RGB32)  # PDFium leaves the paper transparent
    page.setDotsPerMeterX(round(dpi / 0.0254))
    page.setDotsPerMeterY(round(dpi / 0.0254))
    page.fill(QColor("white"))
    with _painting(page) as p:
        p.drawImage(QPointF(0, 0), rendered)
    return page


@contextmanager
def _painting(device: QImage | QPrinter) -> Iterator[QPainter]:
    painter = QPainter()
    if not painter.begin(device):
        raise PrintError("The printer did not accept the job; check that it is switched on "
                         "and connected, then print again.")
    try:
        yield painter
    finally:
        painter.end()


def print_pdf(pdf: bytes, printer: QPrinter, dpi: int = PRINT_DPI) -> int:
    """Print every page of ``pdf`` (or the chosen range); returns the sheets' page count."""
    with open_pdf(pdf) as doc:
        first, last = 1, doc.pageCount()
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = max(1, printer.fromPage())
            last = min(doc.pageCount(), printer.toPage() or doc.pageCount())
        indexes = list(range(first - 1, last))
        copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
        if printer.collateCopies():
            order = indexes * copies
        else:
            order = [i for i in indexes for _ in range(copies)]
        printer.setDocName(JOB_NAME)
        printer.setFullPage(True)  # the handout has its own margins: print it true to size
        printed = 0
        with _painting(printer) as painter:
            for n, index in enumerate(order):
                if n and not printer.newPage():
                    raise PrintError("The printer stopped taking pages; check it and print "
                                     "again.")
                image = _page_image(doc, index, dpi)
                paper = printer.paperRect(QPrinter.Unit.DevicePixel)
                target = QRectF(paper)
                scaled = QSizeF(image.size()).scaled(target.size(),
                                                     Qt.AspectRatioMode.KeepAspectRatio)
                target = QRectF(target.x() + (target.width() - scaled.width()) / 2,
                                target.y() + (target.height() - scaled.height()) / 2,
                                scaled.width(), scaled.height())
                painter.drawImage(target, image)
                printed += 1
    log.info("printed %d pages", printed)
    return printed
