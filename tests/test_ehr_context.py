"""Patient context in: realistic FHIR and HL7 v2 inputs, mapped and rendered through the CLI,
checked by the extracted PDF text; malformed inputs each end with a plain exit-2 line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from dischargedesk.cli import main
from dischargedesk.ehr.context import parse_context

from .conftest import pdf_text
from .ehr_helpers import (
    adt,
    bundle,
    patient_json,
    pr1,
    procedure,
    sample_text,
    write,
    yesterday,
)

CPT = "http://www.ama-assn.org/go/cpt"
SCT = "http://snomed.info/sct"


def render(tmp_path: Path, context: Path, *extra: str) -> tuple[int, str, str]:
    out = tmp_path / "out"
    code = main(["render", "--patient-context", str(context), "--out", str(out), *extra])
    texts = {p.name: pdf_text(p.read_bytes()) for p in sorted(out.glob("*.pdf"))}
    return code, texts.get("discharge-instructions-kyphoplasty.pdf", "") or \
        texts.get("discharge-instructions-vertebroplasty.pdf", ""), " ".join(texts.values())


def test_synthea_bundle_fills_every_field(tmp_path, capsys):
    ctx = write(tmp_path / "synthea.json", sample_text("synthea-bundle.json"))
    code, discharge, _ = render(tmp_path, ctx)
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert cap.err == ""
    assert "Rosalinda718 May Kuhic920" in discharge  # official name, not the maiden one
    assert "SYN-4817203" in discharge                 # the MR identifier, not the SSN
    assert "999-41-2287" not in discharge
    assert "Kyphoplasty" in discharge or "kyphoplasty" in discharge
    assert "T12" in discharge and "L1" in discharge
    assert "Otis290 Hagenes547" in discharge          # PPRF participant via NPI reference
    assert yesterday().strftime("%B") in discharge or str(yesterday().day) in discharge


def test_us_core_patient_with_command_line_procedure_and_spanish(tmp_path, capsys):
    ctx = write(tmp_path / "uscore.json", sample_text("us-core-patient.json"))
    code, discharge, _ = render(tmp_path, ctx, "--procedure", "kyphoplasty", "--levels", "L2")
    assert code == 0, capsys.readouterr().err
    assert "Amy V. Shaw" in discharge and "Baxter" not in discharge  # official, not old
    assert "1032702" in discharge
    assert "cifoplastia" in discharge.lower()  # preferred language es -> Spanish pack


def test_hl7_sample_adt_a04_with_pr1(tmp_path, capsys):
    ctx = write(tmp_path / "adt.hl7", sample_text("adt-a04-pr1.hl7"))
    code, discharge, _ = render(tmp_path, ctx)
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert "Lucia M O&Connor-Diaz" in discharge  # \T\ decoded
    assert "4410982" in discharge and "999-41-2287" not in discharge
    assert "L1" in discharge and "L2" in discharge
    assert "Anita R Patel" in discharge
    assert "cifoplastia" in discharge.lower()  # PID-15 SPA


def test_hl7_quirks_lf_repeating_pid3_escapes_no_pv1(tmp_path, capsys):
    msg = adt(
        "PID|1||999-11-2222^^^SSA^SS~A77^^^OLDHOSP^PI~00456^^^HOSP^MR||Nu\\S\\ez\\T\\Co^Ana"
        "^^^^^L||19400101|F",
        pr1("22511", "Vertebroplasty lumbar", "Percutaneous vertebroplasty L3"),
        sep="\n", event="A08")
    ctx = write(tmp_path / "adt.hl7", msg)
    out = tmp_path / "out"
    code = main(["render", "--patient-context", str(ctx), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    text = pdf_text((out / "discharge-instructions-vertebroplasty.pdf").read_bytes())
    assert "Ana Nu^ez&Co" in text  # \S\ -> ^ and \T\ -> &, decoded by python-hl7
    assert "00456" in text and "A77" not in text
    assert "L3" in text


def test_hl7_crlf_and_a01_without_pr1_command_line_fills_the_rest(tmp_path, capsys):
    msg = adt("PID|1||321^^^HOSP^MR||Okafor^Chidi^^^^^L||19520304|M",
              "PV1|1|I|W2^201^A||||77^Brandt^Ilse^^^Dr", sep="\r\n", event="A01")
    ctx = write(tmp_path / "adt.hl7", msg)
    code, discharge, _ = render(tmp_path, ctx, "--procedure", "kyphoplasty", "--levels",
                                "T11", "--patient-name", "Chidi Okafor-Reyes")
    assert code == 0, capsys.readouterr().err
    assert "Chidi Okafor-Reyes" in discharge  # the command line wins over the record
    assert "Ilse Brandt" in discharge and "T11" in discharge


def test_language_without_pack_gives_a_visible_note(tmp_path, capsys):
    msg = adt("PID|1||321^^^HOSP^MR||Ivanov^Pavel^^^^^L||19480101|M|||||||RUS^Russian^ISO6392",
              pr1("22513", "Kyphoplasty T8", "T8"))
    ctx = write(tmp_path / "adt.hl7", msg)
    code, discharge, _ = render(tmp_path, ctx)
    err = capsys.readouterr().err
    assert code == 0
    assert "note: The patient's preferred language in the record has no handout pack" in err
    assert "Russian" not in err and "Pavel" not in err
    assert "Kyphoplasty" in discharge  # English


SHIPPED = ("en", "es", "ko", "tl", "vi", "zh-Hans", "zh-Hant")


@pytest.mark.parametrize(("pid15", "expected"), [
    ("VIE^Vietnamese^ISO6392", "vi"), ("KOR^Korean^ISO6392", "ko"),
    ("TGL^Tagalog^ISO6392", "tl"), ("zh-Hant-TW", "zh-Hant"), ("zh-CN", "zh-Hans")])
def test_a_language_with_a_pack_is_chosen(pid15, expected):
    msg = adt(f"PID|1||321^^^HOSP^MR||Tran^Minh^^^^^L||19480101|M|||||||{pid15}",
              pr1("22513", "Kyphoplasty T8", "T8"))
    ctx = parse_context(msg.encode(), languages=SHIPPED)
    assert ctx.data.get("language") == expected and not ctx.notes


def test_chinese_without_its_script_is_left_to_the_nurse():
    msg = adt("PID|1||321^^^HOSP^MR||Wang^Ming^^^^^L||19480101|M|||||||CHI^Chinese^ISO6392",
              pr1("22513", "Kyphoplasty T8", "T8"))
    ctx = parse_context(msg.encode(), languages=SHIPPED)
    assert "language" not in ctx.data
    assert "Simplified or Traditional" in ctx.notes[0]


def test_fhir_body_site_snomed_display_and_performer(tmp_path, capsys):
    prac = {"resourceType": "Practitioner", "id": "p1",
            "name": [{"family": "Lindqvist", "given": ["Sara"], "prefix": ["Dr."]}]}
    site = {"coding": [{"system": SCT, "code": "0",
                        "display": "Structure of seventh thoracic vertebra"}]}
    proc = procedure([{"system": CPT, "code": "22510"}], body_site=[site],
                     performer=[{"actor": {"reference": "Practitioner/p1"}}])
    ctx = write(tmp_path / "b.json", bundle(json.loads(patient_json()), prac, proc))
    out = tmp_path / "out"
    assert main(["render", "--patient-context", str(ctx), "--out", str(out)]) == 0, \
        capsys.readouterr().err
    text = pdf_text((out / "discharge-instructions-vertebroplasty.pdf").read_bytes())
    assert "T7" in text and "Sara Lindqvist" in text and "Elena Rivera" in text


def test_snomed_code_with_a_display_naming_something_else_is_not_trusted():
    proc = procedure([{"system": SCT, "code": "429616001",
                       "display": "Aortopulmonary reconstruction"}], [{"text": "L1"}])
    ctx = parse_context(bundle(json.loads(patient_json()), proc).encode())
    assert "procedure" not in ctx.data
    ok = procedure([{"system": SCT, "code": "429616001", "display": "Percutaneous kyphoplasty"}],
                   [{"text": "L1"}])
    assert parse_context(bundle(json.loads(patient_json()), ok).encode()).data["procedure"] \
        == "kyphoplasty"


def test_latest_procedure_wins_and_cancelled_ones_are_skipped():
    old = procedure([{"system": CPT, "code": "22513"}], [{"text": "L4"}],
                    day=yesterday().replace(year=yesterday().year - 1))
    wrong = procedure([{"system": CPT, "code": "22511"}], [{"text": "L2"}],
                      status="entered-in-error")
    new = procedure([{"system": CPT, "code": "22514"}], [{"text": "L1"}])
    data = parse_context(bundle(json.loads(patient_json()), old, wrong, new).encode()).data
    assert (data["procedure"], data["levels"]) == ("kyphoplasty", ["L1"])


def test_level_range_wider_than_two_neighbours_is_left_to_the_nurse(tmp_path, capsys):
    proc = procedure([{"system": CPT, "code": "22513"}], [{"text": "T10-T12"}])
    ctx = write(tmp_path / "b.json", bundle(json.loads(patient_json()), proc))
    assert main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "range of levels" in err and "does not give the levels treated" in err
    assert not (tmp_path / "o").exists()


def test_two_mrns_need_mrn_system(tmp_path, capsys):
    ids = [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                 "code": "MR"}]}, "system": sys_, "value": v}
           for sys_, v in (("urn:oid:1.1", "AAA1"), ("urn:oid:2.2", "BBB2"))]
    ctx_text = patient_json(identifier=ids)
    ctx = write(tmp_path / "p.json", ctx_text)
    args = ["render", "--patient-context", str(ctx), "--procedure", "kyphoplasty", "--levels",
            "L1", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "more than one MRN" in err and "AAA1" not in err and "BBB2" not in err
    write(tmp_path / "p.json", ctx_text)
    assert main([*args, "--mrn-system", "urn:oid:2.2"]) == 0
    assert "BBB2" in pdf_text((tmp_path / "o" / "discharge-instructions-kyphoplasty.pdf")
                              .read_bytes())


def test_context_in_temp_folder_is_deleted_and_others_kept(tmp_path, capsys):
    in_temp = Path(tempfile.gettempdir()) / "ctx-1.json"
    write(in_temp, sample_text("synthea-bundle.json"))
    assert main(["render", "--patient-context", str(in_temp), "--out", str(tmp_path / "a")]) == 0
    assert not in_temp.exists()
    kept = write(tmp_path / "ctx-2.json", sample_text("synthea-bundle.json"))
    assert main(["render", "--patient-context", str(kept), "--out", str(tmp_path / "b")]) == 0
    assert kept.exists()
    # also deleted when unusable
    write(in_temp, "{not json")
    assert main(["render", "--patient-context", str(in_temp), "--out", str(tmp_path / "c")]) == 2
    assert not in_temp.exists()


MALFORMED = [
    ("{not json", "not valid JSON (line 1)"),
    ("[1, 2]", "must hold one FHIR resource"),
    ('{"resourceType": "Observation", "status": "final"}', "must be a FHIR Patient, or a Bundle"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "has no Patient"),
    (patient_json(birthDate="05/02/1944"), "(Patient.birthDate)"),
    (bundle(json.loads(patient_json()), json.loads(patient_json())), "more than one Patient"),
    ('{"resourceType": "Patient", "birthDate": NaN}', "not valid JSON"),
    (patient_json(), "does not give the procedure (kyphoplasty or vertebroplasty), the levels"),
    ("MSH|^~\\&|LAB|HOSP|||20261124||ORU^R01|1|P|2.5.1\rPID|1||1^^^H^MR||A^B||19500101\r",
     "not an ADT A01, A03, A04 or A08"),
    ("MSH|^~\\&|EPIC|HOSP|||20261124||ADT^A04|1|P|2.5.1\rEVN|A04\r", "has no PID segment"),
    ("MSH|^~\\&|EPIC|HOSP|||20261124||ADT^A04|1|P|2.5.1\rPID|1||1^^^H^MR\rthis is not a "
     "segment\r", "malformed segment (segment 3)"),
    ("Patient: Elena Rivera, DOB 1944-05-02", "neither FHIR JSON nor an HL7 v2"),
    (b"\xff\xfe{\x00", "not UTF-8 text"),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_malformed_context_exit_2_plain_line(tmp_path, capsys, content, message):
    ctx = write(tmp_path / "ctx", content)
    code = main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    for value in ("Elena", "Rivera", "1944", "MR-7788", "05/02"):
        assert value not in err
    assert not (tmp_path / "out").exists()


def test_missing_context_file(tmp_path, capsys):
    code = main(["render", "--patient-context", str(tmp_path / "none.json"), "--out",
                 str(tmp_path / "o")])
    assert code == 2
    assert "cannot be read" in capsys.readouterr().err


def test_form_context_lists_fields_from_the_record(tmp_path):
    from dischargedesk.ehr.cli import form_context

    ctx = write(tmp_path / "adt.hl7", sample_text("adt-a04-pr1.hl7"))
    fc = form_context(ctx)
    assert set(fc.from_record) == {"patient_name", "date_of_birth", "mrn", "physician",
                                   "procedure", "procedure_date", "levels", "language"}
    assert fc.values["levels"] == ["L1", "L2"] and fc.notes == ()


def test_app_entry_reads_checks_and_deletes_the_context(capsys, monkeypatch):
    bad = write(Path(tempfile.gettempdir()) / "app-ctx.json", '{"resourceType": "Claim"}')
    assert main(["--patient-context", str(bad)]) == 2
    assert "must be a FHIR Patient" in capsys.readouterr().err
    assert not bad.exists()
    good = write(Path(tempfile.gettempdir()) / "app-ctx.json", sample_text("us-core-patient.json"))
    opened: list = []  # the window itself is tested in tests/ui/test_patient_context.py
    monkeypatch.setattr("dischargedesk.app.run_app",
                        lambda clinic=None, context=None: opened.append(context) or 0)
    assert main(["--patient-context", str(good)]) == 0
    assert not good.exists()
    assert opened and "patient_name" in opened[0].from_record
