"""The embedded Unicode font (DejaVu Sans) and its character coverage."""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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


@cache
def register_fonts() -> None:
    """Register the TrueType family once per process (subsetted and embedded in each PDF)."""
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    # Drawings and bare canvases otherwise start with (unembedded) Helvetica.
    rl_config.defaultGraphicsFontName = FONT
    rl_config.canvas_basefontname = FONT


@cache
def _covered() -> frozenset[int]:
    register_fonts()
    regular = set(pdfmetrics.getFont(FONT).face.charToGlyph)
    bold = set(pdfmetrics.getFont(FONT_BOLD).face.charToGlyph)
    return frozenset(regular & bold)


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` the handout font cannot print (in order, without repeats)."""
    covered = _covered()
    seen: dict[str, None] = {}
    for ch in text:
        if ch in "\n\t" or ord(ch) in covered or unicodedata.category(ch) in ("Zs",):
            continue
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
