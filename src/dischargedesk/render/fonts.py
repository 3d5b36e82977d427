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
Sans Fallback (:func:`with_fallback` rewrites paragraph markup into ``<font name=...>``
runs; :func:`draw_text`, :func:`text_width` and :func:`fit_lines` do the same for text
drawn straight on the canvas). Text is NFC-normalised first: ReportLab places no combining
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
from typing import Any

from reportlab import rl_config
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..domain.textclean import is_cjk_break
from ..resources import font_path

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

_lock = threading.Lock()  # registering a fallback font


@cache
def register_fonts() -> None:
    """Register DejaVu Sans once per process (subsetted and embedded in each PDF). The
    fallback fonts are registered later, by :func:`fallback_covered`, when text needs them."""
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    # Drawings and bare canvases otherwise start with (unembedded) Helvetica.
    rl_config.defaultGraphicsFontName = FONT
    rl_config.canvas_basefontname = FONT


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


def _register_fallback(font: FallbackFont) -> frozenset[int]:
    register_fonts()
    regular = TTFont(font.name, str(font_path(font.regular)))
    pdfmetrics.registerFont(regular)
    chars = set(regular.face.charToGlyph)
    if font.bold:
        bold = TTFont(font.bold_name, str(font_path(font.bold)))
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
    cp = ord(ch)
    if cp in _covered():
        return None
    order = (HANGUL, HAN) if _is_hangul(cp) else FALLBACKS
    for font in order:
        if cp in fallback_covered(font):
            return font.name
    return ""


def _ignorable(ch: str) -> bool:
    return ch in "\n\t" or unicodedata.category(ch) in ("Zs",)


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` no embedded font can print (in order, without repeats)."""
    covered = _covered()
    seen: dict[str, None] = {}
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) in covered or _ignorable(ch) or ch in seen:
            continue
        if font_for(ch) == "":
            seen.setdefault(ch, None)
    return list(seen)


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
    "王小明") for a fallback. Spaces stay in the run they follow; a character no font
    prints stays in DejaVu (the checks refuse such text before it reaches a page)."""
    text = unicodedata.normalize("NFC", text)
    covered = _covered()
    if all(ord(ch) in covered for ch in text):
        return [(None, text)] if text else []
    out: list[tuple[str | None, str]] = []
    current: str | None = None
    start = 0
    for i, ch in enumerate(text):
        if ord(ch) in covered:
            if current is not None and (ch.isspace() or unicodedata.category(ch) == "Mn"):
                continue  # a space between two Chinese words stays with them
            font = None
        else:
            font = font_for(ch) or None
        if font != current:
            if i > start:
                out.append((current, text[start:i]))
            current, start = font, i
    out.append((current, text[start:]))
    return out


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


_NO_LINE_START = set("、。，．・：；？！）」』】〉》〕］｝〗〙〛ー々ゝゞヽヾ％,.:;?!)]}")


def fit_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at spaces, and between CJK
    characters); DejaVu-only text breaks exactly as ReportLab's simpleSplit does."""
    text = unicodedata.normalize("NFC", text)
    covered = _covered()
    if all(ord(ch) in covered for ch in text):
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
    markup DejaVu covers entirely comes back unchanged, without loading any other font."""
    if markup is None:
        return None
    markup = unicodedata.normalize("NFC", markup)
    covered = _covered()
    if all(ord(ch) in covered for ch in markup):
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
    if all(ord(ch) in _covered() for ch in shown):
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
