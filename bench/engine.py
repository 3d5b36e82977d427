"""Engine benchmarks: warm in-process render and cold command-line render.

    python bench/engine.py [--runs N]

Prints medians (and min/max) in milliseconds. Targets on the 2-core machine: warm render of
both handouts <= 50 ms, cold `dischargedesk render` <= 300 ms, and (issue 17) cold render
<= 2.5x the ReportLab import floor (`python -c "import reportlab.platypus"`), the floor
measured in the same run, each floor run right before a render run so both see the same
load. The cold runs use the compiled-template cache as a second start does; one run with
an empty cache is shown apart. Results go in docs/benchmarks.md with the machine and date;
never into a timed unit test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
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


def _timed(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def cold(runs: int) -> dict[str, list[float]]:
    exe = Path(sys.executable).with_name("dischargedesk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c",
                                           "from dischargedesk.cli import main; main()"]
    floor_cmd = [sys.executable, "-c", "import reportlab.platypus"]
    results: dict[str, list[float]] = {"floor": [], "render": [], "empty cache": []}
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        # as installed: Python's own bytecode cache on (a dev shell may turn it off, which
        # makes every cold run compile the whole package)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        args = [*cmd, "render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
                "--patient-name", "Bench Mark", "--mrn", "B-1", "--out", out]
        results["empty cache"].append(_timed(args, env))  # also fills the template cache
        _timed(floor_cmd, env)  # warm the OS file cache
        for _ in range(runs):
            results["floor"].append(_timed(floor_cmd, env))
            results["render"].append(_timed(args, env))
    return results


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()
    print(f"# {dt.date.today()} on {platform.node()}: {platform.processor() or platform.machine()}"
          f", {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, samples in warm(args.runs).items():
        print(summary(name, samples, 1))
    c = cold(max(5, args.runs // 2))
    print(summary("floor `python -c \"import reportlab.platypus\"`", c["floor"], 1))
    print(summary("cold `dischargedesk render` (both handouts)", c["render"], 1))
    print(summary("cold `dischargedesk render`, empty template cache (1 run)",
                  c["empty cache"], 1))
    ratios = [r / f for r, f in zip(c["render"], c["floor"], strict=True)]
    print(f"cold render / floor: median of medians "
          f"{statistics.median(c['render']) / statistics.median(c['floor']):.2f}x, "
          f"median of pairs {statistics.median(ratios):.2f}x (goal <= 2.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
