"""The education record and reprint archive (issue 14; docs/archive.md). Qt-free.

Off by default; on when the site file has ``[archive] url``. A print or save is kept as the
validated request (encrypted), the clinic-and-template snapshot it used (stored once, named
by its SHA-256), the app version and the SHA-256 of each PDF; a reprint makes the PDFs again
and checks them byte for byte.

* :mod:`.keys`: the key, the envelope (AES-256-GCM) and the MRN hash (HMAC-SHA256);
* :mod:`.snapshot`: the content-addressed clinic-and-template snapshots;
* :mod:`.schema`, :mod:`.store`: numbered SQL migrations; SQLite/SQLCipher and PostgreSQL;
* :mod:`.queue`: the local encrypted queue for an unreachable database;
* :mod:`.service`: record, list, reprint, purge, verify (what the CLI and the app call);
* :mod:`.cli`: ``dischargedesk archive ...`` and the archive's part of ``render``.
"""
