"""The clinic-and-template snapshot: everything a print used besides the request and the
app itself, stored once per distinct version and named by its SHA-256.

A snapshot holds every ordinary file of the clinic folder (clinic.toml, the logo, its
templates/ overrides and language packs) and of the installed built-in templates (every
language pack and section), read the way the clinic copy reads a share
(:func:`dischargedesk.clinic.source._walk`: no links, no special files, bounded size), plus
whether the clinic was the built-in sample clinic (its pages carry the sample notice).
No patient data: clinic files only.

Format: zlib-compressed canonical JSON ``{"format": 1, "sample": bool, "files":
{"clinic/REL": base64, "templates/REL": base64}}``; the ID is the SHA-256 of the JSON, so a
stored snapshot proves its own integrity. One process builds a snapshot once per folder
content (the folders' fingerprints, :func:`dischargedesk.clinic.source._fingerprint`, say
when to build again).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..clinic.profile import ClinicProfile, load_clinic
from ..clinic.source import MAX_BYTES, ShareRefused, _fingerprint, _walk
from ..resources import snapshot_files, templates_dir
from .errors import ArchiveError

FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    id: str         # SHA-256 (hex) of the canonical JSON
    data: bytes     # zlib-compressed canonical JSON

    @property
    def size(self) -> int:
        return len(self.data)


_memo: dict[tuple[str, str, str, str, bool], Snapshot] = {}
_memo_lock = threading.Lock()


def _files(root: Path, prefix: str, out: dict[str, str], total: list[int]) -> None:
    for rel, st in _walk(root):
        if st is None:
            continue
        data = (root / rel).read_bytes()
        total[0] += len(data)
        if total[0] > MAX_BYTES:
            raise ShareRefused(f"the clinic and its templates hold more than "
                               f"{MAX_BYTES // 2**20} MB")
        out[f"{prefix}/{rel}"] = base64.b64encode(data).decode("ascii")


def build(clinic_dir: Path, builtin: Path, sample: bool) -> Snapshot:
    files: dict[str, str] = {}
    total = [0]
    _files(clinic_dir, "clinic", files, total)
    _files(builtin, "templates", files, total)
    canonical = json.dumps({"format": FORMAT, "sample": sample, "files": files},
                           sort_keys=True, separators=(",", ":")).encode("ascii")
    return Snapshot(hashlib.sha256(canonical).hexdigest(), zlib.compress(canonical, 6))


def snapshot_of(clinic: ClinicProfile) -> Snapshot:
    """The snapshot of what ``clinic`` prints with now (built once per folder content)."""
    if clinic.folder is None:
        raise ArchiveError("This clinic has no folder, so its handouts cannot be archived; "
                           "start Discharge Desk with a clinic folder.")
    builtin = templates_dir()
    try:
        key = (str(clinic.folder), _fingerprint(clinic.folder), str(builtin),
               _fingerprint(builtin), clinic.is_sample)
        with _memo_lock:
            found = _memo.get(key)
        if found is not None:
            return found
        snap = build(clinic.folder, builtin, clinic.is_sample)
    except ShareRefused as exc:
        raise ArchiveError(f"The clinic cannot be archived: {exc}.") from None
    except OSError as exc:
        raise ArchiveError(f"The clinic's files could not be read for the archive "
                           f"({type(exc).__name__}); try again.") from None
    with _memo_lock:
        if len(_memo) > 32:
            _memo.clear()
        _memo[key] = snap
    return snap


def unpack(snapshot_id: str, data: bytes) -> dict[str, bytes] | None:
    """The files of a stored snapshot, or None when it is not what its ID says."""
    try:
        canonical = zlib.decompress(bytes(data))
    except zlib.error:
        return None
    if hashlib.sha256(canonical).hexdigest() != snapshot_id:
        return None
    doc = json.loads(canonical)
    if doc.get("format") != FORMAT:
        return None
    files = {name: base64.b64decode(b64) for name, b64 in doc["files"].items()}
    files["\0sample"] = b"1" if doc.get("sample") else b""
    return files


def _matches(root: Path, files: dict[str, bytes]) -> bool:
    """Does the folder hold exactly these files?"""
    try:
        found = {f"{section}/{rel}" for section in ("clinic", "templates")
                 for rel, st in _walk(root / section) if st is not None}
        return found == set(files) and all((root / name).read_bytes() == content
                                            for name, content in files.items())
    except (OSError, ShareRefused):
        return False


def _extract(snapshot_id: str, files: dict[str, bytes], cache: Path) -> Path:
    """The snapshot's files in ``cache/<id>`` (made once; checked file by file each time, so
    a folder changed by hand is made again). Clinic files only, no patient data. A fixed
    folder per snapshot keeps the engine's template caches (keyed by path) right."""
    root = cache / snapshot_id[:32]
    if _matches(root, files):
        return root
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=cache))
    try:
        for name, content in files.items():
            section, _, rel = name.partition("/")
            parts = rel.split("/")
            if section not in ("clinic", "templates") or not rel or ".." in parts \
                    or "" in parts or ":" in rel or "\\" in rel:
                raise ArchiveError(f"The stored clinic snapshot {snapshot_id[:12]} holds a "
                                   "file name that is not allowed; it is not used.")
            path = tmp / section / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for section in ("clinic", "templates"):
            (tmp / section).mkdir(exist_ok=True)
        if root.exists():
            shutil.rmtree(root, ignore_errors=True)
        try:
            tmp.rename(root)
        except OSError:  # another process made it meanwhile
            if not _matches(root, files):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


@contextmanager
def restored(snapshot_id: str, data: bytes, cache: Path) -> Iterator[ClinicProfile]:
    """The clinic as it was, from a stored snapshot; within the block the built-in templates
    (and the sample clinic, if it was that) are the snapshot's."""
    files = unpack(snapshot_id, data)
    if files is None:
        raise ArchiveError(f"The stored clinic snapshot {snapshot_id[:12]} is damaged (it does "
                           "not match its hash); restore the archive from a backup.")
    sample = files.pop("\0sample") == b"1"
    try:
        root = _extract(snapshot_id, files, cache)
    except OSError as exc:
        raise ArchiveError(f"The stored clinic snapshot could not be unpacked "
                           f"({type(exc).__name__}); check the free disk space.") from None
    clinic_dir = root / "clinic"
    with snapshot_files(root / "templates", clinic_dir if sample else None):
        yield load_clinic(clinic_dir)
