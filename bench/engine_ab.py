"""Warm render, this tree against another git revision, in the same run.

    python bench/engine_ab.py BASE_REV [--runs N]

Extracts BASE_REV (``git archive``) to a temp folder and starts one warm worker per tree;
the workers take turns, one render each, so both see the same machine load (the shared
2-core machine is noisy). Prints the median wall time and the median CPU time of the
process (less disturbed by other processes) of both handouts (two PDFs, as saved) and of
one PDF (the preview), and the change. Used for the cost of tagging in docs/benchmarks.md,
and against ecb21c1 (the revision of the 2026-11-25 quiet engine rows) to judge the absolute
engine targets on a slower machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import datetime as dt, sys, time
try:
    from dischargedesk.clinic.profile import load_sample_clinic
except ImportError:  # revisions before the clinic package (e.g. ecb21c1, 2026-11-25)
    from dischargedesk.domain.clinic import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_handouts, render_pdf
clinic = load_sample_clinic()
req = HandoutRequest.from_mapping({
    "procedure": "kyphoplasty", "levels": ["T12", "L1"], "patient_name": "Bench Mark",
    "date_of_birth": "1950-01-01", "opioids": True,
    "medications": "Oxycodone 5 mg every 6 hours if needed\nDocusate 100 mg twice a day",
}, today=dt.date(2026, 11, 25))
render_handouts(req, clinic); render_pdf(req, clinic)
print("ready", flush=True)
for line in sys.stdin:
    fn = render_handouts if line.strip() == "handouts" else render_pdf
    w, c = time.perf_counter(), time.process_time()
    fn(req, clinic)
    print(time.perf_counter() - w, time.process_time() - c, flush=True)
"""


def worker(src: Path) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", WORKER], cwd=src.parent, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    return p


def ask(p: subprocess.Popen[str], what: str) -> tuple[float, float]:
    assert p.stdin is not None and p.stdout is not None
    p.stdin.write(what + "\n")
    p.stdin.flush()
    wall, cpu = p.stdout.readline().split()
    return float(wall) * 1000, float(cpu) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "base.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), args.base],
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "base", filter="data")
        trees = {"base": worker(Path(tmp) / "base" / "src"), "this": worker(ROOT / "src")}
        for what in ("handouts", "pdf"):
            samples: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
            for _ in range(args.runs):
                for name, p in trees.items():
                    samples[name].append(ask(p, what))
            label = {"handouts": "render_handouts (both, 2 PDFs)",
                     "pdf": "render_pdf (both, 1 PDF)"}[what]
            med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                   for k, v in samples.items()}
            (bw, bc), (tw, tc) = med["base"], med["this"]
            print(f"{label}: base {bw:.1f} ms wall / {bc:.1f} ms CPU; this {tw:.1f} ms wall "
                  f"/ {tc:.1f} ms CPU; change {100 * (tw / bw - 1):+.0f}% wall, "
                  f"{100 * (tc / bc - 1):+.0f}% CPU (medians of {args.runs})")
        for p in trees.values():
            assert p.stdin is not None
            p.stdin.close()
            p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
