"""Engine benchmarks: warm in-process render and cold command-line render.

    python bench/engine.py [--runs N] [--cold-only] [--baseline SRC]

Prints medians (and min/max) in milliseconds. Targets on the 2-core machine: warm render of
both handouts <= 50 ms, cold `dischargedesk render` <= 300 ms, and (issue 17) cold render
<= 2.5x the ReportLab import floor (`python -c "import reportlab.platypus"`), the floor
measured in the same run, each floor run right before a render run so both see the same
load. The cold runs use the compiled-template cache as a second start does; one run with
an empty cache is shown apart. Results go in docs/benchmarks.md with the machine and date;
never into a timed unit test.

``--cold-only`` skips the warm renders. ``--baseline SRC`` also renders cold with another
checkout (its folder, or its ``src`` folder; e.g. ``git worktree add /tmp/base main``), run
by run in turn with the floor and this tree (floor, base, this, floor, base, this, ...), so
all three see the same load; each tree gets its own template cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary

ROOT = Path(__file__).resolve().parent.parent


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


def _timed_cpu(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a new process; CPU (user + system of the child) is less
    disturbed than wall time by the other processes of a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = _timed(args, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _src(folder: Path) -> Path:
    """A checkout's import root: FOLDER/src when it has one, else FOLDER."""
    src = folder.resolve() / "src"
    return src if (src / "dischargedesk").is_dir() else folder.resolve()


def cold(runs: int, baseline: Path | None = None) -> dict[str, list[float]]:
    """Cold renders, each a new process. Keys: "floor", then per tree ("this", and "base"
    with a baseline) its renders and "<tree> empty cache" (one run, which fills the cache)."""
    trees = {"this": _src(ROOT)}
    if baseline is not None:
        trees = {"base": _src(baseline), **trees}
    # the same command for every tree (not the installed script, which imports one of them)
    cmd = [sys.executable, "-c", "from dischargedesk.cli import main; main()"]
    floor_cmd = [sys.executable, "-c", "import reportlab.platypus"]
    results: dict[str, list[float]] = {"floor": [], "floor cpu": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        base_env = dict(os.environ)
        # as installed: Python's own bytecode cache on (a dev shell may turn it off, which
        # makes every cold run compile the whole package)
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        envs = {name: dict(base_env, PYTHONPATH=str(src), XDG_CACHE_HOME=f"{tmp}/cache-{name}")
                for name, src in trees.items()}
        args = [*cmd, "render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
                "--patient-name", "Bench Mark", "--mrn", "B-1", "--out", str(out)]
        for name, env in envs.items():  # also fills the template cache
            results[f"{name} empty cache"] = [_timed(args, env)]
            results[name], results[f"{name} cpu"] = [], []
        _timed(floor_cmd, base_env)  # warm the OS file cache
        for _ in range(runs):
            for key, (cmd_args, env) in [("floor", (floor_cmd, base_env)),
                                         *((n, (args, e)) for n, e in envs.items())]:
                wall, cpu = _timed_cpu(cmd_args, env)
                results[key].append(wall)
                results[f"{key} cpu"].append(cpu)
    return results


def _ratio(name: str, renders: list[float], floor: list[float]) -> str:
    pairs = [r / f for r, f in zip(renders, floor, strict=True)]
    return (f"{name} / floor: median of medians "
            f"{statistics.median(renders) / statistics.median(floor):.2f}x, "
            f"median of pairs {statistics.median(pairs):.2f}x (goal <= 2.5x)")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--cold-only", action="store_true", help="skip the warm renders")
    p.add_argument("--baseline", type=Path, metavar="SRC",
                   help="another checkout, measured cold in the same run")
    args = p.parse_args()
    print(f"# {dt.date.today()} on {platform.node()}: {platform.processor() or platform.machine()}"
          f", {os.cpu_count()} cores, Python {platform.python_version()}, load "
          f"{os.getloadavg()[0]:.1f}")
    if not args.cold_only:
        for name, samples in warm(args.runs).items():
            print(summary(name, samples, 1))
    c = cold(args.runs if args.cold_only else max(5, args.runs // 2), args.baseline)
    print(summary("floor `python -c \"import reportlab.platypus\"`", c["floor"], 1))
    print(summary("  floor CPU", c["floor cpu"], 1))
    for name in ("base", "this"):
        if name not in c:
            continue
        label = f"{name} ({_src(args.baseline)})" if name == "base" and args.baseline else name
        print(summary(f"cold `dischargedesk render` (both handouts), {label}", c[name], 1))
        print(summary(f"  {name}, empty template cache (1 run)", c[f"{name} empty cache"], 1))
        print(_ratio(f"cold render {name}", c[name], c["floor"]))
        print(_ratio(f"  CPU, {name}", c[f"{name} cpu"], c["floor cpu"]))
    if "base" in c:
        for what in ("", " cpu"):
            pairs = [t / b for t, b in zip(c[f"this{what}"], c[f"base{what}"], strict=True)]
            print(f"this / base{what or ' wall'}: median of pairs "
                  f"{statistics.median(pairs):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
