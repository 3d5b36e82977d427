"""Clean text typed by a person before it goes anywhere near a page.

Escaping (so text never becomes markup) happens later, in the template layer. Here we
remove what escaping cannot fix: control characters, surrogates, private-use characters and
bidirectional overrides, and we normalise to NFC so that "é" is one character.
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                                   0x061C)}
_RTL_CLASSES = {"R", "AL"}
_JOINERS = {"\u200c", "\u200d"}  # needed to spell some scripts correctly
#: Letters and symbols that print as nothing (Unicode default-ignorable or blank glyphs):
#: combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian selectors,
#: Braille blank. A value made only of these (and joiners, spaces, marks) is empty on paper.
BLANK_CHARACTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e"
                             "\u180f\u2800\u3164\uffa0")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise and drop characters that would print as boxes or reorder text.

    Tabs become spaces. Newlines are kept only for multi-line fields (Windows and old Mac
    line ends become ``\\n``); in single-line fields they become spaces.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in unicodedata.normalize("NFC", value):
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            continue
        elif unicodedata.category(ch) == "Cf" and ch not in _JOINERS:
            continue  # invisible format characters (BOM, zero-width space, soft hyphen)
        else:
            out.append(ch)
    text = "".join(out)
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        return "\n".join(lines).strip("\n")
    return " ".join(text.split())


def has_visible(value: str) -> bool:
    """True if the text has at least one character that leaves ink on the page: a letter,
    digit, punctuation mark or symbol that is not a blank glyph. Spaces, joiners, format
    characters and combining marks on their own do not count."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_CHARACTERS
               for ch in value)


def has_rtl(value: str) -> bool:
    """True if the text contains right-to-left letters (Hebrew, Arabic, ...)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in value)
