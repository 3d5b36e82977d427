"""The archive of a whole site on a real PostgreSQL server (a throwaway cluster made with
the server's own initdb, run by a non-root user): the same round trip, no patient value in
the server's rows or files, wrong key, purge, many writers at once, and the server going
away mid-run with the queued records arriving exactly once when it is back.

Skipped when no PostgreSQL binaries are installed, except in CI (.ci/run sets
DISCHARGEDESK_REQUIRE_POSTGRES=1 and installs Debian's postgresql package), where a missing
server fails the run."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import uuid
from pathlib import Path

import pytest

from dischargedesk.archive.service import Archive, handouts_outputs
from dischargedesk.cli import main
from dischargedesk.clinic.folder import export_starter
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.sample import sample_request_data
from dischargedesk.siteconfig import SITE_ENV, load_config

from .archive_helpers import REQUIRE_POSTGRES, PostgresServer, postgres_bin, write_site
from .test_archive import listed, render_args
from .test_canary import TOKEN, canary_args

TODAY = dt.date.today()


@pytest.fixture(scope="session")
def server():
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are not installed, and "
                        f"{REQUIRE_POSTGRES}=1 says these tests must run")
        pytest.skip("no PostgreSQL server binaries installed")
    pg = PostgresServer(bindir)
    yield pg
    pg.close()


@pytest.fixture
def site(server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    url = server.create_database(f"t_{uuid.uuid4().hex[:12]}")
    key = tmp_path / "archive.key"
    assert main(["archive", "init-key", str(key)]) == 0
    site = write_site(tmp_path, url, key)
    monkeypatch.setenv(SITE_ENV, str(site))
    clinic = tmp_path / "clinic"
    export_starter(clinic)
    return {"url": url, "key": key, "site": site, "clinic": clinic, "tmp": tmp_path}


def rows_as_text(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        parts = []
        for table in ("records", "snapshots", "access_log", "archive_meta"):
            parts += [r[0] for r in conn.execute(f"SELECT t::text FROM {table} t").fetchall()]
        return "\n".join(parts)


def test_round_trip_on_postgres(site, capsys):
    out = site["tmp"] / "out"
    assert main(render_args(out, site["clinic"], "--teach-back", "--nurse", "CD")) == 0
    printed = {p.name: p.read_bytes() for p in out.iterdir()}
    (line,) = listed(capsys)
    record_id = line.split()[0]
    section = sorted((site["clinic"] / "templates" / "en" / "recovery").glob("*.txt"))[0]
    section.write_text(section.read_text(encoding="utf-8") + "\nChanged later.\n",
                       encoding="utf-8")
    again = site["tmp"] / "again"
    assert main(["archive", "reprint", record_id, "--out", str(again)]) == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == printed
    assert main(["archive", "verify", "--full"]) == 0
    assert [e.action for e in Archive(load_config().archive).access_log()] == \
        ["list", "reprint", "verify"]


def test_no_patient_value_reaches_the_server(site, server, capsys):
    import psycopg

    out = site["tmp"] / "out"
    assert main([*canary_args(out, site["clinic"]), "--interpreter", f"{TOKEN}interp"]) == 0
    assert len(listed(capsys, "--show-names")) == 1
    text = rows_as_text(site["url"])
    assert "kyphoplasty" in text  # the rows were read
    assert TOKEN not in text and TOKEN.lower() not in text.lower()
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    for path in server.data.rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert TOKEN.encode() not in path.read_bytes(), path.name


def test_wrong_key_on_postgres(site, capsys, tmp_path):
    assert main(render_args(tmp_path / "a", site["clinic"])) == 0
    other = tmp_path / "other.key"
    assert main(["archive", "init-key", str(other)]) == 0
    write_site(tmp_path, site["url"], other)
    capsys.readouterr()
    assert main(["archive", "list"]) == 1
    assert "does not belong to the archive" in capsys.readouterr().err
    out = tmp_path / "b"
    assert main(render_args(out, site["clinic"])) == 1
    assert not out.exists() or list(out.iterdir()) == []


def test_purge_on_postgres(site, capsys, sample_clinic):
    archive = Archive(load_config().archive)
    request = HandoutRequest.from_mapping(sample_request_data(TODAY), today=TODAY)
    files = [("discharge", "d.pdf", b"%PDF-x")]
    archive.record(request, sample_clinic, handouts_outputs(files), event="printed",
                   today=TODAY, when=dt.datetime.now(dt.UTC) - dt.timedelta(days=500))
    keep, _ = archive.record(request, sample_clinic, handouts_outputs(files),
                             event="printed", today=TODAY)
    capsys.readouterr()
    assert main(["archive", "purge"]) == 0
    assert [line.split()[0] for line in listed(capsys)] == [keep]


def _writer(site_file: str, data_home: str, clinic: str, n: int, seed: int) -> None:
    os.environ[SITE_ENV] = site_file
    os.environ["XDG_DATA_HOME"] = data_home
    archive = Archive(load_config().archive)
    profile = load_clinic(clinic)
    request = HandoutRequest.from_mapping(sample_request_data(TODAY) | {"mrn": f"P{seed}"},
                                          today=TODAY)
    for _ in range(n):
        _, stored = archive.record(request, profile, handouts_outputs(
            [("discharge", "d.pdf", b"%PDF-x")]), event="printed", today=TODAY)
        assert stored


def test_many_workstations_write_at_once(site, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(site["site"]), str(tmp_path / f"ws{i}"),
                                               str(site["clinic"]), 5, i)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    archive = Archive(load_config().archive)
    assert len(archive.listing()) == 20
    assert all(len(archive.listing(mrn=f"P{i}")) == 5 for i in range(4))


def test_server_goes_away_mid_run_and_the_queue_arrives_once(site, server, capsys, tmp_path):
    assert main(render_args(tmp_path / "first", site["clinic"])) == 0
    server.stop()
    try:
        for n in range(3):
            out = tmp_path / f"away{n}"
            assert main(render_args(out, site["clinic"])) == 0  # printing goes on
            assert len(list(out.iterdir())) == 2
            assert "waits on this computer" in capsys.readouterr().err
        archive = Archive(load_config().archive)
        assert len(archive.queue.pending()) == 3
        assert main(["archive", "list"]) == 1  # a listing needs the server
        assert "cannot be reached" in capsys.readouterr().err
    finally:
        server.start()
    assert len(listed(capsys)) == 4  # the next operation sent the queue
    assert archive.queue.pending() == []
    assert len(listed(capsys)) == 4
    # a record sent, but its queue file not removed (the connection broke in between):
    # sending it again writes nothing twice
    store_rows = Archive(load_config().archive)
    from dischargedesk.archive.store import open_postgres

    pg = open_postgres(site["url"], store_rows.key)
    try:
        row = pg.records()[0]
        snap = (row["snapshot_id"], pg.snapshot(row["snapshot_id"]))
    finally:
        pg.close()
    store_rows.queue.put(row, snap)
    assert store_rows.flush() == 1
    assert len(listed(capsys)) == 4
    assert main(["archive", "verify", "--full"]) == 0


def test_key_rotation_on_postgres(site, capsys, tmp_path):
    out = tmp_path / "a"
    assert main(render_args(out, site["clinic"])) == 0
    printed = {p.name: p.read_bytes() for p in out.iterdir()}
    record_id = listed(capsys)[0].split()[0]
    new = tmp_path / "new.key"
    assert main(["archive", "rotate-key", str(new)]) == 0
    capsys.readouterr()
    assert main(["archive", "list"]) == 1
    assert "does not belong to the archive" in capsys.readouterr().err
    write_site(tmp_path, site["url"], new)
    assert len(listed(capsys, "--mrn", "mrn-001")) == 1
    again = tmp_path / "again"
    assert main(["archive", "reprint", record_id, "--out", str(again)]) == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == printed
