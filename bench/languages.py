"""Render time and PDF size per language (issue 12).

    python bench/languages.py [--runs N] [--baseline-src DIR]

For each language pack installed (templates/*/pack.toml) and for a synthetic Chinese case
(the English templates with a Chinese pack.toml and about 600 distinct common Chinese
characters added to the sections, as many as a real handout has), prints the warm in-process
render of both handouts, the cold `dischargedesk render` (a new process each time) and the
size of the one-PDF preview. ``--baseline-src`` (another checkout's src/, e.g. main before
a change) times the English cold render of that code in the same run, alternating with this
one, so the two medians share the machine's load. Each time is given as wall time and as
CPU time (the process's, or the child's user + system time for the cold render), which
moves much less when other work shares the machine's cores. Results go in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary

SRC = Path(__file__).resolve().parents[1] / "src"
TODAY = dt.date(2026, 11, 25)
BASE = {"procedure": "kyphoplasty", "levels": ["T12", "L1"], "date_of_birth": "1950-01-01",
        "opioids": True, "mrn": "B-1", "procedure_date": TODAY.isoformat()}
NAMES = {"zh-Hans": "王小明", "zh-Hant": "王小明", "ko": "김민준", "vi": "Nguyễn Văn An"}


def common_chinese(count: int = 600) -> str:
    """``count`` distinct common characters (GB2312 level 1, the most used 3,755), as
    sentences of 20 characters."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    step = max(1, len(chars) // count)
    picked = chars[::step][:count]
    return "\n\n".join("".join(picked[i:i + 20]) + "。" for i in range(0, len(picked), 20))


def synthetic_chinese_clinic(folder: Path) -> Path:
    """A copy of the sample clinic with templates/zh-Hans: English templates, a Chinese
    pack.toml and Chinese paragraphs spread over the sections."""
    from dischargedesk.resources import sample_clinic_dir, templates_dir

    clinic = folder / "clinic"
    shutil.copytree(sample_clinic_dir(), clinic)
    target = clinic / "templates" / "zh-Hans"
    shutil.copytree(templates_dir() / "en", target)
    pack = (target / "pack.toml").read_text(encoding="utf-8")
    pack = pack.replace('code = "en"', 'code = "zh-Hans"').replace(
        'name = "English"', 'name = "中文（简体）"').replace('locale = "en_US"\n', "").replace(
        'free_text_marker = ""', 'free_text_marker = "这一行是英文：请翻译员和您一起读。"')
    (target / "pack.toml").write_text(pack + '[dates]\nday = "M月d日 EEEE"\n', encoding="utf-8")
    paragraphs = common_chinese().split("\n\n")
    sections = sorted(p for p in target.glob("*/*.txt"))
    for n, path in enumerate(sections):
        text = path.read_text(encoding="utf-8")
        extra = "\n\n".join(paragraphs[n::len(sections)])
        if "@pagebreak" in text:  # the one-page summary stays as it is
            continue
        path.write_text(text.rstrip("\n") + "\n\n" + extra + "\n", encoding="utf-8")
    return clinic


def cases(tmp: Path) -> list[tuple[str, str, Path | None]]:
    """(label, language code, clinic folder or None for the sample clinic)."""
    from dischargedesk.render.language import available_languages

    out: list[tuple[str, str, Path | None]] = [(c, c, None) for c in available_languages()]
    out.append(("zh-Hans (synthetic: English text + 600 Chinese characters)", "zh-Hans",
                synthetic_chinese_clinic(tmp)))
    return out


def warm(code: str, clinic_dir: Path | None,
         runs: int) -> tuple[list[float], list[float], int]:
    from dischargedesk.clinic.profile import load_clinic, load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_handouts, render_pdf

    clinic = load_clinic(clinic_dir) if clinic_dir else load_sample_clinic()
    req = HandoutRequest.from_mapping({**BASE, "language": code,
                                       "patient_name": NAMES.get(code, "Bench Mark")},
                                      today=TODAY)
    render_handouts(req, clinic)  # warm-up: fonts, templates
    samples, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        render_handouts(req, clinic)
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return samples, cpu, len(render_pdf(req, clinic))


def cold_args(code: str, clinic_dir: Path | None, out: str) -> list[str]:
    args = ["render", "--procedure", "kyphoplasty", "--levels", "T12,L1", "--patient-name",
            NAMES.get(code, "Bench Mark"), "--mrn", "B-1", "--language", code, "--out", out]
    return [*args, "--clinic", str(clinic_dir)] if clinic_dir else args


def cold_once(src: Path, args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one `dischargedesk render` in a new process."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", "import sys; from dischargedesk.cli import main; "
           "sys.exit(main(sys.argv[1:]))", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--baseline-src", type=Path, default=None)
    args = p.parse_args()
    sys.path.insert(0, str(SRC))
    print(f"# {dt.date.today()} on {platform.node()}: {platform.processor() or platform.machine()}"
          f", {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        out = str(tmp / "out")
        if args.baseline_src:
            en = cold_args("en", None, out)
            cold_once(args.baseline_src, en), cold_once(SRC, en)  # file cache
            base, this = [], []
            for _ in range(args.runs):
                base.append(cold_once(args.baseline_src, en))
                this.append(cold_once(SRC, en))
            for name, got in ((f"baseline {args.baseline_src}", base), ("this checkout", this)):
                print(summary(f"cold en wall, {name}", [w for w, _ in got], 1))
                print(summary(f"cold en CPU, {name}", [c for _, c in got], 1))
        english: list[float] | None = None
        print("| language | warm wall | warm CPU | cold wall | cold CPU | preview PDF |")
        print("|---|---|---|---|---|---|")
        for label, code, clinic_dir in cases(tmp):
            w, wc, size = warm(code, clinic_dir, args.runs)
            c_args = cold_args(code, clinic_dir, out)
            cold_once(SRC, c_args)
            c = [cold_once(SRC, c_args) for _ in range(max(5, args.runs // 2))]
            row = [statistics.median(w) * 1000, statistics.median(wc) * 1000,
                   statistics.median([x for x, _ in c]) * 1000,
                   statistics.median([y for _, y in c]) * 1000]
            english = english or row
            cells = " | ".join(f"{v:.0f} ms ({v / e:.2f}x)"
                               for v, e in zip(row, english, strict=True))
            print(f"| {label} | {cells} | {size / 1024:.0f} KB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
