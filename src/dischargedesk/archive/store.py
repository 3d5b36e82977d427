"""The two databases behind the archive: SQLite through SQLCipher (one workstation; the whole
file encrypted) and PostgreSQL through psycopg 3 (a site; patient data already encrypted by
the envelope before it is sent). Both run the same SQL (schema.py) and the same idempotent
insert: a record ID that is already there is not written again.

Error messages name the database (a path or a host), never a password or patient data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ArchiveError, ArchiveKeyError, ArchiveUnreachable
from .keys import ArchiveKey
from .schema import LATEST, MIGRATIONS, RECORD_COLUMNS, SCHEMA_VERSION_TABLE, statements

log = logging.getLogger("dischargedesk.archive")
CONNECT_TIMEOUT_S = 3  # a print never waits longer than this for an unreachable server
BUSY_TIMEOUT_MS = 30_000
QUERY_TIMEOUT_S = 15  # PostgreSQL: a statement (or a silent server) after this is an error
_INSERT_RECORD = (f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES "
                  f"({', '.join('?' for _ in RECORD_COLUMNS)}) ON CONFLICT (id) DO NOTHING")
_INSERT_SNAPSHOT = ("INSERT INTO snapshots (id, created_at, size, data) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING")


def utc_now_text(now: dt.datetime | None = None) -> str:
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AccessEntry:
    at: str
    workstation: str
    os_user: str
    action: str
    record_id: str | None
    detail: str


class Store:
    """One open connection; ``with store.transaction():`` groups writes."""

    dialect = ""
    where = ""  # the database as people name it (path or host), never a password
    errors: tuple[type[BaseException], ...] = ()  # the driver's errors (connection lost...)

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    # -- SQL ---------------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[None]:
        raise NotImplementedError
        yield

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a dead connection: nothing more to do
            self.conn.close()

    # -- schema ------------------------------------------------------------------------------
    def _lock_schema(self) -> None:
        """Serialise migrations between workstations (inside the transaction)."""

    def migrate(self, key: ArchiveKey) -> None:
        """Create or upgrade the tables; check that ``key`` is this archive's key."""
        if self._ready(key):
            return
        with self.transaction():
            self._lock_schema()
            self.execute(SCHEMA_VERSION_TABLE)
            row = self.one("SELECT max(version) FROM schema_version")
            current = int(row[0]) if row and row[0] is not None else 0
            if current > LATEST:
                raise ArchiveError(f"The archive {self.where} was made by a newer Discharge "
                                   f"Desk (schema {current}, this one knows {LATEST}); update "
                                   "Discharge Desk on this computer.")
            for number, name, sql in MIGRATIONS:
                if number <= current:
                    continue
                for statement in statements(sql, self.dialect):
                    self.execute(statement)
                self.execute("INSERT INTO schema_version (version, name, applied_at) "
                             "VALUES (?, ?, ?)", (number, name, utc_now_text()))
            stored = self.one("SELECT value FROM archive_meta WHERE name = 'key_id'")
            if stored is None:
                self.execute("INSERT INTO archive_meta (name, value) VALUES ('key_id', ?)",
                             (key.key_id,))
            elif stored[0] != key.key_id:
                raise ArchiveKeyError(f"The archive key does not belong to the archive "
                                      f"{self.where} (it was made with key {stored[0]}, this "
                                      f"key is {key.key_id}); use the archive's own key.")

    def _ready(self, key: ArchiveKey) -> bool:
        """Up to date and made with ``key``? (read only: no write lock for the usual case)"""
        try:
            with self.transaction(write=False):
                version = self.schema_version()
                stored = self.one("SELECT value FROM archive_meta WHERE name = 'key_id'")
        except self.errors:
            return False  # a new, empty database: the tables are made below
        return version == LATEST and stored is not None and stored[0] == key.key_id

    def schema_version(self) -> int:
        row = self.one("SELECT max(version) FROM schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    # -- records -----------------------------------------------------------------------------
    def has_snapshot(self, snapshot_id: str) -> bool:
        return self.one("SELECT 1 FROM snapshots WHERE id = ?", (snapshot_id,)) is not None

    def add(self, row: dict[str, Any], snapshot: tuple[str, bytes] | None) -> bool:
        """Store one record (and its snapshot if the database lacks it); False when the
        record ID was already there (sent twice: written once)."""
        with self.transaction():
            if snapshot is not None and not self.has_snapshot(snapshot[0]):
                self.execute(_INSERT_SNAPSHOT, (snapshot[0], utc_now_text(), len(snapshot[1]),
                                                snapshot[1]))
            cur = self.execute(_INSERT_RECORD, [row[c] for c in RECORD_COLUMNS])
            return bool(cur.rowcount)

    def records(self, *, mrn_hmac: str | None = None, since: str | None = None,
                record_id: str | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        if mrn_hmac is not None:
            where.append("mrn_hmac = ?")
            params.append(mrn_hmac)
        if since is not None:
            where.append("created_at >= ?")
            params.append(since)
        if record_id is not None:
            where.append("id = ?")
            params.append(record_id)
        sql = f"SELECT {', '.join(RECORD_COLUMNS)} FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.all(sql + " ORDER BY created_at, id", params)
        return [dict(zip(RECORD_COLUMNS, r, strict=True)) for r in rows]

    def snapshot(self, snapshot_id: str) -> bytes | None:
        row = self.one("SELECT data FROM snapshots WHERE id = ?", (snapshot_id,))
        return None if row is None else bytes(row[0])

    def snapshot_ids(self) -> list[str]:
        return [r[0] for r in self.all("SELECT id FROM snapshots ORDER BY id")]

    def count(self) -> int:
        row = self.one("SELECT count(*) FROM records")
        return int(row[0]) if row else 0

    def purge(self, cutoff: str) -> int:
        """Delete records made before ``cutoff`` and the snapshots no record uses."""
        with self.transaction():
            cur = self.execute("DELETE FROM records WHERE created_at < ?", (cutoff,))
            removed = int(cur.rowcount or 0)
            self.execute("DELETE FROM snapshots WHERE id NOT IN "
                         "(SELECT DISTINCT snapshot_id FROM records)")
        self.compact()
        return removed

    def compact(self) -> None:
        """Make deleted rows leave the database file."""

    def rekey_file(self, new: ArchiveKey) -> None:
        """Encrypt the database file itself with ``new`` (SQLite only)."""

    def rotate(self, old: ArchiveKey, new: ArchiveKey) -> int:
        """Re-encrypt every record with ``new`` (new envelope, new MRN hash, new key ID) in
        one transaction; the number of records."""
        with self.transaction():
            rows = self.all("SELECT id, phi FROM records")
            for record_id, phi in rows:
                value = old.open(record_id, bytes(phi))
                self.execute("UPDATE records SET phi = ?, mrn_hmac = ?, key_id = ? WHERE id = ?",
                             (new.seal(record_id, value),
                              new.mrn_hash(str(value["request"].get("mrn") or "")),
                              new.key_id, record_id))
            self.execute("UPDATE archive_meta SET value = ? WHERE name = 'key_id'",
                         (new.key_id,))
        self.rekey_file(new)
        return len(rows)

    # -- the access log ----------------------------------------------------------------------
    def log(self, entry: AccessEntry) -> None:
        with self.transaction():
            self.execute("INSERT INTO access_log (at, workstation, os_user, action, record_id, "
                         "detail) VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.at, entry.workstation, entry.os_user, entry.action,
                          entry.record_id, entry.detail))

    def access_log(self) -> list[AccessEntry]:
        rows = self.all("SELECT at, workstation, os_user, action, record_id, detail FROM "
                        "access_log ORDER BY id")
        return [AccessEntry(*r) for r in rows]


# -- SQLite (SQLCipher) --------------------------------------------------------------------------
class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, conn: Any, path: Path) -> None:
        super().__init__(conn)
        self.where = str(path)
        self.errors = (sqlcipher_module().Error,)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def rekey_file(self, new: ArchiveKey) -> None:
        self.conn.execute(f"PRAGMA rekey = \"x'{new.sqlcipher_hex}'\"")

    def compact(self) -> None:
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def sqlcipher_module() -> Any:
    """SQLCipher's DB-API module (``sqlcipher3``, from sqlcipher3-binary on Linux x86_64 or
    a build of sqlcipher3 elsewhere); a plain ArchiveError when neither is installed."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise ArchiveError("The archive on SQLite needs SQLCipher, which is not installed on "
                           "this computer; install the sqlcipher3 package, or use a "
                           "PostgreSQL archive (docs/archive.md).") from None
    return dbapi2


def open_sqlite(path: Path, key: ArchiveKey, *, create: bool = True) -> SqliteStore:
    """Open (or create) the SQLCipher database at ``path`` with ``key``."""
    sqlcipher = sqlcipher_module()

    if not create and not path.exists():
        raise ArchiveError(f"There is no archive at {path} yet (nothing has been printed "
                           "with the archive on); check url in the [archive] settings.")
    if not path.parent.is_dir():
        raise ArchiveUnreachable(f"The folder of the archive {path} is not there; check url "
                                 "in the [archive] settings or reconnect the drive.")
    try:
        conn = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                                 isolation_level=None, check_same_thread=False)
    except sqlcipher.Error as exc:
        raise ArchiveUnreachable(f"The archive {path} cannot be opened "
                                 f"({type(exc).__name__}); check the path and your "
                                 "permissions.") from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # no C-level lines on stderr
        conn.execute(f"PRAGMA key = \"x'{key.sqlcipher_hex}'\"")
        conn.execute("PRAGMA temp_store = MEMORY")  # sorting and VACUUM: no temp files
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError:
            raise ArchiveKeyError(f"The archive key does not open the archive {path} (a "
                                  "wrong key, or the file is not an archive); use the "
                                  "archive's own key (docs/archive.md).") from None
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
    except ArchiveError:
        conn.close()
        raise
    except sqlcipher.OperationalError as exc:
        conn.close()
        raise ArchiveUnreachable(f"The archive {path} cannot be used now "
                                 f"({_plain(exc)}); try again.") from None
    store = SqliteStore(conn, path)
    try:
        store.migrate(key)
    except ArchiveError:
        store.close()
        raise
    except sqlcipher.Error as exc:
        store.close()
        raise ArchiveUnreachable(f"The archive {path} cannot be used now "
                                 f"({_plain(exc)}); try again.") from None
    return store


def _plain(exc: Exception) -> str:
    """A database message safe to show: SQLite's own texts, cut to known words."""
    text = str(exc).split("\n")[0]
    return text if re.fullmatch(r"[a-z ]{1,60}", text) else type(exc).__name__


# -- PostgreSQL ----------------------------------------------------------------------------------
class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, conn: Any, where: str) -> None:
        super().__init__(conn)
        self.where = where
        import psycopg

        self.errors = (psycopg.Error,)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def _lock_schema(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(7411420)")

    def compact(self) -> None:
        """PostgreSQL's VACUUM frees the deleted rows' space (no transaction around it); a
        role that does not own the tables leaves it to autovacuum."""
        import psycopg

        try:
            self.conn.execute("VACUUM records")
            self.conn.execute("VACUUM snapshots")
        except psycopg.errors.InsufficientPrivilege:
            log.warning("archive purge: VACUUM left to autovacuum (the role does not own the "
                        "tables)")


def pg_where(url: str) -> str:
    """"host:port/db" of a postgresql:// URL, without user or password."""
    m = re.match(r"^postgres(?:ql)?://(?:[^@/]*@)?([^/?]*)(/[^?]*)?", url)
    if not m:
        return "the PostgreSQL server"
    return f"{m.group(1) or 'localhost'}{m.group(2) or ''}"


def open_postgres(url: str, key: ArchiveKey) -> PostgresStore:
    import psycopg

    where = pg_where(url)
    try:
        # a server that stops answering mid-query (no reset) must not hold a print either:
        # TCP keepalives and a user timeout end the connection (ignored on Unix sockets)
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
                               application_name="dischargedesk", keepalives=1,
                               keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
                               tcp_user_timeout=QUERY_TIMEOUT_S * 1000)
        conn.execute(f"SET statement_timeout = {QUERY_TIMEOUT_S * 1000}")
    except psycopg.Error as exc:
        raise ArchiveUnreachable(f"The archive database {where} cannot be reached "
                                 f"({type(exc).__name__}); the records wait on this computer "
                                 "and are sent when it is back.") from None
    store = PostgresStore(conn, where)
    try:
        store.migrate(key)
    except ArchiveError:
        store.close()
        raise
    except psycopg.Error as exc:
        store.close()
        raise ArchiveUnreachable(f"The archive database {where} cannot be used now "
                                 f"({type(exc).__name__}); try again.") from None
    return store
