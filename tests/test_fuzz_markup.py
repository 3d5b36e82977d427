"""Fuzzing the escaping layer and the template-output checker (hypothesis, time-boxed).

The seed corpus in tests/fuzz_corpus/ holds the hostile-inputs catalogue and past finds;
every file is always run. HYPOTHESIS_PROFILE=nightly runs many more examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from dischargedesk.render import document as d
from dischargedesk.render.fonts import FONT, register_fonts
from dischargedesk.render.templating import escape_value

CORPUS = sorted((Path(__file__).parent / "fuzz_corpus").glob("*.txt"))
SEEDS = [p.read_text(encoding="utf-8") for p in CORPUS]
MARKUPISH = st.text(alphabet=st.sampled_from(list("<>&;#/!-[]|:@*bia fontx=\"'\n0123456789")),
                    max_size=80)
ANY_TEXT = st.one_of(st.text(max_size=200), MARKUPISH)


def _style():
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    return ParagraphStyle("t", fontName=FONT, fontSize=12)


def roundtrip(value: str) -> None:
    """Escaped user text parses as one bullet whose text is the value, and ReportLab
    accepts it."""
    line = "- " + escape_value(value)
    section = d.parse_section(line, "fuzz")
    expected = " ".join(" ".join(value.splitlines()).split())
    if not expected:
        return
    assert len(section.blocks) == 1 and isinstance(section.blocks[0], d.Bullet)
    assert " ".join(d.plain_text(section.blocks[0].text).split()) == expected
    Paragraph(section.blocks[0].text, _style()).wrap(400, 1000)


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in CORPUS])
def test_corpus_roundtrip(seed):
    roundtrip(seed)


@given(ANY_TEXT)
def test_escaped_text_always_roundtrips(value):
    roundtrip(value)


def checker_total(text: str) -> None:
    """The output checker either accepts text (and ReportLab can lay it out) or raises
    MarkupProblem: never anything else."""
    try:
        section = d.parse_section(text, "fuzz")
    except d.MarkupProblem:
        return
    style = _style()

    def walk(blocks):
        for b in blocks:
            if isinstance(b, d.Box):
                walk(b.blocks)
            elif isinstance(b, d.Table):
                for row in b.rows:
                    for cell in row:
                        Paragraph(cell, style).wrap(200, 1000)
            elif not isinstance(b, d.Directive):
                Paragraph(b.text, style).wrap(400, 1000)

    walk(section.blocks)


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in CORPUS])
def test_corpus_checker(seed):
    checker_total(seed)


@given(ANY_TEXT)
def test_checker_is_total(text):
    checker_total(text)
