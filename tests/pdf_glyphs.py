"""Check that every character a PDF draws has a glyph in the font it is drawn with.

    from tests.pdf_glyphs import missing_glyphs, drawn_text
    assert missing_glyphs(pdf_bytes) == []          # no box, no .notdef, no glyph 0
    assert "王" in drawn_text(pdf_bytes)["DroidSansFallback"]

For every text-showing operator (Tj, TJ, ', ") on every page (and in form XObjects), the
codes are looked up in the embedded font program of the font selected by Tf: the subset's
own cmap (fontTools) must map the code to a real glyph (not .notdef, not glyph 0) that has
an outline, unless the character is a space. A font that is not embedded is a problem too.
Characters are named through the font's ToUnicode map.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont


@dataclass
class _Font:
    name: str
    problem: str = ""  # why no character of it can be checked (not embedded, ...)
    glyphs: dict[int, str] = field(default_factory=dict)  # code -> glyph name
    outlined: set[str] = field(default_factory=set)  # glyph names with contours
    unicode: dict[int, str] = field(default_factory=dict)  # code -> text (ToUnicode)


_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _to_unicode(stream: Any) -> dict[int, str]:
    text = bytes(stream.read_bytes()).decode("latin-1")
    out: dict[int, str] = {}

    def utf16(hexs: str) -> str:
        return bytes.fromhex(hexs).decode("utf-16-be", "replace")

    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, start in _BFRANGE.findall(block):
            first = ord(utf16(start)[-1])
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in _BFCHAR.findall(block):
            out[int(code, 16)] = utf16(uni)
    return out


def _load_font(font: Any) -> _Font:
    name = str(font.get("/BaseFont", "?")).lstrip("/")
    info = _Font(name)
    if "/ToUnicode" in font:
        info.unicode = _to_unicode(font.ToUnicode)
    if font.get("/Subtype") != "/TrueType":
        info.problem = f"font {name} is {font.get('/Subtype')}, not an embedded TrueType font"
        return info
    desc = font.get("/FontDescriptor")
    if desc is None or "/FontFile2" not in desc:
        info.problem = f"font {name} is not embedded"
        return info
    tt = TTFont(io.BytesIO(bytes(desc.FontFile2.read_bytes())))
    cmap = tt["cmap"].getcmap(1, 0) or tt["cmap"].getcmap(3, 0) or tt["cmap"].getcmap(3, 1)
    if cmap is None:
        info.problem = f"font {name} has no usable cmap"
        return info
    order = tt.getGlyphOrder()
    glyf = tt["glyf"]
    info.outlined = {g for g in order if _contours(glyf.glyphs[g]) != 0}
    info.glyphs = {code: g for code, g in cmap.cmap.items() if g not in (".notdef", order[0])}
    return info


def _contours(glyph: Any) -> int:
    """numberOfContours (-1 for a composite), read from the glyph's header without
    decompiling its outline (fontTools' glyf[name] decompiles every point; most of the
    check's time)."""
    data = getattr(glyph, "data", None)
    if data is None:  # empty, or already decompiled
        return int(glyph.numberOfContours)
    return int(struct.unpack(">h", data[:2])[0]) if len(data) >= 2 else 0


def _strings(operands: list[Any], op: str) -> list[bytes]:
    if op == "TJ":
        return [bytes(x) for x in operands[0] if isinstance(x, pikepdf.String)]
    if op in ("Tj", "'"):
        return [bytes(operands[0])]
    if op == '"':
        return [bytes(operands[2])]
    return []


def _walk(owner: Any, resources: Any, where: str, fonts: dict[Any, _Font],
          visit: Any) -> None:
    font_res = resources.get("/Font", {}) if resources is not None else {}
    current: _Font | None = None
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op == "Tf":
            ref = font_res.get(operands[0])
            if ref is None:
                current = _Font(str(operands[0]), problem=f"font {operands[0]} not in resources")
                continue
            key = ref.objgen if ref.objgen != (0, 0) else id(ref)
            if key not in fonts:
                fonts[key] = _load_font(ref)
            current = fonts[key]
        elif op in ("Tj", "TJ", "'", '"'):
            for raw in _strings(list(operands), op):
                visit(where, current, raw)
        elif op == "Do" and resources is not None:
            xobj = resources.get("/XObject", {}).get(operands[0])
            if xobj is not None and xobj.get("/Subtype") == "/Form":
                _walk(xobj, xobj.get("/Resources", resources), where, fonts, visit)


def _each_drawn(pdf_bytes: bytes, visit: Any) -> None:
    fonts: dict[Any, _Font] = {}
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            _walk(page.obj, page.obj.get("/Resources"), f"page {number}", fonts, visit)


def missing_glyphs(pdf_bytes: bytes) -> list[str]:
    """Every character drawn without a glyph, as "page 2: '王' (code 0x05) in
    AAAAAA+DejaVuSans: no glyph" (each distinct problem once, in order)."""
    problems: dict[str, None] = {}

    def visit(where: str, font: _Font | None, raw: bytes) -> None:
        if font is None:
            problems.setdefault(f"{where}: text drawn with no font selected", None)
            return
        if font.problem:
            problems.setdefault(f"{where}: {font.problem}", None)
            return
        for code in raw:  # simple TrueType fonts: one byte a character
            text = font.unicode.get(code, "?")
            glyph = font.glyphs.get(code)
            if glyph is None:
                problems.setdefault(f"{where}: {text!r} (code 0x{code:02X}) in {font.name}: "
                                    "no glyph", None)
            elif glyph not in font.outlined and not text.isspace():
                problems.setdefault(f"{where}: {text!r} (code 0x{code:02X}) in {font.name}: "
                                    "empty glyph", None)

    _each_drawn(pdf_bytes, visit)
    return list(problems)


def drawn_text(pdf_bytes: bytes) -> dict[str, str]:
    """All text drawn, by font (subset prefix removed: "DejaVuSans", "DroidSansFallback")."""
    out: dict[str, list[str]] = {}

    def visit(where: str, font: _Font | None, raw: bytes) -> None:
        if font is None:
            return
        name = font.name.split("+", 1)[-1]
        out.setdefault(name, []).append("".join(font.unicode.get(c, "\ufffd") for c in raw))

    _each_drawn(pdf_bytes, visit)
    return {name: "".join(parts) for name, parts in out.items()}
