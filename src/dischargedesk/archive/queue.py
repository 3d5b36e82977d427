"""The local queue: records that could not reach the archive database wait here, encrypted
with the archive key (the same envelope as the database's patient data), and are sent by
the next archive operation that reaches it. Record IDs are made when the handouts are
printed, so a record sent twice (the connection broke after the insert, before the file
was removed) is stored once.

Files (no patient data in any name): ``rec-<record id>.bin`` (the whole row, sealed) and
``snap-<snapshot id>.bin`` (the clinic snapshot it needs, sealed), written to a temporary
name, flushed to disk and renamed, so a crash leaves a whole file or none.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import tempfile
import zlib
from pathlib import Path
from typing import Any

from .keys import ArchiveKey

_REC = re.compile(r"^rec-([0-9a-f-]{36})\.bin$")


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Queue:
    def __init__(self, folder: Path, key: ArchiveKey) -> None:
        self.folder = folder
        self.key = key

    def put(self, row: dict[str, Any], snapshot: tuple[str, bytes]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        snap_path = self.folder / f"snap-{snapshot[0]}.bin"
        if not snap_path.exists():
            sealed = self.key.seal(snapshot[0], base64.b64encode(snapshot[1]).decode("ascii"))
            _write(snap_path, sealed)
        wire = {k: (base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v)
                for k, v in row.items()}
        _write(self.folder / f"rec-{row['id']}.bin",
               zlib.compress(self.key.seal(row["id"], wire), 1))

    def pending(self) -> list[str]:
        """Queued record IDs, oldest first."""
        try:
            files = [p for p in self.folder.iterdir() if _REC.match(p.name)]
        except FileNotFoundError:
            return []
        files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [m.group(1) for p in files if (m := _REC.match(p.name))]

    def load(self, record_id: str) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
        raw = zlib.decompress((self.folder / f"rec-{record_id}.bin").read_bytes())
        wire = self.key.open(record_id, raw)
        row = dict(wire)
        row["phi"] = base64.b64decode(wire["phi"])
        snap_path = self.folder / f"snap-{row['snapshot_id']}.bin"
        snapshot = None
        if snap_path.exists():
            data = base64.b64decode(self.key.open(row["snapshot_id"], snap_path.read_bytes()))
            snapshot = (row["snapshot_id"], data)
        return row, snapshot

    def done(self, record_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"rec-{record_id}.bin").unlink()

    def tidy(self) -> None:
        """Remove snapshot files no queued record needs any more."""
        if self.pending():
            return
        with contextlib.suppress(OSError):
            for p in self.folder.glob("snap-*.bin"):
                p.unlink()
