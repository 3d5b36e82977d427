"""The command line and the Python API use the clinic exactly as the app does (issue 11)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dischargedesk.cli import main
from dischargedesk.resources import sample_clinic_dir
from dischargedesk.siteconfig import SITE_ENV

from .conftest import pdf_text

ARGS = ["render", "--procedure", "kyphoplasty", "--levels", "L1", "--patient-name",
        "Zed Quorum", "--mrn", "Q-77",
        # today: another date adds the procedure-date warning on stderr
        "--procedure-date", dt.date.today().isoformat()]
CLINIC = "Lakeside Spine Clinic"
PHONE = "555-0142"


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "network" / "spine"
    shutil.copytree(sample_clinic_dir(), folder)
    toml = folder / "clinic.toml"
    text = toml.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if line.startswith("name ="):
            line = f'name = "{CLINIC}"'
        elif line.startswith("phone ="):
            line = f'phone = "{PHONE}"'
        elif line.startswith("version ="):
            line = 'version = "2026-11"'
        lines.append(line)
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "site.toml"
    monkeypatch.setenv(SITE_ENV, str(path))

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


def render(tmp_path: Path, capsys, *extra: str) -> tuple[int, str, str, Path]:
    out = tmp_path / "out"
    code = main([*ARGS, *extra, "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr, out


def test_render_uses_the_site_clinic_not_the_sample(tmp_path, capsys, site, share):
    site(f"clinic_folder = '{share}'\n")
    code, stdout, stderr, _ = render(tmp_path, capsys)
    assert code == 0, stderr
    text = pdf_text(Path(stdout.splitlines()[0]).read_bytes())
    assert CLINIC in text and PHONE in text
    assert "Riverbend" not in text and stderr == ""


def test_render_falls_back_to_the_checked_copy_with_a_warning(tmp_path, capsys, site, share):
    site(f"clinic_folder = '{share}'\n")
    assert render(tmp_path, capsys)[0] == 0
    shutil.rmtree(share)  # the server is gone
    code, stdout, stderr, _ = render(tmp_path, capsys)
    assert code == 0
    assert stderr.startswith("dischargedesk: warning: The clinic folder on the network cannot "
                             "be reached; using the copy from")
    assert "version 2026-11" in stderr and stderr.count("\n") == 1
    text = pdf_text(Path(stdout.splitlines()[0]).read_bytes())
    assert CLINIC in text and "Riverbend" not in text


def test_render_without_any_good_copy_fails_and_never_uses_the_sample(tmp_path, capsys, site):
    site(f"clinic_folder = '{tmp_path / 'no-server' / 'spine'}'\n")
    code, stdout, stderr, out = render(tmp_path, capsys)
    assert code == 1 and stdout == ""
    assert "cannot be reached" in stderr and "Traceback" not in stderr
    assert stderr.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


def test_sample_command_follows_the_site_too(tmp_path, capsys, site, share):
    site(f"clinic_folder = '{share}'\n")
    code = main(["sample", "--out", str(tmp_path / "s")])
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert CLINIC in pdf_text(Path(stdout.splitlines()[0]).read_bytes())


@pytest.mark.parametrize("lock", ["lock_clinic_profile", "lock_templates"])
def test_clinic_option_is_refused_when_locked(tmp_path, capsys, site, share, lock):
    site(f"clinic_folder = '{share}'\n{lock} = true\n")
    other = tmp_path / "my-clinic"
    shutil.copytree(sample_clinic_dir(), other)
    code, stdout, stderr, out = render(tmp_path, capsys, "--clinic", str(other))
    assert code == 2 and stdout == ""
    assert lock in stderr and "--clinic" in stderr and stderr.count("\n") == 1
    assert not out.exists()
    code = main(["sample", "--clinic", str(other), "--out", str(tmp_path / "s")])
    assert code == 2 and lock in capsys.readouterr().err


def test_clinic_option_works_when_not_locked(tmp_path, capsys, site, share):
    site("idle_clear_minutes = 5\n")
    code, stdout, stderr, _ = render(tmp_path, capsys, "--clinic", str(share))
    assert code == 0, stderr
    assert CLINIC in pdf_text(Path(stdout.splitlines()[0]).read_bytes())


@pytest.mark.full_check  # the whole check of the sample clinic, every run
def test_python_api_resolves_the_site_clinic(site, share, today):
    import dischargedesk
    from dischargedesk import HandoutRequest, render_handouts

    site(f"clinic_folder = '{share}'\n")
    source = dischargedesk.resolve_clinic()
    assert source.kind == "share" and source.clinic.name == CLINIC
    request = HandoutRequest.from_mapping({"procedure": "kyphoplasty", "levels": ["L1"],
                                           "patient_name": "Zed Quorum", "mrn": "Q-77"},
                                          today=today)
    (first, _) = render_handouts(request, source.clinic)
    assert PHONE in pdf_text(first.pdf)


def test_a_refused_share_version_prints_one_warning_line(tmp_path, capsys, site, share):
    """In a real process (no pytest log capture): the check's event log stays off stderr."""
    import os
    import subprocess
    import sys

    import dischargedesk

    site(f"clinic_folder = '{share}'\n")
    assert render(tmp_path, capsys)[0] == 0
    logo = share / "logo.png"
    logo.write_bytes(logo.read_bytes()[:3000])  # half-copied logo
    env = dict(os.environ, PYTHONPATH=str(Path(dischargedesk.__file__).parents[1]))
    done = subprocess.run([sys.executable, "-m", "dischargedesk.cli", *ARGS, "--out",
                           str(tmp_path / "out2")], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2
    assert done.stderr.startswith("dischargedesk: warning: The new clinic templates on the "
                                  "network have a problem; using the copy from")
    assert done.stderr.count("\n") == 1, done.stderr  # no log lines from the check
