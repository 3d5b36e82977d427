"""CPU cost of the tagging checks of tests/test_pdf_tagging.py: render, validator and pdfua
per case (process time, medians over a sample of the layout rows), and what the old and
new selections of cases cost from those medians.

    PYTHONPATH=src python bench/tag_checks_cost.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pdfua import validate
from tests import pdf_structure as ps
from tests import test_pdf_tagging as t
from tests.conftest import TODAY, base_request_data
from tests.test_layout_matrix import FULL, PATTERNS, _clinic

from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare


def main() -> None:
    clinic = load_sample_clinic()
    sample = t.VALIDATED[::6]
    render, check, ua = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "h.pdf"
        for proc, pattern, large, lang, paper, (an, brace, op), bi in sample:
            c0 = time.process_time()
            req = HandoutRequest.from_mapping(base_request_data(
                procedure=proc, anesthesia=an, brace=brace, opioids=op, large_print=large,
                language=lang, bilingual=bi, **PATTERNS[pattern], **FULL), today=TODAY)
            prepared = prepare(req, _clinic(clinic, paper))
            pdf = build_document(prepared, prepared.layouts)
            c1 = time.process_time()
            ps.analyse(pdf)
            c2 = time.process_time()
            path.write_bytes(pdf)
            validate(str(path))
            c3 = time.process_time()
            render.append(c1 - c0)
            check.append(c2 - c1)
            ua.append(c3 - c2)
    r, v, u = (statistics.median(x) for x in (render, check, ua))
    print(f"sample {len(sample)} layout rows; median CPU s per case: render {r:.2f}, "
          f"validator {v:.2f}, pdfua {u:.2f}")
    old = 144 * (r + v + u)  # 96 en/es rows + 48 bilingual es, both checks on each
    new = len(t.VALIDATED) * (r + v) + len(t.UA_CHECKED) * u
    print(f"layout selection: old 144 rows x both checks ~{old:.0f} CPU s; new "
          f"{len(t.VALIDATED)} validated + {len(t.UA_CHECKED)} pdfua ~{new:.0f} CPU s")


if __name__ == "__main__":
    main()
