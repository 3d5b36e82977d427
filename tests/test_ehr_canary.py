"""Patient-data canary for the EHR hand-off, both directions: a token in every patient field
of the context file; success with a chart outbox and every failure path; the token may be in
the PDF pages and the chart documents (that is their job), nowhere else: stdout, stderr,
logs, file names, temp files, settings."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import pytest

from dischargedesk.cli import main

from .ehr_helpers import adt, bundle, patient_json, pr1, procedure, write
from .test_canary import token_places

TOKEN = "Qzxcanary"


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def leaks(tmp_path: Path, captured: str, logs: str, allowed: tuple[Path, ...]) -> list[str]:
    return token_places(TOKEN, tmp_path, captured, logs, allowed)


def fhir_context() -> str:
    prac = {"resourceType": "Practitioner", "id": "d1",
            "name": [{"family": f"{TOKEN}doc", "given": ["Jo"]}]}
    proc = procedure([{"system": "http://www.ama-assn.org/go/cpt", "code": "22513"}],
                     [{"text": "T12-L1"}], performer=[{"actor": {"reference": "Practitioner/d1"}}])
    patient = json.loads(patient_json(
        name=[{"use": "official", "family": f"{TOKEN}fam", "given": [f"{TOKEN}giv"]}],
        identifier=[{"type": {"coding": [{"system":
                                          "http://terminology.hl7.org/CodeSystem/v2-0203",
                                          "code": "MR"}]}, "value": f"{TOKEN}7"}]))
    return bundle(patient, prac, proc)


def hl7_context() -> str:
    return adt(f"PID|1||{TOKEN}8^^^HOSP^MR||{TOKEN}fam^{TOKEN}giv^^^^^L||19500101|F",
               f"PV1|1|O|||||9^{TOKEN}doc^Jo", pr1("22514", "Kyphoplasty L1", "L1"))


@pytest.mark.parametrize("make", [fhir_context, hl7_context])
def test_success_both_directions(tmp_path, capsys, logs, make):
    ctx = write(Path(tempfile.gettempdir()) / "context.txt", make())
    box = tmp_path / "box"
    code = main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "out"),
                 "--chart-outbox", str(box), "--chart-format", "both",
                 "--interpreter", f"{TOKEN}interp"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert not ctx.exists()
    assert leaks(tmp_path, cap.out + cap.err, logs.text, (box,)) == []
    assert all(TOKEN.encode() in p.read_bytes() for p in box.iterdir())  # it did travel


FAILURES = [
    patient_json(name=[{"use": "official", "family": f"{TOKEN}fam"}], birthDate=f"{TOKEN}"),
    json.dumps({"resourceType": f"{TOKEN}Type", "id": f"{TOKEN}1"}),
    patient_json(name=[{"use": "official", "family": f"{TOKEN}fam"}],
                 **{f"{TOKEN}field": "x"}),
    patient_json(identifier=[{"type": {"coding": [{"code": "MR"}]}, "value": f"{TOKEN}{i}"}
                             for i in range(2)]),
    patient_json(name=[{"use": "official", "family": f"{TOKEN}fam"}]),  # no procedure
    "{" + f'"resourceType": "Patient", "name": "{TOKEN}',
    f"MSH|^~\\&|{TOKEN}|H|||2026||ORU^{TOKEN}|1|P|2.5.1\rPID|1||{TOKEN}^^^H^MR\r",
    f"MSH|^~\\&|E|H|||2026||ADT^A04|1|P|2.5.1\rPID|1||{TOKEN}^^^H^MR\r{TOKEN} garbage\r",
    adt(f"PID|1||{TOKEN}1^^^H^MR~{TOKEN}2^^^I^MR||{TOKEN}fam^x||19500101"),
    f"{TOKEN} plain text",
]


@pytest.mark.parametrize("content", FAILURES)
def test_failures_name_no_value(tmp_path, capsys, logs, content):
    ctx = write(tmp_path / "ctx", content)
    code = main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "out"),
                 "--chart-outbox", str(tmp_path / "box")])
    cap = capsys.readouterr()
    assert code == 2, cap.err
    assert leaks(tmp_path, cap.out + cap.err, logs.text, (ctx,)) == []
    assert not (tmp_path / "box").exists()
