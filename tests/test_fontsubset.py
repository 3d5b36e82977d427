"""The slim subsets' one pass (render/fontsubset.slim_subset): ReportLab's subset slimmed,
made from the face's tables with each simple glyph cut at its outline end read from a table
of the whole font kept on disk (fontcache.font_table), is byte for byte what ReportLab's
makeSubset and fontsubset.slim make, for every shipped font."""

from __future__ import annotations

import random
from itertools import pairwise
from struct import unpack_from

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
def test_the_one_pass_subset_is_reportlabs_subset_slimmed(name):
    face = fontcache.load_ttfont("X", font_path(name)).face
    for subset in _subsets(face):
        made = fontsubset.slim_subset(face, subset)
        assert made is not None
        assert made == fontsubset.slim(TTFontFile.makeSubset(face, subset))
    missing = [0x0E01, *sorted(face.charToGlyph)[:10], 0x0E01]  # no glyph: glyph 0
    assert fontsubset.slim_subset(face, missing) == \
        fontsubset.slim(TTFontFile.makeSubset(face, missing))


def test_a_font_the_one_pass_cannot_read_takes_reportlabs_way():
    font = fontcache.load_ttfont("X", font_path("DejaVuSans.ttf"))
    face = font.face
    subset = sorted(face.charToGlyph)[:100]
    table = dict(face.table)
    del table["OS/2"]
    broken = type(face).__new__(type(face))
    vars(broken).update(vars(face), table=table)
    assert fontsubset.slim_subset(broken, subset) is None


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


def _walk(data, at, points):
    """The point walk as written first (one Python step per flag): the reference."""
    x_size = y_size = 0
    while points > 0:
        flag = data[at]
        at += 1
        repeat = 1
        if flag & 0x08:
            repeat += data[at]
            at += 1
        points -= repeat
        x_size += repeat * (1 if flag & 0x02 else 0 if flag & 0x10 else 2)
        y_size += repeat * (1 if flag & 0x04 else 0 if flag & 0x20 else 2)
    return at + x_size + y_size


@pytest.mark.parametrize("name", SHIPPED)
def test_the_flag_scan_ends_every_simple_glyph_where_the_walk_does(name):
    face = fontcache.load_ttfont("X", font_path(name)).face
    glyf = face.table["glyf"]
    table = face._ttf_data[glyf["offset"]:glyf["offset"] + glyf["length"]]
    checked = 0
    for start, stop in pairwise(face.glyphPos):
        if stop - start < 12 or unpack_from(">h", table, start)[0] <= 0:
            continue
        at = start + 10 + 2 * unpack_from(">h", table, start)[0]
        points = unpack_from(">H", table, at - 2)[0] + 1
        body = at + 2 + unpack_from(">H", table, at)[0]
        assert fontsubset._simple_end(table, body, points) == _walk(table, body, points)
        checked += 1
    assert checked > 1000


def test_the_flag_scan_on_edge_cases():
    rng = random.Random(5)
    for _ in range(2000):
        data = bytes(rng.choice((0x01, 0x09, 0x33, 0x3F, 0x08, 0x02, 0x00, 3))
                     for _ in range(rng.randrange(0, 40)))
        points = rng.randrange(0, 30)
        try:
            want = _walk(data, 0, points)
        except IndexError:
            with pytest.raises(IndexError):
                fontsubset._simple_end(data, 0, points)
            continue
        assert fontsubset._simple_end(data, 0, points) == want
