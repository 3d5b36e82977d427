"""The archive key and what is made from it: the SQLCipher key, the envelope that encrypts
patient data before it leaves the app, and the keyed hash (HMAC) that finds records by MRN.

One 32-byte random master key, kept in a key file (``dischargedesk archive init-key FILE``,
mode 0600) or in the OS keyring (``keyring``). Every use gets its own key by HKDF-SHA256
with a distinct label, so the database key, the envelope key and the MRN hash key are
unrelated to each other. ``key_id`` (a hash of a derived value, never the key) names the
key in every record, so a record sealed with another key is reported as such.

Envelope format (bytes): ``0x01 | key_id (8 bytes) | nonce (12) | AES-256-GCM ciphertext``,
with the record ID as associated data: a sealed value cannot be moved to another record.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import ArchiveKeyError

KEY_HEADER = "dischargedesk-archive-key-v1"
KEYRING_SERVICE = "dischargedesk-archive"
KEYRING_USER = "archive-key"
ENVELOPE_VERSION = 1
_NONCE = 12


def _derive(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"dischargedesk archive {label}".encode()).derive(master)


@dataclass(frozen=True)
class ArchiveKey:
    """Keys derived from one master key. ``repr`` never shows them."""

    master: bytes

    def __repr__(self) -> str:
        return f"ArchiveKey(id={self.key_id})"

    @property
    def key_id(self) -> str:
        return hashlib.sha256(_derive(self.master, "key-id v1")).hexdigest()[:16]

    @property
    def sqlcipher_hex(self) -> str:
        """The raw SQLCipher key (``PRAGMA key = "x'...'"``), 64 hex digits."""
        return _derive(self.master, "sqlcipher v1").hex()

    @property
    def _aead(self) -> AESGCM:
        return AESGCM(_derive(self.master, "envelope v1"))

    def mrn_hash(self, mrn: str) -> str | None:
        """HMAC-SHA256 of the MRN as typed, ignoring case and surrounding spaces."""
        norm = " ".join(mrn.split()).upper()
        if not norm:
            return None
        return hmac.new(_derive(self.master, "mrn-hmac v1"), norm.encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def seal(self, record_id: str, value: Any) -> bytes:
        """JSON ``value`` encrypted and bound to ``record_id``."""
        nonce = secrets.token_bytes(_NONCE)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return bytes([ENVELOPE_VERSION]) + bytes.fromhex(self.key_id) + nonce + \
            self._aead.encrypt(nonce, plain, record_id.encode("ascii"))

    def open(self, record_id: str, blob: bytes) -> Any:
        blob = bytes(blob)
        if len(blob) < 1 + 8 + _NONCE + 16 or blob[0] != ENVELOPE_VERSION:
            raise ArchiveKeyError(f"Record {record_id} is damaged (its encrypted part has an "
                                  "unknown format); restore the archive from a backup.")
        if blob[1:9].hex() != self.key_id:
            raise ArchiveKeyError(f"Record {record_id} was encrypted with another archive key "
                                  f"(key {blob[1:9].hex()}, this key is {self.key_id}); use "
                                  "the key it was made with.")
        nonce = blob[9:9 + _NONCE]
        try:
            plain = self._aead.decrypt(nonce, blob[9 + _NONCE:], record_id.encode("ascii"))
        except InvalidTag:
            raise ArchiveKeyError(f"Record {record_id} is damaged (its encrypted part does not "
                                  "check out); restore the archive from a backup.") from None
        return json.loads(plain.decode("utf-8"))


# -- the key file ------------------------------------------------------------------------------
def new_master() -> bytes:
    return secrets.token_bytes(32)


def key_file_text(master: bytes) -> str:
    return f"{KEY_HEADER}\n{base64.b64encode(master).decode('ascii')}\n"


def init_key_file(path: Path) -> ArchiveKey:
    """Write a new random key file (mode 0600); never replaces an existing file."""
    master = new_master()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except FileExistsError:
        raise ArchiveKeyError(f"The key file {path} already exists, so it was not replaced "
                              "(a new key would lock every record made with the old one); "
                              "choose another file name.") from None
    except OSError as exc:
        raise ArchiveKeyError(f"The key file {path} cannot be created "
                              f"({exc.strerror or type(exc).__name__}); check the folder "
                              "and your permissions.") from None
    try:
        os.write(fd, key_file_text(master).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return ArchiveKey(master)


def read_key_file(path: Path) -> ArchiveKey:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ArchiveKeyError(f"The archive key file {path} is not a file; check key_file "
                                  "in the site settings.")
        if sys.platform != "win32" and st.st_mode & stat.S_IROTH:
            raise ArchiveKeyError(f"The archive key file {path} can be read by every user of "
                                  "this computer, so it is not used; make it readable only "
                                  f"by Discharge Desk's users (chmod 600 or 640 {path}).")
        with open(path, "rb") as fh:
            raw = fh.read(4096)
    except ArchiveKeyError:
        raise
    except FileNotFoundError:
        raise ArchiveKeyError(f"The archive key file {path} is missing, so the archive cannot "
                              "be opened; restore it from your key backup (docs/archive.md)."
                              ) from None
    except OSError as exc:
        raise ArchiveKeyError(f"The archive key file {path} cannot be read "
                              f"({exc.strerror or type(exc).__name__}); check that your "
                              "account may read it.") from None
    return ArchiveKey(_parse_key(raw, f"The archive key file {path}"))


def _parse_key(raw: bytes, what: str) -> bytes:
    try:
        lines = raw.decode("ascii").split()
        if len(lines) != 2 or lines[0] != KEY_HEADER:
            raise ValueError
        master = base64.b64decode(lines[1], validate=True)
        if len(master) != 32:
            raise ValueError
    except (UnicodeDecodeError, ValueError, binascii.Error):
        raise ArchiveKeyError(f"{what} is not a Discharge Desk archive key; restore it from "
                              "your key backup (docs/archive.md).") from None
    return master


# -- the keyring -------------------------------------------------------------------------------
def _keyring() -> Any:
    import keyring
    from keyring.backends import fail

    ring = keyring.get_keyring()
    if isinstance(ring, fail.Keyring):
        raise ArchiveKeyError("This computer has no OS keyring Discharge Desk can use, so the "
                              "archive key cannot be read; set key_file in the [archive] "
                              "settings instead (docs/archive.md).")
    return keyring


def read_keyring() -> ArchiveKey:
    kr = _keyring()
    try:
        text = kr.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception as exc:  # noqa: BLE001 - every keyring backend raises its own kinds
        raise ArchiveKeyError(f"The OS keyring could not be read ({type(exc).__name__}); "
                              "unlock it and try again.") from None
    if not text:
        raise ArchiveKeyError("The OS keyring holds no archive key for this user; run "
                              "'dischargedesk archive init-key --keyring' or restore the key "
                              "(docs/archive.md).")
    return ArchiveKey(_parse_key(text.encode("ascii", "replace"),
                                 "The archive key in the OS keyring"))


def init_keyring() -> ArchiveKey:
    kr = _keyring()
    try:
        if kr.get_password(KEYRING_SERVICE, KEYRING_USER):
            raise ArchiveKeyError("The OS keyring already holds an archive key, so it was not "
                                  "replaced (a new key would lock every record made with the "
                                  "old one).")
        master = new_master()
        kr.set_password(KEYRING_SERVICE, KEYRING_USER, key_file_text(master).strip())
    except ArchiveKeyError:
        raise
    except Exception as exc:  # noqa: BLE001 - every keyring backend raises its own kinds
        raise ArchiveKeyError(f"The OS keyring could not be written ({type(exc).__name__}); "
                              "unlock it and try again.") from None
    return ArchiveKey(master)
