"""Shared builders for the EHR tests: realistic context files with dates near today."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dischargedesk.resources import resources_dir

SAMPLES = resources_dir() / "ehr-samples"
SAMPLE_DAY = "2026-11-24"  # the procedure day written in the sample files


def yesterday() -> dt.date:
    return dt.date.today() - dt.timedelta(days=1)


def sample_text(name: str) -> str:
    """A sample context file with its procedure day moved to yesterday (so the tests do not
    age out; the CLI validates dates against the real today)."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    day = yesterday()
    return text.replace(SAMPLE_DAY, day.isoformat()).replace(
        SAMPLE_DAY.replace("-", ""), day.strftime("%Y%m%d"))


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8"))
    else:
        path.write_bytes(text)
    return path


def adt(*segments: str, sep: str = "\r", event: str = "A04") -> str:
    """An ADT message: MSH + EVN + the given segments."""
    msh = (f"MSH|^~\\&|EPIC|HOSP|DISCHARGEDESK|SPINE|20261124113500||ADT^{event}^ADT_A01|"
           f"MSG{event}01|P|2.5.1")
    return sep.join([msh, f"EVN|{event}|20261124113500", *segments]) + sep


def pr1(code: str, text: str, description: str = "", day: dt.date | None = None) -> str:
    day = day or yesterday()
    return f"PR1|1||{code}^{text}^C4|{description}|{day.strftime('%Y%m%d')}0910"


def patient_json(**overrides: object) -> str:
    patient: dict[str, object] = {
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                             "code": "MR"}]},
                        "system": "urn:oid:1.2.3.4", "value": "MR-7788"}],
        "name": [{"use": "official", "family": "Rivera", "given": ["Elena"]}],
        "birthDate": "1944-05-02",
    }
    patient.update(overrides)
    return json.dumps(patient)


def bundle(*resources: dict) -> str:
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
                                  "resource": r} for i, r in enumerate(resources)]})


def procedure(coding: list[dict], body_site: list[dict] | None = None,
              day: dt.date | None = None, **extra: object) -> dict:
    res: dict = {"resourceType": "Procedure", "status": "completed",
                 "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000000"},
                 "code": {"coding": coding},
                 "performedDateTime": f"{(day or yesterday()).isoformat()}T09:30:00-05:00"}
    if body_site is not None:
        res["bodySite"] = body_site
    res.update(extra)
    return res
