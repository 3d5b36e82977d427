"""The tagging checks over the whole language matrix (issue 13 item 4), with their cost.

    python bench/tag_matrix.py [--full] [--no-pdfua]

Every language pack x normal/large print x bilingual or not (not for English) x both
procedures, as the preview and the print write it (both handouts in one PDF) and as the CLI
and Save write it (one PDF per handout), with the nurse's free text filled in and the sample
clinic (its packs unreviewed: the notice prints): 26 language cases, 52 requests, 156 PDFs.
The level pattern and the option set (anesthesia, brace, opioids) turn with each case;
``--full`` renders every level pattern x option set for each (72 times as many: hours on
this machine). Each PDF gets the tests' validator (tests/pdf_structure.py), the check that
free text and the packs' English are read in English (tests/test_pdf_tagging.py), the
reading order against the document model, and the ``pdfua`` checker. Prints each failure,
then the count and the time each check took (CPU of this process, seconds). CI runs the
covering design of tests/test_pdf_tagging.py instead (54 cases, pdfua on 19); this script
is the full sweep to run before a release or after a change to tagging or layout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="every level pattern x option set")
    p.add_argument("--no-pdfua", action="store_true", help="the validator only")
    args = p.parse_args()

    from pdfua import validate
    from tests import pdf_structure as ps
    from tests.conftest import base_request_data
    from tests.test_layout_matrix import FULL, OPTIONS, PATTERNS
    from tests.test_pdf_tagging import (
        LANGUAGES,
        free_text_problems,
        model_sentences,
        reading_order_problems,
    )

    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import build_document, prepare

    clinic = load_sample_clinic()
    today = dt.date(2026, 11, 25)
    cases = [(lang, large, bilingual, proc)
             for lang in LANGUAGES for large in (False, True)
             for bilingual in ((False,) if lang == "en" else (False, True))
             for proc in ("kyphoplasty", "vertebroplasty")]
    variants = list(itertools.product(PATTERNS, OPTIONS))
    spent = {"render": 0.0, "validator": 0.0, "pdfua": 0.0}
    failures = pdfs = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "handout.pdf"
        for n, (lang, large, bilingual, proc) in enumerate(cases):
            chosen = variants if args.full else [variants[n * 7 % len(variants)]]
            for pattern, (anesthesia, brace, opioids) in chosen:
                req = HandoutRequest.from_mapping(base_request_data(
                    procedure=proc, anesthesia=anesthesia, brace=brace, opioids=opioids,
                    large_print=large, language=lang, bilingual=bilingual,
                    **PATTERNS[pattern], **FULL), today=today)
                t = time.process_time()
                prepared = prepare(req, clinic)
                outputs = [(prepared.layouts, True)] + [([h], False) for h in prepared.layouts]
                built = [(layouts, every, build_document(prepared, layouts))
                         for layouts, every in outputs]
                spent["render"] += time.process_time() - t
                for layouts, every, pdf in built:
                    pdfs += 1
                    name = (f"{lang} {'large' if large else 'normal'}"
                            f"{' bilingual' if bilingual else ''} {proc} {pattern} "
                            f"{'+'.join(h.kind for h in layouts)}")
                    t = time.process_time()
                    report = ps.full_report(pdf)
                    problems = report.problems + free_text_problems(
                        report.languages, req, every) + reading_order_problems(
                        pdf, model_sentences(prepared, layouts))
                    spent["validator"] += time.process_time() - t
                    if not args.no_pdfua:
                        t = time.process_time()
                        path.write_bytes(pdf)
                        problems += [f"pdfua {f.rule_id}: {f.message}"
                                     for f in validate(str(path)).findings]
                        spent["pdfua"] += time.process_time() - t
                    if problems:
                        failures += 1
                        print(f"FAIL {name}: {problems[:5]}")
    print(f"{pdfs} PDFs ({len(cases)} requests), {failures} with problems")
    for check, seconds in spent.items():
        print(f"{check}: {seconds:.1f} s CPU ({seconds / max(pdfs, 1) * 1000:.0f} ms a PDF)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
