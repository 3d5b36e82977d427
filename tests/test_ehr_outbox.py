"""Chart hand-off out: the FHIR DocumentReference (validated by fhir.resources) and the HL7
MDM^T02 (parsed back by python-hl7) carry exactly the PDFs that were saved."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import hl7
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.documentreference import DocumentReference

from dischargedesk.cli import main

from .conftest import pdf_text
from .ehr_helpers import sample_text, write

PDFS = ("discharge-instructions-kyphoplasty.pdf", "recovery-plan-kyphoplasty.pdf")


def run(tmp_path: Path, fmt: str | None, *extra: str) -> tuple[int, Path, Path]:
    ctx = write(tmp_path / "ctx.hl7", sample_text("adt-a04-pr1.hl7"))
    out, box = tmp_path / "out", tmp_path / "outbox"
    args = ["render", "--patient-context", str(ctx), "--out", str(out), "--chart-outbox",
            str(box), "--teach-back", "--caregiver-present", "--nurse", "J.K.",
            "--interpreter", "Language line 4471", *extra]
    if fmt:
        args += ["--chart-format", fmt]
    return main(args), out, box


def test_fhir_document_reference_holds_the_saved_pdfs(tmp_path, capsys):
    code, out, box = run(tmp_path, None)
    printed = capsys.readouterr().out.split()
    assert code == 0
    [doc_file] = list(box.iterdir())
    assert doc_file.name.startswith("discharge-education-") and doc_file.name.endswith(
        ".fhir.json")
    assert str(doc_file) in printed
    raw = json.loads(doc_file.read_text(encoding="utf-8"))
    Bundle.model_validate(raw)
    doc_entry, comm_entry = raw["entry"]
    doc = DocumentReference.model_validate(doc_entry["resource"])
    assert doc.status == "current"
    assert (doc.type.coding[0].system, doc.type.coding[0].code) == ("http://loinc.org", "8653-8")
    ident = doc.subject.identifier
    assert ident.value == "4410982" and ident.type.coding[0].code == "MR"
    assert doc.custodian.display and doc.author and doc.date
    assert len(doc.content) == 2
    raw_contents = doc_entry["resource"]["content"]
    for content, raw_content, name in zip(doc.content, raw_contents, PDFS, strict=True):
        att = content.attachment
        saved = (out / name).read_bytes()
        assert base64.b64decode(raw_content["attachment"]["data"], validate=True) == saved
        assert att.contentType == "application/pdf" and att.language == "es"
        assert att.size == len(saved)
        digest = base64.b64decode(raw_content["attachment"]["hash"], validate=True)
        assert digest == hashlib.sha1(saved).digest()
        assert att.title and "Lucia" not in att.title
    first = base64.b64decode(raw_contents[0]["attachment"]["data"])
    assert "Lucia M O&Connor-Diaz" in pdf_text(first)
    comm = Communication.model_validate(comm_entry["resource"])
    assert comm.status == "completed"
    assert comm.about[0].reference == doc_entry["fullUrl"]
    assert comm.payload[0].contentReference.reference == doc_entry["fullUrl"]
    notes = [n.text for n in comm.note]
    assert "Teach-back: done" in notes and "Caregiver present: yes" in notes
    assert "Interpreter: Language line 4471" in notes and "Nurse: J.K." in notes
    assert "Language: es" in notes


def test_mdm_t02_parsed_back_with_python_hl7(tmp_path, capsys):
    code, out, box = run(tmp_path, "hl7v2")
    assert code == 0, capsys.readouterr().err
    [mdm_file] = list(box.iterdir())
    assert mdm_file.suffix == ".hl7"
    raw = mdm_file.read_bytes()
    assert b"\n" not in raw and raw.count(b"\r") >= 8  # CR segment ends kept byte-exact
    msg = hl7.parse(raw.decode("utf-8"))
    assert str(msg.segment("MSH")[9]) == "MDM^T02^MDM_T02"
    pid = msg.segment("PID")
    assert str(pid[3][0][0]) == "4410982" and str(pid[3][0][4]) == "MR"
    assert str(pid[7]) == "19460817"
    txa = msg.segment("TXA")
    assert str(txa[17]) == "AU" and len(str(txa[12])) == 36  # completion status, unique id
    obx = msg.segments("OBX")
    assert len(obx) == 2
    for seg, name in zip(obx, PDFS, strict=True):
        assert str(seg[2]) == "ED" and str(seg[3][0][0]) == "8653-8"
        ed = seg[5][0]
        assert [str(ed[i]) for i in (1, 2, 3)] == ["application", "PDF", "Base64"]
        assert base64.b64decode(str(ed[4])) == (out / name).read_bytes()
    notes = [msg.unescape(str(n[3])) for n in msg.segments("NTE")]
    assert "Teach-back: done" in notes and "Nurse: J.K." in notes
    assert any(n.startswith("Handout: ") for n in notes)


def test_both_formats_and_no_temp_files_left(tmp_path, capsys):
    code, _, box = run(tmp_path, "both")
    assert code == 0, capsys.readouterr().err
    names = sorted(p.name for p in box.iterdir())
    assert sorted(n.rsplit(".", 1)[-1] for n in names) == ["hl7", "json"]
    assert names[0].split(".")[0] == names[1].split(".")[0]  # one id for the set
    for n in names:
        for value in ("Lucia", "Connor", "4410982", "1946"):
            assert value not in n


def test_chart_outbox_without_mrn_stops_before_any_pdf(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["render", "--procedure", "kyphoplasty", "--levels", "L1", "--patient-name",
                 "Ada Lovelace", "--date-of-birth", "1950-01-01", "--out", str(out),
                 "--chart-outbox", str(tmp_path / "box")])
    err = capsys.readouterr().err
    assert code == 2 and "needs the MRN" in err and "Ada" not in err
    assert not out.exists() and not (tmp_path / "box").exists()


def test_chart_format_needs_outbox_and_nurse_must_be_initials(tmp_path, capsys):
    base = ["render", "--procedure", "kyphoplasty", "--levels", "L1", "--patient-name", "A B",
            "--mrn", "1", "--out", str(tmp_path / "o")]
    assert main([*base, "--chart-format", "both"]) == 2
    assert "--chart-format needs --chart-outbox" in capsys.readouterr().err
    assert main([*base, "--chart-outbox", str(tmp_path / "b"), "--nurse", "Nurse Jane"]) == 2
    err = capsys.readouterr().err
    assert "Nurse must be initials" in err and "Jane" not in err
    assert not (tmp_path / "o").exists()


def test_unwritable_outbox_exit_1_pdfs_kept(tmp_path, capsys):
    ctx = write(tmp_path / "ctx.hl7", sample_text("adt-a04-pr1.hl7"))
    blocker = tmp_path / "box"
    blocker.write_text("a file where the folder should be")
    code = main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "out"),
                 "--chart-outbox", str(blocker)])
    err = capsys.readouterr().err
    assert code == 1
    assert "handouts were saved, but the chart documents could not be written" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(PDFS)
