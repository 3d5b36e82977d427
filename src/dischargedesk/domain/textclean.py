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


#: What the refusal of right-to-left text says (request fields and clinic text alike).
RTL_NOT_SUPPORTED = "Arabic and Hebrew are not supported yet"


def is_cjk_break(ch: str) -> bool:
    """A line may break before and after this character without a space: CJK ideographs,
    kana, CJK punctuation and full-width forms (Chinese and Japanese write no spaces
    between words). Hangul is not: Korean puts spaces between words."""
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0xFF00 <= cp <= 0xFF65 or 0x20000 <= cp <= 0x3FFFF)


def longest_unbroken(value: str) -> int:
    """Length of the longest run a line cannot break inside: words between spaces, where a
    CJK character is a run of its own (so a long Chinese sentence is not one "word")."""
    longest = run = 0
    for ch in value:
        if ch.isspace() or is_cjk_break(ch):
            run = 0
        else:
            run += 1
            longest = max(longest, run)
    return longest


def has_rtl(value: str) -> bool:
    """True if the text contains right-to-left letters (Hebrew, Arabic, ...)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in value)
