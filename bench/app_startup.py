"""Desktop app cold start: process start -> window shown -> first preview in the view.

    python bench/app_startup.py [--runs 5] [--platform offscreen|xcb]

Each run is a fresh Python process (fresh settings in a temp folder). The child creates the
app and the main window exactly as ``dischargedesk`` does, shows it, types a sample patient
into the form the moment the window is shown (the request the nurse would make) and exits
when the PDF of that form is in the preview. The parent timestamps the child's markers as
they arrive, from just before it starts the process. Prints medians (min/max) in ms.
Results go in docs/benchmarks.md with the machine and date; never into a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

from _stats import summary

CHILD = r"""
import os, sys, tempfile
from pathlib import Path
print("python", flush=True)
from dischargedesk.ui.main import application
from dischargedesk.ui.main_window import MainWindow
from dischargedesk.ui.settings import AppSettings
from dischargedesk.clinic.profile import load_sample_clinic
from PySide6.QtCore import QTimer

app = application()
win = MainWindow(load_sample_clinic(), AppSettings(Path(tempfile.mkdtemp()) / "s.ini"))
done = {}

def fill():
    print("shown", flush=True)
    f = win.form
    f.patient_name.setText("Bench Mark")
    f.mrn.setText("BENCH-1")
    f.levels.picker.set_levels(["T12", "L1"])
    f.medications.setPlainText("Oxycodone 5 mg every 6 hours if needed")

def ready(pages):
    if not done:
        done["pages"] = pages
        print(f"preview {pages}", flush=True)
        win.confirm_discard = lambda q: True
        QTimer.singleShot(0, app.quit)

win.session.preview_ready.connect(ready)
win.show()
QTimer.singleShot(0, fill)   # runs once the event loop has shown the window
QTimer.singleShot(60_000, app.quit)
app.exec()
os._exit(0 if done else 1)
"""


def one_run(env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        marks[line.split()[0]] = time.perf_counter() - start
    if proc.wait() != 0 or "preview" not in marks:
        raise SystemExit("the app did not show a preview; run it by hand to see why")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    one_run(env)  # warm the OS file cache once: "cold" means a new process, not a new disk
    runs = [one_run(env) for _ in range(args.runs)]
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Qt platform {args.platform}")
    print(summary("process start -> Python running", [r["python"] for r in runs]))
    print(summary("process start -> window shown", [r["shown"] for r in runs]))
    print(summary("process start -> first preview in view", [r["preview"] for r in runs]))


if __name__ == "__main__":
    main()
