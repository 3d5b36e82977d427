"""Patient context in: a FHIR R4 Patient/Bundle (JSON) or an HL7 v2 ADT message, read once,
mapped to a plain request mapping for :meth:`HandoutRequest.from_mapping` (which keeps all
validation). Mapping tables: docs/ehr.md.

Security rule: the file is read once; if it lies in the system temp folder it is deleted
right after reading (also when it is unusable). Nothing from it is logged, and error
messages name the missing or broken field, never its value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DischargeDeskError

MAX_CONTEXT_BYTES = 50 * 1024 * 1024  # a Synthea bundle with years of history is a few MB


class ContextError(DischargeDeskError):
    """The patient context file is unusable. Exit 2; names what is missing, never a value."""

    exit_code = 2


@dataclass(frozen=True)
class PatientContext:
    """What the record gave: request fields, which of them came from the record, and notes
    for the nurse (plain sentences without patient values)."""

    data: dict[str, Any]
    notes: tuple[str, ...] = ()
    source: str = ""  # "FHIR" or "HL7 v2"

    @property
    def from_record(self) -> tuple[str, ...]:
        return tuple(self.data)


@dataclass
class Found:
    """Collects fields while a reader walks the record."""

    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def put(self, name: str, value: Any) -> None:
        if value not in (None, "", [], ()):
            self.data[name] = value

    def put_latest_procedure(self, mapped: list[tuple[dt.date, str, Any]]) -> list[Any]:
        """From (performed day or date.min, procedure, detail) of every matching procedure,
        put the latest one's procedure and date; returns that day's entries. Two different
        procedures on that day are for the nurse to settle."""
        latest = max(day for day, _, _ in mapped)
        same_day = [m for m in mapped if m[0] == latest]
        if len({name for _, name, _ in same_day}) > 1:
            raise ContextError("The record has a kyphoplasty and a vertebroplasty on the same "
                               "day; give --procedure.")
        self.put("procedure", same_day[0][1])
        if latest != dt.date.min:
            self.put("procedure_date", latest.isoformat())
        return same_day


def _in_temp_folder(path: Path) -> bool:
    try:
        tmp = Path(tempfile.gettempdir()).resolve()
        return path.resolve().is_relative_to(tmp)
    except (OSError, ValueError):
        return False


def read_once(path: Path) -> bytes:
    """The file's bytes; the file is deleted afterwards when it lies in the temp folder."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONTEXT_BYTES:
            raise ContextError("The patient context file is too large (over 50 MB); ask the "
                               "EHR team to send only the patient and the procedure.")
        with path.open("rb") as fh:
            data = fh.read(MAX_CONTEXT_BYTES + 1)
    except OSError:
        raise ContextError("The patient context file cannot be read; check that the EHR "
                           "wrote it and try again.") from None
    finally:
        if _in_temp_folder(path):
            with contextlib.suppress(OSError):
                os.unlink(path)
    return data


def parse_context(raw: bytes, *, mrn_system: str | None = None,
                  languages: Iterable[str] = ("en",)) -> PatientContext:
    """Map the bytes of a context file (FHIR JSON or HL7 v2) to request fields."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # HL7 v2 feeds are often Latin-1 (MSH-18 8859/1)
            text = raw.decode("latin-1") if raw.lstrip().startswith(b"MSH") else ""
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes everything
            text = ""
        if not text:
            raise ContextError("The patient context file is not UTF-8 text; save it as "
                               "FHIR JSON or an HL7 v2 message.") from None
    stripped = text.lstrip()
    langs = tuple(languages)
    if stripped.startswith(("{", "[")):
        from .fhir_in import read_fhir

        found = read_fhir(stripped, mrn_system=mrn_system)
        source = "FHIR"
    elif stripped.startswith("MSH"):
        from .hl7_in import read_hl7

        found = read_hl7(stripped, mrn_system=mrn_system)
        source = "HL7 v2"
    else:
        raise ContextError("The patient context file is neither FHIR JSON nor an HL7 v2 "
                           "message (it must start with '{' or 'MSH').")
    _choose_language(found, langs)
    return PatientContext(data=dict(found.data), notes=tuple(found.notes), source=source)


def load_patient_context(path: Path, *, mrn_system: str | None = None,
                         languages: Iterable[str] = ("en",)) -> PatientContext:
    """Read ``path`` once (deleting it if it lies in the temp folder) and map it."""
    return parse_context(read_once(path), mrn_system=mrn_system, languages=languages)


def _choose_language(found: Found, languages: tuple[str, ...]) -> None:
    wanted = found.data.pop("_language", None)
    if wanted is None:
        return
    if wanted in languages:
        found.data["language"] = wanted
    elif wanted == "zh" and {"zh-Hans", "zh-Hant"} <= set(languages):
        found.notes.append("The record says Chinese without saying Simplified or Traditional "
                           "characters, so the handouts are in English; choose the handout "
                           "language with the patient.")
    elif wanted != "unknown":
        found.notes.append("The patient's preferred language in the record has no handout "
                           "pack yet, so the handouts are in English; arrange an interpreter "
                           "for the teaching.")
    else:
        found.notes.append("The patient's preferred language in the record is not a "
                           "language code this app knows; choose the handout language.")


def required_missing(data: dict[str, Any]) -> list[str]:
    """Field labels a request still lacks (after the command line had its say)."""
    missing = []
    if not data.get("procedure"):
        missing.append("the procedure (kyphoplasty or vertebroplasty)")
    if not data.get("patient_name"):
        missing.append("the patient name")
    if not data.get("levels") and data.get("level_count") in (None, ""):
        missing.append("the levels treated")
    if not data.get("date_of_birth") and not data.get("mrn"):
        missing.append("the date of birth or the MRN")
    return missing
