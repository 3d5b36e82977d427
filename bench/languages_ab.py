"""Warm and cold render per language, this tree against another checkout, interleaved.

    python bench/languages_ab.py BASE_SRC [--runs N] [--cold-runs M]

BASE_SRC is another checkout's src/ (e.g. main: ``git archive main | tar x -C /tmp/base``).
One warm worker per tree renders both handouts of the sample patient (bench/languages.py's
request, the name in the language's script) in each language in turn, the trees taking
turns, so every median shares the machine's load; then ``dischargedesk render`` in a new
process (cold), the same way. Prints process CPU medians (and the fastest run) and each
language's ratio to English of the same tree. Used for docs/benchmarks.md (Languages).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from languages import NAMES, cold_args, cold_once

SRC = Path(__file__).resolve().parents[1] / "src"
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "ko", "vi")
WORKER = r"""
import datetime as dt, sys, time
from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_handouts
clinic = load_sample_clinic()
today = dt.date(2026, 11, 25)
base = {"procedure": "kyphoplasty", "levels": ["T12", "L1"], "date_of_birth": "1950-01-01",
        "opioids": True, "mrn": "B-1", "procedure_date": today.isoformat()}
names = NAMES
reqs = {}
for line in sys.stdin:
    code = line.strip()
    if code not in reqs:
        reqs[code] = HandoutRequest.from_mapping(
            {**base, "language": code, "patient_name": names.get(code, "Bench Mark")},
            today=today)
        render_handouts(reqs[code], clinic)  # warm-up: fonts, templates
    c = time.process_time()
    render_handouts(reqs[code], clinic)
    print(time.process_time() - c, flush=True)
"""


def worker(src: Path) -> subprocess.Popen[str]:
    code = WORKER.replace("names = NAMES", f"names = {NAMES!r}")
    return subprocess.Popen([sys.executable, "-c", code], cwd=src.parent, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})


def ask(p: subprocess.Popen[str], code: str) -> float:
    assert p.stdin is not None and p.stdout is not None
    p.stdin.write(code + "\n")
    p.stdin.flush()
    return float(p.stdout.readline()) * 1000


def report(kind: str, samples: dict[tuple[str, str], list[float]], trees: list[str]) -> None:
    for tree in trees:
        en = statistics.median(samples[tree, "en"])
        cells = []
        for code in LANGUAGES:
            got = samples[tree, code]
            med = statistics.median(got)
            cells.append(f"{code} {med:.0f} ms ({med / en:.2f}x, min {min(got):.0f})")
        print(f"{kind} CPU, {tree}: " + " | ".join(cells))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("base", type=Path)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cold-runs", type=int, default=5)
    args = ap.parse_args()
    srcs = {"base": args.base.resolve(), "this": SRC}
    workers = {name: worker(src) for name, src in srcs.items()}
    warm: dict[tuple[str, str], list[float]] = {(t, c): [] for t in srcs for c in LANGUAGES}
    for code in LANGUAGES:  # warm-up
        for p in workers.values():
            ask(p, code)
    for _ in range(args.runs):
        for code in LANGUAGES:
            for name, p in workers.items():
                warm[name, code].append(ask(p, code))
    for p in workers.values():
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    report("warm", warm, list(srcs))
    cold: dict[tuple[str, str], list[float]] = {(t, c): [] for t in srcs for c in LANGUAGES}
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out")
        for code in LANGUAGES:  # file cache
            for src in srcs.values():
                cold_once(src, cold_args(code, None, out))
        for _ in range(args.cold_runs):
            for code in LANGUAGES:
                for name, src in srcs.items():
                    cold[name, code].append(cold_once(src, cold_args(code, None, out))[1] * 1000)
    report("cold", cold, list(srcs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
