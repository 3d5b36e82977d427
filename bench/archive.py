"""Archive benchmarks: the cost one print adds (record it: snapshot, envelope, insert,
commit), on SQLite/SQLCipher and on a local PostgreSQL server, and the time of a reprint
(make the PDFs again from the snapshot and check them byte for byte). The render of the
same handouts is measured in the same run as the baseline.

    python bench/archive.py [--runs N] [--no-postgres]

Goals (issue 14): under 20 ms per print on SQLite, under 50 ms on the local PostgreSQL.
The PostgreSQL server is a throwaway cluster made with the installed initdb
(tests/archive_helpers.py), with fsync on. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(folder: Path) -> None:
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME"):
        os.environ[var] = str(folder / var.lower())


def measure(archive, runs: int) -> dict[str, list[float]]:
    from dischargedesk.archive.service import EducationRecord, handouts_outputs
    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_handouts

    today = dt.date.today()
    clinic = load_sample_clinic()
    request = HandoutRequest.from_mapping({
        "procedure": "kyphoplasty", "levels": ["T12", "L1"], "patient_name": "Bench Mark",
        "date_of_birth": "1950-01-01", "mrn": "B-1", "opioids": True,
        "medications": "Oxycodone 5 mg every 6 hours if needed\nDocusate 100 mg twice a day",
    }, today=today)
    education = EducationRecord(True, "Spanish, ID 4471", True, "AB")
    out: dict[str, list[float]] = {"render_handouts (baseline)": [], "record": [],
                                   "reprint": [], "first record (new database, snapshot built)": []}
    handouts = render_handouts(request, clinic)
    outputs = handouts_outputs([(h.kind, h.file_name, h.pdf) for h in handouts])
    t = time.perf_counter()
    record_id, _ = archive.record(request, clinic, outputs, education, event="printed",
                                  today=today)
    out["first record (new database, snapshot built)"].append(time.perf_counter() - t)
    archive.reprint_pdfs(record_id)  # warm: the snapshot's folder is unpacked once
    for _ in range(runs):
        t = time.perf_counter()
        handouts = render_handouts(request, clinic)
        out["render_handouts (baseline)"].append(time.perf_counter() - t)
        outputs = handouts_outputs([(h.kind, h.file_name, h.pdf) for h in handouts])
        t = time.perf_counter()
        record_id, stored = archive.record(request, clinic, outputs, education,
                                           event="printed", today=today)
        out["record"].append(time.perf_counter() - t)
        assert stored
        t = time.perf_counter()
        archive.reprint_pdfs(record_id)
        out["reprint"].append(time.perf_counter() - t)
    return out


def cold_cli(folder: Path, key_file: Path, runs: int) -> dict[str, list[float]]:
    """`dischargedesk render` in a new process, archive off and on (SQLite), alternating."""
    import subprocess

    site_on = folder / "site-on.toml"
    site_on.write_text(f'[archive]\nurl = "sqlite:///{folder / "cli.db"}"\n'
                       f'key_file = "{key_file}"\n', encoding="utf-8")
    args = [sys.executable, "-m", "dischargedesk.cli", "render", "--procedure", "kyphoplasty",
            "--levels", "T12,L1", "--patient-name", "Bench Mark", "--mrn", "B-1",
            "--out", str(folder / "cli-out")]
    env_off = dict(os.environ, DISCHARGEDESK_SITE_CONFIG=str(folder / "none.toml"))
    env_on = dict(os.environ, DISCHARGEDESK_SITE_CONFIG=str(site_on))
    out: dict[str, list[float]] = {"cold render, archive off": [], "cold render, archive on": []}
    for env in (env_off, env_on):  # warm the OS file cache, make the database
        subprocess.run(args, check=True, capture_output=True, env=env)
    for _ in range(runs):
        for name, env in (("cold render, archive off", env_off),
                          ("cold render, archive on", env_on)):
            t = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True, env=env)
            out[name].append(time.perf_counter() - t)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    from dischargedesk.archive.keys import init_key_file
    from dischargedesk.archive.service import Archive
    from dischargedesk.siteconfig import ArchiveSettings

    with tempfile.TemporaryDirectory(prefix="dd-bench-archive-") as tmp:
        folder = Path(tmp)
        setup(folder)
        key_file = folder / "archive.key"
        key = init_key_file(key_file)
        sqlite = Archive(ArchiveSettings(f"sqlite:///{folder / 'archive.db'}", key_file), key)
        print("SQLite (SQLCipher, WAL, file on local disk):")
        for name, samples in measure(sqlite, args.runs).items():
            print("  " + summary(name, samples, 1))
        print("Command line (new process each, SQLite):")
        for name, samples in cold_cli(folder, key_file, max(3, args.runs // 4)).items():
            print("  " + summary(name, samples))
        if args.no_postgres:
            return 0
        from tests.archive_helpers import PostgresServer, postgres_bin

        bindir = postgres_bin()
        if bindir is None:
            print("PostgreSQL: no server binaries installed; skipped")
            return 0
        server = PostgresServer(bindir, fsync=True)
        try:
            url = server.create_database("bench")
            pg = Archive(ArchiveSettings(url, key_file), key)
            print("PostgreSQL (local server, Unix socket, fsync on):")
            for name, samples in measure(pg, args.runs).items():
                print("  " + summary(name, samples, 1))
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
