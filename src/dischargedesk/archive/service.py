"""The archive as the CLI and the app use it: record a print, list, reprint, purge, verify.

Qt-free. Everything that leaves this module is free of patient data except what a caller
asks for explicitly (names in a listing with ``show_names``, the PDFs of a reprint).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._meta import __version__
from ..clinic.profile import ClinicProfile
from ..domain.request import HandoutRequest
from ..errors import DischargeDeskError
from ..siteconfig import ArchiveSettings, user_data_dir
from . import snapshot as snapshots
from .errors import ArchiveError, ArchiveKeyError, ArchiveUnreachable, ReprintMismatch
from .keys import ArchiveKey, read_key_file, read_keyring
from .queue import Queue
from .store import AccessEntry, Store, open_postgres, open_sqlite, utc_now_text

log = logging.getLogger("dischargedesk.archive")
RETRY_AFTER_S = 30.0  # after a failed connect, queue without trying again for this long


@dataclass(frozen=True)
class EducationRecord:
    """Teaching facts of one print. None: not recorded (never printed anywhere)."""

    teach_back: bool | None = None
    interpreter: str = ""          # language and ID, as typed (encrypted)
    caregiver_present: bool | None = None
    nurse: str = ""                # initials (encrypted)

    @classmethod
    def from_form(cls, *, teach_back: bool | None, interpreter: str,
                  caregiver_present: bool | None, nurse: str) -> EducationRecord:
        """Checked as the command line checks --interpreter and --nurse (RequestError)."""
        import argparse

        from ..ehr.education import Education

        e = Education.from_args(argparse.Namespace(interpreter=interpreter, nurse=nurse))
        return cls(teach_back, e.interpreter, caregiver_present, e.nurse)


@dataclass(frozen=True)
class Output:
    """One PDF that was handed out and how to make it again (no patient data)."""

    render: str          # "handouts" (one PDF per handout) or "combined" (one print job)
    kinds: tuple[str, ...]
    duplex: bool
    file_name: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"render": self.render, "kinds": list(self.kinds), "duplex": self.duplex,
                "file_name": self.file_name, "sha256": self.sha256}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Output:
        return cls(str(d["render"]), tuple(d["kinds"]), bool(d["duplex"]),
                   str(d["file_name"]), str(d["sha256"]))


def handouts_outputs(files: Sequence[tuple[str, str, bytes]]) -> list[Output]:
    """Outputs of ``render_handouts``: (kind, file name, PDF) each."""
    return [Output("handouts", (kind,), False, name, hashlib.sha256(pdf).hexdigest())
            for kind, name, pdf in files]


def combined_output(request: HandoutRequest, pdf: bytes, duplex: bool) -> Output:
    """The one PDF of a print job (``render_pdf(request, clinic, duplex=...)``)."""
    kinds = tuple(request.handouts)
    name = f"handouts-{request.procedure}.pdf" if len(kinds) > 1 else \
        _engine_file_name(kinds[0], request.procedure)
    return Output("combined", kinds, duplex, name, hashlib.sha256(pdf).hexdigest())


def _engine_file_name(kind: str, procedure: str) -> str:
    from ..engine import file_name

    return file_name(kind, procedure)


@dataclass(frozen=True)
class Listing:
    """One line of ``archive list``; ``name`` only when names were asked for."""

    record_id: str
    created_at: str
    procedure: str
    handouts: str
    language: str
    event: str
    name: str | None = None

    def line(self) -> str:
        when = self.created_at[:16].replace("T", " ")
        parts = [self.record_id, f"{when} UTC", self.procedure, self.handouts, self.language,
                 self.event]
        if self.name is not None:
            parts.append(self.name)
        return "  ".join(parts)


@dataclass
class VerifyReport:
    records: int = 0
    snapshots: int = 0
    queued: int = 0
    reprinted: int = 0
    schema: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_key(settings: ArchiveSettings) -> ArchiveKey:
    if settings.key_source == "keyring":
        return read_keyring()
    assert settings.key_file is not None
    return read_key_file(settings.key_file)


def _who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment: record that
        user = "unknown"
    return socket.gethostname() or "unknown", user


def queue_folder(settings: ArchiveSettings) -> Path:
    tag = hashlib.sha256(settings.url.encode("utf-8")).hexdigest()[:16]
    return user_data_dir() / "archive-queue" / tag


def snapshot_cache() -> Path:
    return user_data_dir() / "archive-snapshots"


class Archive:
    """One site archive. Keeps one connection between operations (checked before each use,
    dropped on any error: a server may go away between prints); one operation at a time."""

    def __init__(self, settings: ArchiveSettings, key: ArchiveKey | None = None, *,
                 queue_dir: Path | None = None, cache_dir: Path | None = None) -> None:
        self.settings = settings
        self.key = key or load_key(settings)
        self.queue = Queue(queue_dir or queue_folder(settings), self.key)
        self.cache_dir = cache_dir or snapshot_cache()
        self._cached: Store | None = None
        self._away_until = 0.0
        # one operation at a time (the app records on a worker thread while a dialog lists)
        self._lock = threading.RLock()

    # -- the database ------------------------------------------------------------------------
    def _open(self, create: bool = True) -> Store:
        if self.settings.backend == "postgresql":
            return open_postgres(self.settings.url, self.key)
        return open_sqlite(self.settings.sqlite_path, self.key, create=create)

    def _connection(self, create: bool) -> Store:
        """The connection kept from the last operation if it still answers, else a new one
        (a window archives many prints; a server may have restarted in between)."""
        store, self._cached = self._cached, None
        if store is not None:
            try:
                store.one("SELECT 1")
                return store
            except store.errors:
                store.close()
        if time.monotonic() < self._away_until and self.settings.backend == "postgresql":
            raise ArchiveUnreachable("The archive database could not be reached a moment ago; "
                                     "try again in half a minute (records made meanwhile "
                                     "wait on this computer).")
        try:
            return self._open(create or bool(self.queue.pending()))
        except ArchiveUnreachable:
            # the next prints go straight to the queue for a while instead of each waiting
            # for the connect timeout again
            self._away_until = time.monotonic() + RETRY_AFTER_S
            raise

    @contextmanager
    def store(self, create: bool = True) -> Iterator[Store]:
        """An open database with the queue sent first; driver errors become
        ArchiveUnreachable (one plain sentence). The connection is kept for the next
        operation unless it failed."""
        with self._lock:
            yield from self._store(create)

    def _store(self, create: bool) -> Iterator[Store]:
        store = self._connection(create)
        ok = False
        try:
            try:
                self._flush(store)
                yield store
                ok = True
            except store.errors as exc:
                raise ArchiveUnreachable(f"The archive {store.where} stopped answering "
                                         f"({type(exc).__name__}); try again.") from None
        finally:
            if ok:
                self._cached = store
            else:
                store.close()

    def close(self) -> None:
        cached, self._cached = getattr(self, "_cached", None), None
        if cached is not None:
            cached.close()

    def __del__(self) -> None:  # an Archive dropped without close(): no open connection
        with contextlib.suppress(Exception):
            self.close()

    def check(self) -> None:
        """Fail now (before anything is printed) when the key or database is wrong; an
        unreachable database is fine (records wait in the queue)."""
        try:
            with self.store():
                pass
        except ArchiveUnreachable:
            pass

    def _flush(self, store: Store) -> int:
        sent = 0
        for record_id in self.queue.pending():
            row, snap = self.queue.load(record_id)
            if snap is None and not store.has_snapshot(row["snapshot_id"]):
                raise ArchiveError(f"Queued record {record_id} has lost its clinic snapshot; "
                                   "it stays in the queue (docs/archive.md).")
            store.add(row, snap)
            self.queue.done(record_id)
            sent += 1
        if sent:
            self.queue.tidy()
            log.info("archive queue sent records=%d", sent)
        return sent

    def flush(self) -> int:
        """Send the queued records now; how many were sent."""
        pending = len(self.queue.pending())
        with self.store():
            pass
        return pending - len(self.queue.pending())

    # -- writing -----------------------------------------------------------------------------
    def make_row(self, request: HandoutRequest, clinic: ClinicProfile,
                 outputs: Sequence[Output], education: EducationRecord, *, event: str,
                 today: dt.date, when: dt.datetime | None = None,
                 record_id: str | None = None) -> tuple[dict[str, Any], snapshots.Snapshot]:
        snap = snapshots.snapshot_of(clinic)
        rid = record_id or str(uuid.uuid4())
        workstation, user = _who()
        phi = {"request": request.to_mapping(), "today": today.isoformat(),
               "interpreter": education.interpreter, "nurse": education.nurse}
        # bilingual print adds the clinic's English text: record the second language
        bilingual: Any = getattr(request, "bilingual", False)
        if isinstance(bilingual, bool):
            bilingual = "en" if bilingual else ""
        row = {
            "id": rid, "created_at": utc_now_text(when), "event": event,
            "workstation": workstation, "os_user": user, "app_version": __version__,
            "snapshot_id": snap.id, "procedure": request.procedure,
            "handouts": ",".join(request.handouts), "language": request.language,
            "large_print": int(request.large_print),
            "bilingual": bilingual if isinstance(bilingual, str) else str(bilingual),
            "teach_back": None if education.teach_back is None else int(education.teach_back),
            "interpreter_used": int(bool(education.interpreter)),
            "caregiver_present": None if education.caregiver_present is None
            else int(education.caregiver_present),
            "outputs": json.dumps([o.to_json() for o in outputs], separators=(",", ":")),
            "mrn_hmac": self.key.mrn_hash(request.mrn), "key_id": self.key.key_id,
            "phi": self.key.seal(rid, phi),
        }
        return row, snap

    def record(self, request: HandoutRequest, clinic: ClinicProfile,
               outputs: Sequence[Output], education: EducationRecord = EducationRecord(), *,
               event: str, today: dt.date, when: dt.datetime | None = None,
               record_id: str | None = None) -> tuple[str, bool]:
        """Archive one print or save: (record ID, stored now). When the database cannot be
        reached the record goes to the local queue (False) and is sent later."""
        row, snap = self.make_row(request, clinic, outputs, education, event=event,
                                  today=today, when=when, record_id=record_id)
        return row["id"], self.store_row(row, (snap.id, snap.data))

    def store_row(self, row: dict[str, Any], snapshot: tuple[str, bytes]) -> bool:
        try:
            with self.store() as store:
                store.add(row, snapshot)
            log.info("archived record event=%s", row["event"])
            return True
        except ArchiveUnreachable:
            self.queue.put(row, snapshot)
            log.warning("archive unreachable: record queued")
            return False

    # -- reading -----------------------------------------------------------------------------
    def _log(self, store: Store, action: str, record_id: str | None, detail: str) -> None:
        workstation, user = _who()
        store.log(AccessEntry(utc_now_text(), workstation, user, action, record_id, detail))

    def listing(self, *, mrn: str | None = None, since: dt.date | None = None,
             show_names: bool = False) -> list[Listing]:
        mrn_hash = None
        if mrn is not None:
            mrn_hash = self.key.mrn_hash(mrn)
            if mrn_hash is None:
                return []
        since_text = None if since is None else f"{since.isoformat()}T00:00:00.000000Z"
        with self.store(create=False) as store:
            rows = store.records(mrn_hmac=mrn_hash, since=since_text)
            out = []
            for r in rows:
                name = None
                if show_names:
                    name = str(self.key.open(r["id"], r["phi"])["request"]["patient_name"])
                language = r["language"] + (f"+{r['bilingual']}" if r["bilingual"] else "")
                out.append(Listing(r["id"], r["created_at"], r["procedure"], r["handouts"],
                                   language, r["event"], name))
            detail = (f"rows={len(out)} mrn_filter={'yes' if mrn is not None else 'no'} "
                      f"since={since.isoformat() if since else '-'} "
                      f"names_shown={'yes' if show_names else 'no'}")
            self._log(store, "list", None, detail)
            if show_names:  # which records' names were shown, one line each
                for item in out:
                    self._log(store, "name-shown", item.record_id, "list --show-names")
        return out

    def _row(self, store: Store, record_id: str) -> dict[str, Any]:
        try:
            uuid.UUID(record_id)
        except ValueError:
            raise ArchiveError("A record ID looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427; "
                               "copy it from 'dischargedesk archive list'.") from None
        rows = store.records(record_id=record_id)
        if not rows:
            raise ArchiveError(f"There is no record {record_id} in the archive (it may have "
                               "been purged); check the ID with 'dischargedesk archive list'.")
        return rows[0]

    def regenerate(self, store: Store, row: dict[str, Any]) -> list[tuple[str, bytes]]:
        """The record's PDFs made again from its request and snapshot, each checked against
        its stored SHA-256 (ReprintMismatch when one differs)."""
        from ..engine import render_handouts, render_pdf

        rid = row["id"]
        data = store.snapshot(row["snapshot_id"])
        if data is None:
            raise ArchiveError(f"The clinic snapshot of record {rid} is missing from the "
                               "archive, so it cannot be reprinted exactly; restore the "
                               "archive from a backup.")
        phi = self.key.open(rid, row["phi"])
        today = dt.date.fromisoformat(phi["today"])
        outputs = [Output.from_json(o) for o in json.loads(row["outputs"])]
        files: list[tuple[str, bytes]] = []
        try:
            with snapshots.restored(row["snapshot_id"], data, self.cache_dir) as clinic:
                request = HandoutRequest.from_mapping(phi["request"], today=today)
                by_kind: dict[str, bytes] | None = None
                for out in outputs:
                    if out.render == "handouts":
                        if by_kind is None:
                            by_kind = {h.kind: h.pdf for h in render_handouts(request, clinic)}
                        pdf = by_kind.get(out.kinds[0], b"")
                    else:
                        pdf = render_pdf(request, clinic, kinds=out.kinds, duplex=out.duplex)
                    files.append((out.file_name, pdf))
        except ArchiveError:
            raise
        except DischargeDeskError as exc:
            raise ReprintMismatch(f"Record {rid} cannot be made again with this version of "
                                  f"Discharge Desk ({__version__}; it was printed with "
                                  f"{row['app_version']}): {type(exc).__name__}.") from None
        for n, ((name, pdf), out) in enumerate(zip(files, outputs, strict=True), 1):
            if hashlib.sha256(pdf).hexdigest() != out.sha256:
                raise ReprintMismatch(
                    f"The reprint of record {rid} does not match what was handed out "
                    f"(PDF {n} of {len(outputs)}, {name}), so nothing was written; it was "
                    f"printed with Discharge Desk {row['app_version']} and this is "
                    f"{__version__} (docs/archive.md, 'Reprints').")
        return files

    def _checked_pdfs(self, store: Store, record_id: str) -> list[tuple[str, bytes]]:
        """The record's PDFs made again and checked; a refusal is logged, then raised."""
        row = self._row(store, record_id)
        try:
            return self.regenerate(store, row)
        except ArchiveError as exc:
            self._log(store, "reprint-refused", record_id, type(exc).__name__)
            raise

    def reprint(self, record_id: str, out_dir: Path) -> list[Path]:
        from ..output import write_files_atomic

        with self.store(create=False) as store:
            files = self._checked_pdfs(store, record_id)
            paths = write_files_atomic(out_dir, files, create_folder=True)
            self._log(store, "reprint", record_id, f"pdfs={len(paths)}")
        return paths

    def reprint_pdfs(self, record_id: str) -> list[tuple[str, bytes]]:
        """The record's PDFs, checked, in memory (the app prints them)."""
        with self.store(create=False) as store:
            files = self._checked_pdfs(store, record_id)
            self._log(store, "reprint", record_id, f"pdfs={len(files)} in-app")
        return files

    def purge(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        cutoff = utc_now_text(now - dt.timedelta(days=self.settings.retention_days))
        with self.store(create=False) as store:
            removed = store.purge(cutoff)
            self._log(store, "purge", None, f"removed={removed} "
                      f"retention_days={self.settings.retention_days}")
        return removed

    def verify(self, full: bool = False) -> VerifyReport:
        """Every record opens with the key, every snapshot matches its hash, every record
        has its snapshot; with ``full``, every record is made again and compared."""
        report = VerifyReport(queued=len(self.queue.pending()))
        with self.store(create=False) as store:
            report.schema = store.schema_version()
            good: set[str] = set()
            for sid in store.snapshot_ids():
                report.snapshots += 1
                data = store.snapshot(sid)
                if data is not None and snapshots.unpack(sid, data) is not None:
                    good.add(sid)
                else:
                    report.problems.append(f"snapshot {sid[:12]} does not match its hash")
            for row in store.records():
                report.records += 1
                try:
                    self.key.open(row["id"], row["phi"])
                except ArchiveKeyError as exc:
                    report.problems.append(str(exc))
                    continue
                if row["snapshot_id"] not in good:
                    report.problems.append(f"record {row['id']} has no usable snapshot")
                    continue
                if full:
                    try:
                        self.regenerate(store, row)
                        report.reprinted += 1
                    except ArchiveError as exc:
                        report.problems.append(str(exc))
            self._log(store, "verify", None, f"records={report.records} "
                      f"problems={len(report.problems)} full={'yes' if full else 'no'}")
        return report

    def rotate_key(self, new_file: Path) -> tuple[str, int]:
        """A new key file, every record re-encrypted with it (and the SQLite file rekeyed);
        (new key ID, records). The queue is sent first; a queue that cannot be sent stops
        the rotation before the new key is made."""
        from .keys import init_key_file

        with self.store(create=False) as store:
            if self.queue.pending():
                raise ArchiveError("Records are still waiting in this computer's queue; run "
                                   "the rotation again when the archive can be reached.")
            new = init_key_file(new_file)
            try:
                count = store.rotate(self.key, new)
            except BaseException:
                new_file.unlink(missing_ok=True)  # the archive still has the old key
                raise
            self.key = new
            self.queue = Queue(self.queue.folder, new)
            self._log(store, "rotate-key", None, f"records={count} key={new.key_id}")
        self.close()
        return new.key_id, count

    def access_log(self) -> list[AccessEntry]:
        with self.store(create=False) as store:
            return store.access_log()
