"""Writing PDFs safely: verify in memory, temp file in the same folder, fsync, replace.

A failure leaves no temp file behind and keeps any older file intact. Error messages name
the folder (chosen by the user, no patient data) and say what to do.
"""

from __future__ import annotations

import errno
import os
import tempfile
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


def write_files_atomic(folder: Path, files: Sequence[tuple[str, bytes]], *,
                       create_folder: bool = False) -> list[Path]:
    """Write every file or none: all go to temp files first, then each is renamed in place."""
    for name, data in files:
        if not looks_like_pdf(data):
            raise OutputError(f"The handout {name} came out incomplete, so it was not saved; "
                              "try again.")
    folder = Path(folder)
    try:
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "missing", str(folder))
    except OSError as exc:
        raise _explain(exc, folder) from None
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in files:
            fd, tmp_name = tempfile.mkstemp(prefix=".dischargedesk-", suffix=".tmp", dir=folder)
            temps.append((Path(tmp_name), folder / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        done = []
        for tmp, final in temps:
            os.replace(tmp, final)
            done.append(final)
        return done
    except OSError as exc:
        raise _explain(exc, folder) from None
    finally:
        for leftover, _ in temps:
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
