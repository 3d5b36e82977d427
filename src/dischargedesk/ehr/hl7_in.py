"""HL7 v2 patient context: ADT^A01/A03/A04/A08 with PID, optionally PV1 and PR1, parsed
with python-hl7 (``hl7``). Segment ends may be CR, LF or CRLF."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import codes
from .codes import LevelRangeError
from .context import ContextError, Found

ADT_EVENTS = frozenset({"A01", "A03", "A04", "A08"})
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}$")


def _split_segments(text: str) -> list[str]:
    lines = [ln for ln in re.split(r"\r\n|\r|\n", text.strip()) if ln.strip()]
    for number, line in enumerate(lines, start=1):
        if not _SEGMENT_ID.match(line[:3]) or (len(line) > 3 and line[3] != lines[0][3]):
            raise ContextError(f"The HL7 message has a malformed segment (segment {number}); "
                               "ask the interface team to check the feed.")
    return lines


def parse_message(text: str) -> Any:
    import hl7

    lines = _split_segments(text)
    if not lines or not lines[0].startswith("MSH") or len(lines[0]) < 8:
        raise ContextError("The HL7 message does not start with an MSH segment.")
    try:
        return hl7.parse("\r".join(lines))
    except Exception:  # noqa: BLE001 - python-hl7 raises several kinds; none may reach the user
        raise ContextError("The HL7 message cannot be parsed; ask the interface team to "
                           "check the feed.") from None


def _get(seq: Any, *path: int) -> Any:
    """Zero-based safe access into python-hl7 containers; '' when absent."""
    cur = seq
    for i in path:
        if isinstance(cur, str) or cur is None:
            return cur if i == 0 and isinstance(cur, str) else ""
        try:
            cur = cur[i]
        except IndexError:
            return ""
    return cur


def _text(msg: Any, value: Any) -> str:
    """A component's text with HL7 escapes (\\T\\, \\S\\, \\F\\, \\R\\, \\E\\) decoded."""
    if value is None:
        return ""
    raw = str(value)
    try:
        return str(msg.unescape(raw)).strip()
    except Exception:  # noqa: BLE001 - python-hl7 raises several kinds on bad escapes
        raise ContextError("The HL7 message has a malformed escape sequence; ask the "
                           "interface team to check the feed.") from None


def _field(seg: Any, number: int) -> Any:
    """Field ``number`` (HL7 numbering) of a non-MSH segment."""
    return _get(seg, number)


def _reps(seg: Any, number: int) -> list[Any]:
    f = _field(seg, number)
    if isinstance(f, str) or f == "":
        return [f] if f else []
    return list(f)


def _comp(msg: Any, rep: Any, number: int) -> str:
    """Component ``number`` (HL7 numbering, 1-based) of a field repetition."""
    if isinstance(rep, str):
        return _text(msg, rep) if number == 1 else ""
    value = _get(rep, number - 1)
    if not isinstance(value, str):
        value = _get(value, 0) if value != "" else ""  # first subcomponent
    return _text(msg, value)


def _hl7_date(value: str) -> dt.date | None:
    m = re.match(r"^(\d{4})(\d{2})(\d{2})", value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _segments(msg: Any, name: str) -> list[Any]:
    return [s for s in msg if str(_get(s, 0)) == name]


def _person(msg: Any, rep: Any, *, family: int, given: int, middle: int,
            prefix: int | None = None) -> str:
    parts = [_comp(msg, rep, prefix) if prefix else "", _comp(msg, rep, given),
             _comp(msg, rep, middle), _comp(msg, rep, family)]
    return " ".join(p for p in parts if p)


def read_hl7(text: str, *, mrn_system: str | None = None) -> Found:
    msg = parse_message(text)
    msh = _segments(msg, "MSH")[0]
    # python-hl7 counts MSH fields so that msh[9] is MSH-9
    mtype = _get(msh, 9)
    kind = _comp(msg, _get(mtype, 0), 1).upper()
    event = _comp(msg, _get(mtype, 0), 2).upper()
    if kind != "ADT" or event not in ADT_EVENTS:
        raise ContextError("The HL7 message is not an ADT A01, A03, A04 or A08 message; send "
                           "the patient's admit or registration message.")
    pids = _segments(msg, "PID")
    if not pids:
        raise ContextError("The HL7 message has no PID segment (the patient); ask the "
                           "interface team to include it.")
    pid = pids[0]
    found = Found()
    names = _reps(pid, 5)
    legal = [r for r in names if _comp(msg, r, 7).upper() == "L"] or names
    if legal:
        found.put("patient_name", _person(msg, legal[0], family=1, given=2, middle=3))
    raw_dob = _comp(msg, _get(_field(pid, 7), 0), 1)
    dob = _hl7_date(raw_dob)
    if raw_dob and dob is None:
        found.notes.append("The birth date in the record (PID-7) is not a full date; check "
                           "it.")
    found.put("date_of_birth", dob.isoformat() if dob else None)
    found.put("mrn", _mrn(msg, _reps(pid, 3), mrn_system))
    lang_rep = _get(_field(pid, 15), 0)
    if lang_rep != "":
        lang = [_comp(msg, lang_rep, 1), _comp(msg, lang_rep, 2)]
        if any(lang):
            found.data["_language"] = codes.language_code(*lang) or "unknown"
    for pv1 in _segments(msg, "PV1")[:1]:
        attending = _get(_field(pv1, 7), 0)
        if attending != "":
            found.put("physician", _person(msg, attending, family=2, given=3, middle=4,
                                           prefix=6))
    _procedures(msg, found)
    return found


def _mrn(msg: Any, reps: list[Any], mrn_system: str | None) -> str | None:
    chosen: list[str] = []
    if mrn_system:
        for r in reps:
            authority = _get(r, 3)
            names = {_text(msg, _get(authority, i) if not isinstance(authority, str)
                           else (authority if i == 0 else "")) for i in (0, 1)}
            if mrn_system in names:
                chosen.append(_comp(msg, r, 1))
    if not chosen:
        chosen = [_comp(msg, r, 1) for r in reps if _comp(msg, r, 5).upper() == "MR"]
    values = list(dict.fromkeys(v for v in chosen if v))
    if len(values) > 1:
        raise ContextError("The patient has more than one MRN in PID-3; set mrn_system (or "
                           "--mrn-system) to the hospital's assigning authority.")
    return values[0] if values else None


def _procedures(msg: Any, found: Found) -> None:
    mapped = []
    for pr1 in _segments(msg, "PR1"):
        code_rep = _get(_field(pr1, 3), 0)
        code, text, system = (_comp(msg, code_rep, i) for i in (1, 2, 3))
        description = _comp(msg, _get(_field(pr1, 4), 0), 1)
        system = system.upper()
        name = None
        if system in codes.V2_CPT_NAMES or (not system and code in codes.CPT_PROCEDURES):
            name = codes.procedure_from_cpt(code)
        elif system in codes.V2_SNOMED_NAMES:
            name = codes.procedure_from_snomed(code, text, description)
        if name:
            day = _hl7_date(_comp(msg, _get(_field(pr1, 5), 0), 1))
            mapped.append((day or dt.date.min, name, [text, description]))
    if not mapped:
        return
    same_day = found.put_latest_procedure(mapped)
    try:
        found.put("levels", codes.levels_in_text(t for _, _, ts in same_day for t in ts))
    except LevelRangeError:
        found.notes.append("The record gives a range of levels; choose the levels treated.")
