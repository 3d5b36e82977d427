"""The archive on one workstation (SQLite through SQLCipher): print -> list -> reprint byte
for byte after the clinic changed, no patient value in the database file in any form, wrong
or missing key, purge, many writers at once, the access log, the local queue."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
from pathlib import Path

import pytest

from dischargedesk.archive.errors import ArchiveKeyError
from dischargedesk.archive.keys import init_key_file
from dischargedesk.archive.service import Archive, handouts_outputs
from dischargedesk.archive.store import open_sqlite
from dischargedesk.cli import main
from dischargedesk.clinic.folder import export_starter
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_handouts
from dischargedesk.sample import sample_request_data
from dischargedesk.siteconfig import SITE_ENV, ArchiveSettings, load_config, user_data_dir

from .archive_helpers import archive_files, decrypted_pages, key_of, write_site
from .test_canary import TOKEN, canary_args, everything_but_pages

TODAY = dt.date.today()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    key = tmp_path / "keys" / "archive.key"
    key.parent.mkdir()
    assert main(["archive", "init-key", str(key)]) == 0
    db = tmp_path / "db" / "archive.db"
    db.parent.mkdir()
    site = write_site(tmp_path, f"sqlite:///{db}", key)
    monkeypatch.setenv(SITE_ENV, str(site))
    clinic = tmp_path / "clinic"
    export_starter(clinic)
    return {"key": key, "db": db, "site": site, "clinic": clinic, "tmp": tmp_path}


def render_args(out: Path, clinic: Path, *extra: str) -> list[str]:
    return ["render", "--procedure", "kyphoplasty", "--levels", "T12,L1",
            "--patient-name", "Ana Lopez", "--mrn", "MRN-001", "--date-of-birth",
            "1950-01-01", "--clinic", str(clinic), "--out", str(out), *extra]


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert main(["archive", "list", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_key_file_is_new_private_and_never_replaced(tmp_path, capsys):
    key = tmp_path / "k.key"
    assert main(["archive", "init-key", str(key)]) == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    before = key.read_bytes()
    capsys.readouterr()
    assert main(["archive", "init-key", str(key)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert key.read_bytes() == before


def test_round_trip_reprint_is_byte_identical_after_the_clinic_changed(site, capsys):
    out = site["tmp"] / "out"
    assert main(render_args(out, site["clinic"], "--teach-back", "--nurse", "AB",
                            "--interpreter", "Spanish, ID 4471", "--caregiver-present")) == 0
    printed = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(printed) == 2
    lines = listed(capsys)
    assert len(lines) == 1
    record_id, rest = lines[0].split("  ", 1)
    assert "kyphoplasty  discharge,recovery  en  cli" in rest and "Ana" not in rest
    # the clinic changes its templates and its phone number after the print
    section = sorted((site["clinic"] / "templates" / "en" / "discharge").glob("*.txt"))[0]
    section.write_text(section.read_text(encoding="utf-8") + "\nA new line the clinic "
                       "added later.\n", encoding="utf-8")
    toml = site["clinic"] / "clinic.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("555", "556"), encoding="utf-8")
    now = site["tmp"] / "now"
    assert main(render_args(now, site["clinic"])) == 0
    assert (now / "discharge-instructions-kyphoplasty.pdf").read_bytes() != \
        printed["discharge-instructions-kyphoplasty.pdf"]  # the change shows in new prints
    again = site["tmp"] / "again"
    capsys.readouterr()
    assert main(["archive", "reprint", record_id, "--out", str(again)]) == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == printed
    # two distinct clinic versions: two snapshots, each stored once
    store = open_sqlite(site["db"], key_of(site["key"]))
    try:
        assert len(store.snapshot_ids()) == 2
        row = store.records(record_id=record_id)[0]
        assert (row["teach_back"], row["caregiver_present"], row["interpreter_used"]) == \
            (1, 1, 1)
    finally:
        store.close()


def test_same_request_same_bytes_and_snapshot_stored_once(site, sample_clinic):
    request = HandoutRequest.from_mapping(sample_request_data(TODAY), today=TODAY)
    first = [h.pdf for h in render_handouts(request, sample_clinic)]
    second = [h.pdf for h in render_handouts(request, sample_clinic)]
    assert first == second  # the engine is deterministic: the archive relies on it
    settings = load_config().archive
    assert settings is not None
    archive = Archive(settings)
    files = [(h.kind, h.file_name, h.pdf) for h in render_handouts(request, sample_clinic)]
    ids = [archive.record(request, sample_clinic, handouts_outputs(files), event="saved",
                          today=TODAY)[0] for _ in range(3)]
    store = open_sqlite(site["db"], archive.key)
    try:
        assert len(store.snapshot_ids()) == 1
        assert store.count() == 3
    finally:
        store.close()
    # the sample clinic's notice comes back too (the snapshot says it was the sample)
    pdfs = archive.reprint_pdfs(ids[0])
    assert [pdf for _, pdf in pdfs] == first


def test_no_patient_value_in_the_database_files(site, capsys, caplog):
    holder = open_sqlite(site["db"], key_of(site["key"]))  # keeps the WAL file in place
    try:
        out = site["tmp"] / "out"
        args = [*canary_args(out, site["clinic"]), "--interpreter", f"{TOKEN}interp",
                "--nurse", "QZ"]
        assert main(args) == 0
        files = archive_files(site["db"])
        assert any(p.name.endswith("-wal") for p in files)
        for path in files:
            data = path.read_bytes()
            for needle in (TOKEN, TOKEN.lower(), TOKEN.upper(), "Smith"):
                assert needle.encode() not in data, path.name
                assert needle.encode("utf-16-le") not in data, path.name
        holder.execute("PRAGMA wal_checkpoint(FULL)")
        plain = decrypted_pages(site["db"], key_of(site["key"]))
        assert b"CREATE TABLE records" in plain  # the pages really were decrypted
        assert b"kyphoplasty" in plain
        for needle in (TOKEN.encode(), b"1950-01-01", b"Smith",
                       hashlib.sha256(f"{TOKEN}1".encode()).hexdigest().encode()):
            assert needle not in plain
    finally:
        holder.close()
    cap = capsys.readouterr()
    assert everything_but_pages(site["tmp"], out, cap.out + cap.err, caplog.text) == []


def test_wrong_key_is_a_plain_error_and_nothing_is_printed(site, capfd, tmp_path):
    assert main(render_args(tmp_path / "first", site["clinic"])) == 0
    other = tmp_path / "other.key"
    init_key_file(other)
    write_site(tmp_path, f"sqlite:///{site['db']}", other)
    capfd.readouterr()
    assert main(["archive", "list"]) == 1
    cap = capfd.readouterr()  # the file descriptors: SQLCipher's own log lines too
    assert cap.out == ""
    assert cap.err.startswith("dischargedesk: The archive key does not open the archive")
    assert cap.err.count("\n") == 1  # one plain line, nothing from the C library
    out = tmp_path / "second"
    assert main(render_args(out, site["clinic"])) == 1
    assert "archive key does not open" in capfd.readouterr().err
    assert not out.exists() or list(out.iterdir()) == []


def test_key_rotation_re_encrypts_everything(site, capsys, tmp_path):
    out = tmp_path / "a"
    assert main(render_args(out, site["clinic"])) == 0
    printed = {p.name: p.read_bytes() for p in out.iterdir()}
    record_id = listed(capsys)[0].split()[0]
    old_key = key_of(site["key"])
    new = tmp_path / "new.key"
    capsys.readouterr()
    assert main(["archive", "rotate-key", str(new)]) == 0
    assert "1 record(s) re-encrypted" in capsys.readouterr().out
    assert (new.stat().st_mode & 0o777) == 0o600
    assert main(["archive", "list"]) == 1  # the old key no longer opens the file
    write_site(site["tmp"], f"sqlite:///{site['db']}", new)
    assert len(listed(capsys, "--mrn", "MRN-001")) == 1  # the MRN hash was made again
    again = tmp_path / "again"
    assert main(["archive", "reprint", record_id, "--out", str(again)]) == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == printed
    archive = Archive(load_config().archive)
    store = open_sqlite(site["db"], archive.key)
    try:
        (row,) = store.records()
        assert row["key_id"] == archive.key.key_id != old_key.key_id
    finally:
        store.close()
    assert main(["archive", "rotate-key", str(new)]) == 1  # never replaces a key file
    assert main(["archive", "verify", "--full"]) == 0


def test_missing_or_unsafe_key_file(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "first", site["clinic"])) == 0
    site["key"].chmod(0o644)
    capsys.readouterr()
    assert main(["archive", "list"]) == 1
    assert "can be read by every user" in capsys.readouterr().err
    site["key"].unlink()
    assert main(["archive", "list"]) == 1
    err = capsys.readouterr().err
    assert "key file" in err and "is missing" in err
    assert main(render_args(tmp_path / "second", site["clinic"])) == 1


def test_no_keyring_is_a_plain_error(tmp_path, monkeypatch, capsys):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setenv(SITE_ENV, str(write_site(tmp_path, f"sqlite:///{tmp_path / 'a.db'}",
                                                None)))
    assert main(["archive", "list"]) == 1
    assert "no OS keyring" in capsys.readouterr().err
    assert main(["archive", "init-key", "--keyring"]) == 1
    assert not (tmp_path / "a.db").exists()


def test_envelope_is_bound_to_its_record(site):
    key = key_of(site["key"])
    sealed = key.seal("7f1e2d3c-0000-4000-8000-000000000001", {"x": 1})
    assert key.open("7f1e2d3c-0000-4000-8000-000000000001", sealed) == {"x": 1}
    with pytest.raises(ArchiveKeyError, match="damaged"):
        key.open("7f1e2d3c-0000-4000-8000-000000000002", sealed)


def test_list_by_mrn_and_since_and_names_only_when_asked(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "a", site["clinic"])) == 0
    other = render_args(tmp_path / "b", site["clinic"])
    other[other.index("--mrn") + 1] = "MRN-002"
    other[other.index("--patient-name") + 1] = "Bo Chen"
    assert main(other) == 0
    assert len(listed(capsys)) == 2
    assert len(listed(capsys, "--mrn", " mrn-001 ")) == 1  # case and spaces do not matter
    assert listed(capsys, "--mrn", "MRN-003") == []
    named = listed(capsys, "--mrn", "MRN-002", "--show-names")
    assert len(named) == 1 and named[0].endswith("Bo Chen")
    assert listed(capsys, "--since", (TODAY + dt.timedelta(days=2)).isoformat()) == []
    assert len(listed(capsys, "--since", (TODAY - dt.timedelta(days=1)).isoformat())) == 2
    log = Archive(load_config().archive).access_log()
    lists = [e for e in log if e.action == "list"]
    assert len(lists) == 6
    assert any("names_shown=yes" in e.detail for e in lists)
    for entry in log:
        text = json.dumps(entry.__dict__)
        assert "Bo" not in text and "MRN-00" not in text and "Chen" not in text


def test_reprint_refuses_a_changed_record_and_writes_nothing(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "a", site["clinic"])) == 0
    record_id = listed(capsys)[0].split()[0]
    store = open_sqlite(site["db"], key_of(site["key"]))
    try:
        with store.transaction():
            row = store.records(record_id=record_id)[0]
            outputs = json.loads(row["outputs"])
            outputs[1]["sha256"] = "0" * 64
            store.execute("UPDATE records SET outputs = ? WHERE id = ?",
                          (json.dumps(outputs), record_id))
    finally:
        store.close()
    out = tmp_path / "re"
    capsys.readouterr()
    assert main(["archive", "reprint", record_id, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "does not match what was handed out" in err and "PDF 2 of 2" in err
    assert not out.exists() or list(out.iterdir()) == []
    assert main(["archive", "verify", "--full"]) == 1
    assert main(["archive", "reprint", "not-an-id", "--out", str(out)]) == 1
    assert main(["archive", "reprint", "7f1e2d3c-0000-4000-8000-000000000001", "--out",
                 str(out)]) == 1
    assert "no record" in capsys.readouterr().err


def test_reprint_without_its_snapshot_fails_plainly(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "a", site["clinic"])) == 0
    record_id = listed(capsys)[0].split()[0]
    store = open_sqlite(site["db"], key_of(site["key"]))
    try:
        with store.transaction():
            store.execute("PRAGMA foreign_keys = OFF")
        store.conn.execute("PRAGMA foreign_keys = OFF")
        with store.transaction():
            store.execute("UPDATE snapshots SET data = ?", (b"x",))
    finally:
        store.close()
    capsys.readouterr()
    assert main(["archive", "reprint", record_id, "--out", str(tmp_path / "re")]) == 1
    assert "snapshot" in capsys.readouterr().err
    assert main(["archive", "verify"]) == 1


def test_purge_removes_old_rows_from_the_file(site, sample_clinic, capsys):
    settings = load_config().archive
    archive = Archive(settings)
    request = HandoutRequest.from_mapping(sample_request_data(TODAY), today=TODAY)
    files = [(h.kind, h.file_name, h.pdf) for h in render_handouts(request, sample_clinic)]
    old_when = dt.datetime.now(dt.UTC) - dt.timedelta(days=401)
    old_id, _ = archive.record(request, sample_clinic, handouts_outputs(files),
                               event="printed", today=TODAY, when=old_when)
    new_id, _ = archive.record(request, sample_clinic, handouts_outputs(files),
                               event="printed", today=TODAY)
    archive.close()  # the last connection closed: everything is in the main file
    store = open_sqlite(site["db"], archive.key)
    try:
        old_phi = bytes(store.records(record_id=old_id)[0]["phi"])
    finally:
        store.close()
    assert old_phi in decrypted_pages(site["db"], archive.key)  # the check can see it
    capsys.readouterr()
    assert main(["archive", "purge"]) == 0
    assert "purged 1 record" in capsys.readouterr().out
    assert [line.split()[0] for line in listed(capsys)] == [new_id]
    plain = decrypted_pages(site["db"], archive.key)
    assert old_phi not in plain and old_id.encode() not in plain.replace(
        b"purge", b"")  # gone, free pages included (VACUUM)
    assert [e.action for e in archive.access_log()].count("purge") == 1


def _writer(site_file: str, home: str, clinic: str, n: int, seed: int) -> None:
    os.environ[SITE_ENV] = site_file
    os.environ["XDG_DATA_HOME"] = home
    archive = Archive(load_config().archive)
    clinic_profile = load_clinic(clinic)
    request = HandoutRequest.from_mapping(sample_request_data(TODAY) | {
        "mrn": f"W{seed}"}, today=TODAY)
    files = [("discharge", "d.pdf", b"%PDF-x")]
    for _ in range(n):
        archive.record(request, clinic_profile, handouts_outputs(files), event="printed",
                       today=TODAY)


def test_concurrent_writers_in_separate_processes(site, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(site["site"]), str(tmp_path / "data"),
                                               str(site["clinic"]), 6, i)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    archive = Archive(load_config().archive)
    rows = archive.listing()
    assert len(rows) == 24 and len({r.record_id for r in rows}) == 24
    for i in range(4):
        assert len(archive.listing(mrn=f"W{i}")) == 6
    assert archive.queue.pending() == []  # none had to wait: all went straight in


def test_unreachable_database_queues_and_sends_once(site, capsys, tmp_path):
    away = tmp_path / "share-not-mounted" / "archive.db"
    write_site(tmp_path, f"sqlite:///{away}", site["key"])
    out = tmp_path / "a"
    assert main(render_args(out, site["clinic"])) == 0  # printing still works
    assert len(list(out.iterdir())) == 2
    assert "waits on this computer" in capsys.readouterr().err
    archive = Archive(load_config().archive)
    assert len(archive.queue.pending()) == 1
    for path in archive.queue.folder.iterdir():
        assert b"Ana" not in path.read_bytes() and b"MRN-001" not in path.read_bytes()
    away.parent.mkdir()  # the share is back
    assert len(listed(capsys)) == 1
    assert len(listed(capsys)) == 1  # sent once
    assert archive.queue.pending() == []


def test_archive_off_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(SITE_ENV, str(tmp_path / "no-site.toml"))
    assert main(render_args(tmp_path / "out", Path(__file__).parent.parent / "resources" /
                            "sample-clinic")) == 0
    data = user_data_dir()
    assert not (data / "archive-queue").exists() and not (data / "archive-snapshots").exists()
    assert main(["archive", "list"]) == 1
    assert "archive is off" in capsys.readouterr().err


@pytest.mark.parametrize("table", [
    'url = "sqlite:///relative/archive.db"\nkey_file = "/k"',
    'url = "mysql://x"\nkey_file = "/k"',
    'url = "sqlite:////a.db"',
    'url = "sqlite:////a.db"\nkey_file = "/k"\nkey_source = "keyring"',
    'url = "sqlite:////a.db"\nkey_file = "/k"\nretention_days = 0',
    'url = "sqlite:////a.db"\nkey_file = "/k"\npassword = "x"',
])
def test_a_bad_archive_table_is_reported_and_the_archive_stays_off(tmp_path, table):
    site = tmp_path / "site.toml"
    site.write_text(f"[archive]\n{table}\n", encoding="utf-8")
    config = load_config(site_file=site, user_file=tmp_path / "u.toml")
    assert config.archive is None
    assert len(config.messages) == 1 and "“archive”" in config.messages[0]
    assert "line 1" in config.messages[0]


def test_archive_settings_text_hides_the_password():
    s = ArchiveSettings("postgresql://dd:secret@db:5432/x", None, "keyring")
    assert "secret" not in str(s) and "db:5432" in str(s)


def test_without_sqlcipher_installed_a_plain_error(site, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as on a machine without it
    assert main(["archive", "list"]) == 1
    assert "needs SQLCipher" in capsys.readouterr().err


def test_bad_options_are_exit_2_without_opening_the_archive(site, capsys):
    assert main(["archive", "list", "--since", "2026-13-01"]) == 2
    assert "--since must be a date" in capsys.readouterr().err
    assert main(["archive", "init-key"]) == 2
    assert not site["db"].exists()


def test_a_newer_schema_is_refused_and_migrations_run_once(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "a", site["clinic"])) == 0
    assert main(render_args(tmp_path / "b", site["clinic"])) == 0
    store = open_sqlite(site["db"], key_of(site["key"]))
    try:
        assert store.all("SELECT version, name FROM schema_version") == [
            (1, "records, snapshots, access log")]
        with store.transaction():
            store.execute("INSERT INTO schema_version (version, name, applied_at) VALUES "
                          "(99, 'future', 'x')")
    finally:
        store.close()
    capsys.readouterr()
    assert main(["archive", "list"]) == 1
    assert "made by a newer Discharge Desk" in capsys.readouterr().err


def test_bilingual_print_round_trip(site, capsys, tmp_path):
    out = tmp_path / "out"
    assert main(render_args(out, site["clinic"], "--language", "es", "--bilingual")) == 0
    printed = {p.name: p.read_bytes() for p in out.iterdir()}
    (line,) = listed(capsys)
    assert "  es+en  " in line
    again = tmp_path / "again"
    assert main(["archive", "reprint", line.split()[0], "--out", str(again)]) == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == printed
