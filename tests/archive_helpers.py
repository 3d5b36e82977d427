"""Helpers of the archive tests: a site file with the archive on, and the SQLCipher pages
decrypted (so a test sees every byte the database file holds, free pages included)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
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


# -- a real PostgreSQL server ------------------------------------------------------------------

REQUIRE_POSTGRES = "DISCHARGEDESK_REQUIRE_POSTGRES"


def postgres_bin() -> Path | None:
    """The newest Debian/Ubuntu PostgreSQL binaries (/usr/lib/postgresql/N/bin), or PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throwaway cluster in a temporary folder, run by a non-root user (``postgres`` or
    ``nobody`` when the tests run as root), listening on a Unix socket only."""

    def __init__(self, bindir: Path, *, fsync: bool = False) -> None:
        import pwd  # POSIX only, like the server binaries

        self.bindir = bindir
        self.user: str | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user = name
                break
            if self.user is None:
                raise RuntimeError("no non-root user to run PostgreSQL as")
        self.root = Path(tempfile.mkdtemp(prefix="dischargedesk-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.port = _free_port()
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)
        self.root.chmod(0o755)
        self.superuser = self.user or pwd.getpwuid(os.geteuid()).pw_name
        self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"listen_addresses = ''\nunix_socket_directories = '{self.socket_dir}'\n"
                     f"port = {self.port}\nfsync = {'on' if fsync else 'off'}\n"
                     "max_connections = 40\n")
        self.start()

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120,
                              cwd="/")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return (f"postgresql://{self.superuser}@/{dbname}?host={self.socket_dir}"
                f"&port={self.port}")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
