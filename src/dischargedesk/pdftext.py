"""Text runs and rules read back from the PDFs our renderer writes (for layout_checks.py).

A small reader of ReportLab's own output: the classic xref table, page tree, fonts with their
ToUnicode CMaps (parsed once per PDF, not once per page), content streams decoded with
ReportLab's C ASCII85 decoder and zlib, and a tokenizer for the operators that place text
(BT/ET/Tf/Tm/Td/TD/T*/TL/Tc/Tj/TJ/'/", q/Q/cm, marked content, m/l for rules, Do).

It reports each run of text where pypdf's text extraction (the reader layout_checks used
before; tests/layout_reference.py) reports it: pypdf's visitor semantics are reproduced
exactly (runs are flushed at a font change, a new line, a cm or an XObject; a run's position
is where it started; spaces are inserted at word gaps), so the layout checks read the same
runs as before, about four times faster, and the engine needs no PDF library at run time.
tests/test_layout_reader.py proves both readers agree. Qt-free; no patient text is logged
or kept beyond the returned runs.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.rl_accel import asciiBase85Decode

Matrix = list[float]
#: text (with pypdf's "\n" at a line end), cm and text matrix where it started, font, size
Run = tuple[str, Matrix, Matrix, str, float]


class PdfReadError(ValueError):
    """The PDF uses something this reader does not read (it reads our renderer's output)."""


@dataclass
class PageText:
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y


# -- objects ---------------------------------------------------------------------------------
class Name(str):
    """A PDF name, without its slash."""


@dataclass(frozen=True)
class Ref:
    num: int


_DELIM = rb"\s/\[\]()<>{}%"
#: one token of a PDF object or content stream: a literal string (one level of unescaped
#: nesting), a dictionary bracket, a hex string, an array bracket, a name, a comment, or a
#: regular token (number, operator, keyword); a lone "(" is a string this does not read
_TOKEN = re.compile(
    rb"\((?:[^\\()]++|\\.|\((?:[^\\()]++|\\.)*+\))*+\)|<<|>>|<[0-9A-Fa-f\s]*>|\[|\]|\{|\}"
    rb"|/[^" + _DELIM + rb"]*|%[^\r\n]*|[^" + _DELIM + rb"]+|\(", re.S)
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\s\S])")
_NUMBER_START = frozenset(b"+-.0123456789")


def _unescape(m: re.Match[bytes]) -> bytes:
    e = m.group(1)
    if e[0] in _ESCAPES:
        return _ESCAPES[e[0]]
    if e[:1].isdigit():
        return bytes((int(e, 8) & 0xFF,))
    if e in (b"\r\n", b"\r", b"\n"):
        return b""  # a line continuation
    return e


def _string(tok: bytes) -> bytes:
    if tok[0] == 0x28:  # (
        if len(tok) < 2 or tok[-1] != 0x29:
            raise PdfReadError("unbalanced string in the PDF")
        body = tok[1:-1]
        return _ESCAPE.sub(_unescape, body) if b"\\" in body else body
    hexdigits = re.sub(rb"\s", b"", tok[1:-1])
    return bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode())


def _number(tok: bytes) -> float | int:
    try:
        return int(tok)
    except ValueError:
        return float(tok)


class _Parser:
    """Objects of one PDF, found through its xref table, parsed on demand."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offsets: dict[int, int] = {}
        self.cache: dict[int, Any] = {}
        at = data.rfind(b"startxref")
        if at < 0:
            raise PdfReadError("no xref in the PDF")
        pos = int(data[at + 9:at + 40].split()[0])
        self.trailer: dict[str, Any] = {}
        while True:
            if not data.startswith(b"xref", pos):
                raise PdfReadError("the PDF has no classic xref table")
            pos += 4
            lines = _XREF_SECTION.match(data, pos)
            while lines:
                start, count = int(lines.group(1)), int(lines.group(2))
                pos = lines.end()
                for i in range(count):
                    entry = data[pos + 20 * i:pos + 20 * i + 20]
                    if entry[17:18] == b"n" and start + i not in self.offsets:
                        self.offsets[start + i] = int(entry[:10])
                pos += 20 * count
                lines = _XREF_SECTION.match(data, pos)
            trailer_at = data.find(b"trailer", pos)
            trailer, _ = self.value(trailer_at + 7)
            for k, v in trailer.items():
                self.trailer.setdefault(k, v)
            if "Prev" not in trailer:
                break
            pos = int(trailer["Prev"])

    def value(self, pos: int) -> tuple[Any, int]:
        """The object starting at ``pos`` and the position after it."""
        m = _skip_match(self.data, pos)
        tok, pos = m.group(0), m.end()
        c = tok[0]
        if tok == b"<<":
            out: dict[str, Any] = {}
            while True:
                key, pos = self.value(pos)
                if key is _END_DICT:
                    return out, pos
                out[key], pos = self.value(pos)
        if tok == b">>":
            return _END_DICT, pos
        if tok == b"[":
            items: list[Any] = []
            while True:
                item, pos = self.value(pos)
                if item is _END_ARRAY:
                    return items, pos
                items.append(item)
        if tok == b"]":
            return _END_ARRAY, pos
        if c == 0x2F:  # /
            return Name(_name(tok)), pos
        if c in (0x28, 0x3C):  # ( <
            return _string(tok), pos
        if c in _NUMBER_START:
            num = _number(tok)
            ref = _REF.match(self.data, pos)
            if ref and isinstance(num, int):
                return Ref(num), ref.end()
            return num, pos
        return {b"true": True, b"false": False, b"null": None}.get(tok, tok), pos

    def get(self, obj: Any) -> Any:
        """``obj``, or the object it refers to."""
        if not isinstance(obj, Ref):
            return obj
        if obj.num not in self.cache:
            pos = self.offsets.get(obj.num)
            if pos is None:
                return None
            head = _OBJ_HEAD.match(self.data, pos)
            if not head:
                raise PdfReadError("a PDF object is not where the xref says")
            value, end = self.value(head.end())
            if isinstance(value, dict):
                s = _STREAM.match(self.data, end)
                if s:
                    length = int(self.get(value["Length"]))
                    value = _Stream(value, self.data[s.end():s.end() + length])
            self.cache[obj.num] = value
        return self.cache[obj.num]

    def stream_data(self, obj: Any) -> bytes:
        stream = self.get(obj)
        if not isinstance(stream, _Stream):
            raise PdfReadError("expected a stream in the PDF")
        filters = self.get(stream.info.get("Filter"))
        data = stream.raw
        for f in filters if isinstance(filters, list) else [filters] if filters else []:
            if f == "ASCII85Decode":
                data = asciiBase85Decode(data.strip())
            elif f == "FlateDecode":
                data = zlib.decompress(data)
            else:
                raise PdfReadError(f"PDF stream filter {f} is not read")
        return data


@dataclass
class _Stream:
    info: dict[str, Any]
    raw: bytes


_END_DICT, _END_ARRAY = object(), object()
_WS_COMMENTS = re.compile(rb"(?:\s|%[^\r\n]*)*")
_XREF_SECTION = re.compile(rb"\s*(\d+)\s+(\d+)[ \t]*\r?\n")
_REF = re.compile(rb"\s+(\d+)\s+R(?=[" + _DELIM + rb"])")
_OBJ_HEAD = re.compile(rb"\s*\d+\s+\d+\s+obj")
_STREAM = re.compile(rb"\s*stream\r?\n")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _skip_match(data: bytes, pos: int) -> re.Match[bytes]:
    pos = _WS_COMMENTS.match(data, pos).end()  # type: ignore[union-attr]
    m = _TOKEN.match(data, pos)
    if m is None:
        raise PdfReadError("unexpected end of the PDF")
    return m


def _name(tok: bytes) -> str:
    body = tok[1:]
    if b"#" in body:
        body = _NAME_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), body)
    return body.decode("latin-1")


# -- fonts -----------------------------------------------------------------------------------
_STANDARD_SPACE = " "
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_RANGE_ROW = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")


def _utf16(hexdigits: bytes) -> str:
    return bytes.fromhex(hexdigits.decode()).decode("utf-16-be", "surrogatepass")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """Code -> text of a ToUnicode CMap (bfchar and bfrange, one-byte codes)."""
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        codes = _HEX.findall(block)
        for src, dst in zip(codes[::2], codes[1::2], strict=False):
            out[int(src, 16)] = _utf16(dst)
    for block in _BFRANGE.findall(cmap):
        for lo, hi, dst in _RANGE_ROW.findall(block):
            first, last = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for n, d in enumerate(_HEX.findall(dst)):
                    out[first + n] = _utf16(d)
            else:
                base = bytes.fromhex(dst[1:-1].decode())
                for n in range(last - first + 1):
                    code = int.from_bytes(base, "big") + n
                    out[first + n] = code.to_bytes(len(base), "big").decode(
                        "utf-16-be", "surrogatepass")
    return out


@dataclass
class Font:
    """What the text walk needs of a simple (one-byte) font, as pypdf reads it."""

    base: str
    chars: dict[int, str]  # code -> text (ToUnicode; the code itself where none)
    widths: dict[int, float]  # code -> glyph width, 1/1000 of the size
    default_width: float
    space_code: int | None  # code of the space glyph (pypdf's space_char), if any
    space_width: float

    def decode(self, raw: bytes) -> tuple[str, float]:
        """The text of ``raw`` and its width (1/1000 of the size)."""
        chars, widths, default = self.chars, self.widths, self.default_width
        space, space_w = self.space_code, self.space_width
        width = 0.0
        for b in raw:
            width += space_w if b == space else widths.get(b, default)
        return "".join([chars.get(b, chr(b)) for b in raw]), width


_FIXED_PITCH = 1


def _font(parser: _Parser, ref: Any) -> Font:
    info = parser.get(ref)
    if info.get("Subtype") not in ("TrueType", "Type1", "MMType1"):
        raise PdfReadError(f"PDF font type {info.get('Subtype')} is not read")
    if "Encoding" in info:
        raise PdfReadError("PDF fonts with an /Encoding are not read")
    chars = _to_unicode(parser.stream_data(info["ToUnicode"])) if "ToUnicode" in info else {}
    widths: dict[int, float] = {}
    first = int(parser.get(info.get("FirstChar", 0)))
    for code, w in enumerate(parser.get(info.get("Widths", [])), start=first):
        if code > 255:
            break
        widths[code] = int(parser.get(w))
    descriptor = parser.get(info.get("FontDescriptor")) or {}
    flags = int(parser.get(descriptor.get("Flags", 0)))
    default: float = parser.get(descriptor.get("MissingWidth", 0))
    space_code = next((c for c, t in chars.items() if t == _STANDARD_SPACE), None)
    if space_code is None:
        space_code = 32  # StandardEncoding's space (pypdf's fallback)
    if not default:  # pypdf's default width: from the space, else the mean width
        if widths.get(space_code):
            default = widths[space_code] if flags & _FIXED_PITCH else int(2 * widths[space_code])
        else:
            valid = [w for w in widths.values() if w > 0]
            default = sum(valid) // len(valid) if valid else 500
    space_width = widths.get(space_code, 0) or (
        default if flags & _FIXED_PITCH else default // 2)
    return Font(str(parser.get(info.get("BaseFont", ""))), chars, widths, default,
                space_code, space_width)


# -- content streams -------------------------------------------------------------------------
def _mult(m: Matrix, n: Matrix) -> Matrix:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _orient(m: Matrix) -> int:
    if m[3] > 1e-6:
        return 0
    if m[3] < -1e-6:
        return 180
    return 90 if m[1] > 0 else 270


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_UNKNOWN_FONT = Font("", {}, {}, 500, None, 250)


class _Walk:
    """One page's content stream through pypdf's text-extraction state machine
    (pypdf/_text_extraction: TextExtraction and crlf_space_check, upright and left-to-right
    text only), reporting each flushed run to ``runs``."""

    def __init__(self, fonts: dict[str, Font], xobjects: dict[str, str],
                 page: PageText) -> None:
        self.fonts, self.xobjects, self.page = fonts, xobjects, page
        self.cm: Matrix = list(_IDENTITY)
        self.tm: Matrix = list(_IDENTITY)
        self.stack: list[tuple[Matrix, Font | None, float, float, float]] = []
        self.cm_prev: Matrix = list(_IDENTITY)
        self.tm_prev: Matrix = list(_IDENTITY)
        self.memo_cm: Matrix = list(_IDENTITY)
        self.memo_tm: Matrix = list(_IDENTITY)
        self.char_spacing = 0.0
        self.half_space = 500.0  # pypdf's _space_width: half a space, 1/1000 of the size
        self.previous_font_space: float | None = None
        self.str_widths = 0.0
        self.str_height = 0.0
        self.leading = 0.0
        self.size = 12.0
        self.line_span: tuple[int, float, float] | None = None
        self.text = ""
        self.last_out = ""  # the last character of everything flushed so far
        self.font: Font | None = None
        self.start: list[float] = []  # where the current path started (m), for rules

    # reporting
    def _visit(self, text: str) -> None:
        if text.strip():
            self.page.runs.append((text, self.memo_cm, self.memo_tm,
                                   self.font.base if self.font else "", self.size))

    def _out(self, text: str) -> None:
        if text:
            self.last_out = text[-1]

    def _memo(self) -> None:
        self.memo_cm = self.cm.copy()
        self.memo_tm = self.tm.copy()

    def _flush(self) -> None:
        self._out(self.text)
        self._visit(self.text)
        self.text = ""
        self._memo()

    # text positioning (pypdf: _post_process_text_operation + crlf_space_check)
    def _moved(self, str_widths: float) -> None:
        was_empty = self.text == ""
        space = self.size * self.half_space
        if self.previous_font_space is not None:
            space = min(space, self.previous_font_space)
        space /= 1000
        m_prev = _mult(self.tm_prev, self.cm_prev)
        m = _mult(self.tm, self.cm)
        orientation = _orient(m)
        dx, dy = m[4] - m_prev[4], m[5] - m_prev[5]
        scale_prev_x = math.sqrt(m_prev[0] ** 2 + m_prev[1] ** 2)
        scale_prev_y = math.sqrt(m_prev[2] ** 2 + m_prev[3] ** 2)
        scale_y = math.sqrt(m[2] ** 2 + m[3] ** 2)
        if orientation in (0, 180):
            moved_h, moved_w, axis_index = dy, dx, 5
        else:
            moved_h, moved_w, axis_index = dx, dy, 4
        axis = m[axis_index]
        span = self.line_span
        if span is None or span[0] != axis_index:
            distance = abs(moved_h)
        else:
            lower, upper = span[1], span[2]
            distance = 0.0 if lower <= axis <= upper else min(abs(axis - lower),
                                                              abs(axis - upper))
        last = self.text[-1:] if self.text else self.last_out
        threshold = 0.8 * min(self.str_height * scale_prev_y, self.size * scale_y)
        if distance > threshold:
            if last not in ("", "\n"):
                self.last_out = "\n"
                self._visit(self.text + "\n")
                self.text = ""
            self.line_span = (axis_index, axis, axis)
        else:
            if (abs(moved_h) > threshold or moved_w >= (space + str_widths) * scale_prev_x) \
                    and last not in ("", " "):
                self.text += " "
            if last in ("", "\n") or span is None or span[0] != axis_index:
                self.line_span = (axis_index, axis, axis)
            else:
                self.line_span = (axis_index, min(span[1], axis), max(span[2], axis))
        self.tm_prev = self.tm.copy()
        self.cm_prev = self.cm.copy()
        if was_empty or self.text == "":
            self._memo()

    def _take_widths(self) -> float:
        w = self.str_widths / 1000
        self.str_widths = 0.0
        return w

    def _show(self, raw: bytes | str) -> None:
        self.previous_font_space = None
        font = self.font or _UNKNOWN_FONT
        if isinstance(raw, str):  # a space added by a TJ gap
            text, width = raw, font.space_width if font.space_code == 32 else \
                font.widths.get(32, font.default_width)
        else:
            text, width = font.decode(raw)
        self.text += text
        self.str_widths += width * self.size + 1000 * self.char_spacing * len(raw)
        self.str_height = self.size
        self._moved(0.0)

    def _next_line(self) -> None:
        self.tm[4] -= self.leading * self.tm[2]
        self.tm[5] -= self.leading * self.tm[3]
        self._moved(self._take_widths())

    def _td(self, tx: float, ty: float) -> None:
        tm = self.tm
        tm[4] += tx * tm[0] + ty * tm[2]
        tm[5] += tx * tm[1] + ty * tm[3]
        self._moved(self._take_widths())

    def _tj_array(self, items: list[Any]) -> None:
        space = self.half_space * 0.95
        for item in items:
            if isinstance(item, bytes):
                self._show(item)
            elif isinstance(item, int | float):
                str_widths = self.str_widths - item * self.size
                previous = self.text[-1:] if self.text else self.last_out
                if -item >= space and previous and previous not in " \n":
                    self._show(" ")
                self.str_widths = str_widths

    def _rule(self, op: bytes, args: list[Any]) -> None:
        cm = self.cm
        if op == b"m" and len(args) == 2:
            self.start = [float(args[0]) + cm[4], float(args[1]) + cm[5]]
        elif len(args) == 2 and self.start:
            x1, y1 = float(args[0]) + cm[4], float(args[1]) + cm[5]
            if abs(y1 - self.start[1]) < 0.01:
                self.page.rules.append((min(self.start[0], x1), max(self.start[0], x1), y1))

    def run(self, content: bytes) -> None:
        args: list[Any] = []
        arrays: list[list[Any]] = []
        op_handlers: dict[bytes, Callable[[list[Any]], None]] = self._handlers()
        for tok in _TOKEN.findall(content):
            c = tok[0]
            if c in _NUMBER_START:
                (arrays[-1] if arrays else args).append(float(tok))
            elif c == 0x28 or (c == 0x3C and tok != b"<<"):  # a string
                (arrays[-1] if arrays else args).append(_string(tok))
            elif c == 0x2F:  # /
                (arrays[-1] if arrays else args).append(_name(tok))
            elif tok == b"[":
                arrays.append([])
            elif tok == b"]":
                if arrays:
                    done = arrays.pop()
                    (arrays[-1] if arrays else args).append(done)
            elif c == 0x25 or tok in (b"<<", b">>", b"{", b"}", b"true", b"false", b"null"):
                continue  # comments and marked-content property lists (BDC, DP)
            else:
                handler = op_handlers.get(tok)
                if handler is not None:
                    handler(args)
                elif tok in (b"BI", b"ID"):
                    raise PdfReadError("inline images are not read")
                args = []
        self._out(self.text)
        if self.text:
            self._visit(self.text)

    def _handlers(self) -> dict[bytes, Callable[[list[Any]], None]]:
        def q(a: list[Any]) -> None:
            self.stack.append((self.cm, self.font, self.size, self.char_spacing, self.leading))

        def big_q(a: list[Any]) -> None:
            if self.stack:
                self.cm, self.font, self.size, self.char_spacing, self.leading = \
                    self.stack.pop()
            else:
                self.cm = list(_IDENTITY)

        def cm(a: list[Any]) -> None:
            self._out(self.text)
            self._visit(self.text)
            self.text = ""
            self.cm = _mult([float(v) for v in a[:6]], self.cm) if len(a) >= 6 else \
                list(_IDENTITY)
            self._memo()

        def bt(a: list[Any]) -> None:
            self.tm = list(_IDENTITY)
            self._flush()

        def et(a: list[Any]) -> None:
            self._flush()

        def tf(a: list[Any]) -> None:
            if self.text != "":
                self.previous_font_space = self.size * self.half_space
                self._out(self.text)
                self._visit(self.text)
            self.text = ""
            self._memo()
            self.font = self.fonts.get(str(a[0])) if a else None
            self.half_space = (self.font or _UNKNOWN_FONT).space_width / 2
            if len(a) > 1 and isinstance(a[1], int | float):
                self.size = float(a[1])

        def tm(a: list[Any]) -> None:
            self.tm = [float(v) for v in a[:6]] if len(a) == 6 else list(_IDENTITY)
            self._moved(self._take_widths())

        def td(a: list[Any]) -> None:
            self._td(_num(a, 0), _num(a, 1))

        def big_td(a: list[Any]) -> None:
            if len(a) >= 2:
                if isinstance(a[1], int | float):
                    self.leading = -float(a[1])
                self._td(_num(a, 0), _num(a, 1))

        def tl(a: list[Any]) -> None:
            self.leading = _num(a, 0)

        def tc(a: list[Any]) -> None:
            self.char_spacing = _num(a, 0)

        def t_star(a: list[Any]) -> None:
            self._next_line()

        def tj(a: list[Any]) -> None:
            if a and isinstance(a[0], bytes):
                self._show(a[0])

        def quote(a: list[Any]) -> None:
            self._next_line()
            tj(a)

        def dquote(a: list[Any]) -> None:
            if len(a) >= 3:
                self.char_spacing = _num(a, 1)
                self._next_line()
                tj(a[2:])

        def big_tj(a: list[Any]) -> None:
            if a and isinstance(a[0], list):
                self._tj_array(a[0])

        def do(a: list[Any]) -> None:
            self._out(self.text)
            self._visit(self.text)
            if self.last_out not in ("", "\n"):
                self.last_out = "\n"
            if a and self.xobjects.get(str(a[0])) not in (None, "Image"):
                raise PdfReadError("form XObjects are not read")
            self.text = ""
            self._memo()

        def path(a: list[Any], op: bytes) -> None:
            self._rule(op, a)

        return {b"q": q, b"Q": big_q, b"cm": cm, b"BT": bt, b"ET": et, b"Tf": tf, b"Tm": tm,
                b"Td": td, b"TD": big_td, b"TL": tl, b"Tc": tc, b"T*": t_star, b"Tj": tj,
                b"'": quote, b'"': dquote, b"TJ": big_tj, b"Do": do,
                b"m": lambda a: path(a, b"m"), b"l": lambda a: path(a, b"l")}


def _num(args: list[Any], i: int) -> float:
    return float(args[i]) if i < len(args) and isinstance(args[i], int | float) else 0.0


# -- pages -----------------------------------------------------------------------------------
def read_pdf(pdf: bytes, walk: type[_Walk] = _Walk) -> list[PageText]:
    """Every page's text runs (as pypdf's text visitor reports them) and horizontal rules;
    ``walk`` reads each page's content stream (tests/pypdf_text.py keeps more of it)."""
    parser = _Parser(pdf)
    root = parser.get(parser.trailer["Root"])
    fonts: dict[int, Font] = {}  # by object number: each font (and its CMap) read once
    out: list[PageText] = []

    def visit(node_ref: Any, inherited: dict[str, Any]) -> None:
        node = parser.get(node_ref)
        inherit = {**inherited, **{k: node[k] for k in ("Resources", "MediaBox")
                                   if k in node}}
        if node.get("Type") == "Pages" or "Kids" in node:
            for kid in parser.get(node["Kids"]):
                visit(kid, inherit)
            return
        box = [float(parser.get(v)) for v in parser.get(inherit["MediaBox"])]
        page = PageText(box[2] - box[0], box[3] - box[1])
        resources = parser.get(inherit.get("Resources")) or {}
        page_fonts: dict[str, Font] = {}
        for name, ref in (parser.get(resources.get("Font")) or {}).items():
            key = ref.num if isinstance(ref, Ref) else id(ref)
            if key not in fonts:
                fonts[key] = _font(parser, ref)
            page_fonts[name] = fonts[key]
        xobjects = {name: str(parser.get(ref).info.get("Subtype", ""))
                    for name, ref in (parser.get(resources.get("XObject")) or {}).items()}
        contents = parser.get(node.get("Contents"))
        refs = contents if isinstance(contents, list) else [node.get("Contents")] \
            if contents is not None else []
        data = b"\n".join(parser.stream_data(r) for r in refs)
        walk(page_fonts, xobjects, page).run(data)
        out.append(page)

    visit(root["Pages"], {})
    return out
