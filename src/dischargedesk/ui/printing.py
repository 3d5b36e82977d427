"""Printing: the handout PDF itself goes to the printer wherever the platform allows.

* Linux and macOS: the PDF bytes are piped to CUPS' ``lp`` (stdin, never a temp file) with
  the printer, copies, collation, duplex and page range chosen in the print dialog, and the
  clinic's paper (``media=Letter`` or ``A4``, ``print-scaling=none``): vector text, a job
  the size of the PDF.
* Elsewhere (Windows) the pages are rasterized at the printer's resolution and painted on
  the QPrinter, true to size.
* "Print to File" chosen in the dialog writes the vector PDF to the chosen file and is
  reported as a saved file, not as printing.

The paper is the clinic's (:func:`clinic_paper`); a PDF or a dialog on other paper is
refused with a plain sentence, never scaled silently. The job name never holds patient data.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QWidget

from .. import engine, output
from ..clinic.profile import ClinicProfile
from ..domain.request import HandoutRequest
from ..errors import DischargeDeskError

log = logging.getLogger("dischargedesk.ui")

PRINT_DPI = 300  # the least resolution of the raster fallback
MAX_RASTER_DPI = 600  # a Letter page at 600 dpi is a 135 MB image already
JOB_NAME = "Discharge Desk handouts"  # shown in the print queue: no patient data
LP_TIMEOUT_S = 60
#: the clinic's paper -> page size in points and Qt's id
PAPERS = {"Letter": ((612.0, 792.0), QPageSize.PageSizeId.Letter),
          "A4": ((595.28, 841.89), QPageSize.PageSizeId.A4)}
DEFAULT_PAPER = "Letter"


class PrintError(DischargeDeskError):
    """The printer could not take the job."""


def clinic_paper(clinic: ClinicProfile) -> str:
    """The clinic's paper, "Letter" or "A4" (clinic parameter ``paper``; Letter without it)."""
    value = str(clinic.parameters.get("paper", DEFAULT_PAPER)).strip().lower()
    return next((name for name in PAPERS if name.lower() == value), DEFAULT_PAPER)


def available_printers() -> list[str]:
    """Names of the printers installed on this computer (empty: none)."""
    return [name for name in QPrinterInfo.availablePrinterNames() if name]


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


def _paper_mismatch(paper: str, other: str) -> PrintError:
    return PrintError(f"The handouts are laid out for {paper} paper but {other}; they are "
                      "never shrunk or enlarged to fit. Choose "
                      f"{paper} paper and print again, or ask your administrator to set the "
                      "clinic's paper.")


def match_paper(printer: QPrinter, pdf: bytes, paper: str = DEFAULT_PAPER) -> int:
    """Preselect the clinic's paper (the handouts' own); returns the page count."""
    (width, height), size_id = PAPERS[paper]
    with open_pdf(pdf) as doc:
        size = doc.pagePointSize(0)
        pages = doc.pageCount()
    if abs(size.width() - width) > 2 or abs(size.height() - height) > 2:
        raise _paper_mismatch(paper, "the pages came out on another size")
    printer.setPageSize(QPageSize(size_id))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFromTo(1, pages)
    return pages


def check_paper(printer: QPrinter, paper: str) -> None:
    """After the dialog: the paper chosen there must be the handouts' paper."""
    chosen = printer.pageLayout().pageSize()
    if chosen.id() != PAPERS[paper][1]:
        raise _paper_mismatch(paper, f"the printer was set to {chosen.name() or 'other'} "
                              "paper")


def ask_printer(printer: QPrinter, parent: QWidget | None, pages: int) -> bool:
    """The system print dialog (printer, copies, duplex where the printer has it)."""
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("printDialog")
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


@dataclass(frozen=True)
class Outcome:
    """What happened to the job, for the status line."""

    how: str  # "printed" (to a printer) or "saved" (Print to File)
    pages: int  # pages of the document sent (before copies)
    printer: str = ""
    path: Path | None = None
    copies: int = 1
    job: str = ""  # the spooler's job id
    seconds: float = 0.0  # handing the job over (to the spooler, the file, the Qt driver)

    def message(self) -> str:
        if self.how == "saved":
            return f"Saved to {self.path} (the handouts, {self.pages} pages, were not printed)."
        copies = f", {self.copies} copies" if self.copies > 1 else ""
        where = f" {self.printer}" if self.printer else " the printer"
        return f"Sent {self.pages} pages{copies} to{where}."


def is_print_to_file(printer: QPrinter) -> bool:
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and \
        bool(printer.outputFileName())


def cups_lp() -> str | None:
    """CUPS' ``lp`` where the PDF can go to the printer as it is (not on Windows)."""
    if sys.platform == "win32":
        return None
    return shutil.which("lp")


def _page_range(printer: QPrinter, pages: int) -> tuple[int, int]:
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        return first, min(pages, printer.toPage() or pages)
    return 1, pages


def sides_option(duplex: QPrinter.DuplexMode) -> str:
    """CUPS' ``sides`` for the dialog's duplex choice ("auto" prints on the long edge)."""
    return {QPrinter.DuplexMode.DuplexNone: "one-sided",
            QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge"}.get(
        duplex, "two-sided-long-edge")


def lp_command(lp: str, printer: QPrinter, paper: str, pages: int) -> list[str]:
    """``lp`` reading the PDF from stdin, with the dialog's choices and the clinic's paper."""
    copies = max(1, printer.copyCount())
    sides = sides_option(printer.duplex())
    command = [lp, "-d", printer.printerName(), "-n", str(copies), "-t", JOB_NAME,
               "-o", f"media={paper}", "-o", "print-scaling=none", "-o", f"sides={sides}",
               "-o", f"collate={'true' if printer.collateCopies() else 'false'}"]
    first, last = _page_range(printer, pages)
    if (first, last) != (1, pages):
        command += ["-o", f"page-ranges={first}-{last}"]
    return command


def send_to_cups(pdf: bytes, command: list[str]) -> str:
    """Pipe the PDF to ``lp``; returns the job id. Nothing is written to disk here."""
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=LP_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise PrintError("The print system did not answer within a minute; check the "
                         "printer and print again.") from None
    except OSError:
        raise PrintError("The print system could not be started; ask your IT team to "
                         "check the printer setup.") from None
    answer = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        log.warning("lp failed: exit %d", done.returncode)  # lp's text names the printer
        detail = f" ({reason[0].removeprefix('lp: ').rstrip('.')})" if reason else ""
        raise PrintError(f"The printer did not take the job{detail}; check that it is "
                         "switched on and connected, then print again.")
    # "request id is printer-12 (1 file(s))"
    return answer.split(" is ", 1)[1].split()[0] if " is " in answer else ""


def print_job(pdf: bytes, printer: QPrinter, paper: str) -> Outcome:
    """Hand the PDF to the chosen printer (or file); see the module docstring."""
    with open_pdf(pdf) as doc:
        pages = doc.pageCount()
    started = time.perf_counter()
    if is_print_to_file(printer):
        target = Path(printer.outputFileName())
        output.write_files_atomic(target.parent, [(target.name, pdf)])
        log.info("print to file: %d pages", pages)
        return Outcome("saved", pages, path=target, seconds=time.perf_counter() - started)
    check_paper(printer, paper)
    lp = cups_lp()
    if lp is not None and printer.printerName():
        first, last = _page_range(printer, pages)
        job = send_to_cups(pdf, lp_command(lp, printer, paper, pages))
        seconds = time.perf_counter() - started
        log.info("sent to cups: %d pages, %d bytes, %.2f s", last - first + 1, len(pdf),
                 seconds)
        return Outcome("printed", last - first + 1, printer.printerName(),
                       copies=max(1, printer.copyCount()), job=job, seconds=seconds)
    printed = print_pdf(pdf, printer, raster_dpi(printer))
    return Outcome("printed", printed, printer.printerName(),
                   seconds=time.perf_counter() - started)


def raster_dpi(printer: QPrinter) -> int:
    """The printer's own resolution, at least 300 and at most 600 dpi."""
    return max(PRINT_DPI, min(MAX_RASTER_DPI, printer.resolution()))


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
    """The raster fallback: every page of ``pdf`` (or the chosen range) as an image at
    ``dpi``, true to size on the paper; returns the sheets' page count."""
    with open_pdf(pdf) as doc:
        first, last = _page_range(printer, doc.pageCount())
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
                paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
                scale = printer.resolution() / dpi  # true size: the paper is the PDF's
                target = QSizeF(image.width() * scale, image.height() * scale)
                painter.drawImage(QRectF(paper.x() + (paper.width() - target.width()) / 2,
                                         paper.y() + (paper.height() - target.height()) / 2,
                                         target.width(), target.height()), image)
                printed += 1
    log.info("printed %d pages (raster, %d dpi)", printed, dpi)
    return printed
