"""The handout request: typed, validated, plain data (no Qt, no I/O).

Build one with :meth:`HandoutRequest.from_mapping` (from a form, the CLI or a JSON file).
Every rule raises :class:`~dischargedesk.errors.RequestError` with a plain sentence that
names the field, never its value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import RequestError
from .fields import FIELDS
from .levels import (
    MAX_LEVEL_COUNT,
    LevelFacts,
    level_tokens,
    parse_level,
    repeated,
    spine_order,
)
from .textclean import RTL_NOT_SUPPORTED, clean_text, has_rtl, has_visible, longest_unbroken

ANESTHESIA = ("local", "sedation", "general")
HANDOUTS = ("discharge", "recovery")

#: Human names of the fields, used in messages (the form shows the same labels), and the
#: length caps of the free-text fields (characters, tested at their maximum): both from the
#: field table (domain/fields.py).
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
MAX_LENGTH: dict[str, int] = {f.name: f.cap for f in FIELDS if f.cap is not None}
MAX_MEDICATION_LINES = 30
MAX_WORD = 60  # longest unbroken word (a 5,000-character word breaks table layout)
MULTILINE_FIELDS = frozenset(f.name for f in FIELDS if f.kind == "multiline")
TEXT_FIELDS = tuple(MAX_LENGTH)

_MRN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")
_PROC_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")  # BCP 47
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MAX_PAST_PROCEDURE_DAYS = 730
MAX_FUTURE_PROCEDURE_DAYS = 60


@dataclass(frozen=True)
class HandoutRequest:
    """Who, which procedure, which levels, when. All values are already clean and valid."""

    procedure: str
    patient_name: str
    procedure_date: dt.date
    levels: tuple[str, ...] = ()
    level_count: int | None = None
    date_of_birth: dt.date | None = None
    mrn: str = ""
    anesthesia: str = "sedation"
    brace: bool = False
    opioids: bool = False
    medications: str = ""
    blood_thinner: str = ""
    physician: str = ""
    follow_up_date: dt.date | None = None
    follow_up_time: dt.time | None = None
    follow_up_with: str = ""
    follow_up_where: str = ""
    caregiver: str = ""
    language: str = "en"
    large_print: bool = False
    bilingual: bool = False
    handouts: tuple[str, ...] = field(default=HANDOUTS)

    # -- derived -----------------------------------------------------------------------
    @property
    def level_facts(self) -> LevelFacts:
        count = len(self.levels) if self.levels else int(self.level_count or 0)
        return LevelFacts(names=self.levels, count=count)

    @property
    def medication_lines(self) -> list[str]:
        return [line for line in self.medications.split("\n") if line.strip()]

    def text_values(self) -> dict[str, str]:
        """Every free-text value by field name (for font coverage checks)."""
        return {name: getattr(self, name) for name in TEXT_FIELDS if getattr(self, name)}

    def to_mapping(self) -> dict[str, Any]:
        """JSON-friendly form; :meth:`from_mapping` reads it back."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date | dt.time):
                value = value.isoformat(timespec="minutes") if isinstance(value, dt.time) \
                    else value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    # -- validation --------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, today: dt.date) -> HandoutRequest:
        """Validate raw values (strings, lists, dates) into a request.

        ``today`` is passed in so that validation is a pure function of its inputs.
        """
        known = [f.name for f in fields(cls)]
        for position, key in enumerate(data, 1):
            if key not in known:
                # the key itself is never shown: a mistyped file may hold a name there
                raise RequestError("request", f"Field {position} of the request has a name that "
                                   f"is not known; the known fields are: {', '.join(known)}.")
        v = _Validator(data)
        procedure = v.choice_text("procedure", _PROC_RE, required=True,
                                  hint="a procedure name such as kyphoplasty")
        levels, count = v.levels()
        name = v.text("patient_name", required=True)
        dob = v.date("date_of_birth")
        mrn = v.text("mrn")
        if mrn and not _MRN_RE.match(mrn):
            raise RequestError("mrn", "MRN may contain only letters, digits, spaces, dots, "
                               "slashes and dashes.")
        if dob is None and not mrn:
            raise RequestError("date_of_birth", "Enter the date of birth or the MRN (or both) "
                               "so every page identifies the patient twice.")
        proc_date = v.date("procedure_date") or today
        if dob is not None:
            if dob > today:
                raise RequestError("date_of_birth", "Date of birth cannot be in the future.")
            if dob < EARLIEST_BIRTH:
                raise RequestError("date_of_birth", "Date of birth must be after 1900-01-01.")
            if proc_date < dob:
                raise RequestError("procedure_date", "Procedure date cannot be before the date "
                                   "of birth.")
        if proc_date > today + dt.timedelta(days=MAX_FUTURE_PROCEDURE_DAYS):
            raise RequestError("procedure_date", "Procedure date is more than "
                               f"{MAX_FUTURE_PROCEDURE_DAYS} days away; check the date.")
        if proc_date < today - dt.timedelta(days=MAX_PAST_PROCEDURE_DAYS):
            raise RequestError("procedure_date", "Procedure date is more than 2 years ago; "
                               "check the date.")
        fu_date = v.date("follow_up_date")
        fu_time = v.time("follow_up_time")
        if fu_time is not None and fu_date is None:
            raise RequestError("follow_up_date", "Enter the follow-up date for the follow-up "
                               "time.")
        if fu_date is not None and fu_date < proc_date:
            raise RequestError("follow_up_date", "Follow-up date cannot be before the "
                               "procedure date.")
        if fu_date is not None and fu_date > proc_date + dt.timedelta(days=366):
            raise RequestError("follow_up_date", "Follow-up date is more than a year after "
                               "the procedure; check the date.")
        language = v.choice_text("language", _LANG_RE, default="en",
                                 hint="a language code such as en, es or zh-Hans")
        bilingual = v.flag("bilingual")
        if bilingual and is_english(language):
            raise RequestError("bilingual", "Bilingual print adds English to a handout in "
                               "another language; choose the patient's language, or turn "
                               "bilingual off.")
        return cls(
            procedure=procedure,
            patient_name=name,
            procedure_date=proc_date,
            levels=levels,
            level_count=count,
            date_of_birth=dob,
            mrn=mrn,
            anesthesia=v.choice("anesthesia", ANESTHESIA, default="sedation"),
            brace=v.flag("brace"),
            opioids=v.flag("opioids"),
            medications=v.text("medications"),
            blood_thinner=v.text("blood_thinner"),
            physician=v.text("physician"),
            follow_up_date=fu_date,
            follow_up_time=fu_time,
            follow_up_with=v.text("follow_up_with"),
            follow_up_where=v.text("follow_up_where"),
            caregiver=v.text("caregiver"),
            language=language,
            large_print=v.flag("large_print"),
            bilingual=bilingual,
            handouts=v.handouts(),
        )


def is_english(code: str) -> bool:
    """"en", "en-GB"...: a handout in the clinic's source language (no free-text marker,
    nothing to print bilingually)."""
    return code.split("-")[0].split("_")[0].lower() == "en"


#: Text fields already cleaned in this block (:func:`remembering_texts`): field, required,
#: raw value -> the value a request keeps. Only a template check sets it (its two sample
#: patients' entries, the same in each of its ~1,300 requests); never the app.
_TEXTS: ContextVar[dict[tuple[str, bool, str], str] | None] = ContextVar("texts", default=None)


@contextmanager
def remembering_texts() -> Iterator[None]:
    """Within the block, each distinct text entry is cleaned and checked once (the same
    value or the same error as cleaning it again: a pure function of the entry); the
    memory goes with the block."""
    token = _TEXTS.set({})
    try:
        yield
    finally:
        _TEXTS.reset(token)


class _Validator:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def text(self, name: str, *, required: bool = False) -> str:
        memo = _TEXTS.get()
        raw = self.data.get(name)
        if memo is None or not isinstance(raw, str):
            return self._text(name, required=required)
        key = (name, required, raw)
        if key not in memo:  # (an entry that fails raises each time: never remembered)
            memo[key] = self._text(name, required=required)
        return memo[key]

    def _get(self, name: str) -> Any:
        value = self.data.get(name)
        return None if value == "" else value

    def _text(self, name: str, *, required: bool = False) -> str:
        label = LABELS[name]
        raw = self._get(name)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raise RequestError(name, f"{label} must be text.")
        cap = MAX_LENGTH[name]
        if len(raw) > cap * 2:  # cheap guard before cleaning huge pastes
            raise RequestError(name, f"{label} is too long: at most {cap} characters.")
        value = clean_text(raw, multiline=name in MULTILINE_FIELDS)
        if not has_visible(value):
            value = ""  # only spaces, joiners or blank glyphs: nothing would print
        if required and not value:
            raise RequestError(name, f"{label} is required.")
        if len(value) > cap:
            raise RequestError(name, f"{label} is too long: at most {cap} characters.")
        if name in MULTILINE_FIELDS:
            lines = [ln for ln in value.split("\n") if ln]
            if len(lines) > MAX_MEDICATION_LINES:
                raise RequestError(name, f"{label} has too many lines: at most "
                                   f"{MAX_MEDICATION_LINES}.")
            if any(len(ln) > 200 for ln in lines):
                raise RequestError(name, f"{label}: each line can have at most 200 characters.")
        if longest_unbroken(value) > MAX_WORD:
            raise RequestError(name, f"{label} has a word longer than {MAX_WORD} characters; "
                               "add spaces.")
        if has_rtl(value):
            raise RequestError(name, f"{label} has right-to-left letters: {RTL_NOT_SUPPORTED}. "
                               "Type it in Latin letters.")
        return value

    def choice_text(self, name: str, pattern: re.Pattern[str], *, required: bool = False,
                    default: str = "", hint: str) -> str:
        raw = self._get(name)
        if raw is None:
            if required:
                raise RequestError(name, f"{LABELS[name]} is required.")
            return default
        if not isinstance(raw, str) or not pattern.match(raw.strip()):
            raise RequestError(name, f"{LABELS[name]} must be {hint}.")
        return raw.strip()

    def choice(self, name: str, allowed: tuple[str, ...], *, default: str) -> str:
        raw = self._get(name)
        if raw is None:
            return default
        if raw not in allowed:
            raise RequestError(name, f"{LABELS[name]} must be one of: {', '.join(allowed)}.")
        return str(raw)

    def flag(self, name: str) -> bool:
        raw = self._get(name)
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        raise RequestError(name, f"{LABELS[name]} must be true or false.")

    def date(self, name: str) -> dt.date | None:
        raw = self._get(name)
        if raw is None:
            return None
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise RequestError(name, f"{LABELS[name]} must be a real date written like 2026-03-04.")

    def time(self, name: str) -> dt.time | None:
        raw = self._get(name)
        if raw is None:
            return None
        if isinstance(raw, dt.time):
            return raw.replace(second=0, microsecond=0, tzinfo=None)
        if isinstance(raw, str):
            try:
                t = dt.time.fromisoformat(raw.strip())
                return t.replace(second=0, microsecond=0, tzinfo=None)
            except ValueError:
                pass
        raise RequestError(name, f"{LABELS[name]} must be a time written like 14:30.")

    def levels(self) -> tuple[tuple[str, ...], int | None]:
        raw_levels = self._get("levels")
        raw_count = self._get("level_count")
        if raw_levels and raw_count is not None:
            raise RequestError("levels", "Give either the levels treated or only their number, "
                               "not both.")
        if raw_levels:
            if isinstance(raw_levels, str):
                raw_levels = level_tokens(raw_levels)  # "T12 L1", "T11-L1" (a range)
            if not isinstance(raw_levels, list | tuple):
                raise RequestError("levels", "Levels treated must be a list such as T12, L1.")
            names = []
            for position, item in enumerate(raw_levels, 1):
                name = parse_level(item) if isinstance(item, str) else None
                if name is None:  # named by position: the text may be anything at all
                    raise RequestError("levels", f"Levels treated: entry {position} is not a "
                                       "level that can be treated; use T1 to T12, L1 to L5 "
                                       "or S1.")
                names.append(name)
            twice = repeated(names)
            if twice:  # canonical names only, never the typed text
                raise RequestError("levels", f"Levels treated: {', '.join(twice)} is given "
                                   "twice; check the levels (a repeated level is usually a "
                                   "typo for another).")
            ordered = tuple(spine_order(names))
            if len(ordered) > MAX_LEVEL_COUNT:
                raise RequestError("levels", f"Levels treated: at most {MAX_LEVEL_COUNT}.")
            return ordered, None
        if raw_count is not None:
            if isinstance(raw_count, str) and re.fullmatch(r"[0-9]{1,3}", raw_count.strip()):
                raw_count = int(raw_count.strip())
            if (not isinstance(raw_count, int) or isinstance(raw_count, bool)
                    or not 1 <= raw_count <= MAX_LEVEL_COUNT):
                raise RequestError("level_count", "Number of levels must be a whole number "
                                   f"from 1 to {MAX_LEVEL_COUNT}.")
            return (), raw_count
        raise RequestError("levels", "Choose the levels treated, or give their number if they "
                           "were not recorded.")

    def handouts(self) -> tuple[str, ...]:
        raw = self._get("handouts")
        if raw is None:
            return HANDOUTS
        if isinstance(raw, str):
            raw = [p for p in re.split(r"[,\s]+", raw) if p]
        if not isinstance(raw, list | tuple) or not raw or any(h not in HANDOUTS for h in raw):
            raise RequestError("handouts", "Handouts must be discharge, recovery or both.")
        return tuple(h for h in HANDOUTS if h in raw)
