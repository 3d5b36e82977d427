"""FHIR R4 patient context: a Patient, or a Bundle with one Patient and optionally
Procedure, Encounter and Practitioner resources (other entries are ignored). Resources are
validated with ``fhir.resources`` (R4B models, identical to R4 for these resources)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pydantic import ValidationError

from . import codes
from .codes import LevelRangeError
from .context import ContextError, Found

_USED = ("Patient", "Procedure", "Encounter", "Practitioner")
_SKIP_STATUS = frozenset({"entered-in-error", "not-done"})
_SAFE_LOC = re.compile(r"^[A-Za-z0-9_]{1,40}$")


def _models() -> dict[str, Any]:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.encounter import Encounter
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.practitioner import Practitioner
    from fhir.resources.R4B.procedure import Procedure

    return {"Bundle": Bundle, "Patient": Patient, "Procedure": Procedure,
            "Encounter": Encounter, "Practitioner": Practitioner}


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _where(exc: ValidationError, kind: str) -> str:
    """Element paths of a validation error, without the values (they may be patient data).
    An element FHIR does not define is not named: its name came from the file."""
    paths = []
    for err in exc.errors()[:3]:
        parts = [str(p) if isinstance(p, int) or _SAFE_LOC.match(str(p)) else "?"
                 for p in err.get("loc", ())]
        if err.get("type") == "extra_forbidden" and parts:
            parts[-1] = "(an element FHIR R4 does not define)"
        paths.append(".".join([kind, *parts]))
    return ", ".join(dict.fromkeys(paths))


def _validate(model: Any, resource: dict[str, Any], kind: str) -> Any:
    try:
        return model.model_validate(resource)
    except ValidationError as exc:
        raise ContextError(f"The patient context has a {kind} that is not valid FHIR R4 "
                           f"({_where(exc, kind)}); ask the EHR team to fix the export.") \
            from None


def read_fhir(text: str, *, mrn_system: str | None = None) -> Found:
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ContextError(f"The patient context file is not valid JSON (line {exc.lineno})"
                           "; ask the EHR team to check the export.") from None
    except (ValueError, RecursionError):
        raise ContextError("The patient context file is not valid JSON; ask the EHR team to "
                           "check the export.") from None
    if not isinstance(doc, dict):
        raise ContextError("The patient context file must hold one FHIR resource (a JSON "
                           "object).")
    kind = doc.get("resourceType")
    models = _models()
    by_type: dict[str, list[tuple[str, Any]]] = {k: [] for k in _USED}
    if kind == "Patient":
        by_type["Patient"].append(("", _validate(models["Patient"], doc, "Patient")))
    elif kind == "Bundle":
        entries = doc.get("entry")
        if not isinstance(entries, list):
            entries = []
        kept = [e for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)
                and e["resource"].get("resourceType") in _USED]
        _validate(models["Bundle"], {**doc, "entry": []}, "Bundle")
        for entry in kept:
            res = entry["resource"]
            rtype = res["resourceType"]
            model = _validate(models[rtype], res, rtype)
            by_type[rtype].append((str(entry.get("fullUrl") or ""), model))
    else:
        raise ContextError("The patient context file must be a FHIR Patient, or a Bundle "
                           "with a Patient; it holds another kind of resource.")
    patients = by_type["Patient"]
    if not patients:
        raise ContextError("The FHIR Bundle has no Patient; ask the EHR team to include the "
                           "patient.")
    if len(patients) > 1:
        raise ContextError("The FHIR Bundle has more than one Patient; send one patient at a "
                           "time.")
    found = Found()
    patient = patients[0][1]
    _patient(found, patient, mrn_system)
    practitioners = _practitioner_index(by_type["Practitioner"])
    encounter_ref = _procedure(found, [m for _, m in by_type["Procedure"]], practitioners)
    encounters = by_type["Encounter"]
    if encounter_ref:  # the procedure's own encounter
        encounters = [(u, e) for u, e in encounters
                      if encounter_ref in (u, f"Encounter/{e.id}")]
    elif len(encounters) > 1:  # which visit? do not guess the physician
        encounters = []
    if "physician" not in found.data:
        _encounter_attender(found, [m for _, m in encounters], practitioners)
    return found


# -- Patient ------------------------------------------------------------------------------
def human_name(name: Any) -> str:
    if name is None:
        return ""
    if name.text:
        return str(name.text).strip()
    parts = [*(name.prefix or []), *(name.given or []), name.family or "", *(name.suffix or [])]
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


def _official_name(names: list[Any] | None) -> str:
    names = list(names or [])
    for use in ("official", "usual", None):
        for n in names:
            if n.use == use and human_name(n):
                return human_name(n)
    return ""


def _patient_name(names: list[Any] | None) -> str:
    """Official name, else usual, else one without a use; no prefix/suffix on a handout."""
    for use in ("official", "usual", None):
        for n in names or []:
            if n.use == use:
                if n.text:
                    return str(n.text).strip()
                parts = [*(n.given or []), n.family or ""]
                text = " ".join(str(p).strip() for p in parts if p and str(p).strip())
                if text:
                    return text
    return ""


def _is_mr(identifier: Any) -> bool:
    t = identifier.type
    if t is None:
        return False
    return any(c.code == codes.MR[0] and (c.system in (None, codes.V2_0203))
               for c in (t.coding or []))


def _mrn(identifiers: list[Any] | None, mrn_system: str | None) -> str | None:
    ids = [i for i in identifiers or [] if i.value and i.use != "old"]
    if mrn_system:
        chosen = [i for i in ids if i.system == mrn_system]
        if not chosen:
            chosen = [i for i in ids if _is_mr(i)]
    else:
        chosen = [i for i in ids if _is_mr(i)]
    values = list(dict.fromkeys(str(i.value).strip() for i in chosen))
    if len(values) > 1:
        raise ContextError("The patient has more than one MRN in the record; set mrn_system "
                           "(or --mrn-system) to the hospital's MRN system.")
    return values[0] if values else None


def _full_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _patient(found: Found, patient: Any, mrn_system: str | None) -> None:
    found.put("patient_name", _patient_name(patient.name))
    dob = _full_date(patient.birthDate)
    if patient.birthDate is not None and dob is None:
        found.notes.append("The birth date in the record is not a full date; check it.")
    found.put("date_of_birth", dob.isoformat() if dob else None)
    found.put("mrn", _mrn(patient.identifier, mrn_system))
    comms = list(patient.communication or [])
    preferred = [c for c in comms if c.preferred] or (comms if len(comms) == 1 else [])
    if preferred:
        lang = preferred[0].language
        cands = [c.code or "" for c in (lang.coding or [])] + [c.display or "" for c in
                                                               (lang.coding or [])]
        found.data["_language"] = codes.language_code(*cands, lang.text or "") or "unknown"


# -- Procedure ----------------------------------------------------------------------------
def _texts(concept: Any) -> list[str]:
    if concept is None:
        return []
    out = [str(concept.text or "")]
    for c in concept.coding or []:
        out += [str(c.display or ""), str(c.code or "")]
    return [t for t in out if t]


def procedure_of(concept: Any) -> str | None:
    """kyphoplasty / vertebroplasty from a Procedure.code, or None."""
    if concept is None:
        return None
    names = set()
    for c in concept.coding or []:
        code = str(c.code or "")
        if c.system in codes.CPT_SYSTEMS:
            name = codes.procedure_from_cpt(code)
        elif c.system in codes.SNOMED_SYSTEMS:
            name = codes.procedure_from_snomed(code, str(c.display or ""),
                                               str(concept.text or ""))
        else:
            name = None
        if name:
            names.add(name)
    if len(names) > 1:
        raise ContextError("A Procedure in the record is coded as both kyphoplasty and "
                           "vertebroplasty; check the record and give --procedure.")
    return names.pop() if names else None


def _performed(proc: Any) -> dt.date | None:
    if proc.performedDateTime is not None:
        return _full_date(proc.performedDateTime)
    if proc.performedPeriod is not None:
        return _full_date(proc.performedPeriod.start)
    return None


def _procedure(found: Found, procedures: list[Any], practitioners: dict[str, str]) -> str:
    """Fill procedure, date, levels and physician; return the procedure's encounter."""
    mapped = []
    for proc in procedures:
        if proc.status in _SKIP_STATUS:
            continue
        name = procedure_of(proc.code)
        if name:
            mapped.append((_performed(proc) or dt.date.min, name, proc))
    if not mapped:
        return ""
    same_day = found.put_latest_procedure(mapped)
    texts: list[str] = []
    for _, _, proc in same_day:
        for site in proc.bodySite or []:
            texts += _texts(site)
    try:
        found.put("levels", codes.levels_in_text(texts))
    except LevelRangeError:
        found.notes.append("The record gives a range of levels; choose the levels treated.")
    for _, _, proc in same_day:
        if "physician" in found.data:
            break
        for perf in proc.performer or []:
            name = _resolve(perf.actor, practitioners)
            if name:
                found.put("physician", name)
                break
    enc = same_day[0][2].encounter
    return str(enc.reference or "") if enc is not None else ""


# -- Practitioner / Encounter ------------------------------------------------------------
def _practitioner_index(items: list[tuple[str, Any]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for full_url, prac in items:
        name = _official_name(prac.name)
        if not name:
            continue
        keys = [full_url] if full_url else []
        if prac.id:
            keys.append(f"Practitioner/{prac.id}")
        for ident in prac.identifier or []:
            if ident.value:
                keys.append(f"Practitioner?identifier={ident.system or ''}|{ident.value}")
        for k in keys:
            index[k] = name
    return index


def _resolve(ref: Any, practitioners: dict[str, str]) -> str:
    if ref is None:
        return ""
    if ref.reference and ref.reference in practitioners:
        return practitioners[ref.reference]
    if ref.reference and ref.reference.startswith("Practitioner/"):
        return practitioners.get(ref.reference.split("/_history")[0], "") or \
            str(ref.display or "").strip()
    if ref.reference and not ref.reference.startswith(("Practitioner", "urn:")):
        return ""  # an Organization, Device, Patient...: not a physician
    return str(ref.display or "").strip()


def _encounter_attender(found: Found, encounters: list[Any],
                        practitioners: dict[str, str]) -> None:
    for enc in encounters:
        for part in enc.participant or []:
            kinds = {c.code for t in part.type or [] for c in t.coding or []}
            if kinds & {"ATND", "PPRF"}:
                name = _resolve(part.individual, practitioners)
                if name:
                    found.put("physician", name)
                    return
