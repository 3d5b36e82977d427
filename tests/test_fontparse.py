"""render/fontparse.py reads every shipped font's character tables exactly as ReportLab's
own parser does (the same entries in the same order), so fonts measure and subset as before."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.ttfonts import TTFontFace, TTFontFile, TTFontParser

from dischargedesk.render import fontparse, fonts
from dischargedesk.resources import font_path

SHIPPED = sorted(p.name for p in font_path("DejaVuSans.ttf").parent.glob("*.ttf"))
TABLES = ("charToGlyph", "glyphToChar", "charWidths", "defaultWidth", "hmetrics", "glyphPos")


def _reportlab_face(path: str) -> TTFontFace:
    face = TTFontFace.__new__(TTFontFace)
    TTFontParser.__init__(face, path)
    fontparse._rl_extract_info(face, 1)
    return face


@pytest.mark.parametrize("name", SHIPPED)
def test_character_tables_equal_reportlabs_for_every_shipped_font(name):
    assert fonts.FONT and TTFontFile.extractInfo is fontparse.extract_info  # installed
    path = str(font_path(name))
    ours, theirs = TTFontFace(path), _reportlab_face(path)
    assert fontparse._char_tables(ours)  # the fast path, not ReportLab's fallback
    for attr in TABLES:
        mine, rl = getattr(ours, attr), getattr(theirs, attr)
        assert mine == rl, attr
        if isinstance(rl, dict):
            assert list(mine) == list(rl), attr  # the same order
    keep = set(vars(theirs)) - {"_pos", "_pdfScale"}
    assert {k: vars(ours)[k] for k in keep} == {k: vars(theirs)[k] for k in keep}
    assert [ours._pdfScale(x) for x in (0, 1, 1234)] == \
        [theirs._pdfScale(x) for x in (0, 1, 1234)]


def test_a_font_with_another_cmap_format_is_read_by_reportlab(monkeypatch):
    path = str(font_path("DejaVuSans.ttf"))
    monkeypatch.setattr(fontparse, "_char_map", lambda data, at: None)
    face = TTFontFace(path)
    assert face.charWidths == _reportlab_face(path).charWidths
