"""Live preview refresh: one keystroke in the form -> the new PDF loaded in the view.

    python bench/preview_refresh.py [--runs 15] [--platform offscreen|xcb]

Runs the real main window in this process. Each run types one character (a real key
event) into the caregiver field and waits until the preview shows the PDF of the edited
form: what the nurse waits for (there is no typing pause since issue 17; it was 250 ms).
Also prints the render time on the worker thread alone and how long the GUI thread was
busy handling the keystroke. Results go in docs/benchmarks.md; never into a unit test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform

    from PySide6.QtTest import QTest

    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.ui.main import application
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    app = application()
    win = MainWindow(load_sample_clinic(), AppSettings(Path(tempfile.mkdtemp()) / "s.ini"))
    win.confirm_discard = lambda question: True
    win.resize(1280, 800)
    win.show()
    QTest.qWaitForWindowExposed(win)
    form = win.form
    form.patient_name.setText("Bench Mark")
    form.mrn.setText("BENCH-1")
    form.levels.picker.set_levels(["T12", "L1"])
    form.medications.setPlainText("Oxycodone 5 mg every 6 hours if needed")

    loaded: list[float] = []
    renders: list[float] = []
    win.preview.loaded.connect(lambda pages: loaded.append(time.perf_counter()))
    win.session.rendered.connect(lambda g, r, p, s: renders.append(s))

    def wait_current(deadline: float = 30.0) -> None:
        end = time.perf_counter() + deadline
        while not (win.session.shown is not None and win.session.shown == win.session.request
                   and win.preview.banner_kind() is None):
            if time.perf_counter() > end:
                raise SystemExit("the preview did not catch up; run the app to see why")
            app.processEvents()
            time.sleep(0.002)

    wait_current()
    refresh: list[float] = []
    keystroke: list[float] = []
    render_times: list[float] = []
    for i in range(args.runs):
        loaded.clear()
        renders.clear()
        form.caregiver.setFocus()
        start = time.perf_counter()
        QTest.keyClicks(form.caregiver, "abcdefghijklmnopqrstuvwxyz"[i % 26])
        keystroke.append(time.perf_counter() - start)
        wait_current()
        refresh.append(loaded[-1] - start)
        render_times.extend(renders[-1:])
        QTest.qWait(100)
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Qt platform {args.platform}")
    print(summary("keystroke -> PDF in view", refresh))
    print(summary("render_pdf on the worker thread", render_times))
    print(summary("GUI thread busy per keystroke", keystroke))
    win.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
