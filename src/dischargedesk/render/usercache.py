"""The per-user cache folder of a render's disk caches (compiled templates, the portal QR's
modules, parsed fonts): where it is, the switch that turns them all off, and files that are
written atomically and read back only when their SHA-256 matches.

Nothing a patient typed is ever stored here: each cache keeps what the program derives from
its own files (template text, the clinic's portal address, font files), keyed by content, so
a changed input is a new file and a cache can never change what prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path

ENV_DISABLE = "DISCHARGEDESK_NO_TEMPLATE_CACHE"  # the name predates the other caches
_DIGEST = 32


def enabled() -> bool:
    return not os.environ.get(ENV_DISABLE)


def root() -> Path:
    """``<user cache>/dischargedesk`` (platformdirs: XDG on Linux, LocalAppData, Caches)."""
    import platformdirs

    name = "dischargedesk" if sys.platform not in ("win32", "darwin") else "DischargeDesk"
    return platformdirs.user_cache_path(name, appauthor=False)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_verified(path: Path, magic: bytes, payload: bytes) -> None:
    """``magic``, the SHA-256 of ``payload``, ``payload``; a folder that cannot be written
    only means no cache (the next process computes again)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, magic + hashlib.sha256(payload).digest() + payload)


def read_verified(path: Path, magic: bytes) -> bytes | None:
    """The payload :func:`write_verified` wrote, or None (no file, another format, a short
    or damaged file: its digest does not match)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(magic):
        return None
    digest, payload = data[len(magic):len(magic) + _DIGEST], data[len(magic) + _DIGEST:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def prune(folder: Path, pattern: str, max_files: int) -> None:
    """Past ``max_files`` files matching ``pattern`` in ``folder``, remove the oldest (by
    modification time) down to half of it; a file that cannot be listed or removed stays."""
    try:
        files = list(folder.glob(pattern))
        if len(files) <= max_files:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
    except OSError:
        return
    for old in files[: len(files) - max_files // 2]:
        with contextlib.suppress(OSError):
            old.unlink()
