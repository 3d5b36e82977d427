"""CPU time of the layout checks (dischargedesk.layout_checks.check_handouts) against the render
of the same PDFs, in one run: each round renders four requests (8 handouts: English, Spanish
bilingual, Chinese, Korean large print bilingual) and checks each PDF with the pypdf reader
(tests/layout_reference.py, the baseline) and with pdftext.py, interleaved. Medians of the
round totals (process time).

    PYTHONPATH=src python bench/layout_checks.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import layout_reference
from tests.conftest import TODAY, base_request_data
from tests.test_layout_matrix import FULL

from dischargedesk import layout_checks as lc
from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare

REQUESTS = {
    "en": {},
    "es bilingual": {"language": "es", "bilingual": True},
    "zh-Hans": {"language": "zh-Hans", "patient_name": "王小明"},
    "ko large bilingual": {"language": "ko", "large_print": True, "bilingual": True},
}


def _cpu(fn, *args):  # type: ignore[no-untyped-def]
    c0 = time.process_time()
    out = fn(*args)
    return time.process_time() - c0, out


def main(rounds: int = 3) -> None:
    clinic = load_sample_clinic()
    prepared = {name: prepare(HandoutRequest.from_mapping(base_request_data(
        **FULL, **extra), today=TODAY), clinic) for name, extra in REQUESTS.items()}
    lc.check_handouts(build_document(prepared["en"], prepared["en"].layouts),
                      prepared["en"])  # warm: fonts registered, code imported
    totals: dict[str, list[float]] = {"render": [], "pypdf": [], "pdftext": []}
    per_case: dict[tuple[str, str], list[float]] = {}
    for n in range(rounds):
        round_t = dict.fromkeys(totals, 0.0)
        for name, prep in prepared.items():
            t, pdf = _cpu(build_document, prep, prep.layouts)
            times = {"render": t}
            order = ["pypdf", "pdftext"] if n % 2 == 0 else ["pdftext", "pypdf"]
            for reader in order:
                read = layout_reference.read_pages if reader == "pypdf" else lc.read_pages
                times[reader], _ = _cpu(lc.check_handouts, pdf, prep, read)
            for k, v in times.items():
                round_t[k] += v
                per_case.setdefault((name, k), []).append(v)
        for k, v in round_t.items():
            totals[k].append(v)
    print(f"{len(REQUESTS)} PDFs ({2 * len(REQUESTS)} handouts), {rounds} rounds, CPU s, "
          "medians")
    for name in REQUESTS:
        r, old, new = (statistics.median(per_case[(name, k)]) for k in totals)
        print(f"  {name:20s} render {r:.2f}  check pypdf {old:.2f}  check pdftext {new:.2f}")
    r, old, new = (statistics.median(totals[k]) for k in totals)
    print(f"  {'total':20s} render {r:.2f}  check pypdf {old:.2f} ({old / r:.0%} of render)  "
          f"check pdftext {new:.2f} ({new / r:.0%} of render); {old / new:.1f}x faster")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
