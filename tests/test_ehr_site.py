"""Issue 15: the site file names the hospital's MRN system and the chart outbox, and the
chart documents carry the site's clinic (never the sample clinic)."""

from __future__ import annotations

import json
from pathlib import Path

from dischargedesk.cli import main
from dischargedesk.siteconfig import SITE_ENV

from .conftest import pdf_text
from .ehr_helpers import patient_json, sample_text, write


def _site(tmp_path: Path, monkeypatch, text: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(text, encoding="utf-8")
    monkeypatch.setenv(SITE_ENV, str(site))


def test_site_mrn_system_picks_the_mrn(tmp_path, monkeypatch, capsys):
    ids = [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                 "code": "MR"}]}, "system": s, "value": v}
           for s, v in (("urn:oid:1.1", "AAA1"), ("urn:oid:2.2", "BBB2"))]
    ctx = write(tmp_path / "p.json", patient_json(identifier=ids))
    _site(tmp_path, monkeypatch, 'mrn_system = "urn:oid:2.2"\n')
    assert main(["render", "--patient-context", str(ctx), "--procedure", "kyphoplasty",
                 "--levels", "L1", "--out", str(tmp_path / "o")]) == 0
    text = pdf_text((tmp_path / "o" / "discharge-instructions-kyphoplasty.pdf").read_bytes())
    assert "BBB2" in text and "AAA1" not in text


def test_site_chart_outbox_files_the_documents(tmp_path, monkeypatch, capsys):
    outbox = tmp_path / "outbox"
    _site(tmp_path, monkeypatch, f"chart_outbox = '{outbox}'\n")
    ctx = write(tmp_path / "adt.hl7", sample_text("adt-a04-pr1.hl7"))
    assert main(["render", "--patient-context", str(ctx), "--out", str(tmp_path / "o")]) == 0
    files = sorted(outbox.iterdir())
    assert [f.suffix for f in files] == [".json"]  # FHIR by default
    bundle = json.loads(files[0].read_text(encoding="utf-8"))
    assert "Riverbend" in json.dumps(bundle)  # the clinic in use (here: the sample clinic)


def test_a_user_file_cannot_choose_the_chart_outbox(tmp_path, monkeypatch, capsys):
    from dischargedesk.siteconfig import load_config

    _site(tmp_path, monkeypatch, "")
    user = Path(load_config().user_file)
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(f"chart_outbox = '{tmp_path / 'elsewhere'}'\n", encoding="utf-8")
    assert load_config()["chart_outbox"] is None
