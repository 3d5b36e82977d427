"""Printing to a real CUPS queue through the app: the real print dialog, ``lp``, the
cups-pdf backend writing the job out as a PDF that pdfinfo/pdftotext/pdffonts inspect.

Needs the ``dischargedesk-test`` queue (scripts/ci-cups.sh sets it up; CI runs it). When
cupsd is installed but not running, the session fixture starts it with that script (as
root) and stops it at the end; otherwise these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox

from dischargedesk.ui import printing

from .conftest import PATIENT, TOKEN, fill_minimal, message_texts, wait_for_preview

QUEUE = "dischargedesk-test"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path("/var/spool/cups-pdf/dischargedesk-test")


def _queue_ready() -> bool:
    if shutil.which("lpstat") is None:
        return False
    done = subprocess.run(["lpstat", "-p", QUEUE], capture_output=True, text=True,
                          check=False)
    return done.returncode == 0 and "enabled" in done.stdout


def _out_folder() -> Path:
    if os.environ.get("DISCHARGEDESK_CUPS_OUT"):
        return Path(os.environ["DISCHARGEDESK_CUPS_OUT"])
    try:
        for line in Path("/etc/cups/cups-pdf.conf").read_text().splitlines():
            if line.startswith("Out "):
                return Path(line.split(None, 1)[1].strip())
    except OSError:
        pass
    return DEFAULT_OUT


def _unavailable(reason: str) -> None:
    """Skip, except in CI (.ci/run sets DISCHARGEDESK_REQUIRE_CUPS=1): there a missing queue
    is a failure, so the real-printer tests can never silently stop running."""
    if os.environ.get("DISCHARGEDESK_REQUIRE_CUPS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cups_out() -> Iterator[Path]:
    started = False
    if shutil.which("pdffonts") is None:
        _unavailable("poppler-utils (pdfinfo, pdffonts, pdftotext) is not installed")
    if not _queue_ready():
        if shutil.which("cupsd") is None or shutil.which("lpadmin") is None:
            _unavailable("CUPS is not installed (apt-get install cups cups-client cups-bsd "
                        "printer-driver-cups-pdf, or run scripts/ci-cups.sh)")
        if os.geteuid() != 0:
            _unavailable(f"the CUPS queue {QUEUE} is missing and only root can add it "
                        "(run scripts/ci-cups.sh)")
        if not Path("/usr/lib/cups/backend/cups-pdf").exists():
            _unavailable("the cups-pdf backend is not installed (printer-driver-cups-pdf)")
        subprocess.run(["bash", str(ROOT / "scripts" / "ci-cups.sh")], check=True,
                       capture_output=True)
        started = True
    if not _queue_ready():
        _unavailable(f"the CUPS queue {QUEUE} is not accepting jobs")
    yield _out_folder()
    if started:
        subprocess.run(["bash", str(ROOT / "scripts" / "ci-cups-stop.sh")], check=False,
                       capture_output=True)


def _wait_for_job(out: Path, before: set[Path], timeout_s: float = 60) -> Path:
    """The PDF cups-pdf wrote for the new job (complete: its size stopped changing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = sorted(set(out.glob("*.pdf")) - before)
        if new:
            size = new[0].stat().st_size
            time.sleep(0.3)
            if size and size == new[0].stat().st_size:
                return new[0]
        QApplication.processEvents()
        time.sleep(0.1)
    raise AssertionError(f"no job came out of the CUPS queue in {timeout_s:.0f} s")


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _accept_print_dialog(found: list[str]) -> None:
    """Pick the test queue in the real print dialog and press Print."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QPrintDialog) and widget.isVisible():
            combo = widget.findChild(QComboBox, "printers")
            if combo is not None:
                combo.setCurrentIndex(combo.findText(QUEUE))
            found.append(widget.printer().printerName())
            buttons = widget.findChild(QDialogButtonBox)
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok) if buttons else None
            if ok is not None:
                ok.click()
            else:
                widget.accept()
            return
    QTimer.singleShot(50, lambda: _accept_print_dialog(found))


def test_real_dialog_sends_a_vector_letter_job_to_cups(qtbot, window, questions, cups_out):
    del window.choose_printer, window.printer_names  # the real dialog and printer list
    assert QUEUE in window.printer_names()
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    pdf = window.preview.pdf_bytes()
    before = set(cups_out.glob("*.pdf"))
    found: list[str] = []
    QTimer.singleShot(50, lambda: _accept_print_dialog(found))
    window.print_handouts()
    assert found == [QUEUE] and not message_texts()
    pages = window.preview.page_count()
    assert window.statusBar().currentMessage() == f"Sent {pages} pages to {QUEUE}."
    job = _wait_for_job(cups_out, before)
    assert TOKEN not in job.name  # the job title holds no patient data
    info = _run("pdfinfo", str(job))
    assert re.search(rf"Pages:\s+{pages}\b", info)
    assert re.search(r"Page size:\s+612 x 792 pts \(letter\)", info)  # Letter, not scaled
    text = " ".join(_run("pdftotext", str(job), "-").split())
    assert PATIENT in text and "Discharge instructions" in text  # text, not pictures
    assert "Your recovery plan" in text
    fonts = _run("pdffonts", str(job)).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # embedded fonts
    assert TOKEN not in _run("pdfinfo", str(job)).split("Pages:")[0]  # metadata
    assert [e.how for e in window.recent.entries()] == ["printed"]
    outcome = window.last_outcome
    assert outcome.job.startswith(f"{QUEUE}-")
    listed = _run("lpstat", "-W", "all", "-o", QUEUE)
    line = next(x for x in listed.splitlines() if x.split()[0] == outcome.job)
    assert int(line.split()[2]) <= 2 * len(pdf)  # the job is the PDF, not page images
    job.unlink()  # the queue's output holds the (test) patient's name


def test_lp_gets_the_dialogs_copies_duplex_and_range(cups_out):
    """The dialog's choices as lp options (the queue only shapes what Qt allows)."""
    printer = printing.new_printer()
    printer.setPrinterName(QUEUE)
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    command = printing.lp_command("lp", printer, "Letter", 11)
    assert command[:7] == ["lp", "-d", QUEUE, "-n", "2", "-t", printing.JOB_NAME]
    options = [command[i + 1] for i, part in enumerate(command) if part == "-o"]
    assert options == ["media=Letter", "print-scaling=none", "sides=one-sided",
                       "collate=true"]  # cups-pdf has no duplex unit: Qt keeps it off
    mode = QPrinter.DuplexMode
    assert [printing.sides_option(m) for m in (mode.DuplexLongSide, mode.DuplexAuto,
                                               mode.DuplexShortSide, mode.DuplexNone)] == [
        "two-sided-long-edge", "two-sided-long-edge", "two-sided-short-edge", "one-sided"]
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    options = [part for part in printing.lp_command("lp", printer, "A4", 11)
               if "=" in part]
    assert "sides=one-sided" in options and "page-ranges=2-3" in options
    assert "media=A4" in options


def test_other_paper_in_the_dialog_is_refused_not_scaled(qtbot, window, questions,
                                                         cups_out):
    def choose_a4(printer, pages):
        printer.setPrinterName(QUEUE)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        return True

    window.choose_printer = choose_a4
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    before = set(cups_out.glob("*.pdf"))
    window.print_handouts()
    texts = message_texts()
    assert len(texts) == 1 and "laid out for Letter paper" in texts[0] and "A4" in texts[0]
    time.sleep(1)
    assert set(cups_out.glob("*.pdf")) == before
    assert window.session.dirty and len(window.recent) == 0


def test_a_printer_that_refuses_gives_one_sentence(cups_out, make_request, sample_clinic):
    from dischargedesk import engine

    pdf = engine.render_pdf(make_request(patient_name=PATIENT), sample_clinic)
    printer = printing.new_printer()
    command = printing.lp_command(shutil.which("lp") or "lp", printer, "Letter", 2)
    command[command.index("-d") + 1] = "dischargedesk-no-such-printer"
    with pytest.raises(printing.PrintError) as caught:
        printing.send_to_cups(pdf, command)
    message = caught.value.message
    assert message.startswith("The printer did not take the job (")
    assert message.endswith("check that it is switched on and connected, then print again.")
    assert TOKEN not in message and "\n" not in message
