"""Parsed faces from the user cache (render/fontcache.py): the glyph-to-characters map, kept
apart and read on first use, is the parsed face's; a render never needs it."""

from __future__ import annotations

import marshal
import threading

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from dischargedesk.render import fontcache
from dischargedesk.resources import font_path


def test_a_lazy_table_is_read_once_on_first_use_and_is_the_parsed_ones():
    path = font_path("NanumGothic.ttf")
    fontcache.load_ttfont("X", path)  # parsed, then written
    font = fontcache.load_ttfont("X", path)
    face = font.face
    assert isinstance(face, fontcache.CachedFace) and "glyphToChar" not in vars(face)
    fresh = TTFont("X", str(path)).face
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(face.glyphToChar)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g is got[0] for g in got)  # one object for every thread
    assert face.glyphToChar == fresh.glyphToChar and list(face.glyphToChar) == \
        list(fresh.glyphToChar)
    assert face._lazy == {}
    with pytest.raises(AttributeError):
        face.no_such_attribute  # noqa: B018


def test_same_font_reads_the_lazy_tables_before_comparing():
    path = font_path("DejaVuSans.ttf")
    fontcache.load_ttfont("X", path)
    cached, fresh = fontcache.load_ttfont("X", path), TTFont("X", str(path))
    assert fontcache.same_font(cached, fresh)
    other = fontcache.load_ttfont("X", path)
    other.face._lazy = {"glyphToChar": marshal.dumps({0: [32]})}
    assert not fontcache.same_font(other, fresh)
