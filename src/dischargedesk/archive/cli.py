"""``dischargedesk archive ...`` and the archive's part of ``dischargedesk render`` (so
cli.py needs only a few calls: :func:`add_parser`, :func:`run`, :func:`open_for_render`,
:func:`record_render`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from ..errors import RequestError
from .errors import ArchiveError

EXIT_OK, EXIT_FAILURE = 0, 1


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RequestError("since", "--since must be a date such as 2026-12-01.") from None


def add_parser(sub: Any) -> None:
    a = sub.add_parser("archive", help="the education record and reprint archive "
                       "(docs/archive.md)",
                       description="List, reprint, purge and verify archived handouts; make "
                       "a key. The archive is on when site.toml has [archive] url.")
    asub = a.add_subparsers(dest="archive_command", parser_class=type(a), required=True)
    ls = asub.add_parser("list", help="one line per record: ID, date-time, procedure, "
                         "handouts, language")
    ls.add_argument("--mrn", metavar="ID", help="only this patient's records")
    ls.add_argument("--since", metavar="YYYY-MM-DD",
                    help="only records made on or after this day (UTC)")
    ls.add_argument("--show-names", action="store_true",
                    help="add the patient's name to each line (logged)")
    rp = asub.add_parser("reprint", help="make a record's PDFs again, byte for byte")
    rp.add_argument("record_id", metavar="ID")
    rp.add_argument("--out", metavar="DIR", type=Path, required=True,
                    help="folder for the PDFs (created if missing)")
    asub.add_parser("purge", help="delete records older than retention_days (site.toml)")
    vf = asub.add_parser("verify", help="check every record opens and every snapshot is "
                         "intact")
    vf.add_argument("--full", action="store_true",
                    help="also make every record's PDFs again and compare them (slow)")
    rk = asub.add_parser("rotate-key", help="re-encrypt the archive with a new key file "
                         "(docs/archive.md, Keys)")
    rk.add_argument("new_file", metavar="NEWFILE", type=Path,
                    help="the new key file to create (mode 0600)")
    ik = asub.add_parser("init-key", help="write a new random archive key (never replaces "
                         "one)")
    where = ik.add_mutually_exclusive_group()
    where.add_argument("file", metavar="FILE", type=Path, nargs="?",
                       help="key file to create (mode 0600)")
    where.add_argument("--keyring", action="store_true",
                       help="store the key in this user's OS keyring instead")


def _archive(required: bool = True) -> Any:
    from ..siteconfig import load_config

    config = load_config()
    settings = config.archive
    if settings is None:
        if not required:
            return None
        problems = [m for m in config.messages if "“archive”" in m]
        raise ArchiveError(problems[0] if problems else
                           "The archive is off on this computer (site.toml has no [archive] "
                           "url); see docs/archive.md to turn it on.")
    from .service import Archive  # only when the site turned it on (never for a plain render)

    return Archive(settings)


def run(args: argparse.Namespace) -> int:
    command = args.archive_command
    if command == "init-key":
        from .keys import init_key_file, init_keyring

        if args.file is None and not args.keyring:
            raise RequestError("file", "init-key needs the key file to create (or --keyring).")
        key = init_keyring() if args.keyring else init_key_file(args.file)
        where = "the OS keyring" if args.keyring else str(args.file)
        print(f"new archive key {key.key_id} written to {where}; back it up now "
              "(docs/archive.md)")
        return EXIT_OK
    args.since_date = _date(getattr(args, "since", None))  # bad input: exit 2 first
    archive = _archive()
    try:
        return _run(archive, args)
    finally:
        archive.close()


def _run(archive: Any, args: argparse.Namespace) -> int:
    command = args.archive_command
    if command == "list":
        for item in archive.listing(mrn=args.mrn, since=args.since_date,
                                    show_names=args.show_names):
            print(item.line())
        return EXIT_OK
    if command == "reprint":
        for path in archive.reprint(args.record_id, args.out):
            print(path)
        return EXIT_OK
    if command == "purge":
        removed = archive.purge()
        print(f"purged {removed} record(s) older than {archive.settings.retention_days} days")
        return EXIT_OK
    if command == "verify":
        report = archive.verify(full=args.full)
        for problem in report.problems:
            print(f"dischargedesk: {problem}", file=sys.stderr)
        full = f", {report.reprinted} reprinted byte for byte" if args.full else ""
        print(f"{report.records} record(s), {report.snapshots} snapshot(s){full}, "
              f"{report.queued} waiting in the local queue, schema {report.schema}: "
              f"{'ok' if report.ok else f'{len(report.problems)} problem(s)'}")
        return EXIT_OK if report.ok else EXIT_FAILURE
    if command == "rotate-key":
        key_id, count = archive.rotate_key(args.new_file)
        print(f"{count} record(s) re-encrypted with the new key {key_id} in "
              f"{args.new_file}; set key_file to it on every workstation now, back it up, "
              "and destroy the old key after the next backup")
        return EXIT_OK
    raise AssertionError(command)  # pragma: no cover - argparse guards this


def open_for_render(args: argparse.Namespace) -> Any:
    """The archive when the site turned it on, checked before anything is printed (a wrong
    key stops the command with exit 1 and no PDF); bad education options: exit 2."""
    archive = _archive(required=False)
    if archive is None:
        return None
    education(args)
    archive.check()
    return archive


def education(args: argparse.Namespace) -> Any:
    from ..ehr.education import Education
    from .service import EducationRecord

    e = Education.from_args(args)  # the same checks as the chart hand-off (exit 2)
    if getattr(args, "interpreter", None) is not None and not e.interpreter:
        raise RequestError("interpreter", "Interpreter is empty; give the language and ID, "
                           "or leave the option out.")
    return EducationRecord(teach_back=True if args.teach_back else None,
                           interpreter=e.interpreter,
                           caregiver_present=True if args.caregiver_present else None,
                           nurse=e.nurse)


def record_render(archive: Any, args: argparse.Namespace, data: dict[str, Any],
                  source: Any, paths: list[Path], today: dt.date) -> None:
    """Archive what ``render`` wrote (the PDFs as written, read back)."""
    if archive is None:
        return
    from ..domain.request import HandoutRequest
    from .service import handouts_outputs

    request = HandoutRequest.from_mapping(data, today=today)
    kinds = list(request.handouts)
    files = [(kind, p.name, p.read_bytes()) for kind, p in zip(kinds, paths, strict=False)]
    try:
        record_id, stored = archive.record(request, source.clinic, handouts_outputs(files),
                                           education(args), event="cli", today=today)
    finally:
        archive.close()
    if not stored:
        print("dischargedesk: note: the archive cannot be reached; the record waits on this "
              "computer and is sent with the next print.", file=sys.stderr)
    print(f"dischargedesk: archived as record {record_id}", file=sys.stderr)
