"""Helpers of the archive tests: a site file with the archive on, and the SQLCipher pages
decrypted (so a test sees every byte the database file holds, free pages included)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from dischargedesk.archive.keys import ArchiveKey, read_key_file

PAGE, RESERVE = 4096, 80  # SQLCipher 4 defaults: 16-byte IV + 64-byte HMAC per page


def write_site(folder: Path, url: str, key_file: Path | None, extra: str = "") -> Path:
    site = folder / "site.toml"
    key = f'key_file = "{key_file}"\n' if key_file else 'key_source = "keyring"\n'
    site.write_text(f'[archive]\nurl = "{url}"\n{key}{extra}', encoding="utf-8")
    return site


def decrypted_pages(db: Path, key: ArchiveKey) -> bytes:
    """Every page of a SQLCipher 4 file (raw key) decrypted with AES-256-CBC."""
    raw = db.read_bytes()
    aes_key = bytes.fromhex(key.sqlcipher_hex)
    out = bytearray()
    for i in range(len(raw) // PAGE):
        page = raw[i * PAGE:(i + 1) * PAGE]
        start = 16 if i == 0 else 0  # the salt
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        dec = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
        out += dec.update(page[start:PAGE - RESERVE]) + dec.finalize()
    return bytes(out)


def key_of(path: Path) -> ArchiveKey:
    return read_key_file(path)


def archive_files(db: Path) -> list[Path]:
    """The database and every file SQLite keeps beside it."""
    return [p for p in (db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")))
            if p.exists()]
