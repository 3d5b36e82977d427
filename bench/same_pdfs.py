"""Do two checkouts write the same PDF bytes? The proof that a speed change (lazy fonts and
locales, a cache) did not change what prints.

    python bench/same_pdfs.py BASE [--out DIR]

BASE is another checkout (its folder or its ``src`` folder, e.g. ``git worktree add
/tmp/base main``). Each tree renders the same matrix in its own new process: every language
pack, normal and large print, bilingual for the other languages, with and without dates of
birth and a follow-up, the sample clinic (PNG logo) and a copy of it with the logo as a JPEG,
a fixed "today". PDFs are deterministic (ReportLab ``invariant``), so the SHA-256 of each
handout must match. This tree renders the matrix twice with one user cache folder: with
empty disk caches (compiled templates, QR modules, parsed fonts, dataclass code), then
reading them back; both must match. Prints one line per case that differs and a summary;
exit 1 on any difference. ``--out`` keeps both trees' PDFs for a look. Fictional patients only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import dataclasses, datetime as dt, hashlib, json, shutil, sys, tempfile
from pathlib import Path
try:  # as the one-shot command makes its classes (a tree before the code cache: as ever)
    from dischargedesk.dataclass_code import cached_dataclass_code
except ImportError:
    from contextlib import nullcontext as cached_dataclass_code
with cached_dataclass_code():
    from dischargedesk.clinic.profile import load_clinic, load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_handouts
    from dischargedesk.render.language import available_languages
    from dischargedesk.resources import sample_clinic_dir
out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
today = dt.date(2026, 11, 25)
sample = load_sample_clinic()
with tempfile.TemporaryDirectory() as tmp:
    jpeg = Path(tmp) / "clinic"
    shutil.copytree(sample_clinic_dir(), jpeg)
    from PIL import Image
    with Image.open(jpeg / "logo.png") as im:
        im.convert("RGB").save(jpeg / "logo.jpg", quality=90)
    toml = jpeg / "clinic.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"logo.png"', '"logo.jpg"'),
                    encoding="utf-8")
    clinics = {"png": sample, "jpeg": load_clinic(jpeg)}
    names = {"en": "Alex Sample", "es": "Ana Diaz", "tl": "Jose Santos",
             "vi": "Nguyễn Văn An", "ko": "김민준", "zh-Hans": "王小明", "zh-Hant": "張偉"}
    cases = []
    for lang in available_languages():
        for large in (False, True):
            for bilingual in ((False,) if lang == "en" else (False, True)):
                for full in (False, True):
                    cases.append((lang, large, bilingual, full, "png"))
    cases.append(("en", False, False, True, "jpeg"))
    cases.append(("es", True, False, True, "jpeg"))
    result = {}
    for lang, large, bilingual, full, logo in cases:
        data = {"procedure": "vertebroplasty" if full else "kyphoplasty",
                "levels": ["T11", "T12", "L2"] if full else ["T12", "L1"],
                "patient_name": names.get(lang, "Alex Sample"), "mrn": "SAMPLE-0001",
                "language": lang, "large_print": large, "bilingual": bilingual,
                "opioids": full, "brace": full,
                "medications": "Oxycodone 5 mg every 6 hours if needed\nDocusate 100 mg",
                "procedure_date": "2026-11-24"}
        if full:
            data |= {"date_of_birth": "1948-03-04", "follow_up_date": "2026-12-08",
                     "follow_up_time": "14:30", "follow_up_with": "Dr. Ana Rivera",
                     "caregiver": "Sam Sample", "physician": "Dr. Ana Rivera"}
        request = HandoutRequest.from_mapping(data, today=today)
        key = f"{lang} large={large} bilingual={bilingual} full={full} logo={logo}"
        for h in render_handouts(request, clinics[logo]):
            result[f"{key} {h.kind}"] = hashlib.sha256(h.pdf).hexdigest()
            if out is not None:
                name = f"{len(result):03d}-{lang}-{h.kind}.pdf"
                (out / name).write_bytes(h.pdf)
print(json.dumps(result))
"""


def _src(folder: Path) -> Path:
    src = folder.resolve() / "src"
    return src if (src / "dischargedesk").is_dir() else folder.resolve()


def digests(src: Path, out: Path | None, runs: int = 1) -> list[dict[str, str]]:
    """The matrix's digests from ``runs`` new processes in turn, all with one (new) user
    cache folder: the first fills the disk caches, the others read them."""
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    found = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, PYTHONPATH=str(src), HOME=home, XDG_CACHE_HOME=f"{home}/c",
                   XDG_CONFIG_HOME=f"{home}/cfg")
        env.pop("DISCHARGEDESK_SITE_CONFIG", None)
        args = [sys.executable, "-c", WORKER, *([str(out)] if out else [])]
        for _ in range(runs):
            proc = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
            found.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("base", type=Path)
    ap.add_argument("--out", type=Path, help="keep the PDFs in OUT/base and OUT/this")
    args = ap.parse_args()
    base = digests(_src(args.base), args.out / "base" if args.out else None)[0]
    differ: list[str] = []
    for run, this in enumerate(digests(_src(ROOT), args.out / "this" if args.out else None,
                                       runs=2)):
        when = ("empty caches", "caches read back")[run]
        wrong = [k for k in base if base[k] != this.get(k)] + [k for k in this if k not in base]
        for key in wrong:
            print(f"differs ({when}): {key}")
        differ += [k for k in wrong if k not in differ]
    print(f"{len(base) - len(differ)} of {len(base)} handouts byte-identical "
          f"({_src(args.base)} vs {_src(ROOT)})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
