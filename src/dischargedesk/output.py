"""Writing PDFs safely: verify in memory, temp files in the same folder, fsync, one commit.

A batch of handouts (one patient's discharge instructions and recovery plan) is written all
or nothing, so a folder never holds one patient's handout beside another patient's:

1. a *journal* ``.dischargedesk-<batch>.journal.tmp`` is created and locked for the whole
   write (an OS lock, released by the kernel when the process dies, even by ``kill -9``);
   it lists the final names and a SHA-256 of each new file (no patient data);
2. every file is written and fsynced under ``.dischargedesk-<batch>-<i>.new.tmp``;
3. a *commit marker* ``.dischargedesk-<batch>.commit.tmp`` is created; then each older file
   of the same name is moved aside to ``.dischargedesk-<batch>-<i>.old.tmp`` and the new one
   renamed in; removing the marker is the commit point;
4. backups, then the journal are removed.

Any failure before the commit point rolls back: new files are removed (only if their hash
matches the journal), older files are put back. A process killed at any step leaves only
``.dischargedesk-*.tmp`` files; :func:`clean_folder` (run before every write and when the
app starts with a known folder) finds journals that are no longer locked and finishes the
rollback, and removes leftovers, so no stale temp file holding patient data stays behind.
Error messages name the folder (chosen by the user, no patient data) and say what to do.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import OutputError


def looks_like_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-64:] and b"/Type /Page" in data


def _explain(exc: OSError, folder: Path) -> OutputError:
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return OutputError(f"The disk is full, so nothing was saved in {folder}; free some "
                           "space or choose another folder.")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"You do not have permission to save in {folder}; choose another "
                           "folder or ask your IT team for access.")
    if code in (errno.ENOENT, errno.ENOTDIR):
        return OutputError(f"The folder {folder} is not there (a network drive may be "
                           "disconnected); reconnect it or choose another folder.")
    if code in (errno.EBUSY, errno.ETXTBSY) or getattr(exc, "winerror", None) in (32, 33):
        return OutputError("A file with the same name is open in another program; close "
                           "it (for example the PDF viewer) and save again.")
    return OutputError(f"The handouts could not be saved in {folder} ({exc.strerror or 'error'}"
                       "); try again or choose another folder.")


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a small text file (settings, templates, profiles) all at once: temp file in
    the same folder, fsync, rename. On failure the old file stays and no temp is left.
    Raises OSError; callers turn it into their own plain sentence."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dischargedesk-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


PREFIX = ".dischargedesk-"
SUFFIX = ".tmp"
#: A temp file of another kind (an older version of this function, a text write) this old
#: cannot belong to a write still running.
LEGACY_STALE_S = 120
_BATCH_RE = re.compile(r"^\.dischargedesk-([0-9a-f]{16})(?:\.(journal|commit)|-(\d+)\.(new|old))"
                       r"\.tmp$")


def _journal(folder: Path, batch: str) -> Path:
    return folder / f"{PREFIX}{batch}.journal{SUFFIX}"


def _marker(folder: Path, batch: str) -> Path:
    return folder / f"{PREFIX}{batch}.commit{SUFFIX}"


def _new(folder: Path, batch: str, i: int) -> Path:
    return folder / f"{PREFIX}{batch}-{i}.new{SUFFIX}"


def _old(folder: Path, batch: str, i: int) -> Path:
    return folder / f"{PREFIX}{batch}-{i}.old{SUFFIX}"


def _try_lock(fd: int, *, wait: bool = False) -> bool | None:
    """Exclusive lock on an open file; the OS drops it when the process dies. True: locked.
    False: another process holds it. None: this file system has no locks. ``wait`` waits for
    a cleaner that is looking at the same file (a few milliseconds)."""
    try:
        if os.name == "nt":  # pragma: no cover - exercised on Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            mode = msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK  # type: ignore[attr-defined]
            msvcrt.locking(fd, mode, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
            return False
        return None
    return True


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows has no directory fsync
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _safe_name(name: object) -> bool:
    return (isinstance(name, str) and bool(name) and Path(name).name == name
            and name not in (".", "..") and not name.startswith(PREFIX))


def _undo(folder: Path, batch: str, entries: Sequence[tuple[str, str]]) -> None:
    """Roll a batch back to the state before its commit: a final name that holds this batch's
    new file (checked by hash) is removed, and the older file moved aside is put back.
    Raises OSError if a step fails (the journal then stays for the next run)."""
    for i, (name, digest) in enumerate(entries):
        final, new, old = folder / name, _new(folder, batch, i), _old(folder, batch, i)
        if not new.exists() and final.is_file() and not final.is_symlink() \
                and _sha256_file(final) == digest:
            final.unlink()  # our new file was renamed in: take it out again
        if old.exists() and not os.path.lexists(final):
            os.replace(old, final)


def _remove_batch_files(folder: Path, batch: str, *, keep_journal: bool = False) -> None:
    """Remove every temp file of ``batch``; the journal last (it guards the others)."""
    journal = _journal(folder, batch)
    for entry in os.scandir(folder):
        m = _BATCH_RE.match(entry.name)
        if m and m.group(1) == batch and entry.path != str(journal):
            Path(entry.path).unlink(missing_ok=True)
    if not keep_journal:
        journal.unlink(missing_ok=True)


def _read_journal(fd: int) -> list[tuple[str, str]] | None:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
        if sum(map(len, chunks)) > 1_000_000:
            return None
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
        entries = [(str(e["name"]), str(e["sha256"])) for e in data["files"]]
    except (ValueError, KeyError, TypeError):
        return None
    return entries if all(_safe_name(n) for n, _ in entries) else None


def _recover(folder: Path, batch: str) -> None:
    """Finish a batch whose writer is gone (its journal is not locked any more)."""
    journal = _journal(folder, batch)
    try:
        fd = os.open(journal, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        _remove_batch_files(folder, batch)  # orphans: the journal is always made first
        return
    try:
        locked = _try_lock(fd)
        age = time.time() - os.fstat(fd).st_mtime
        if locked is False or (locked is None and age < LEGACY_STALE_S):
            return  # its writer is still running (or may be, without locks to tell)
        entries = _read_journal(fd) or []  # unreadable: killed before it was written
        if _marker(folder, batch).exists():
            _undo(folder, batch, entries)
        _remove_batch_files(folder, batch, keep_journal=True)
    finally:
        os.close(fd)
    journal.unlink(missing_ok=True)


def clean_folder(folder: str | Path) -> None:
    """Roll back and remove what a killed or failed write left in ``folder``.

    Batches whose writer still runs (journal locked) are left alone. Never raises: a folder
    that cannot be read is reported by the write itself."""
    folder = Path(folder)
    try:
        names = [e.name for e in os.scandir(folder)
                 if e.name.startswith(PREFIX) and e.name.endswith(SUFFIX)]
    except OSError:
        return
    batches = {m.group(1) for n in names if (m := _BATCH_RE.match(n))}
    for batch in sorted(batches):
        with contextlib.suppress(OSError):
            _recover(folder, batch)
    now = time.time()
    for name in names:
        if _BATCH_RE.match(name):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > LEGACY_STALE_S:
                path.unlink()


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_files_atomic(folder: Path, files: Sequence[tuple[str, bytes]], *,
                       create_folder: bool = False) -> list[Path]:
    """Write every file or none (see the module docstring for the commit protocol)."""
    for name, data in files:
        if not _safe_name(name):
            raise OutputError("A handout has a file name that cannot be used, so nothing was "
                              "saved; please report it to your support team.")
        if not looks_like_pdf(data):
            raise OutputError(f"The handout {name} came out incomplete, so it was not saved; "
                              "try again.")
    if len({name.casefold() for name, _ in files}) != len(files):
        raise OutputError("Two handouts would get the same file name, so nothing was saved; "
                          "please report it to your support team.")
    folder = Path(folder)
    try:
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "missing", str(folder))
    except OSError as exc:
        raise _explain(exc, folder) from None
    clean_folder(folder)
    for name, _ in files:
        try:
            mode = (folder / name).lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _explain(exc, folder) from None
        if stat.S_ISDIR(mode):
            raise OutputError(f"There is a folder named {name} in {folder}, so nothing was "
                              "saved; rename or move that folder, or choose another folder.")
    batch = secrets.token_hex(8)
    entries = [(name, hashlib.sha256(data).hexdigest()) for name, data in files]
    journal = _journal(folder, batch)
    try:
        fd = os.open(journal, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except OSError as exc:
        raise _explain(exc, folder) from None
    try:
        if _try_lock(fd, wait=True) is False or not _same_file(fd, journal):
            # a cleaner took this journal for a dead one in the instant before the lock
            raise OSError(errno.EAGAIN, "busy")
        os.write(fd, json.dumps({"files": [{"name": n, "sha256": d} for n, d in entries]})
                 .encode("utf-8"))
        os.fsync(fd)
        for i, (_, data) in enumerate(files):
            _write_new(_new(folder, batch, i), data)
        _write_new(_marker(folder, batch), b"")
        _fsync_dir(folder)
        for i, (name, _) in enumerate(files):
            final = folder / name
            if os.path.lexists(final):
                os.replace(final, _old(folder, batch, i))
            os.replace(_new(folder, batch, i), final)
        _fsync_dir(folder)
        os.unlink(_marker(folder, batch))  # the commit point
        _fsync_dir(folder)
    except OSError as exc:
        _abort(folder, batch, entries, fd)
        raise _explain(exc, folder) from None
    except BaseException:
        _abort(folder, batch, entries, fd)
        raise
    with contextlib.suppress(OSError):
        _remove_batch_files(folder, batch, keep_journal=True)
    os.close(fd)
    with contextlib.suppress(OSError):
        journal.unlink()
    return [folder / name for name, _ in files]


def _abort(folder: Path, batch: str, entries: Sequence[tuple[str, str]], fd: int) -> None:
    """Roll back a failed write in this process. If that fails too (the folder went away),
    the journal stays so that the next run finishes the rollback."""
    try:
        if _marker(folder, batch).exists():
            _undo(folder, batch, entries)
        _remove_batch_files(folder, batch, keep_journal=True)
    except OSError:
        os.close(fd)
        return
    os.close(fd)
    with contextlib.suppress(OSError):
        _journal(folder, batch).unlink()
