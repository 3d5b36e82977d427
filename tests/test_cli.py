"""The command line contract: paths on stdout, exit 0; bad input exit 2; failures exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dischargedesk import __version__
from dischargedesk.cli import main

from .conftest import pdf_text

ARGS = ["render", "--procedure", "vertebroplasty", "--levels", "L1,T12",
        "--patient-name", "Zed Quorum", "--mrn", "Q-77", "--procedure-date", "2026-11-20"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_both_and_prints_paths(tmp_path, capsys):
    out_dir = tmp_path / "new" / "folder"
    code, out, err = run([*ARGS, "--out", str(out_dir)], capsys)
    assert code == 0, err
    paths = [Path(p) for p in out.splitlines()]
    assert [p.name for p in paths] == ["discharge-instructions-vertebroplasty.pdf",
                                       "recovery-plan-vertebroplasty.pdf"]
    text = pdf_text(paths[0].read_bytes())
    assert "Zed Quorum" in text and "T12 and L1" in text
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in paths)


def test_request_file_and_override(tmp_path, capsys):
    req = tmp_path / "r.json"
    req.write_text(json.dumps({"procedure": "kyphoplasty", "level_count": 3,
                               "patient_name": "Json Person", "date_of_birth": "1940-01-02",
                               "medications": "Line one\nLine two"}))
    code, out, err = run(["render", "--request", str(req), "--patient-name", "Cli Person",
                          "--handouts", "discharge", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    text = pdf_text(Path(out.strip()).read_bytes())
    assert "Cli Person" in text and "Json Person" not in text
    assert "Line one" in text and "3 levels" in text


@pytest.mark.parametrize(("extra", "field_words"), [
    (["--levels", "T13"], "Levels treated"),
    (["--date-of-birth", "1950-02-30"], "Date of birth"),
    (["--language", "xx"], "Language"),
    (["--patient-name", ""], "Patient name"),
])
def test_bad_input_exit_2_one_line(tmp_path, capsys, extra, field_words):
    argv = [*ARGS, "--out", str(tmp_path / "o")]
    for i in range(0, len(extra), 2):
        if extra[i] in argv:
            argv[argv.index(extra[i]) + 1] = extra[i + 1]
        else:
            argv += extra[i:i + 2]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and field_words in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_argparse_errors_are_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["render", "--procedure", "kyphoplasty"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--out" in err


def test_bad_clinic_exit_2(tmp_path, capsys):
    code, _, err = run([*ARGS, "--clinic", str(tmp_path / "missing"), "--out", str(tmp_path)],
                       capsys)
    assert code == 2 and "clinic folder" in err


def test_unwritable_out_exit_1(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run([*ARGS, "--out", str(blocker / "sub")], capsys)
    assert code == 1 and out == ""
    assert "Traceback" not in err and "Zed" not in err


def test_unexpected_error_no_traceback_no_phi(tmp_path, capsys, monkeypatch):
    import dischargedesk.engine as engine

    def boom(*a, **k):
        raise RuntimeError("secret Zed Quorum")

    monkeypatch.setattr(engine, "render_handouts", boom)
    code, _, err = run([*ARGS, "--out", str(tmp_path)], capsys)
    assert code == 1 and "RuntimeError" in err and "Zed" not in err


def test_version_subprocess():
    result = subprocess.run([sys.executable, "-m", "dischargedesk.cli", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and __version__ in result.stdout


def test_help_lists_request_options():
    result = subprocess.run([sys.executable, "-m", "dischargedesk.cli", "render", "--help"],
                            capture_output=True, text=True)
    for opt in ("--levels", "--level-count", "--medication", "--follow-up-date", "--out",
                "--large-print", "--request"):
        assert opt in result.stdout


def test_sample_command(tmp_path, capsys):
    code, out, err = run(["sample", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert len(out.splitlines()) == 2


def test_templates_check_refuses_a_nan_parameter(tmp_path, capsys):
    """Before: `lifting_limit_lb = nan` passed the check with 0 errors and printed "NaN lb"."""
    from dischargedesk.clinic.folder import export_starter

    export_starter(tmp_path / "c")
    toml = tmp_path / "c" / "clinic.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("lifting_limit_lb = 10", "lifting_limit_lb = nan"),
                    encoding="utf-8")
    code, _out, err = run(["templates", "check", "--clinic", str(tmp_path / "c"), "--no-pdf"],
                         capsys)
    line = text.splitlines().index("lifting_limit_lb = 10") + 1
    assert code == 2 and f"clinic.toml, line {line}:" in err and "lifting_limit_lb" in err
    assert len(err.strip().splitlines()) == 1


# -- issue 11: encodings, hostile JSON, values never echoed ---------------------------------

REQUEST = {"procedure": "kyphoplasty", "levels": ["T12"], "patient_name": "José Muñoz",
           "mrn": "Q-1"}


def cli(args, stdin=b""):
    """The installed entry point in a real process, with real bytes on standard input."""
    import os

    return subprocess.run([sys.executable, "-m", "dischargedesk.cli", *args], input=stdin,
                          capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_windows_1252_on_stdin_is_refused_not_mangled(tmp_path):
    """Before: exit 0 and the handout said "Jos Muoz"."""
    data = json.dumps(REQUEST, ensure_ascii=False).encode("cp1252")
    r = cli(["render", "--request", "-", "--out", str(tmp_path / "o")], data)
    err = r.stderr.decode()
    assert r.returncode == 2 and "not UTF-8" in err and "save it as UTF-8" in err, err
    assert len(err.strip().splitlines()) == 1 and "Jos" not in err
    assert not (tmp_path / "o").exists()


def test_latin_1_request_file_says_utf_8_not_check_the_path(tmp_path, capsys):
    req = tmp_path / "r.json"
    req.write_bytes(json.dumps(REQUEST, ensure_ascii=False).encode("latin-1"))
    code, _, err = run(["render", "--request", str(req), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "not UTF-8" in err and "check the path" not in err


def test_bom_accepted_on_stdin_and_in_a_file(tmp_path, capsys):
    data = b"\xef\xbb\xbf" + json.dumps(REQUEST, ensure_ascii=False).encode()
    r = cli(["render", "--request", "-", "--handouts", "discharge", "--out",
             str(tmp_path / "a")], data)
    assert r.returncode == 0, r.stderr.decode()
    assert "José Muñoz" in pdf_text(Path(r.stdout.decode().strip()).read_bytes())
    req = tmp_path / "r.json"
    req.write_bytes(data)
    code, _out, err = run(["render", "--request", str(req), "--handouts", "discharge",
                          "--out", str(tmp_path / "b")], capsys)
    assert code == 0, err


@pytest.mark.parametrize("text", [
    '{"procedure": "kyphoplasty", "level_count": NaN, "patient_name": "A", "mrn": "1"}',
    '{"procedure": "kyphoplasty", "level_count": Infinity, "patient_name": "A", "mrn": "1"}',
    '{"procedure": "kyphoplasty", "level_count": ' + "9" * 5000 + ', "patient_name": "A"}',
    "[" * 100_000,
    '{"levels": ' + "[" * 5000 + "]" * 5000 + "}",
], ids=["nan", "infinity", "5000-digits", "100k-brackets", "deep-levels"])
def test_hostile_json_is_a_plain_bad_input(tmp_path, capsys, text):
    req = tmp_path / "r.json"
    req.write_text(text, encoding="utf-8")
    code, out, err = run(["render", "--request", str(req), "--out", str(tmp_path / "o")],
                         capsys)
    assert code == 2 and out == "" and "unexpected" not in err, err
    assert len(err.strip().splitlines()) == 1 and "request file" in err


@pytest.mark.parametrize("extra", [
    ["--anesthesia", "Qzxwv"],
    ["--level-count", "Qzxwv"],
    ["Qzxwv", "Smith"],                       # an unquoted "Qzxwv Smith" after --patient-name
    ["--patient-name", "Ana", "Qzxwv"],
    ["--handouts"],                           # a missing value
    ["--level-count", "9" * 5000],
    ["--Qzxwv"],
])
def test_argparse_never_echoes_a_value(tmp_path, capsys, extra):
    argv = [a for a in ARGS if a != "Zed Quorum"]
    argv[argv.index("--patient-name") + 1:argv.index("--patient-name") + 1] = ["Zed"]
    with pytest.raises(SystemExit) as info:
        main([*argv, *extra, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Qzxwv" not in err and "Smith" not in err and "99999" not in err, err
    assert len(err.strip().splitlines()) == 1 and "--help" in err


def test_argparse_message_names_the_option(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--anesthesia", "Smith", "--out", "x"])
    err = capsys.readouterr().err
    assert "--anesthesia" in err and "local, sedation, general" in err and "Smith" not in err


def test_repeated_level_exit_2_naming_it(tmp_path, capsys):
    code, out, err = run(["render", "--procedure", "kyphoplasty", "--levels", "T12,T12",
                          "--patient-name", "A B", "--mrn", "1", "--out", str(tmp_path)],
                         capsys)
    assert code == 2 and "T12" in err and "twice" in err and out == ""
def test_unusual_procedure_date_warns_on_stderr_exit_unchanged(tmp_path, capsys):
    import datetime as dt

    today = dt.date.today()
    base = [a for a in ARGS if a not in ("--procedure-date", "2026-11-20")]
    for day, warned in ((today, False), (today - dt.timedelta(days=1), False),
                        (today - dt.timedelta(days=9), True),
                        (today + dt.timedelta(days=3), True)):
        code, out, err = run([*base, "--procedure-date", day.isoformat(),
                              "--out", str(tmp_path / day.isoformat())], capsys)
        assert code == 0, err
        assert len(out.splitlines()) == 2
        lines = [ln for ln in err.splitlines() if "warning" in ln]
        assert len(lines) == (1 if warned else 0), (day, err)
        if warned:
            assert "procedure date is not today or yesterday" in lines[0]
            assert day.isoformat() not in err  # a sentence, never the value


def test_levels_range_on_the_command_line(tmp_path, capsys):
    argv = [a if a != "L1,T12" else "T11-L1" for a in ARGS]
    code, out, err = run([*argv, "--handouts", "discharge", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "T11, T12, and L1" in pdf_text(Path(out.strip()).read_bytes())


def test_templates_check_of_chosen_languages(capsys):
    code, out, err = run(["templates", "check", "--no-pdf", "--language", "en",
                          "--language", "es"], capsys)
    assert code == 0, err
    # en and es: 2 procedures x 6 level patterns x 3 anesthesias x 2 print sizes, and es
    # bilingual with sedation; two sample patients each
    assert out.splitlines()[-1].startswith(f"checked {(2 * 72 + 24) * 2} combinations:")
    graded = {line.split("/", 1)[0] for line in out.splitlines() if "reading grade" in line}
    assert graded == {"en", "es"}
    code, _out, err = run(["templates", "check", "--no-pdf", "--language", "xx"], capsys)
    assert code == 2 and "Language must be one of: " in err and "xx" not in err
