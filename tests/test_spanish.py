"""Spanish handouts: every combination renders with Spanish text and dates; the unreviewed
translation notice shows until the clinic records a qualified translator's review."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import MappingProxyType

import pytest

from dischargedesk.clinic.profile import TranslationReview
from dischargedesk.engine import render_pdf
from dischargedesk.render.language import load_pack

from .conftest import pdf_text
from .test_engine import LEVEL_PATTERNS

COMBOS = list(itertools.product(("kyphoplasty", "vertebroplasty"), LEVEL_PATTERNS,
                                ("local", "sedation", "general")))
NOTICE_ES = "Traducción no revisada"
NOTICE_EN = "Not reviewed by a qualified translator"


@pytest.mark.parametrize(("proc", "pattern", "anesthesia"), COMBOS)
def test_spanish_combination(sample_clinic, make_request, proc, pattern, anesthesia):
    req = make_request(procedure=proc, anesthesia=anesthesia, language="es",
                       follow_up_date="2026-12-03", follow_up_time="14:30",
                       **LEVEL_PATTERNS[pattern])
    text = pdf_text(render_pdf(req, sample_clinic))
    low = text.lower()
    assert "Instrucciones para el alta" in text and "Su plan de recuperación" in text
    assert ("Cifoplastia" if proc == "kyphoplasty" else "Vertebroplastia") in text
    assert ("una cifoplastia" if proc == "kyphoplasty" else "una vertebroplastia") in text
    assert "aunque pasen días o meses" in low and "que tiene cemento de hueso" in low
    assert ("globo" in low) is (proc == "kyphoplasty")
    assert "miércoles, 25 de noviembre de 2026" in low  # procedure date, Spanish
    assert "viernes, 27 de noviembre" in low  # bandages off / shower, day 2
    assert "jueves, 3 de diciembre de 2026" in low and "2:30 p.m." in text
    assert "Página 1 de" in text and "Maria Example" in text
    assert "10 lb (4.5 kg)" in text and "100.4 °F" in text
    assert NOTICE_ES in text and NOTICE_EN in text
    for english in ("Discharge instructions", "Your recovery plan", "Call 911 now",
                    "Wednesday", "Page 1 of"):
        assert english not in text


def test_notice_gone_after_recorded_review(sample_clinic, make_request):
    reviewed = replace(sample_clinic, translation_reviews=MappingProxyType(
        {"es": TranslationReview("Certified translator, ATA #123", "2026-11-20")}))
    text = pdf_text(render_pdf(make_request(language="es"), reviewed))
    assert NOTICE_ES not in text and NOTICE_EN not in text
    english = pdf_text(render_pdf(make_request(), sample_clinic))
    assert NOTICE_EN not in english


def test_spanish_pack_declares_provenance():
    pack = load_pack("es")
    assert pack.needs_review and pack.status == "unreviewed"
    assert pack.translated_by and pack.date
    assert pack.label("levels_count", count=1) != pack.label("levels_count", count=2)


def test_spanish_sections_mirror_english():
    from dischargedesk.resources import templates_dir

    def names(lang):
        return {p.relative_to(templates_dir() / lang).as_posix()
                for p in (templates_dir() / lang).rglob("*.txt")}

    assert names("es") == names("en")
