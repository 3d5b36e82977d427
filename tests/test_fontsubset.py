"""The slim subsets' shortcut (render/fontsubset.py): each simple glyph's outline end, read
from a table of the whole font kept on disk (fontcache.font_table) instead of walking the
glyph's points, cuts every glyph exactly where the walk does, for every shipped font."""

from __future__ import annotations

import random

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from dischargedesk.render import fontcache, fontsubset
from dischargedesk.resources import font_path

SHIPPED = sorted(p.name for p in font_path("DejaVuSans.ttf").parent.glob("*.ttf"))


def _subsets(face, count=12):
    chars = sorted(face.charToGlyph)
    rng = random.Random(12)
    yield chars[:255]
    hangul = [c for c in chars if 0xAC00 <= c <= 0xD7A3]  # composite glyphs (Nanum Gothic)
    if len(hangul) > 255:
        yield rng.sample(hangul, 255)
    for _ in range(count):
        yield rng.sample(chars, min(255, len(chars)))


@pytest.mark.parametrize("name", SHIPPED)
def test_the_outline_ends_slim_every_subset_as_the_walk_does(name):
    face = fontcache.load_ttfont("X", font_path(name)).face
    fast = 0
    for subset in _subsets(face):
        made = TTFontFile.makeSubset(face, subset)  # ReportLab's own subset
        known = fontsubset._known_glyphs(face, subset)
        assert known is not None
        assert fontsubset.slim(made, known) == fontsubset.slim(made)
        fast += sum(1 for _, end in known if end)
    assert fast  # the shortcut was taken


def test_the_table_on_disk_is_the_fonts_own_and_the_same_when_read_back():
    path = font_path("NanumGothic.ttf")
    face = fontcache.load_ttfont("X", path).face
    fontsubset._ENDS.pop(face, None)
    glyf = face.table["glyf"]
    table = face._ttf_data[glyf["offset"]:glyf["offset"] + glyf["length"]]
    fresh = fontsubset.outline_ends(table, face.glyphPos)
    assert len(fresh) == 4 * face.numGlyphs
    assert fontsubset._face_ends(face) == fresh  # made (or read back)
    where = fontcache._cache_file(path.read_bytes(), fontsubset.ENDS_KIND)
    assert where.is_file()
    fontsubset._ENDS.pop(face, None)
    assert fontsubset._face_ends(face) == fresh  # read back
    # a damaged file is not believed: computed again and rewritten
    good = where.read_bytes()
    where.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    fontsubset._ENDS.pop(face, None)
    assert fontsubset._face_ends(face) == fresh and where.read_bytes() == good


def test_a_glyph_list_that_does_not_match_the_subset_changes_nothing():
    face = fontcache.load_ttfont("X", font_path("DejaVuSans.ttf")).face
    subset = sorted(face.charToGlyph)[:255]
    made = TTFontFile.makeSubset(face, subset)
    known = fontsubset._known_glyphs(face, subset)
    assert known is not None
    shifted = known[1:] + known[:1]  # every glyph paired with another's bytes and end
    wrong_ends = [(data, end + 2 if end else 0) for data, end in known]
    assert fontsubset.slim(made, shifted) == fontsubset.slim(made)
    assert fontsubset.slim(made, known[:-1]) == fontsubset.slim(made)  # the wrong length
    # the right bytes with a wrong end would cut wrong: the bytes must be the glyph's own
    assert fontsubset.slim(made, wrong_ends) != fontsubset.slim(made)
