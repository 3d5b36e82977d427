"""Engine benchmarks: warm in-process render and cold command-line render.

    python bench/engine.py [--runs N]

Prints medians (and min/max) in milliseconds. Targets on the 2-core machine: warm render of
both handouts <= 50 ms, cold `dischargedesk render` <= 300 ms. Results go in
docs/benchmarks.md with the machine and date; never into a timed unit test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary


def warm(runs: int) -> dict[str, list[float]]:
    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_handouts, render_pdf

    today = dt.date(2026, 11, 25)
    clinic = load_sample_clinic()
    req = HandoutRequest.from_mapping({
        "procedure": "kyphoplasty", "levels": ["T12", "L1"], "patient_name": "Bench Mark",
        "date_of_birth": "1950-01-01", "opioids": True,
        "medications": "Oxycodone 5 mg every 6 hours if needed\nDocusate 100 mg twice a day",
    }, today=today)
    render_handouts(req, clinic)  # warm-up: fonts, templates
    results: dict[str, list[float]] = {"warm render_handouts (both, 2 PDFs)": [],
                                       "warm render_pdf (both, 1 PDF, preview)": []}
    for _ in range(runs):
        t = time.perf_counter()
        render_handouts(req, clinic)
        results["warm render_handouts (both, 2 PDFs)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(req, clinic)
        results["warm render_pdf (both, 1 PDF, preview)"].append(time.perf_counter() - t)
    return results


def cold(runs: int) -> list[float]:
    exe = Path(sys.executable).with_name("dischargedesk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dischargedesk.cli"]
    samples = []
    with tempfile.TemporaryDirectory() as out:
        args = [*cmd, "render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
                "--patient-name", "Bench Mark", "--mrn", "B-1", "--out", out]
        subprocess.run(args, check=True, capture_output=True)  # warm the OS file cache
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            samples.append(time.perf_counter() - t)
    return samples


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()
    print(f"# {dt.date.today()} on {platform.node()}: {platform.processor() or platform.machine()}"
          f", {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, samples in warm(args.runs).items():
        print(summary(name, samples, 1))
    print(summary("cold `dischargedesk render` (both handouts)", cold(max(5, args.runs // 2)), 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
