"""Code tables for the EHR hand-off: procedure codes, identifier types, document types,
and vertebra names in codes or text. Sources are listed in docs/ehr.md."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..domain.levels import TREATABLE_LEVELS, parse_level

# -- systems ------------------------------------------------------------------------------
CPT_SYSTEMS = frozenset({"http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12"})
SNOMED_SYSTEMS = frozenset({"http://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96"})
LOINC_SYSTEM = "http://loinc.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier type
BCP47 = "urn:ietf:bcp:47"
#: HL7 v2 coding-system names (table 0396) as they appear in PR1-3.3
V2_CPT_NAMES = frozenset({"C4", "CPT", "CPT4", "CPT-4"})
V2_SNOMED_NAMES = frozenset({"SCT", "SNOMED", "SNOMEDCT", "SNM", "SNM3"})

# -- procedures ---------------------------------------------------------------------------
#: CPT 22510-22512: percutaneous vertebroplasty (22512 = each additional body);
#: CPT 22513-22515: percutaneous vertebral augmentation with cavity creation (kyphoplasty).
CPT_PROCEDURES: dict[str, str] = {
    "22510": "vertebroplasty", "22511": "vertebroplasty", "22512": "vertebroplasty",
    "22513": "kyphoplasty", "22514": "kyphoplasty", "22515": "kyphoplasty",
}
#: SNOMED CT concepts. Public sources disagree on these identifiers (docs/ehr.md), so a
#: SNOMED code counts only when the coding's display (or the concept's text) also names the
#: procedure; a code with a display naming something else is ignored.
SNOMED_PROCEDURES: dict[str, str] = {
    "392010000": "vertebroplasty",  # Percutaneous vertebroplasty
    "429616001": "kyphoplasty",     # Percutaneous kyphoplasty
}
PROCEDURE_WORDS: dict[str, str] = {"vertebroplasty": "vertebroplasty",
                                   "kyphoplasty": "kyphoplasty"}


def procedure_from_cpt(code: str) -> str | None:
    return CPT_PROCEDURES.get(code.strip())


def procedure_from_snomed(code: str, *texts: str) -> str | None:
    """The procedure for a SNOMED CT code, only when a display/text agrees with it."""
    name = SNOMED_PROCEDURES.get(code.strip())
    if name is None:
        return None
    words = " ".join(t for t in texts if t).lower()
    return name if name in words else None


# -- documents ----------------------------------------------------------------------------
#: LOINC 8653-8 "Hospital Discharge instructions" (the C-CDA Hospital Discharge Instructions
#: section code).
DISCHARGE_INSTRUCTIONS = ("8653-8", "Hospital Discharge instructions")
MR = ("MR", "Medical record number")

# -- vertebrae ----------------------------------------------------------------------------
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth", "eleventh", "twelfth")
_REGION = {"thoracic": "T", "lumbar": "L", "sacral": "S"}
_WORDY = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\s+(thoracic|lumbar|sacral)\b", re.I)
_TOKEN = re.compile(r"(?<![A-Za-z0-9])([TtLlSs])\s?(\d{1,2})(?![0-9])")
_RANGE = re.compile(r"(?<![A-Za-z0-9])([TtLlSs]\s?\d{1,2})\s*(?:-|–|to|through)\s*"
                    r"([TtLlSs]?\s?\d{1,2})(?![0-9])")
_INDEX = {name: i for i, name in enumerate(TREATABLE_LEVELS)}


class LevelRangeError(ValueError):
    """Text gives a range wider than two neighbouring levels (which levels were treated?)."""


def levels_in_text(texts: Iterable[str]) -> list[str]:
    """Vertebrae named in body-site codes' displays or text: "T12", "L1", "T12-L1",
    "Structure of twelfth thoracic vertebra". A range is accepted only for two neighbouring
    levels ("T12-L1"); a wider one ("T10-T12": all three, or only the ends?) raises
    :class:`LevelRangeError` so that a person chooses."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for m in _WORDY.finditer(text):
            number = _ORDINALS.index(m.group(1).lower()) + 1
            name = parse_level(f"{_REGION[m.group(2).lower()]}{number}")
            if name:
                found.append(name)
        for m in _RANGE.finditer(text):
            first = parse_level(m.group(1))
            end = m.group(2)
            if end[:1].isdigit() and first:
                end = first[0] + end
            last = parse_level(end)
            if first and last and abs(_INDEX[first] - _INDEX[last]) > 1:
                raise LevelRangeError
        for m in _TOKEN.finditer(text):
            name = parse_level(m.group(1) + m.group(2))
            if name:
                found.append(name)
    return list(dict.fromkeys(found))


# -- languages ----------------------------------------------------------------------------
#: ISO 639-2 and spelled-out names seen in PID-15 / Patient.communication, to ISO 639-1.
_LANG_ALIASES = {
    "eng": "en", "english": "en", "spa": "es", "spanish": "es", "español": "es",
    "fre": "fr", "fra": "fr", "french": "fr", "ger": "de", "deu": "de", "german": "de",
    "chi": "zh", "zho": "zh", "chinese": "zh", "vie": "vi", "vietnamese": "vi",
    "kor": "ko", "korean": "ko", "rus": "ru", "russian": "ru", "ara": "ar", "arabic": "ar",
    "por": "pt", "portuguese": "pt", "tgl": "tl", "tagalog": "tl", "hat": "ht",
    "haitian creole": "ht", "pol": "pl", "polish": "pl", "ita": "it", "italian": "it",
}
_BCP47 = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def language_code(*candidates: str) -> str | None:
    """The ISO 639-1 code for a BCP 47 tag ("es-MX"), an ISO 639-2 code ("SPA") or a name
    ("Spanish"); None when none of the candidates is recognisable."""
    for raw in candidates:
        text = (raw or "").strip().lower()
        if not text:
            continue
        if text in _LANG_ALIASES:
            return _LANG_ALIASES[text]
        m = _BCP47.match(text)
        if m:
            base = m.group(1)
            if len(base) == 2:
                return _chinese_script(base, text)
            if base in _LANG_ALIASES:
                return _chinese_script(_LANG_ALIASES[base], text)
    return None


#: Chinese is printed in one of two scripts; a tag's script or region says which
#: ("zh-Hant", "zh-TW"). Without either, "zh" stays ambiguous and the nurse chooses.
_HANT = frozenset({"hant", "tw", "hk", "mo"})
_HANS = frozenset({"hans", "cn", "sg"})


def _chinese_script(base: str, tag: str) -> str:
    if base != "zh":
        return base
    subtags = set(re.split(r"[-_]", tag)[1:])
    if subtags & _HANT:
        return "zh-Hant"
    if subtags & _HANS:
        return "zh-Hans"
    return base
