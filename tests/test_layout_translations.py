"""Layout guarantees for the Vietnamese, Tagalog and Korean handouts:
the same checks and matrix as test_layout_matrix.py (procedure x level pattern x print size
x paper, anesthesia x brace x opioids rotated through it), with every combination's full
free text (with its "not translated" markers).

The translations were shortened until every normal-print case keeps the summary on page 1
and the page budget; longer wording is cut, the type is never made smaller."""

from __future__ import annotations

import itertools
import os

import pytest

from dischargedesk import layout_checks as lc

from .test_layout_matrix import OPTIONS, PATTERNS, _ids, checked  # noqa: F401 (fixture)

LANGS = ("vi", "tl", "ko")
AXES = (("kyphoplasty", "vertebroplasty"), tuple(PATTERNS), (False, True), LANGS,
        ("Letter", "A4"))
if os.environ.get("DD_FULL_MATRIX"):
    MATRIX = [(*axes, opt, False) for axes in itertools.product(*AXES) for opt in OPTIONS]
else:
    MATRIX = [(*axes, OPTIONS[n % len(OPTIONS)], False)
              for n, axes in enumerate(itertools.product(*AXES))]
#: Bilingual print (each section, then its English text) for the two-level cases
BILINGUAL = [(*c[:-1], True) for c in MATRIX if c[1] == "two"]

#: Known defect (issue 9, as KNOWN_SPANISH_LARGE_SUMMARY): in large print the one-line
#: unreviewed-translation notice takes two lines and a box under the title, the nurse's
#: lines carry the "not translated" marker, and in these cases the summary then takes 3
#: pages (at most 2). Only that problem is tolerated; a case that starts to pass must leave
#: this list.
KNOWN_LARGE_SUMMARY = frozenset({
    "kypho-count-only-large-tl-A4-general-nobrace-opioids",
    "kypho-count-only-large-tl-Letter-general-nobrace-noopioids",
    "kypho-count-only-large-vi-A4-sedation-brace-opioids",
    "kypho-count-only-large-vi-Letter-sedation-brace-noopioids",
    "kypho-one-lumbar-large-tl-A4-general-nobrace-opioids",
    "kypho-one-lumbar-large-tl-Letter-general-nobrace-noopioids",
    "kypho-one-lumbar-large-vi-A4-sedation-brace-opioids",
    "kypho-one-lumbar-large-vi-Letter-sedation-brace-noopioids",
    "kypho-skipped-large-tl-A4-general-nobrace-opioids",
    "kypho-skipped-large-tl-Letter-general-nobrace-noopioids",
    "kypho-skipped-large-vi-A4-sedation-brace-opioids",
    "kypho-skipped-large-vi-Letter-sedation-brace-noopioids",
    "kypho-ten-large-ko-A4-general-brace-opioids",
    "kypho-ten-large-tl-A4-general-nobrace-opioids",
    "kypho-ten-large-tl-Letter-general-nobrace-noopioids",
    "kypho-ten-large-vi-A4-sedation-brace-opioids",
    "kypho-ten-large-vi-Letter-sedation-brace-noopioids",
    "kypho-three-thoracic-large-tl-A4-general-nobrace-opioids",
    "kypho-three-thoracic-large-tl-Letter-general-nobrace-noopioids",
    "kypho-three-thoracic-large-vi-A4-sedation-brace-opioids",
    "kypho-three-thoracic-large-vi-Letter-sedation-brace-noopioids",
    "kypho-two-large-tl-A4-general-nobrace-opioids",
    "kypho-two-large-tl-A4-general-nobrace-opioids-bilingual",
    "kypho-two-large-tl-Letter-general-nobrace-noopioids",
    "kypho-two-large-tl-Letter-general-nobrace-noopioids-bilingual",
    "kypho-two-large-vi-A4-sedation-brace-opioids",
    "kypho-two-large-vi-A4-sedation-brace-opioids-bilingual",
    "kypho-two-large-vi-Letter-sedation-brace-noopioids",
    "kypho-two-large-vi-Letter-sedation-brace-noopioids-bilingual",
    "verte-count-only-large-tl-A4-general-nobrace-opioids",
    "verte-count-only-large-tl-Letter-general-nobrace-noopioids",
    "verte-count-only-large-vi-A4-sedation-brace-opioids",
    "verte-count-only-large-vi-Letter-sedation-brace-noopioids",
    "verte-one-lumbar-large-tl-A4-general-nobrace-opioids",
    "verte-one-lumbar-large-tl-Letter-general-nobrace-noopioids",
    "verte-one-lumbar-large-vi-A4-sedation-brace-opioids",
    "verte-one-lumbar-large-vi-Letter-sedation-brace-noopioids",
    "verte-skipped-large-tl-A4-general-nobrace-opioids",
    "verte-skipped-large-tl-Letter-general-nobrace-noopioids",
    "verte-skipped-large-vi-A4-sedation-brace-opioids",
    "verte-skipped-large-vi-Letter-sedation-brace-noopioids",
    "verte-ten-large-ko-A4-general-brace-opioids",
    "verte-ten-large-tl-A4-general-nobrace-opioids",
    "verte-ten-large-tl-Letter-general-nobrace-noopioids",
    "verte-ten-large-vi-A4-sedation-brace-opioids",
    "verte-ten-large-vi-Letter-sedation-brace-noopioids",
    "verte-three-thoracic-large-tl-A4-general-nobrace-opioids",
    "verte-three-thoracic-large-tl-Letter-general-nobrace-noopioids",
    "verte-three-thoracic-large-vi-A4-sedation-brace-opioids",
    "verte-three-thoracic-large-vi-Letter-sedation-brace-noopioids",
    "verte-two-large-tl-A4-general-nobrace-opioids",
    "verte-two-large-tl-A4-general-nobrace-opioids-bilingual",
    "verte-two-large-tl-Letter-general-nobrace-noopioids",
    "verte-two-large-tl-Letter-general-nobrace-noopioids-bilingual",
    "verte-two-large-vi-A4-sedation-brace-opioids",
    "verte-two-large-vi-A4-sedation-brace-opioids-bilingual",
    "verte-two-large-vi-Letter-sedation-brace-noopioids",
    "verte-two-large-vi-Letter-sedation-brace-noopioids-bilingual",
})


@pytest.mark.parametrize("combo", MATRIX + BILINGUAL,
                         ids=[_ids(c) for c in MATRIX + BILINGUAL])
def test_translated_layout_guarantees(checked, combo):  # noqa: F811
    handouts = checked(*combo)
    assert [h.kind for h in handouts] == ["discharge", "recovery"]
    errors = [f"{p.file}: {p.message}" for p in lc.problems_of(handouts)
              if p.severity == "error"]
    if _ids(combo) in KNOWN_LARGE_SUMMARY:
        others = [e for e in errors if "/discharge/10-summary.txt" not in e
                  or "one-page section takes 3 pages" not in e]
        assert not others, others
        if errors:
            pytest.xfail("issue 9: the large-print summary with the notice takes 3 pages")
        pytest.fail("fixed: remove this case from KNOWN_LARGE_SUMMARY")
    assert not errors, errors


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_translated_page_budget_standard_case(checked, lang, paper):  # noqa: F811
    """1-2 levels, every option, normal print: at most 4 + 4 pages, as English."""
    handouts = checked("kyphoplasty", "two", False, lang, paper, ("sedation", True, True),
                       False)
    counts = {h.kind: h.count for h in handouts}
    assert not lc.budget_problems(counts, None, lang, standard=True), counts


@pytest.mark.parametrize("combo", [c for c in MATRIX if c[2]],
                         ids=[_ids(c) for c in MATRIX if c[2]])
def test_translated_large_print_at_most_two_and_a_half_times(checked, combo):  # noqa: F811
    normal = (combo[0], combo[1], False, *combo[3:])
    counts = {h.kind: h.count for h in checked(*combo)}
    normal_counts = {h.kind: h.count for h in checked(*normal)}
    assert not lc.budget_problems(counts, normal_counts, combo[3], standard=False), \
        (counts, normal_counts)
