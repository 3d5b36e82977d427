"""What a screen reader meets in a handout PDF: the structure tree in reading order.

    python bench/screen_reader.py [--large] [--language es] [--bilingual] [FILE.pdf]

Without a file, renders the standard case (kyphoplasty at T12 and L1, sedation, both
handouts in one PDF, as the preview and the print) and prints one line per structure
element: its type (indented by depth, with /Lang when it differs), then its text, and for
a figure its /Alt. Headers and footers are artifacts and are not read. The tree is read
from the PDF by the tests' validator (tests/pdf_structure.py), not from the code that
wrote it. docs/screen-reader-view.txt is this script's output for the standard case,
docs/screen-reader-view-es-bilingual.txt with ``--language es --bilingual``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def standard_pdf(large: bool, language: str, bilingual: bool = False) -> bytes:
    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_pdf

    req = HandoutRequest.from_mapping({
        "procedure": "kyphoplasty", "levels": ["T12", "L1"], "patient_name": "Maria Example",
        "date_of_birth": "1950-06-15", "mrn": "MRN-12345", "procedure_date": "2026-11-25",
        "anesthesia": "sedation", "large_print": large, "language": language,
        "bilingual": bilingual,
    }, today=dt.date(2026, 11, 25))
    return render_pdf(req, load_sample_clinic())


def lines(pdf: bytes) -> list[str]:
    from tests.pdf_structure import reading

    out = []
    for role, text, alt in reading(pdf):
        line = role
        if text:
            line += f": {text}"
        if alt:
            line += f"  [Alt: {alt}]"
        out.append(line)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", type=Path)
    p.add_argument("--large", action="store_true", help="large print")
    p.add_argument("--language", default="en")
    p.add_argument("--bilingual", action="store_true", help="bilingual print")
    args = p.parse_args()
    pdf = args.file.read_bytes() if args.file else standard_pdf(args.large, args.language,
                                                                 args.bilingual)
    sys.stdout.write("\n".join(lines(pdf)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
