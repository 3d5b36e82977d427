"""Smaller embedded font subsets: ReportLab's TrueType subsets without hinting or licence text.

ReportLab embeds each 256-glyph subset with the font's hinting (the TrueType programs in
every glyph plus the fpgm, prep and cvt tables) and its whole name table. In our PDFs that
was about 40% of the font bytes: the hinting instructions of Nanum Gothic's Hangul glyphs
alone were 24-40 KB per subset, and DejaVu's name table carries its 15 KB licence text in
every subset (issue 12: a bilingual large-print Korean print was 412-422 KB against the
400 KB goal). Hinting only grid-fits outlines for low-resolution screens; print, and the
preview at its zoom, use the outlines, which are kept exactly (as WeasyPrint embeds fonts
by default, without hinting). The name table keeps its identifying records (copyright,
family, style, unique id, full name, version, PostScript name); the licences ship beside
the fonts (resources/fonts, docs/languages.md), as before.

Making a slim subset is pure Python per glyph (ReportLab's subsetter, then :func:`slim`), and
so is nothing compared with compressing it, yet together they were the largest part of a
warm Korean or Chinese render. A warm app renders the same handout again and again while the
nurse types, and each PDF asks for the same subsets (the same characters in the same order),
so each face remembers its last subsets by their character list, and the compressed font
streams are remembered by their bytes (:class:`SubsetCache`: in this process's memory only,
a bounded number of bytes; a patient's name is in some subset's characters, so nothing here
is ever written anywhere). A remembered subset is the bytes the same call made before: the
PDF is byte-identical (tests/test_pdf_size.py).
"""

from __future__ import annotations

import contextlib
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import pairwise
from struct import error as struct_error
from struct import pack, unpack_from
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.pdfdoc import PDFArray, PDFZCompress
from reportlab.pdfbase.ttfonts import TTFontMaker

from .fontcache import font_table

#: name records kept: copyright, family, subfamily, unique id, full name, version, PS name
KEPT_NAMES = frozenset(range(7))
#: tables that only hold hinting (with the instructions of each glyph removed)
HINTING = frozenset({"fpgm", "prep", "cvt "})

_MORE_COMPONENTS = 0x0020
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_HAVE_XY_SCALE = 0x0040
_HAVE_2X2 = 0x0080
_HAVE_INSTRUCTIONS = 0x0100
_X_SHORT, _Y_SHORT, _REPEAT, _X_SAME, _Y_SAME = 0x02, 0x04, 0x08, 0x10, 0x20


def _tables(font: bytes) -> dict[str, bytes]:
    count = unpack_from(">H", font, 4)[0]
    out = {}
    for i in range(count):
        tag, _, offset, length = unpack_from(">4sLLL", font, 12 + 16 * i)
        out[tag.decode("latin-1")] = font[offset:offset + length]
    return out


def _glyph_without_hinting(data: bytes) -> bytes:
    if len(data) < 10:
        return data
    contours = unpack_from(">h", data, 0)[0]
    if contours >= 0:  # a simple glyph: drop its instructions (and the old padding)
        at = 10 + 2 * contours
        points = unpack_from(">H", data, at - 2)[0] + 1 if contours else 0
        length = unpack_from(">H", data, at)[0]
        body = at + 2 + length
        return data[:at] + b"\0\0" + data[body:_simple_end(data, body, points)]
    at, flags = 10, _MORE_COMPONENTS  # a composite: clear the flag, drop what follows
    out = bytearray(data)
    while flags & _MORE_COMPONENTS:
        flags = unpack_from(">H", data, at)[0]
        out[at:at + 2] = pack(">H", flags & ~_HAVE_INSTRUCTIONS)
        at += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        at += 2 if flags & _HAVE_SCALE else 4 if flags & _HAVE_XY_SCALE else \
            8 if flags & _HAVE_2X2 else 0
    return bytes(out[:at])


_REPEAT_FLAG = re.compile(b"[" + b"".join(re.escape(bytes([f])) for f in range(256) if f & _REPEAT)
                         + b"]")
#: bytes each point's x and y coordinate take, by its flag
_X_BYTES = bytes(1 if f & _X_SHORT else 0 if f & _X_SAME else 2 for f in range(256))
_Y_BYTES = bytes(1 if f & _Y_SHORT else 0 if f & _Y_SAME else 2 for f in range(256))


def _simple_end(data: bytes, at: int, points: int) -> int:
    """Where a simple glyph's flags and coordinates starting at ``at`` end. The flags up to
    the next one with a repeat count are one point each: their coordinates' bytes are
    summed at C speed (``bytes.translate``), so Python steps only once per repeat."""
    x_size = y_size = 0
    while points > 0:
        repeat = _REPEAT_FLAG.search(data, at, at + points)
        stop = repeat.start() if repeat else at + points
        if stop > len(data):
            raise IndexError("a glyph's flags run past the table")
        singles = data[at:stop]
        x_size += sum(singles.translate(_X_BYTES))
        y_size += sum(singles.translate(_Y_BYTES))
        points -= stop - at
        at = stop
        if repeat:
            flag, count = data[at], 1 + data[at + 1]
            at += 2
            points -= count
            x_size += count * _X_BYTES[flag]
            y_size += count * _Y_BYTES[flag]
    return at + x_size + y_size


def _glyf_loca(tables: dict[str, bytes]) -> tuple[bytes, bytes, int]:
    """The glyph table without instructions, its index and index format."""
    long_loca = unpack_from(">h", tables["head"], 50)[0] == 1
    loca = tables["loca"]
    n = len(loca) // (4 if long_loca else 2)
    offsets = unpack_from(f">{n}{'L' if long_loca else 'H'}", loca)
    if not long_loca:
        offsets = tuple(2 * o for o in offsets)
    glyf, parts, pos, new = tables["glyf"], [], 0, [0]
    for start, end in pairwise(offsets):
        g = _glyph_without_hinting(glyf[start:end]) if end > start else b""
        g += b"\0" * (-len(g) % 4)
        parts.append(g)
        pos += len(g)
        new.append(pos)
    return (b"".join(parts), *_loca(new))


def _loca(offsets: list[int]) -> tuple[bytes, int]:
    """A glyph table's index of ``offsets`` and its format: short (offsets / 2) when the
    table is small enough, else long."""
    if (offsets[-1] + 1) >> 1 > 0xFFFF:
        return pack(f">{len(offsets)}L", *offsets), 1
    return pack(f">{len(offsets)}H", *(o >> 1 for o in offsets)), 0


def _without_instructions(data: bytes, end: int) -> bytes:
    """A simple glyph without its instructions, its outline ending at ``end``: what
    :func:`_glyph_without_hinting` makes of it."""
    at = 10 + 2 * unpack_from(">h", data, 0)[0]
    body = at + 2 + unpack_from(">H", data, at)[0]
    return data[:at] + b"\0\0" + data[body:end]


#: what :func:`outline_ends` computes, and its version (the name of its disk cache file)
ENDS_KIND = "outline-ends-1"


def outline_ends(glyf: bytes, positions: list[int]) -> bytes:
    """For each glyph of a font (``positions``: its glyph table index, ReportLab's
    ``glyphPos``), where the outline of a simple glyph ends, counted from the glyph's start
    (the end :func:`_glyph_without_hinting` keeps), or 0 (a composite, an empty or short
    glyph, or one whose points run past its own bytes); as unsigned 32-bit big-endian
    numbers. From the font alone: the same for every text, so it is cached on disk
    (fontcache.font_table)."""
    ends = []
    for start, stop in pairwise(positions):
        end = 0
        if stop - start >= 10 and stop <= len(glyf):
            contours = unpack_from(">h", glyf, start)[0]
            if contours >= 0:
                at = start + 10 + 2 * contours
                if at + 2 <= stop:
                    points = unpack_from(">H", glyf, at - 2)[0] + 1 if contours else 0
                    body = at + 2 + unpack_from(">H", glyf, at)[0]
                    with contextlib.suppress(IndexError):
                        end = _simple_end(glyf, body, points) - start if body <= stop else 0
                    end = end if end <= stop - start else 0
        ends.append(end)
    return pack(f">{len(ends)}L", *ends)


def _name(table: bytes) -> bytes:
    """The name table with only the records of KEPT_NAMES (format 0)."""
    count, storage = unpack_from(">HH", table, 2)
    records = []
    for i in range(count):
        platform, encoding, language, name_id, length, offset = \
            unpack_from(">6H", table, 6 + 12 * i)
        if name_id in KEPT_NAMES:
            text = table[storage + offset:storage + offset + length]
            records.append((platform, encoding, language, name_id, text))
    head = pack(">3H", 0, len(records), 6 + 12 * len(records))
    rows, strings = [], b""
    for platform, encoding, language, name_id, text in records:
        rows.append(pack(">6H", platform, encoding, language, name_id, len(text),
                         len(strings)))
        strings += text
    return head + b"".join(rows) + strings


def slim(font: bytes) -> bytes:
    """A TrueType subset without hinting and with a short name table; outlines, metrics and
    the character map unchanged (:func:`slim_subset` makes the same in one pass)."""
    tables = _tables(font)
    maker = TTFontMaker()
    glyf, loca, loca_format = _glyf_loca(tables)
    for tag, data in tables.items():
        if tag in HINTING:
            continue
        if tag == "glyf":
            data = glyf
        elif tag == "loca":
            data = loca
        elif tag == "head":
            data = data[:50] + pack(">h", loca_format) + data[52:]
        elif tag == "name":
            data = _name(data)
        maker.add(tag, data)
    return maker.makeStream()


class SubsetCache:
    """A bounded map (least recently used out first) of font bytes, thread-safe. Memory
    only: keys and values derive from the characters printed, a patient's name among them."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = make()  # outside the lock: two threads may both make it (the same bytes)
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self._size += _size(key, found)
                while self._size > self.max_bytes and len(self._items) > 1:
                    self._size -= _size(*self._items.popitem(last=False))
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)


def _size(key: Hashable, value: bytes | str) -> int:
    return len(value) + (len(key) if isinstance(key, (bytes, str)) else 0)


#: slim subsets by (face, characters); compressed font streams and ToUnicode maps by their
#: bytes or text; each subset's ToUnicode map and formatted width array by its characters
SUBSETS = SubsetCache(24 << 20)
COMPRESSED = SubsetCache(8 << 20)
FONT_OBJECTS = SubsetCache(4 << 20)


class _RememberedFlate:
    """ReportLab's Flate filter (``PDFZCompress``: the same name, the same bytes), which
    remembers what it compressed (font streams and their ToUnicode maps only)."""

    pdfname = PDFZCompress.pdfname

    def encode(self, data: bytes | str) -> bytes:
        return COMPRESSED.get(data, lambda: zlib.compress(
            data.encode("utf8") if isinstance(data, str) else data))

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_FLATE = _RememberedFlate()


class _RememberedArray(PDFArray):
    """A PDF array of numbers (a subset's glyph widths) formatted once for its numbers:
    ReportLab formats each of the 256 numbers in Python at every PDF."""

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:
        key = ("widths", tuple(self.sequence), IND, self.multiline, rl_config.pdfMultiLine)
        return FONT_OBJECTS.get(key, lambda: super(_RememberedArray, self).format(document,
                                                                                 IND))


_rl_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode(fontname: str, subset: Any) -> str:
    """ReportLab's ToUnicode map of a subset (a Python loop over its characters), made once
    for a subset name and list of characters."""
    return FONT_OBJECTS.get(("cmap", fontname, tuple(subset)),  # type: ignore[return-value]
                            lambda: _rl_to_unicode(fontname, subset))


def _remembering_objects(font: Any, add: Callable[[Any], None]) -> Callable[[Any], None]:
    """``font.addObjects`` whose subsets' width arrays format once
    (:class:`_RememberedArray`) and whose ToUnicode maps compress once (:data:`_FLATE`).
    The objects are found by the names ReportLab gives them; any it names otherwise are
    left as ReportLab made them (the same bytes, made afresh)."""

    def add_objects(doc: Any) -> None:
        state = font.state.get(doc)
        names = [] if state is None or state.internalName is None else \
            [font.getSubsetInternalName(n, doc)[1:] for n in range(len(state.subsets))]
        add(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for name in names:
            pdf_font = fonts.get(name)
            if pdf_font is None:
                continue
            widths = getattr(pdf_font, "Widths", None)
            if isinstance(widths, PDFArray) and type(widths) is PDFArray and \
                    all(type(w) in (int, float) for w in widths.sequence):
                pdf_font.Widths = _RememberedArray(widths.sequence)
            cmap = doc.idToObject.get(f"toUnicodeCMap:{pdf_font.BaseFont}")
            if cmap is not None and cmap.filters == [PDFZCompress]:
                cmap.filters = [_FLATE]

    return add_objects


def slim_subsets(fonts: Iterable[Any]) -> None:
    """Make each ReportLab TTFont embed slim subsets (its face's makeSubset, wrapped), each
    made once for a list of characters and compressed once (:class:`SubsetCache`), with
    its width arrays and ToUnicode maps made once too."""
    ttfonts.makeToUnicodeCMap = _to_unicode
    for font in fonts:
        if not getattr(font.addObjects, "remembering", False):
            font.addObjects = _remembering_objects(font, font.addObjects)
            font.addObjects.remembering = True
        face = font.face
        make: Callable[[Any], bytes] = face.makeSubset
        if getattr(make, "slim", False):
            continue

        def make_slim(subset: Any, make: Callable[[Any], bytes] = make,
                      face: Any = face) -> bytes:
            return SUBSETS.get((face, tuple(subset)),
                               lambda: slim_subset(face, subset) or slim(make(subset)))

        make_slim.slim = True  # type: ignore[attr-defined]
        face.makeSubset = make_slim
        face.addSubsetObjects = _compressing_once(face, face.addSubsetObjects)


_ENDS: WeakKeyDictionary[Any, bytes] = WeakKeyDictionary()


def _face_ends(face: Any) -> bytes:
    """:func:`outline_ends` of a face's font, from the disk cache when made before."""
    ends = _ENDS.get(face)
    if ends is None:
        glyf = face.table["glyf"]

        def make() -> bytes:
            table = face._ttf_data[glyf["offset"]:glyf["offset"] + glyf["length"]]
            return outline_ends(table, face.glyphPos)

        ends = _ENDS[face] = font_table(face, ENDS_KIND, make)
    return ends


def slim_subset(face: Any, subset: Any) -> bytes | None:
    """``slim(face.makeSubset(subset))`` made in one pass from the face's tables: ReportLab's
    subset (its glyph order, glyph table with renumbered components, metrics, character
    map, post, hhea and maxp as ReportLab writes them) without the copy of every table and
    the second parse, and each simple glyph cut at its outline end read from
    :func:`outline_ends` instead of walking its points. The same bytes (tests compare both
    for every shipped font); None for a face this does not read (then the long way)."""
    try:
        return _slim_subset(face, subset)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError, struct_error):
        return None


def _slim_subset(face: Any, subset: Any) -> bytes | None:
    data, table = face._ttf_data, face.table
    positions, char_to_glyph, glyf = face.glyphPos, face.charToGlyph, table["glyf"]["offset"]
    ends = _face_ends(face)
    glyph_map: list[int] = []
    new_index: dict[int, int] = {}  # original glyph -> subset glyph
    for glyph in (0, *(char_to_glyph.get(code, 0) for code in subset)):
        if glyph not in new_index:
            new_index[glyph] = len(glyph_map)
            glyph_map.append(glyph)
    n = 0
    while n < len(glyph_map):  # the components of composite glyphs, as ReportLab adds them
        start, stop = positions[glyph_map[n]], positions[glyph_map[n] + 1]
        n += 1
        if stop > start and unpack_from(">h", data, glyf + start)[0] < 0:
            if stop - start < 12:
                return None  # a composite too short to hold a component: ReportLab's way
            for glyph in _components(data, glyf + start + 10):
                if glyph not in new_index:
                    new_index[glyph] = len(glyph_map)
                    glyph_map.append(glyph)

    def get(tag: str) -> bytes:
        return data[table[tag]["offset"]:table[tag]["offset"] + table[tag]["length"]]

    maker = TTFontMaker()
    maker.add("name", _name(get("name")))
    maker.add("OS/2", get("OS/2"))
    maker.add("post", b"\x00\x03\x00\x00" + get("post")[4:16] + b"\x00" * 16)
    count = len(glyph_map)
    hmtx: list[int] = []
    for glyph in glyph_map:
        aw, lsb = face.hmetrics[glyph]
        hmtx += (int(aw), int(lsb))
    n = len(hmtx) - 2  # ReportLab's: the trailing run of one advance keeps its lsb only
    while n and hmtx[n] == hmtx[n - 2]:
        n -= 2
    n += 2
    maker.add("hmtx", pack(f">{n + (len(hmtx) - n) // 2}H", *hmtx[:n], *hmtx[n + 1::2]))
    maker.add("hhea", _with_ushort(get("hhea"), 34, n >> 1))
    maker.add("maxp", _with_ushort(get("maxp"), 4, count))
    codes = [new_index[char_to_glyph.get(code, 0)] for code in subset]
    maker.add("cmap", pack(f">{11 + len(codes)}H", 0, 1, 1, 0, 0, 12, 6,
                           10 + 2 * len(codes), 0, 0, len(codes), *codes))
    parts, pos, offsets = [], 0, [0]
    for glyph in glyph_map:
        start, stop = glyf + positions[glyph], glyf + positions[glyph + 1]
        if stop > start:
            g = data[start:stop]
            end = unpack_from(">L", ends, 4 * glyph)[0]
            if end and stop - start >= 10:  # ReportLab's padding is after the end
                g = _without_instructions(g, end)
            else:
                if stop - start > 2 and unpack_from(">h", g, 0)[0] < 0:
                    g = _renumbered(g, new_index)
                g = _glyph_without_hinting(g + b"\0" * (-len(g) % 4))  # as ReportLab pads
            g += b"\0" * (-len(g) % 4)
            parts.append(g)
            pos += len(g)
        offsets.append(pos)
    maker.add("glyf", b"".join(parts))
    loca, loca_format = _loca(offsets)
    maker.add("loca", loca)
    maker.add("head", _with_ushort(get("head"), 50, loca_format))
    return maker.makeStream()


def _with_ushort(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + pack(">H", value) + data[at + 2:]


def _renumbered(data: bytes, new_index: dict[int, int]) -> bytes:
    """A composite glyph whose components name the subset's glyphs (ReportLab's fix)."""
    out = bytearray(data)
    for at, glyph in _component_records(data, 10):
        out[at + 2:at + 4] = pack(">H", new_index[glyph])
    return bytes(out)


def _components(data: bytes, at: int) -> Iterator[int]:
    """The glyphs a composite glyph's components name, in order (from its first one)."""
    return (glyph for _, glyph in _component_records(data, at))


def _component_records(data: bytes, at: int) -> Iterator[tuple[int, int]]:
    """Where each of a composite glyph's component records starts (from its first one, at
    ``at``) and the glyph it names."""
    flags = _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags, glyph = unpack_from(">HH", data, at)
        yield at, glyph
        at += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        at += 2 if flags & _HAVE_SCALE else 4 if flags & _HAVE_XY_SCALE else \
            8 if flags & _HAVE_2X2 else 0


def _compressing_once(face: Any, add: Callable[..., Any]) -> Callable[..., Any]:
    """``face.addSubsetObjects`` whose font stream compresses through :data:`_FLATE`. The
    stream is found by the name ReportLab registers it under; if that ever changes, the
    stream keeps ReportLab's filter (the same bytes, compressed afresh)."""

    def add_subset_objects(doc: Any, fontname: str, subset: Any) -> Any:
        ref = add(doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{face.filename}({fontname})")
        if stream is not None and stream.filters == [PDFZCompress]:
            stream.filters = [_FLATE]
        return ref

    return add_subset_objects
