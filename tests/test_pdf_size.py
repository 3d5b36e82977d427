"""PDF size (issue 12: every handout PDF under 400 KB with subset fonts) and the slim font
subsets that keep it there (render/fontsubset.py): no hinting, a short name table, the same
outlines, metrics and character map as ReportLab's subset."""

from __future__ import annotations

import io
import itertools
import logging
import re

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import build_document, prepare, render_handouts
from dischargedesk.render.fontsubset import COMPRESSED, FONT_OBJECTS, SUBSETS, SubsetCache, slim
from dischargedesk.render.language import available_languages
from dischargedesk.resources import font_path

from .conftest import TODAY, base_request_data
from .test_language_typography import NAMES
from .test_layout_matrix import FULL, TEN

GOAL = 400_000
CASES = [(code, large, bilingual) for code, large, bilingual in
         itertools.product(available_languages(), (False, True), (False, True))
         if code != "en" or not bilingual]


def _pdf(clinic, code: str, large: bool, bilingual: bool) -> bytes:
    data = base_request_data(**{**FULL, "brace": True, "opioids": True, "levels": TEN,
                                "language": code, "large_print": large,
                                "bilingual": bilingual,
                                "patient_name": NAMES.get(code, "Maria Example")})
    prepared = prepare(HandoutRequest.from_mapping(data, today=TODAY), clinic)
    return build_document(prepared, prepared.layouts)


def test_every_language_print_size_and_bilingual_pdf_is_under_400_kb(sample_clinic):
    """Both handouts in one PDF, every option, ten levels: the largest cases. A bilingual
    large-print Korean PDF was 422 KB (hinting in every font subset, DejaVu's licence text
    in each, ASCII85 over every page); it is about 300 KB."""
    sizes = {case: len(_pdf(sample_clinic, *case)) for case in CASES}
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < GOAL, (largest, sizes[largest])
    assert {code for code, _, _ in CASES} >= {"en", "es", "ko", "zh-Hans", "zh-Hant", "vi",
                                              "tl"}


def _fonts(pdf: bytes) -> list[tuple[str, bytes, list[tuple[bytes, bytes]]]]:
    """(font name, embedded font file, ToUnicode pairs (code, UTF-16 hex)) per font."""
    doc = pikepdf.open(io.BytesIO(pdf))
    return [(str(obj.BaseFont).split("+", 1)[1], obj.FontDescriptor.FontFile2.read_bytes(),
             re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,})>", obj.ToUnicode.read_bytes()))
            for obj in doc.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"]


FILES = {"NanumGothic": "NanumGothic.ttf", "NanumGothicBold": "NanumGothicBold.ttf",
         "DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
         "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
         "DroidSansFallback": "DroidSansFallbackFull.ttf"}


@pytest.mark.parametrize("code", ["ko", "zh-Hans", "vi"])
def test_embedded_subsets_keep_every_outline_without_hinting(sample_clinic, code, caplog):
    """Each embedded glyph has exactly the outline and advance of the font file's glyph
    for its character (by the ToUnicode CMap); no glyph program, no fpgm/prep/cvt, no
    licence text in the name table (the licences ship beside the fonts); fontTools reads
    the fonts without a complaint (no stray bytes after a glyph)."""
    pdf = _pdf(sample_clinic, code, True, True)
    seen: dict[str, int] = {}
    with caplog.at_level(logging.WARNING, logger="fontTools"):
        for base, data, to_unicode in _fonts(pdf):
            sub, orig = TTFont(io.BytesIO(data)), TTFont(str(font_path(FILES[base])))
            assert not {"fpgm", "prep", "cvt "} & set(sub.keys())
            assert {n.nameID for n in sub["name"].names} <= set(range(7))
            ocmap = orig.getBestCmap()
            codes = sub["cmap"].tables[0].cmap  # PDF code -> glyph (ReportLab's subset)
            for code_hex, uni in to_unicode:
                name = codes.get(int(code_hex, 16))
                char = bytes.fromhex(uni.decode()).decode("utf-16-be")
                if name is None or len(char) != 1 or ord(char) not in ocmap:
                    continue
                new, old = sub["glyf"][name], orig["glyf"][ocmap[ord(char)]]
                if new.numberOfContours > 0:
                    assert not new.program.getBytecode(), (base, char)
                assert _outline(new, sub) == _outline(old, orig), (base, char)
                assert sub["hmtx"][name] == orig["hmtx"][ocmap[ord(char)]], (base, char)
                seen[base] = seen.get(base, 0) + 1
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert seen.get("DejaVuSans", 0) > 50 and len(seen) >= 3, seen


def _outline(glyph, font: TTFont) -> tuple:
    if not glyph.numberOfContours:
        return ()
    coords, ends, flags = glyph.getCoordinates(font["glyf"])
    return tuple(coords), tuple(ends), tuple(f & 1 for f in flags)


def test_slim_is_idempotent_and_keeps_the_tables_pdf_needs(sample_clinic):
    pdf = _pdf(sample_clinic, "en", False, False)
    for _, data, _ in _fonts(pdf):
        assert slim(data) == data  # already slim: nothing more to take
        font = TTFont(io.BytesIO(data))
        assert {"glyf", "head", "hhea", "hmtx", "loca", "maxp", "cmap"} <= set(font.keys())


def _handouts(clinic, code: str, name: str) -> list[bytes]:
    data = base_request_data(**{**FULL, "language": code, "patient_name": name,
                                "bilingual": code != "en"})
    return [h.pdf for h in render_handouts(HandoutRequest.from_mapping(data, today=TODAY),
                                           clinic)]


@pytest.mark.parametrize("code", ["ko", "zh-Hans", "en"])
def test_remembered_subsets_print_the_same_bytes_as_fresh_ones(sample_clinic, code):
    """The subsets, font streams, width arrays and ToUnicode maps a render remembers
    (fontsubset.SUBSETS, COMPRESSED, FONT_OBJECTS) give PDFs byte-identical to ones made
    afresh, also after another patient's name has put other characters in a subset (the
    caches are keyed by the characters, not the text)."""
    caches = (SUBSETS, COMPRESSED, FONT_OBJECTS)
    for remembered in caches:
        remembered.clear()
    fresh = _handouts(sample_clinic, code, "김민준 王小明")
    assert all(len(remembered) for remembered in caches)
    other = _handouts(sample_clinic, code, "박서연 李四")
    assert _handouts(sample_clinic, code, "김민준 王小明") == fresh  # from memory
    for remembered in caches:
        remembered.clear()
    assert _handouts(sample_clinic, code, "박서연 李四") == other


def test_subset_cache_stays_within_its_bytes_and_forgets_the_oldest():
    cache = SubsetCache(max_bytes=1000)
    for n in range(10):
        assert cache.get(("face", n), lambda n=n: bytes([n]) * 300) == bytes([n]) * 300
    assert len(cache) == 3  # 900 bytes
    assert cache.get(("face", 9), lambda: b"made again") == bytes([9]) * 300
    assert cache.get(("face", 0), lambda: b"made again") == b"made again"
