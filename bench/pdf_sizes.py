"""PDF size per language, print size and bilingual print (issue 12: every PDF under 400 KB).

Both handouts in one PDF (as the preview and `templates check` render them), every option
on (brace, opioids, every free-text field), two levels and ten levels, the patient's name
in the language's script. Sizes are deterministic (invariant PDFs): no repeats needed.

    PYTHONPATH=src python bench/pdf_sizes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import TODAY, base_request_data
from tests.test_language_typography import NAMES
from tests.test_layout_matrix import FULL, TEN

from dischargedesk.clinic.profile import load_sample_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare
from dischargedesk.render.language import available_languages

LEVELS = {"2 levels": ["T12", "L1"], "10 levels": TEN}


def size(clinic, code: str, large: bool, bilingual: bool, levels: list[str]) -> int:  # type: ignore[no-untyped-def]
    data = base_request_data(**{**FULL, "brace": True, "opioids": True, "language": code,
                                "large_print": large, "bilingual": bilingual,
                                "levels": levels, "patient_name": NAMES.get(code,
                                                                            "Maria Example")})
    prepared = prepare(HandoutRequest.from_mapping(data, today=TODAY), clinic)
    return len(build_document(prepared, prepared.layouts))


def main() -> None:
    clinic = load_sample_clinic()
    print("| language | levels | normal | large print | bilingual | bilingual large print |")
    print("|---|---|---|---|---|---|")
    for code in available_languages():
        for label, levels in LEVELS.items():
            cells = [size(clinic, code, large, bi, levels) if code != "en" or not bi else None
                     for bi in (False, True) for large in (False, True)]
            print(f"| {code} | {label} | " + " | ".join(
                f"{c / 1000:.0f} KB" if c else "-" for c in cells) + " |")


if __name__ == "__main__":
    main()
