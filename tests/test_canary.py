"""Patient-data canary: one token in every field; run success and every failure path, then
search logs, stderr, temp folders, output file names and PDF metadata. The token may appear
only in page text. (The app's settings file and slot exceptions: tests/ui/test_canary_ui.py.)
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pikepdf
import pytest

from dischargedesk.cli import main
from dischargedesk.resources import sample_clinic_dir

from .conftest import pdf_text

TOKEN = "Qzxcanary"


def canary_args(out: Path, clinic: Path | None = None) -> list[str]:
    args = ["render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
            "--patient-name", f"{TOKEN}name Smith", "--mrn", f"{TOKEN}1",
            "--date-of-birth", "1950-01-01", "--caregiver", f"{TOKEN}care",
            "--physician", f"Dr {TOKEN}doc", "--medication", f"{TOKEN}med 5 mg",
            "--blood-thinner", f"{TOKEN}thin", "--follow-up-date", "2026-12-09",
            "--follow-up-with", f"{TOKEN}with", "--follow-up-where", f"{TOKEN}where",
            "--out", str(out)]
    if clinic:
        args += ["--clinic", str(clinic)]
    return args


def token_places(token: str, tmp: Path, captured: str, logs: str,
                 allowed: tuple[Path, ...] = ()) -> list[str]:
    """Where ``token`` was found outside the pages: output, logs, file names and contents in
    the temp folder, ``tmp`` and home (PDFs and the ``allowed`` files aside)."""
    found = []
    if token in captured:
        found.append("stdout/stderr")
    if token in logs:
        found.append("logs")
    for root in (Path(tempfile.gettempdir()), tmp, Path(os.environ["HOME"])):
        for path in root.rglob("*"):
            if token in path.name:
                found.append(f"file name {path}")
            elif path.is_file() and path.suffix != ".pdf" and \
                    not any(path.is_relative_to(a) for a in allowed) and \
                    path.stat().st_size < 5_000_000 and token.encode() in path.read_bytes():
                found.append(f"file content {path}")
    return found


def everything_but_pages(tmp: Path, out: Path, captured: str, logs: str) -> list[str]:
    """Places where the token must not be, as (place) strings where it was found."""
    found = token_places(TOKEN, tmp, captured, logs)
    if out.is_dir():
        for pdf_path in out.glob("*.pdf"):
            pdf = pikepdf.open(pdf_path)
            meta = " ".join(str(v) for v in pdf.docinfo.values())
            with pdf.open_metadata() as xmp:
                meta += str(xmp)
            if TOKEN in meta:
                found.append(f"metadata {pdf_path.name}")
    return found


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_success_path(tmp_path, capsys, logs):
    out = tmp_path / "out"
    assert main(canary_args(out)) == 0
    cap = capsys.readouterr()
    assert everything_but_pages(tmp_path, out, cap.out + cap.err, logs.text) == []
    text = pdf_text((out / "discharge-instructions-kyphoplasty.pdf").read_bytes())
    for part in ("name", "1", "med", "thin", "with", "where"):
        assert f"{TOKEN}{part}" in text


def test_render_failure(tmp_path, capsys, logs, monkeypatch):
    import dischargedesk.render.pdf as pdfmod

    def explode(*args, **kwargs):
        raise ValueError(f"paragraph text {TOKEN}name leaked")

    monkeypatch.setattr(pdfmod.BaseDocTemplate, "build", explode)
    assert main(canary_args(tmp_path / "out")) == 1
    cap = capsys.readouterr()
    assert "could not be laid out" in cap.err
    assert everything_but_pages(tmp_path, tmp_path / "out", cap.out + cap.err, logs.text) == []


def test_write_failure(tmp_path, capsys, logs, monkeypatch):
    import dischargedesk.output as output

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", fail)
    out = tmp_path / "out"
    assert main(canary_args(out)) == 1
    cap = capsys.readouterr()
    assert "disk is full" in cap.err
    assert everything_but_pages(tmp_path, out, cap.out + cap.err, logs.text) == []
    assert list(out.iterdir()) == []


def test_template_error(tmp_path, capsys, logs):
    clinic = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), clinic)
    bad = clinic / "templates" / "en" / "discharge" / "30-wound-care.txt"
    bad.parent.mkdir(parents=True)
    bad.write_text("# Wound\n{{ patient[patient.name] }}\n{{ medications[0] ~ x }}\n")
    out = tmp_path / "out"
    assert main(canary_args(out, clinic)) == 1
    cap = capsys.readouterr()
    assert "template error in clinic en/discharge/30-wound-care.txt, line 2" in cap.err
    assert everything_but_pages(tmp_path, out, cap.out + cap.err, logs.text) == []


def test_invalid_input(tmp_path, capsys, logs):
    args = canary_args(tmp_path / "out")
    args[args.index("--date-of-birth") + 1] = f"{TOKEN}-bad"
    assert main(args) == 2
    cap = capsys.readouterr()
    assert "Date of birth" in cap.err
    assert everything_but_pages(tmp_path, tmp_path / "out", cap.out + cap.err, logs.text) == []


def test_metadata_xmp_free_of_token(tmp_path):
    assert main(canary_args(tmp_path / "o")) == 0
    data = (tmp_path / "o" / "recovery-plan-kyphoplasty.pdf").read_bytes()
    assert TOKEN.encode() not in pikepdf.open(io.BytesIO(data)).docinfo.unparse()


@pytest.mark.parametrize("case", ["level", "unknown-key", "unquoted", "bad-choice",
                                  "not-utf8"])
def test_invalid_input_never_quotes_the_value(tmp_path, capsys, logs, case):
    """Each message is built from field and option names only (issue 11: the levels field
    echoed 8 characters, unknown JSON keys 40, argparse an unquoted surname)."""
    import json

    out = tmp_path / "out"
    args = canary_args(out)
    req = tmp_path / "req.json"
    if case == "level":
        args[args.index("--levels") + 1] = f"T12,{TOKEN}"
    elif case == "unknown-key":
        req.write_text(json.dumps({f"{TOKEN} Smith": "x"}), encoding="utf-8")
        args += ["--request", str(req)]
    elif case == "unquoted":
        args[args.index("--patient-name") + 1:args.index("--patient-name") + 2] = [
            "Ana", f"{TOKEN}surname"]
    elif case == "bad-choice":
        args += ["--anesthesia", f"{TOKEN}sedation"]
    else:
        req.write_bytes(json.dumps({"caregiver": f"{TOKEN} Muñoz"}, ensure_ascii=False)
                        .encode("cp1252"))
        args += ["--request", str(req)]
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    cap = capsys.readouterr()
    req.unlink(missing_ok=True)  # the request file itself holds the token, as it should
    assert everything_but_pages(tmp_path, out, cap.out + cap.err, logs.text) == []
    assert TOKEN[:4] not in cap.err  # not even a truncated part of it
