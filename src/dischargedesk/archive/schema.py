"""The archive's tables, as plain numbered SQL migrations (one list for SQLite and
PostgreSQL; ``{blob}`` and ``{serial}`` are the only words that differ).

Each migration runs once, in order, in one transaction, and is recorded in
``schema_version``; a database newer than this app is refused (its records could hold
fields this version would not copy). Add a migration by appending ``(N, name, sql)``; never
edit one that shipped.
"""

from __future__ import annotations

SCHEMA_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "records, snapshots, access log", """
CREATE TABLE archive_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- clinic-and-template snapshots, content-addressed (no patient data)
CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    data {blob} NOT NULL
);
-- one row per print or save; patient data only inside phi (the envelope, keys.py)
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    event TEXT NOT NULL,
    workstation TEXT NOT NULL,
    os_user TEXT NOT NULL,
    app_version TEXT NOT NULL,
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
    procedure TEXT NOT NULL,
    handouts TEXT NOT NULL,
    language TEXT NOT NULL,
    large_print INTEGER NOT NULL,
    bilingual TEXT NOT NULL,
    teach_back INTEGER,
    interpreter_used INTEGER NOT NULL,
    caregiver_present INTEGER,
    outputs TEXT NOT NULL,
    mrn_hmac TEXT,
    key_id TEXT NOT NULL,
    phi {blob} NOT NULL
);
CREATE INDEX records_mrn ON records (mrn_hmac);
CREATE INDEX records_created ON records (created_at);
CREATE INDEX records_snapshot ON records (snapshot_id);
-- who listed, reprinted or purged what (record IDs and counts only)
CREATE TABLE access_log (
    id {serial},
    at TEXT NOT NULL,
    workstation TEXT NOT NULL,
    os_user TEXT NOT NULL,
    action TEXT NOT NULL,
    record_id TEXT,
    detail TEXT NOT NULL
);
"""),
)

DIALECT = {
    "sqlite": {"blob": "BLOB", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"blob": "BYTEA", "serial": "BIGSERIAL PRIMARY KEY"},
}

LATEST = MIGRATIONS[-1][0]


def statements(sql: str, dialect: str) -> list[str]:
    """The migration's statements for one database (comments dropped)."""
    text = "\n".join(line for line in sql.format(**DIALECT[dialect]).splitlines()
                     if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


RECORD_COLUMNS = ("id", "created_at", "event", "workstation", "os_user", "app_version",
                  "snapshot_id", "procedure", "handouts", "language", "large_print",
                  "bilingual", "teach_back", "interpreter_used", "caregiver_present",
                  "outputs", "mrn_hmac", "key_id", "phi")
