"""Layout guarantees for the Vietnamese, Tagalog and Korean handouts:
the same checks and matrix as test_layout_matrix.py (procedure x level pattern x print size
x paper, anesthesia x brace x opioids rotated through it), with every combination's full
free text (with its "not translated" markers).

The translations were shortened until every normal-print case keeps the summary on page 1
and the page budget, and (since the shorter boxes of the English update) every
large-print case keeps the summary within 2 pages too; longer wording is cut, the type
is never made smaller."""

from __future__ import annotations

import pytest

from dischargedesk import layout_checks as lc

from .test_layout_matrix import _ids, checked, matrix_for  # noqa: F401 (fixture)

LANGS = ("vi", "tl", "ko")
MATRIX = matrix_for(LANGS)
#: Bilingual print (each section, then its English text) for the two-level cases
BILINGUAL = [(*c[:-1], True) for c in MATRIX if c[1] == "two"]


@pytest.mark.parametrize("combo", MATRIX + BILINGUAL,
                         ids=[_ids(c) for c in MATRIX + BILINGUAL])
def test_translated_layout_guarantees(checked, combo):  # noqa: F811
    handouts = checked(*combo)
    assert [h.kind for h in handouts] == ["discharge", "recovery"]
    errors = [f"{p.file}: {p.message}" for p in lc.problems_of(handouts)
              if p.severity == "error"]
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
