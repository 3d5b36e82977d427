"""Template check speed (issue 17.2) against a single cold render, measured in the same run.

    python bench/check_speed.py [--runs N] [--baseline OTHER/src] [--pdf] [--language CODE ...]
    python bench/check_speed.py --edits N [--language CODE ...]

Each run is a fresh process, as a person runs it: a cold `dischargedesk render` of both
handouts (the yardstick), then `dischargedesk templates check --clinic
resources/sample-clinic --no-pdf` of this tree, then (with ``--baseline``) the same check
of another checkout's ``src`` - interleaved, so all see the same load. ``--pdf`` adds one
full check (with PDFs and layout checks) of each. ``--language`` (repeatable) checks those
languages only (their bilingual print included), through ``check_templates(languages=...)``
in the child, which a checkout without the CLI option has too. Prints medians of wall time
and of the child's CPU time (user + system, steadier on a shared machine) and the ratio to the cold
render. Goals (sample clinic): no-PDF check <= 1.5 s, with PDFs <= 5 s. Results go in
docs/benchmarks.md with the machine and date; never into a timed unit test.

``--edits N``: the full check (with PDFs) as a clinic works with it, N rounds on a copy of
the sample clinic that has its own copy of one English and one Spanish section: the first
check (no layouts kept from earlier checks), the same check again (nothing changed), then
after the Spanish section changed and after the English section changed (a new last line
each; English text is in every language's bilingual print) - each a fresh process, with a
cold render beside them. The layout cache (layoutcache.py) is emptied before each round's
first check.
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

ROOT = Path(__file__).resolve().parents[1]
CLINIC = ROOT / "resources" / "sample-clinic"


def _timed(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float,
                                                                                       float]:
    """(wall, CPU) seconds of one child process, whose exit status must be in ``ok``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(args, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{args[-4:]} failed ({done.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _cli(src: Path) -> list[str]:
    return [sys.executable, "-c",
            f"import sys; sys.path.insert(0, {str(src)!r}); "
            "from dischargedesk.cli import main; sys.exit(main())"]


def _check(src: Path, languages: list[str] | None, pdf: bool,
           clinic: Path = CLINIC) -> list[str]:
    """The template check of the sample clinic by one tree: its CLI, or (``languages``) its
    ``check_templates`` (exit 1 when it found errors, as the CLI)."""
    if not languages:
        return [*_cli(src), "templates", "check", "--clinic", str(clinic),
                *([] if pdf else ["--no-pdf"])]
    return [sys.executable, "-c",
            f"import sys; sys.path.insert(0, {str(src)!r}); "
            "from dischargedesk.checks import check_templates; "
            "from dischargedesk.clinic.profile import load_clinic; "
            f"report = check_templates(load_clinic({str(clinic)!r}), "
            f"languages={languages!r}, build_pdfs={pdf!r}); sys.exit(0 if report.ok else 1)"]


def _header(languages: list[str] | None, what: str = "") -> None:
    print(f"# {dt.date.today()} on {platform.node()}: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; languages: {', '.join(languages or ['all'])}{what}")


def _env(cache: Path) -> dict[str, str]:
    """The children's environment: their own cache folder, compiled files as installed."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPATH", None)
    return env


def _render(src: Path, out: Path) -> list[str]:
    """The yardstick: a cold ``dischargedesk render`` of both handouts."""
    return [*_cli(src), "render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
            "--patient-name", "Bench Mark", "--mrn", "B-1", "--out", str(out)]


def _report(name: str, runs: list[tuple[float, float]],
            render: list[tuple[float, float]]) -> None:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    render_wall = statistics.median(w for w, _ in render)
    render_cpu = statistics.median(c for _, c in render)
    print(f"{name}: wall median {wall:.2f} s (min {min(w for w, _ in runs):.2f}, "
          f"max {max(w for w, _ in runs):.2f}), CPU median {cpu:.2f} s, n={len(runs)}; "
          f"{wall / render_wall:.1f}x the cold render (CPU {cpu / render_cpu:.1f}x)",
          flush=True)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5, help="no-PDF runs (at least 1)")
    p.add_argument("--baseline", type=Path, help="src folder of another checkout")
    p.add_argument("--pdf", action="store_true", help="also one full check with PDFs each")
    p.add_argument("--language", action="append", help="check only this language (repeat)")
    p.add_argument("--edits", type=int, default=0,
                   help="rounds of first check / again / after an edit (with PDFs)")
    args = p.parse_args()
    if args.edits:
        return _edits(args.edits, args.language)
    _header(args.language)
    trees = {"this": ROOT / "src"}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    samples: dict[str, list[tuple[float, float]]] = {"render": []}
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        env = _env(Path(cache))
        render = _render(trees["this"], Path(out))
        checks = {name: _check(src, args.language, pdf=False) for name, src in trees.items()}
        _timed(render, env)  # fills the template cache and the OS file cache
        for cmd in checks.values():
            _timed(cmd, env)
        for name in checks:
            samples[f"check {name}"] = []
        for _ in range(args.runs):
            samples["render"].append(_timed(render, env))
            for name, cmd in checks.items():
                samples[f"check {name}"].append(_timed(cmd, env))
        for name, runs in samples.items():
            if runs:
                _report(name, runs, samples["render"])
        if args.pdf:  # one run each, a render right before it as its yardstick
            for name, src in trees.items():
                cmd = _check(src, args.language, pdf=True)
                yardstick = [_timed(render, env)]
                # (1: the check found problems - still a measured check)
                _report(f"check {name} with PDFs (1 run, load {os.getloadavg()[0]:.1f})",
                        [_timed(cmd, env, ok=(0, 1))], yardstick)
    return 0


SECTIONS = ("es/recovery/30-bone-health.txt", "en/discharge/50-medicines.txt")


def _edits(rounds: int, languages: list[str] | None) -> int:
    import shutil

    _header(languages, "; full check with PDFs")
    samples: dict[str, list[tuple[float, float]]] = {
        name: [] for name in ("render", "first check", "again, nothing changed",
                              "after a Spanish section edit", "after an English section edit")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clinic, out, cache = folder / "clinic", folder / "out", folder / "cache"
        shutil.copytree(CLINIC, clinic)
        for rel in SECTIONS:  # the clinic's own copies of two built-in sections
            (clinic / "templates" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "templates" / rel, clinic / "templates" / rel)
        env = _env(cache)
        render = _render(ROOT / "src", out)
        check = _check(ROOT / "src", languages, pdf=True, clinic=clinic)
        _timed(render, env)  # fills the template cache and the OS file cache
        for n in range(rounds):
            shutil.rmtree(cache / "dischargedesk" / "layout", ignore_errors=True)
            samples["render"].append(_timed(render, env))
            samples["first check"].append(_timed(check, env, ok=(0, 1)))
            samples["again, nothing changed"].append(_timed(check, env, ok=(0, 1)))
            for rel, name in zip(SECTIONS, ("after a Spanish section edit",
                                            "after an English section edit"), strict=True):
                path = clinic / "templates" / rel
                text = path.read_text(encoding="utf-8")
                # a new last line: the printed text changes wherever the section prints
                path.write_text(text.rstrip("\n") + f"\n- {'Ok' if 'en/' in rel else 'Sí'} "
                                f"{n + 1}.\n", encoding="utf-8")
                samples[name].append(_timed(check, env, ok=(0, 1)))
            print(f"round {n + 1}: load {os.getloadavg()[0]:.1f}", flush=True)
    for name, runs in samples.items():
        _report(name, runs, samples["render"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
