"""Reading a TrueType font's character tables at C speed (ReportLab's results, faster).

ReportLab parses every metric of a font in Python, one ``read_ushort`` call per glyph
(advance widths, glyph offsets) and a loop step per character (the character map). For the
fonts of other scripts that is most of what loading them costs: about 95 ms CPU for Droid
Sans Fallback (49,382 glyphs) and 165 ms for the two Nanum Gothic faces, in every cold
Chinese or Korean render (issue 12). :func:`extract_info` is ReportLab's
``TTFontFile.extractInfo`` with the character map (formats 4 and 12, which every font we
ship uses), the horizontal metrics and the glyph index read by ``struct`` in bulk; it
builds the same dictionaries and lists, entry for entry and in the same order (a test
compares them with ReportLab's for every shipped font). Anything else (another cmap
format, a malformed table) is left to ReportLab's own code, errors included.
"""

from __future__ import annotations

from struct import unpack_from
from typing import Any

from reportlab.pdfbase.ttfonts import TTFontFile

_rl_extract_info = TTFontFile.extractInfo


def extract_info(face: Any, charInfo: int = 1) -> None:
    """``TTFontFile.extractInfo``, with the character tables read by :func:`_char_tables`."""
    _rl_extract_info(face, 0)  # names, head, OS/2, post, hhea, maxp; no character tables
    if charInfo and not _char_tables(face):
        _rl_extract_info(face, charInfo)  # anything unusual: ReportLab's parser, as it was


def install() -> None:
    """Make every TrueType face ReportLab loads read its tables by :func:`extract_info`
    (idempotent)."""
    TTFontFile.extractInfo = extract_info


def _char_tables(face: Any) -> bool:
    """Set charToGlyph, glyphToChar, charWidths, defaultWidth, hmetrics and glyphPos as
    ReportLab's extractInfo does; False (nothing set) when this font needs ReportLab's."""
    data, table = face._ttf_data, face.table
    if not {"head", "hhea", "hmtx", "loca", "cmap"} <= set(table):
        return False
    loc_format, glyph_format = unpack_from(">HH", data, table["head"]["offset"] + 50)
    if glyph_format != 0 or loc_format not in (0, 1):
        return False
    cmap = _char_map(data, table["cmap"]["offset"])
    if cmap is None:
        return False
    char_to_glyph, glyph_to_char = cmap
    count = face.numGlyphs
    metrics = unpack_from(">H", data, table["hhea"]["offset"] + 34)[0]
    at = table["hmtx"]["offset"]
    pairs = unpack_from(f">{2 * metrics}H", data, at)
    scale = face._pdfScale
    advances = [scale(aw) for aw in pairs[0::2]]
    last = advances[-1]  # glyphs past the metrics reuse the last (scaled) advance
    hmetrics = list(zip(pairs[0::2], pairs[1::2], strict=True))
    rest = max(0, count - metrics)
    hmetrics.extend((last, lsb) for lsb in unpack_from(f">{rest}H", data, at + 4 * metrics))
    widths: dict[int, Any] = {}
    covered = max(metrics, count)
    for glyph in sorted(glyph_to_char):
        if glyph < covered:
            aw = advances[glyph] if glyph < metrics else last
            for char in glyph_to_char[glyph]:
                widths[char] = aw
    loca = table["loca"]["offset"]
    if loc_format == 0:
        positions = [p << 1 for p in unpack_from(f">{count + 1}H", data, loca)]
    else:
        positions = list(unpack_from(f">{count + 1}L", data, loca))
    if 0x20 in char_to_glyph:
        char_to_glyph[0xA0] = char_to_glyph[0x20]
        widths[0xA0] = widths[0x20]
    elif 0xA0 in char_to_glyph:
        char_to_glyph[0x20] = char_to_glyph[0xA0]
        widths[0x20] = widths[0xA0]
    face.charToGlyph, face.glyphToChar, face.charWidths = char_to_glyph, glyph_to_char, widths
    face.defaultWidth, face.hmetrics, face.glyphPos = advances[0], hmetrics, positions
    return True


def cmap_subtable(data: bytes, cmap: int) -> int | None:
    """Where the cmap subtable ReportLab's TTFontFile chooses starts (the last of: Windows,
    Mac Roman unless one was found, Mac encoding 1, Unicode but variation sequences), or
    None when the font has none of them. ``cmap``: the cmap table's offset."""
    version, tables = unpack_from(">HH", data, cmap)
    if tables == 0 and version != 0:
        tables = version
    found = None
    enc = 0
    for n in range(tables):
        platform, encoding, offset = unpack_from(">HHL", data, cmap + 4 + 8 * n)
        if platform == 3 or (platform == 1 and encoding == 1) or \
                (platform == 0 and encoding != 5):
            enc, found = 1, offset
        elif platform == 1 and encoding == 0 and enc != 1:
            enc, found = 2, offset
    return None if found is None else cmap + found


def _char_map(data: bytes, cmap: int) -> tuple[dict[int, int], dict[int, list[int]]] | None:
    """The subtable ReportLab picks (the last that suits it), if it is format 4 or 12."""
    at = cmap_subtable(data, cmap)
    if at is None:
        return None
    fmt = unpack_from(">H", data, at)[0]
    char_to_glyph: dict[int, int] = {}
    glyph_to_char: dict[int, list[int]] = {}
    if fmt == 4:
        limit = at + unpack_from(">H", data, at + 2)[0]
        segments = unpack_from(">H", data, at + 6)[0] // 2
        pos = at + 14
        ends = unpack_from(f">{segments}H", data, pos)
        starts = unpack_from(f">{segments}H", data, pos + 2 * segments + 2)
        deltas = unpack_from(f">{segments}h", data, pos + 4 * segments + 2)
        ranges_at = pos + 6 * segments + 2
        range_offsets = unpack_from(f">{segments}H", data, ranges_at)
        for n in range(segments):
            start, end, delta, range_offset = starts[n], ends[n], deltas[n], range_offsets[n]
            chars = range(start, end + 1)
            if range_offset == 0:
                glyphs = [(char + delta) & 0xFFFF for char in chars]
            else:  # glyph ids from the array; those at or past the table's end are 0
                base = ranges_at + 2 * n + range_offset
                inside = max(0, min(len(chars), (limit - base + 1) // 2))
                glyphs = [(g + delta) & 0xFFFF if g else 0
                          for g in unpack_from(f">{inside}H", data, base)]
                glyphs += [0] * (len(chars) - inside)
            char_to_glyph.update(zip(chars, glyphs, strict=True))
            for char, glyph in zip(chars, glyphs, strict=True):
                glyph_to_char.setdefault(glyph, []).append(char)
    elif fmt == 12:
        groups = unpack_from(">L", data, at + 12)[0]
        for n in range(groups):
            start, end, first = unpack_from(">3L", data, at + 16 + 12 * n)
            for char, glyph in zip(range(start, end + 1), range(first, first + end - start + 1),
                                   strict=True):
                char_to_glyph[char] = glyph
                glyph_to_char.setdefault(glyph, []).append(char)
    else:
        return None
    return char_to_glyph, glyph_to_char
