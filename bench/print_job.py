"""Print job benchmark: size of the job and time to hand it to the spooler.

    QT_QPA_PLATFORM=offscreen python bench/print_job.py [--queue dischargedesk-test] [--runs N]

Standard case: the sample patient (kyphoplasty, T12 and L1, opioids, two medication lines),
both handouts in one job, as the app prints it. Measures

* the vector path the app uses on Linux and macOS: the PDF piped to ``lp`` (time until
  ``lp`` returns with a job id, i.e. the job is in the spooler; job size as CUPS lists it);
* the raster fallback (Windows): the same pages at 300 and 600 dpi on a PDF-mode QPrinter
  (time to paint, size of the output), for comparison with the old 300-dpi path.

Goal (issue 10): the job within 2x the PDF's size and under 2 s to the spooler. Results go
in docs/benchmarks.md; never into a timed unit test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import tempfile
import time
from pathlib import Path

from _stats import summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", default="dischargedesk-test")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from dischargedesk import engine
    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.sample import sample_request_data
    from dischargedesk.ui import printing

    app = QApplication([])
    today = dt.date(2026, 12, 1)
    clinic = load_sample_clinic()
    request = HandoutRequest.from_mapping(sample_request_data(today), today=today)
    pdf = engine.render_pdf(request, clinic)
    with printing.open_pdf(pdf) as doc:
        pages = doc.pageCount()
    print(f"standard case: {pages} pages, PDF {len(pdf) / 1024:.0f} KiB")

    lp = printing.cups_lp()
    if lp and args.queue in printing.available_printers():
        printer = printing.new_printer()
        printer.setPrinterName(args.queue)
        printing.match_paper(printer, pdf, printing.clinic_paper(clinic))
        samples, done, jobs = [], [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            outcome = printing.print_job(pdf, printer, printing.clinic_paper(clinic))
            samples.append(outcome.seconds)
            jobs.append(outcome.job)
            while outcome.job in subprocess.run(
                    ["lpstat", "-W", "not-completed", "-o", args.queue], capture_output=True,
                    text=True, check=False).stdout:
                time.sleep(0.05)
            done.append(time.perf_counter() - t)
        print(summary("vector: PDF piped to lp until the job is spooled", samples))
        print(summary("vector: until CUPS finished the job (cups-pdf backend)", done))
        time.sleep(2)
        listed = subprocess.run(["lpstat", "-W", "all", "-o", args.queue],
                                capture_output=True, text=True, check=False).stdout
        sizes = [int(line.split()[2]) for line in listed.splitlines()
                 if line.split() and line.split()[0] in jobs]
        if sizes:
            print(f"vector: job size as CUPS lists it {max(sizes) / 1024:.0f} KiB "
                  f"({max(sizes) / len(pdf):.2f}x the PDF)")
    else:
        print(f"no CUPS queue {args.queue}: run scripts/ci-cups.sh for the vector path")

    with tempfile.TemporaryDirectory() as folder:
        for dpi in (300, 600):
            target = Path(folder) / f"raster-{dpi}.pdf"
            samples = []
            for _ in range(max(1, args.runs // 2)):
                printer = printing.new_printer()
                printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
                printer.setOutputFileName(str(target))
                printer.setResolution(dpi)
                printing.match_paper(printer, pdf, "Letter")
                t = time.perf_counter()
                printing.print_pdf(pdf, printer, printing.raster_dpi(printer))
                samples.append(time.perf_counter() - t)
            size = target.stat().st_size
            print(summary(f"raster fallback at {dpi} dpi: paint all pages", samples))
            print(f"raster fallback at {dpi} dpi: job {size / 1024 / 1024:.1f} MiB "
                  f"({size / len(pdf):.0f}x the PDF)")
    del app


if __name__ == "__main__":
    main()
