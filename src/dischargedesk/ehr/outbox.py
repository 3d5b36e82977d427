"""Chart hand-off out: after the PDFs are saved, file the handout set to the EHR's outbox as
a FHIR R4 transaction Bundle (DocumentReference + Communication "patient education") and/or
an HL7 v2.5.1 MDM^T02 message (TXA + one OBX with an ED value per PDF, NTE education notes).

Files are named without patient data (``discharge-education-<time>-<id>.fhir.json`` /
``.hl7``) and each is replaced atomically (temp file in the folder, fsync, rename), so an
interface engine never picks up half a file. The patient is identified by the MRN (and the
date of birth in PID-7); the name is not sent back (the chart already has it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._meta import APP_NAME, __version__
from ..domain.request import HandoutRequest
from ..errors import OutputError
from . import FORMATS, codes
from .education import Education


@dataclass(frozen=True)
class ChartDocument:
    kind: str       # "discharge" / "recovery"
    title: str      # no patient data
    pdf: bytes


@dataclass(frozen=True)
class HandOff:
    request: HandoutRequest
    documents: tuple[ChartDocument, ...]
    education: Education
    custodian: str = ""                  # clinic name
    mrn_system: str | None = None
    when: dt.datetime | None = None      # aware; default now
    document_id: str = ""                # uuid; default random

    @property
    def created(self) -> dt.datetime:
        return self.when or dt.datetime.now().astimezone()

    @property
    def doc_uuid(self) -> str:
        return self.document_id or str(uuid.uuid4())


def sha1_base64(data: bytes) -> str:
    """Attachment.hash as FHIR defines it: base64 of the SHA-1 digest of the data."""
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def _mrn_identifier(h: HandOff) -> dict[str, Any]:
    ident: dict[str, Any] = {"type": {"coding": [{"system": codes.V2_0203, "code": codes.MR[0],
                                                  "display": codes.MR[1]}]},
                             "value": h.request.mrn}
    if h.mrn_system:
        ident["system"] = h.mrn_system
    return ident


def document_reference(h: HandOff, doc_id: str, when: str) -> dict[str, Any]:
    r = h.request
    loinc, display = codes.DISCHARGE_INSTRUCTIONS
    authors: list[dict[str, Any]] = [{"display": f"{APP_NAME} {__version__}"}]
    if h.education.nurse:
        authors.append({"display": h.education.nurse})
    res: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{doc_id}"},
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [{"system": codes.LOINC_SYSTEM, "code": loinc, "display": display}],
                 "text": "Discharge instructions"},
        "category": [{"coding": [{
            "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
            "code": "clinical-note", "display": "Clinical Note"}]}],
        "subject": {"identifier": _mrn_identifier(h)},
        "date": when,
        "author": authors,
        "description": f"Discharge handouts after {r.procedure}",
        "content": [{"attachment": {
            "contentType": "application/pdf",
            "language": r.language,
            "data": base64.b64encode(d.pdf).decode("ascii"),
            "size": len(d.pdf),
            "hash": sha1_base64(d.pdf),
            "title": d.title,
            "creation": when,
        }} for d in h.documents],
        "context": {"period": {"start": r.procedure_date.isoformat(),
                               "end": r.procedure_date.isoformat()}},
    }
    if h.custodian:
        res["custodian"] = {"display": h.custodian}
    return res


def communication(h: HandOff, doc_id: str, when: str) -> dict[str, Any]:
    """The education record: a Communication to the patient whose payload is the document."""
    lines = h.education.lines([d.title for d in h.documents], h.request.language)
    res: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "category": [{"text": "Patient education"}],
        "subject": {"identifier": _mrn_identifier(h)},
        "about": [{"reference": f"urn:uuid:{doc_id}"}],
        "sent": when,
        "recipient": [{"identifier": _mrn_identifier(h)}],
        "payload": [{"contentReference": {"reference": f"urn:uuid:{doc_id}"}},
                    {"contentString": "\n".join(lines)}],
        "note": [{"text": line} for line in lines],
    }
    if h.education.nurse:
        res["sender"] = {"display": h.education.nurse}
    return res


def fhir_bundle(h: HandOff) -> dict[str, Any]:
    when = h.created.isoformat(timespec="seconds")
    doc_id = h.doc_uuid
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": when,
        "entry": [
            {"fullUrl": f"urn:uuid:{doc_id}", "resource": document_reference(h, doc_id, when),
             "request": {"method": "POST", "url": "DocumentReference"}},
            {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": communication(h, doc_id, when),
             "request": {"method": "POST", "url": "Communication"}},
        ],
    }


def mdm_message(h: HandOff) -> str:
    """HL7 v2.5.1 MDM^T02 (original document notification and content)."""
    import hl7

    esc = hl7.parse("MSH|^~\\&|X").escape
    r = h.request
    ts = h.created.strftime("%Y%m%d%H%M%S%z")
    doc_id = h.doc_uuid
    loinc, display = codes.DISCHARGE_INSTRUCTIONS
    authority = esc(h.mrn_system or "")
    dob = r.date_of_birth.strftime("%Y%m%d") if r.date_of_birth else ""
    segs = [
        f"MSH|^~\\&|DISCHARGEDESK|{esc(h.custodian)}|||{ts}||MDM^T02^MDM_T02|"
        f"{hl7.generate_message_control_id()}|P|2.5.1|||||||UNICODE UTF-8",
        f"EVN|T02|{ts}",
        f"PID|1||{esc(r.mrn)}^^^{authority}^MR||||{dob}",
        "PV1|1|O",
        f"TXA|1|DI^Discharge instructions|AP|{ts}||{ts}||||||{doc_id}|||||AU||AV",
    ]
    for n, d in enumerate(h.documents, start=1):
        data = base64.b64encode(d.pdf).decode("ascii")
        segs.append(f"OBX|{n}|ED|{loinc}^{esc(display)}^LN|{n}|^application^PDF^Base64^{data}"
                    f"||||||F|||{ts}")
        segs.append(f"NTE|{n}|O|{esc('Handout: ' + d.title)}")
    base = len(h.documents)
    for i, line in enumerate(h.education.lines([d.title for d in h.documents], r.language),
                             start=base + 1):
        segs.append(f"NTE|{i}|O|{esc(line)}")
    return "\r".join(segs) + "\r"


def chart_file_stem(when: dt.datetime, doc_id: str) -> str:
    return f"discharge-education-{when.strftime('%Y%m%dT%H%M%S')}-{doc_id[:8]}"


def write_chart_outbox(folder: Path, h: HandOff, fmt: str = "fhir") -> list[Path]:
    """Write the chart documents for ``h`` into ``folder``; returns the written paths."""
    from ..output import write_text_atomic

    if fmt not in FORMATS:
        raise ValueError(fmt)
    h = HandOff(**{**h.__dict__, "when": h.created, "document_id": h.doc_uuid})
    stem = chart_file_stem(h.created, h.doc_uuid)
    files: list[tuple[Path, str]] = []
    if fmt in ("fhir", "both"):
        files.append((folder / f"{stem}.fhir.json",
                      json.dumps(fhir_bundle(h), ensure_ascii=False, indent=1) + "\n"))
    if fmt in ("hl7v2", "both"):
        files.append((folder / f"{stem}.hl7", mdm_message(h)))
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in files:
            write_text_atomic(path, text)  # newline="\n": HL7's CR segment ends stay
            written.append(path)
    except OSError:
        raise OutputError(f"The handouts were saved, but the chart documents could not be "
                          f"written to {folder}; check the chart outbox folder and send the "
                          "handouts again.") from None
    return written


def documents_from_paths(request: HandoutRequest, paths: Sequence[Path],
                         clinic_templates: Path | None) -> tuple[ChartDocument, ...]:
    """The saved PDFs, read back (so the chart gets exactly what was saved), with titles."""
    from ..engine import file_name
    from ..render.language import load_pack

    pack = load_pack(request.language, clinic_templates)
    by_name = {file_name(k, request.procedure): k for k in request.handouts}
    docs = []
    for p in paths:
        kind = by_name.get(Path(p).name)
        if kind is None:
            continue
        procedure = pack.procedures.get(request.procedure, request.procedure)
        title = f"{pack.handouts[kind]} - {procedure}"
        docs.append(ChartDocument(kind=kind, title=title, pdf=Path(p).read_bytes()))
    return tuple(docs)
