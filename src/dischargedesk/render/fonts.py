"""The embedded fonts, their character coverage, and per-run font fallback.

DejaVu Sans is the handout font: it prints Latin (with Vietnamese), Greek and Cyrillic, digits
and most symbols, and is registered for every render. Two more TrueType fonts cover scripts
DejaVu has no glyphs for, and are loaded only when some text needs them (an English
handout never reads them):

* Droid Sans Fallback (Apache-2.0): Chinese (Simplified and Traditional), CJK punctuation.
  It has one weight: bold Chinese text prints in the same face (headings still differ by
  size and colour).
* Nanum Gothic regular and bold (OFL-1.1): Korean Hangul (and common Hanja).

Inside a paragraph each run of text prints in the first font that has its glyphs, so a Latin
MRN or drug name in a Chinese handout prints in DejaVu and the Chinese around it in Droid
Sans Fallback (:class:`FallbackFragments` cuts a paragraph's parsed fragments into runs;
:func:`draw_text`, :func:`text_width` and :func:`fit_lines` do the same for text drawn
straight on the canvas). Text is NFC-normalised first: ReportLab places no combining
marks, so "ệ" must be the one precomposed glyph, not "e" and two marks.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html import unescape
from itertools import groupby
from typing import Any

from reportlab import rl_config
from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.textsplit import ALL_CANNOT_START
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.paragraph import (
    FragLine,
    ParaLines,
    _handleBulletWidth,
    imgNormV,
    imgVRange,
)
from reportlab.rl_config import _FUZZ

from ..domain.textclean import is_cjk_break
from ..resources import font_path
from . import fontparse
from .fontcache import load_ttfont
from .fontsubset import slim_subsets

FONT = "DDSans"
FONT_BOLD = "DDSans-Bold"
FONT_ITALIC = "DDSans-Oblique"
FONT_BOLD_ITALIC = "DDSans-BoldOblique"
_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_BOLD_NAMES = frozenset({FONT_BOLD, FONT_BOLD_ITALIC})


@dataclass(frozen=True)
class FallbackFont:
    """A font for a script DejaVu Sans lacks: its family name, files and what it is for."""

    name: str  # registered name of the regular face (and the family)
    regular: str  # file under resources/fonts
    bold: str | None  # file of a real bold face, or None (bold prints in the regular face)
    script: str  # what it covers, for docs and messages
    licence: str

    @property
    def bold_name(self) -> str:
        return f"{self.name}-Bold" if self.bold else self.name


HAN = FallbackFont("DDHan", "DroidSansFallbackFull.ttf", None,
                   "Chinese (Simplified and Traditional)", "Apache-2.0")
HANGUL = FallbackFont("DDHangul", "NanumGothic.ttf", "NanumGothicBold.ttf",
                      "Korean (Hangul)", "OFL-1.1")
#: In order of preference for a character DejaVu Sans lacks (Hangul prefers HANGUL).
FALLBACKS: tuple[FallbackFont, ...] = (HAN, HANGUL)
_BY_NAME = {f.name: f for f in FALLBACKS}

_lock = threading.RLock()  # registering a fallback font or a lazy face (re-entered: a
# fallback font registers DejaVu first, under the same lock)


#: Faces registered by :func:`register_fonts`; the italic ones (no handout template uses
#: ``<i>`` today) are read from their files only when ReportLab first asks for them.
_EAGER = (FONT, FONT_BOLD)
_LAZY = frozenset(_FILES) - set(_EAGER)


@cache
def register_fonts() -> None:
    """Register DejaVu Sans once per process (subsetted and embedded in each PDF): regular
    and bold now, the italic faces on first use (:func:`_find_font`). The fallback fonts
    are registered later, by :func:`fallback_covered`, when text needs them."""
    for name in _EAGER:
        register_face(name)
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    # Drawings and bare canvases otherwise start with (unembedded) Helvetica.
    rl_config.defaultGraphicsFontName = FONT
    rl_config.canvas_basefontname = FONT


def _find_font(name: str) -> Any:
    """pdfmetrics.getFont for a name not registered yet: an italic DejaVu face is
    registered once (under the lock: two renders on two threads get the same font object),
    any other name goes to ReportLab's own look-up (standard fonts, or its error)."""
    if name in _LAZY:
        return register_face(name)
    return _rl_find_font(name)


# Every font look-up of ReportLab (paragraph widths, canvas.setFont, the PDF's font list)
# is pdfmetrics.getFont, which calls this module-level hook for a name not registered yet.
# Installed once, at import (under Python's import lock, so never twice at the same time).
_rl_find_font = pdfmetrics.findFontAndRegister
pdfmetrics.findFontAndRegister = _find_font
fontparse.install()  # fonts read their metrics and character maps by struct (fontparse.py)


def register_face(name: str) -> Any:
    """Register one DejaVu face now if it is not yet (idempotent, thread-safe); the font."""
    with _lock:
        font = pdfmetrics._fonts.get(name)
        if font is None:
            font = load_ttfont(name, font_path(_FILES[name]))  # parsed once per font file
            slim_subsets([font])  # embedded without hinting (fontsubset.py)
            pdfmetrics.registerFont(font)
        return font


@cache
def _covered() -> frozenset[int]:
    """Code points DejaVu Sans prints in both regular and bold."""
    register_fonts()
    regular = set(pdfmetrics.getFont(FONT).face.charToGlyph)
    bold = set(pdfmetrics.getFont(FONT_BOLD).face.charToGlyph)
    return frozenset(regular & bold)


def fallback_covered(font: FallbackFont) -> frozenset[int]:
    """Register a fallback font (once per process, thread-safe: a font is never registered
    twice, which would swap the font object under a PDF being built) and return the code
    points it prints in every weight it is used for."""
    chars = _fallback_chars.get(font.name)
    if chars is not None:
        return chars
    with _lock:
        chars = _fallback_chars.get(font.name)
        if chars is None:
            chars = _fallback_chars[font.name] = _register_fallback(font)
        return chars


_fallback_chars: dict[str, frozenset[int]] = {}


def _big_font(name: str, file_name: str) -> TTFont:
    """A TrueType font whose tables are read from the file once: ReportLab copies the
    whole glyph table (4 MB in these fonts) for each 256-glyph subset of each PDF."""
    font = load_ttfont(name, font_path(file_name))
    font.face.get_table = cache(font.face.get_table)  # tables never change
    slim_subsets([font])  # embedded without hinting (fontsubset.py)
    return font


def _register_fallback(font: FallbackFont) -> frozenset[int]:
    register_fonts()
    regular = _big_font(font.name, font.regular)
    pdfmetrics.registerFont(regular)
    chars = set(regular.face.charToGlyph)
    if font.bold:
        bold = _big_font(font.bold_name, font.bold)
        pdfmetrics.registerFont(bold)
        chars &= set(bold.face.charToGlyph)
    # no italic faces: italic prints upright (the handouts use no italic)
    pdfmetrics.registerFontFamily(font.name, normal=font.name, bold=font.bold_name,
                                  italic=font.name, boldItalic=font.bold_name)
    return frozenset(chars)


def loaded_fallbacks() -> tuple[str, ...]:
    """Names of the fallback fonts registered so far in this process (for tests)."""
    return tuple(f.name for f in FALLBACKS if f.name in _fallback_chars)


_HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF),
                  (0xD7B0, 0xD7FF), (0xFFA0, 0xFFDC))


def _is_hangul(cp: int) -> bool:  # (CJK line breaks: domain.textclean.is_cjk_break)
    return any(lo <= cp <= hi for lo, hi in _HANGUL_RANGES)


def font_for(ch: str) -> str | None:
    """None when DejaVu Sans prints ``ch``; else the fallback font's name; "" when no font
    prints it."""
    try:
        return _font_of[ch]  # a handout asks for the same few hundred characters each time
    except KeyError:
        pass
    cp = ord(ch)
    found: str | None = ""
    if cp in _covered():
        found = None
    else:
        order = (HANGUL, HAN) if _is_hangul(cp) else FALLBACKS
        found = next((f.name for f in order if cp in fallback_covered(f)), "")
    _font_of[ch] = found  # fonts never change once registered: the answer holds
    return found


_font_of: dict[str, str | None] = {}


def _ignorable(ch: str) -> bool:
    return ch in "\n\t" or unicodedata.category(ch) in ("Zs",)


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` no embedded font can print (in order, without repeats). Asks
    the fonts' character maps only (:func:`fallback_coverage`): a check registers no
    fallback font (only a render that prints with one does)."""
    covered = _covered()
    # each distinct character once, in order (a handout's text is thousands of characters
    # of a few dozen distinct ones)
    lacking = [ch for ch in dict.fromkeys(unicodedata.normalize("NFC", text))
               if ord(ch) not in covered and not _ignorable(ch)]
    # each fallback font's character map is read (~10 ms for a 4 MB font) only while some
    # character is still lacking: all DejaVu (every English handout) reads none, Chinese
    # text Droid Sans Fallback only, Korean text (Nanum Gothic first) Nanum Gothic only
    hangul = any(_is_hangul(ord(ch)) for ch in lacking)
    for font in (HANGUL, HAN) if hangul else FALLBACKS:
        if not lacking:
            break
        covered = fallback_coverage(font)
        lacking = [ch for ch in lacking if ord(ch) not in covered]
    return lacking


def fallback_coverage(font: FallbackFont) -> frozenset[int]:
    """The code points of :func:`fallback_covered` (every weight), read from the font
    files' character maps as ReportLab reads them, without registering the font (ReportLab
    parses the whole 4 MB font for that: about 0.3 s per file)."""
    chars = _fallback_chars.get(font.name)
    if chars is not None:
        return chars
    found = _coverage_of(font)
    return found if found is not None else fallback_covered(font)


@cache
def _coverage_of(font: FallbackFont) -> frozenset[int] | None:
    regular = cmap_codepoints(font_path(font.regular).read_bytes())
    if regular is None or not font.bold:
        return regular
    bold = cmap_codepoints(font_path(font.bold).read_bytes())
    return None if bold is None else regular & bold


def cmap_codepoints(data: bytes) -> frozenset[int] | None:
    """The characters a TrueType font's cmap maps, from the subtable ReportLab's TTFontFile
    chooses (fontparse.cmap_subtable), in format 4 or 12; None for another format or a
    file this does not read (then the caller registers the font instead)."""
    import struct

    try:
        tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
                  for i in range(struct.unpack_from(">H", data, 4)[0])}
        at = fontparse.cmap_subtable(data, tables[b"cmap"])
        if at is None:
            return None
        fmt = struct.unpack_from(">H", data, at)[0]
        out: set[int] = set()
        if fmt == 4:
            segments = struct.unpack_from(">H", data, at + 6)[0] // 2
            ends = struct.unpack_from(f">{segments}H", data, at + 14)
            starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
            for start, end in zip(starts, ends, strict=True):
                out.update(range(start, end + 1))
        elif fmt == 12:
            groups = struct.unpack_from(">I", data, at + 12)[0]
            for i in range(groups):
                start, end = struct.unpack_from(">II", data, at + 16 + 12 * i)
                out.update(range(start, end + 1))
        else:
            return None
        if 0x20 in out or 0xA0 in out:  # as ReportLab: a space or a no-break space gives both
            out |= {0x20, 0xA0}
        return frozenset(out)
    except (KeyError, struct.error):
        return None


def describe_characters(chars: list[str]) -> str:
    """"“漢” (U+6F22, CJK UNIFIED IDEOGRAPH-6F22)" for messages."""
    parts = []
    for ch in chars[:5]:
        name = unicodedata.name(ch, "unnamed character")
        parts.append(f"“{ch}” (U+{ord(ch):04X} {name})")
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    return ", ".join(parts) + more


# -- runs ------------------------------------------------------------------------------------
def runs(text: str) -> list[tuple[str | None, str]]:
    """``text`` cut into runs by font: (None, "MRN 12345 ") for DejaVu Sans, ("DDHan",
    "王小明") for a fallback. Spaces stay in the run they follow (digits and punctuation
    too, when its font has them: :func:`_stays_in`); a character no font prints stays in
    DejaVu (the checks refuse such text before it reaches a page). Remembered per text in
    this process (memory only, a bounded number): a handout cuts the same template
    sentences at every render, and Korean text is a look-up per Hangul character."""
    found = _runs_of.get(text)
    if found is None:
        found = _cut_runs(text)
        if len(_runs_of) >= _RUNS_KEPT:
            _runs_of.clear()
        _runs_of[text] = found
    return list(found)


_runs_of: dict[str, tuple[tuple[str | None, str], ...]] = {}
_RUNS_KEPT = 4096


def _cut_runs(text: str) -> tuple[tuple[str | None, str], ...]:
    text = unicodedata.normalize("NFC", text)
    if not text:
        return ()
    if _all_dejavu(text):
        return ((None, text),)
    dejavu = _dejavu_runs()
    out: list[tuple[str | None, str]] = []

    def add(font: str | None, part: str) -> None:
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + part)
        else:
            out.append((font, part))

    pos = 0
    for match in (*dejavu.finditer(text), None):
        at = match.start() if match else len(text)
        for font, chars in groupby(text[pos:at], key=font_for):  # what DejaVu lacks
            add(font or None, "".join(chars))
        if match is None:
            break
        part, current = match.group(), out[-1][0] if out else None
        if current is not None:  # "王小明 " or "다. 3일": stays with the run before it
            keep = 0
            while keep < len(part) and _stays_in(current, part[keep]):
                keep += 1
            add(current, part[:keep])
            part = part[keep:]
        if part:
            add(None, part)
        pos = match.end()
    return tuple((font, part) for font, part in out if part)


def _all_dejavu(text: str) -> bool:
    """Whether DejaVu Sans prints every character of ``text`` (a set look-up at C speed:
    :func:`_dejavu_runs` is compiled only for text that needs another font, never for an
    English handout; compiling its 5,000-character class was ~5-10 ms of a cold render)."""
    return _dejavu_chars().issuperset(text)


@cache
def _dejavu_chars() -> frozenset[str]:
    return frozenset(map(chr, _covered()))


@cache
def _dejavu_runs() -> re.Pattern[str]:
    """A pattern matching runs of characters DejaVu Sans prints (one C-speed scan instead
    of a look-up per character)."""
    points = sorted(_covered())
    ranges: list[tuple[int, int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    body = "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                   for lo, hi in ranges)
    return re.compile(f"[{body}]+")


def _stays_in(fallback: str, ch: str) -> bool:
    """Whether a character DejaVu prints stays in the fallback run before it: a space or a
    combining mark always does; a digit or punctuation mark (never a letter: Latin words
    print in DejaVu) does when the fallback font has it, as Nanum Gothic's digits and
    punctuation are drawn to sit with Hangul. Droid Sans Fallback has none of them."""
    try:
        return _stays[fallback, ch]
    except KeyError:
        pass
    kind = unicodedata.category(ch)
    stays = ch.isspace() or kind == "Mn" or (
        kind[0] in "NPS" and ord(ch) in fallback_covered(_BY_NAME[fallback]))
    _stays[fallback, ch] = stays
    return stays


_stays: dict[tuple[str, str], bool] = {}


def face_for(base: str, fallback: str | None) -> str:
    """The registered face that prints a run: ``base`` (a DejaVu face) for DejaVu runs,
    else the fallback's bold or regular face as ``base`` is bold or not."""
    if fallback is None:
        return base
    font = _BY_NAME[fallback]
    return font.bold_name if base in _BOLD_NAMES else font.name


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` as printed with per-run fallback (``font`` is a DejaVu face)."""
    return sum(pdfmetrics.stringWidth(part, face_for(font, fb), size)
               for fb, part in runs(text))


def draw_text(canvas: Any, x: float, y: float, text: str, font: str, size: float,
              align: str = "left") -> None:
    """Draw one line on a canvas run by run (``align`` "left" or "right" of ``x``)."""
    parts = runs(text)
    if len(parts) <= 1 and (not parts or parts[0][0] is None) and \
            getattr(canvas, "_fontname", None) == font:  # DejaVu only: as ReportLab draws it
        (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, text)
        return
    if align == "right":
        x -= sum(pdfmetrics.stringWidth(p, face_for(font, fb), size) for fb, p in parts)
    for fb, part in parts:
        face = face_for(font, fb)
        canvas.setFont(face, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, face, size)
    canvas.setFont(font, size)


#: Languages whose lines break between characters (no spaces between words).
CJK_WRAP_LANGUAGES = frozenset({"zh", "ja", "yue"})


def word_wrap_for(language: str) -> str | None:
    """ReportLab ``wordWrap`` for a handout language: "CJK" for Chinese (a line may break
    between any two characters, keeping Latin words whole where it can, and never starting
    with a closing mark); None (break at spaces) otherwise, Korean included."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return "CJK" if primary in CJK_WRAP_LANGUAGES else None


class OneLineCJK:
    """Paragraph mixin (before ReportLab's Paragraph in the bases): a CJK-wrapped paragraph
    whose text fits on its first line is laid out as one line by ReportLab's ordinary line
    breaker, which does not weigh each character. Most paragraphs of a Chinese handout are
    one line (a line holds about 38 characters), and ReportLab's character-by-character CJK
    breaker made them the largest part of a Chinese render. Paragraphs that do not fit, or
    hold a line break or an image, are broken by ReportLab's CJK breaker."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        me: Any = self
        if getattr(me, "_splitpara", 0):  # a half of a split paragraph: as ReportLab does
            return super().breakLinesCJK(maxWidths)  # type: ignore[misc]
        # the ordinary breaker replaces .frags with its word list: both breakers start
        # from the parsed fragments (the paragraph may be wrapped again at another width)
        parsed = me.__dict__.setdefault("_dd_parsed_frags", me.frags)
        me.frags = parsed
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        _handleBulletWidth(me.bulletText, me.style, widths)  # what both breakers take off
        if _fits_one_line(me, widths[0]):
            return me.breakLines(maxWidths)
        frags = me.frags
        if len(frags) > 1 or (frags and (hasattr(frags[0], "cbDefn") or me.style.endDots)):
            # ReportLab's general case, by cjk_frag_split (the same lines)
            me.height = 0
            auto = getattr(me, "autoLeading", getattr(me.style, "autoLeading", ""))
            return cjk_frag_split(frags, widths, auto not in ("", "off"))
        return super().breakLinesCJK(maxWidths)  # type: ignore[misc]


def _fits_one_line(para: Any, width: float) -> bool:
    if para.style.endDots:
        return False
    used = 0.0
    for frag in para.frags:
        text = getattr(frag, "text", None)
        if text is None or hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak"):
            return False
        used += pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize)
        if used > width:
            return False
    return True


def cjk_frag_split(frags: list[Any], maxWidths: list[float], calcBounds: bool) -> Any:
    """ReportLab's ``cjkFragSplit`` (its CJK line breaker for a paragraph of several
    fragments: a line may end after any character), giving the same lines, without its
    cost per character: ReportLab makes a ``str`` subclass object for each character and
    compares each character's fragment with the one before (``sameFrag``, which compares
    colours in Python: about 5 us a character, the largest part of breaking a Chinese
    paragraph). Here the characters are plain strings with their fragments and widths
    alongside, and fragments are compared only where one ends and the next begins."""
    chars: list[str] = []
    owners: list[Any] = []
    widths: list[Any] = []
    for f in frags:
        text = f.text
        if text:
            font, size = pdfmetrics.getFont(f.fontName), f.fontSize
            chars.extend(text)
            owners.extend([f] * len(text))
            widths.extend([font.stringWidth(ch, size) for ch in text])
        else:
            chars.append(text)
            owners.append(f)
            widths.append(getattr(f.cbDefn, "width", 0) if hasattr(f, "cbDefn") else 0)
    lines: list[Any] = []
    i = width_used = line_start = 0
    max_width = maxWidths[0]
    count = len(chars)
    while i < count:  # ReportLab's loop, statement for statement
        u = chars[i]
        i += 1
        w = widths[i - 1]
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_width
            w = w.normalizedValue(max_width)
        width_used += w
        line_break = hasattr(owners[i - 1], "lineBreak")
        if (width_used > max_width + _FUZZ and width_used > 0) or line_break:
            extra = max_width - width_used
            if not line_break:
                if ord(u) < 0x3000:  # a Latin word: break at a space or CJK before it
                    for j in range((i - 1), (line_start + i) >> 1, -1):
                        uj = chars[j]
                        # (ReportLab's ``ord(uj)`` fails on a fragment without text, the
                        # zero-width callback of a run in another language: skipped here)
                        if uj and (unicodedata.category(uj) == "Zs" or ord(uj) >= 0x3000):
                            k = j + 1
                            if k < i:
                                j = k + 1
                                extra += sum(widths[ii] for ii in range(j, i))
                                w = widths[k]
                                u = chars[k]
                                i = j
                                break
                if u not in ALL_CANNOT_START and i > line_start + 1:
                    i -= 1
                    extra += w
            lines.append(_cjk_line(chars, owners, line_start, i, max_width, width_used, extra,
                                   line_break, calcBounds))
            max_width = maxWidths[len(lines)] if len(lines) < len(maxWidths) else maxWidths[-1]
            line_start = i
            width_used = 0
    if width_used > 0:
        lines.append(_cjk_line(chars, owners, line_start, count, max_width, width_used,
                               max_width - width_used, False, calcBounds))
    return ParaLines(kind=1, lines=lines)


def _cjk_line(chars: list[str], owners: list[Any], start: int, end: int, max_width: float,
              used: float, extra: float, line_break: bool, calc_bounds: bool) -> Any:
    """ReportLab's ``makeCJKParaLine`` for characters ``start:end``: the line's fragments
    (runs of characters whose fragments ``sameFrag`` finds alike) and its extent."""
    words: list[Any] = []
    group: list[str] = []
    first: Any = FragLine()
    prev: Any = None
    max_size = max_ascent = min_descent = 0
    for n in range(start, end):
        f = owners[n]
        special = hasattr(f, "cbDefn") or hasattr(f, "lineBreak")
        if f is not prev or special:  # a character of the same fragment: the same answers
            size = f.fontSize
            cb: Any = getattr(f, "cbDefn", None) if calc_bounds else None
            if getattr(cb, "width", 0):
                descent, ascent = imgVRange(imgNormV(cb.height, size), cb.valign, size)
            else:
                ascent, descent = pdfmetrics.getAscentDescent(f.fontName, size)
            max_size, max_ascent = max(max_size, size), max(max_ascent, ascent)
            min_descent = min(min_descent, descent)
            if not sameFrag(first, f):
                word = first.clone()
                word.text = "".join(group)
                words.append(word)
                group = []
                first = f
            prev = f
        group.append(chars[n])
    if group:
        word = first.clone()
        word.text = "".join(group)
        words.append(word)
    return FragLine(kind=1, extraSpace=extra, wordCount=1, words=words[1:], fontSize=max_size,
                    ascent=max_ascent, descent=min_descent, maxWidth=max_width,
                    currentWidth=used, lineBreak=line_break)


_NO_LINE_START = set("、。，．・：；？！）」』】〉》〕］｝〗〙〛ー々ゝゞヽヾ％,.:;?!)]}")


def fit_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at spaces, and between CJK
    characters); DejaVu-only text breaks exactly as ReportLab's simpleSplit does."""
    text = unicodedata.normalize("NFC", text)
    if not text or _all_dejavu(text):
        return simpleSplit(text, font, size, width) or [""]
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(_fit_one(para, font, size, width))
    return lines or [""]


def _fit_one(text: str, font: str, size: float, width: float) -> list[str]:
    # pieces that never split: a word (with its trailing space) or one CJK character
    pieces: list[str] = []
    buf = ""
    for ch in text:
        buf += ch
        if ch == " " or is_cjk_break(ch):
            pieces.append(buf)
            buf = ""
    if buf:
        pieces.append(buf)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        trial = line + piece
        if line and text_width(trial.rstrip(), font, size) > width and \
                piece[:1] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = piece
        else:
            line = trial
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


# -- paragraph fragments ---------------------------------------------------------------------
class FallbackFragments:
    """Paragraph mixin (before ReportLab's Paragraph in the bases): the markup is parsed by
    ReportLab's own parser as it is, then each parsed text fragment is cut into runs by font
    (:func:`fallback_frags`). This gives the fragments ReportLab's parser makes of the same
    markup with each run wrapped in ``<font name=...>`` (:func:`with_fallback`, which the
    tests keep as the reference) without writing that markup and parsing every font tag
    again (each tag a parser call and a copied fragment: about a third of the parsing of a
    Chinese handout, where every number is a font switch). The markup is NFC-normalised first."""

    def __init__(self, text: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(text, str):
            text = unicodedata.normalize("NFC", text)
        super().__init__(text, *args, **kwargs)  # type: ignore[call-arg]

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        super()._setup(text, style, bulletText, frags, cleaner)  # type: ignore[misc]
        if frags is None:  # parsed here (not a half of a split paragraph: already done)
            me: Any = self
            me.frags = fallback_frags(me.frags)


def fallback_frags(frags: list[Any]) -> list[Any]:
    """Parsed paragraph fragments with each text fragment DejaVu Sans cannot print whole cut
    into runs (:func:`runs`), a run in a fallback font a copy of the fragment in that font's
    face (its bold face when the fragment's font is bold). Fragments DejaVu prints (all of
    them in a Latin handout) are returned as they are."""
    out: list[Any] = []
    for frag in frags:
        text = getattr(frag, "text", None)
        if not text or _all_dejavu(text) or hasattr(frag, "cbDefn"):
            out.append(frag)
            continue
        for fb, part in runs(text):
            out.append(frag.clone(text=part) if fb is None else
                       frag.clone(text=part, fontName=face_for(frag.fontName, fb)))
    return out


# -- paragraph markup ------------------------------------------------------------------------
_MARKUP = re.compile(r"(<[^>]*>|&#?[A-Za-z0-9]+;)")


def _tokens(markup: str) -> Iterator[tuple[str, str]]:
    """("tag", "<b>"), ("text", "Hello &amp; "): entities stay inside text tokens."""
    for part in _MARKUP.split(markup):
        if not part:
            continue
        yield ("tag", part) if part.startswith("<") else ("text", part)


_BOLD_OPEN = re.compile(r"<(b|strong)(\s[^>]*)?>$", re.I)
_BOLD_CLOSE = re.compile(r"</(b|strong)\s*>$", re.I)


def with_fallback(markup: str | None, base: str = FONT) -> str | None:
    """Paragraph markup with each run DejaVu Sans cannot print wrapped in ``<font
    name="...">`` for the font that can (NFC first), in its bold face inside ``<b>`` or when
    ``base`` (the paragraph style's font) is bold. Tags and entities are kept as they are;
    markup DejaVu covers entirely comes back unchanged, without loading any other font.
    Paragraphs no longer print from this markup (:class:`FallbackFragments` makes the same
    fragments without it); the tests keep it as the reference for those fragments."""
    if markup is None:
        return None
    markup = unicodedata.normalize("NFC", markup)
    if not markup or _all_dejavu(markup):
        return markup
    bold = 1 if base in _BOLD_NAMES else 0
    out: list[str] = []
    for kind, part in _tokens(markup):
        if kind == "tag":
            if _BOLD_OPEN.match(part):
                bold += 1
            elif _BOLD_CLOSE.match(part):
                bold = max(0, bold - 1)
            out.append(part)
            continue
        out.append(_wrap_text(part, FONT_BOLD if bold else FONT))
    return "".join(out)


def _wrap_text(part: str, base: str) -> str:
    pieces = _MARKUP.split(part)  # entities (no tags here) and text, alternating
    shown = "".join(unescape(p) if p.startswith("&") else p for p in pieces)
    if not shown or _all_dejavu(shown):
        return part
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if piece.startswith("&"):
            char = unescape(piece)
            fb = (font_for(char) or None) if len(char) == 1 else None
            out.append(piece if fb is None else
                       f'<font name="{face_for(base, fb)}">{piece}</font>')
            continue
        for fb, text in runs(piece):
            out.append(text if fb is None else
                       f'<font name="{face_for(base, fb)}">{text}</font>')
    return "".join(out)
