"""Which clinic folder to use, with local checked copies of a network share (Qt-free).

:func:`resolve_clinic` decides, in this order (the app, the command line and the Python API
all call it, so they always print the same clinic):

1. a folder given explicitly (``--clinic DIR``): loaded as it is, no copy; refused when the
   site file locks the clinic profile or the templates;
2. the site/user setting ``clinic_folder`` (often a network share): when its content changed
   since the last start, it is copied to a temporary folder in the per-user cache, the copy is
   checked (``load_clinic``, every template combination, and one real handout per language,
   so the logo is decoded exactly as a render does) and only then made current. The app
   always runs from a local copy, so a share that disappears mid-session cannot break a
   handout. When the share cannot be reached, is too slow, holds something a clinic folder
   must not (links, devices, pipes, names that are not UTF-8, too much data), or its new
   version fails the checks in any way, the previous copy is used and ``banner`` says so in
   one plain sentence naming the version;
3. a site file that could not be read: the copy used last, with a banner (never the sample
   clinic: its phone numbers must not reach a patient);
4. nothing set: the built-in sample clinic.

The app never waits for a share: :func:`start_clinic` returns at once with the last good
local copy (or none yet) and a ``finish`` step that does the share part of
:func:`resolve_clinic`; the window runs it off the GUI thread and switches when it passes.

The share is untrusted input. The copy reads only folders and regular files (``lstat``, and
``O_NOFOLLOW``/``O_NONBLOCK`` on open), never follows a link, and stops at :data:`MAX_FILES`
entries, :data:`MAX_BYTES` bytes, :data:`MAX_DEPTH` folder levels and ``copy_timeout``
seconds (it runs in a worker thread; a server that hangs costs at most the timeout).

Cache layout (``user_data_dir()/clinic-cache``)::

    <sha256(share path)[:16]>/current        {"copy": name, "fingerprint": ...} (atomic)
    <sha256(share path)[:16]>/v-<sha256>/     meta.json + clinic/ (a checked copy) +
                                              inuse/ (one locked marker per process using it)
    <sha256(share path)[:16]>/rejected.json   the share version that failed, not re-checked
    <sha256(share path)[:16]>/lock            serialises taking and removing copies
    last.json                                 the share used last (for case 3)

Copies are named by the SHA-256 of their content and never change once made. Each process
that uses one holds an OS file lock on a marker in its ``inuse/`` folder for as long as the
:class:`ClinicSource` (or its ``clinic``) is alive, so a second window that takes a newer
version never deletes the copy the first one prints from; a copy is removed only when no
process holds it (a crashed process releases its lock). Before a copy is used its content is
hashed again and compared with ``meta.json`` and its name: a copy edited by hand is never
used.

Timing (2-core VM, sample clinic, 2 languages, 288 combinations): the check takes about
1-2 s; it runs only when the share's content changed. An unchanged share costs one walk over
its file list and one hash of the local copy (a few milliseconds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import ClinicProfileError, DischargeDeskError
from ..output import write_text_atomic
from ..siteconfig import SiteConfig, load_config, user_data_dir
from .profile import ClinicProfile, load_clinic, load_sample_clinic

CACHE_DIR = "clinic-cache"
MAX_FILES = 2_000           # files and folders in a clinic folder
MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 12              # folder levels below the clinic folder
PROBE_TIMEOUT = 5.0         # seconds to wait for a dead network share before giving up
COPY_TIMEOUT = 20.0         # seconds for the whole copy (a slow share must not hold the start)
STALE_INCOMING = 3600.0     # an abandoned temporary copy is removed after an hour
_CHUNK = 1 << 20
_IGNORED_PREFIXES = (".", "~$")
_IGNORED_SUFFIXES = (".tmp", "~", ".bak")
_IGNORED_NAMES = frozenset({"Thumbs.db", "desktop.ini", "__pycache__"})
_COPY_RE = re.compile(r"^v-[0-9a-f]{24}(?:-[A-Za-z0-9_]{1,16})?$")
_KEY_RE = re.compile(r"^[0-9a-f]{16}$")
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)


class ClinicLockedError(ClinicProfileError):
    """A clinic folder was chosen by hand although the site file locks it (exit 2)."""


class NoClinicCopyError(ClinicProfileError):
    """The configured clinic cannot be used and there is no checked copy (exit 1)."""

    exit_code = 1


class ShareRefused(Exception):
    """The share holds something a clinic folder must not; the message names the file."""


class ShareTooSlow(Exception):
    """The copy did not finish within its time limit."""


@dataclass(frozen=True)
class ClinicSource:
    """The clinic to use and how it was chosen (no patient data anywhere in here).

    Keep it (or its ``clinic``) while you print from it: for a share, it holds the lock that
    keeps its local copy from being removed by another window."""

    clinic: ClinicProfile
    #: plain description for the About view, e.g. "network folder \\\\srv\\spine (checked
    #: copy of 2026-11-25 14:03)"
    source: str
    #: one sentence for a non-blocking banner, or None when all is as configured
    banner: str | None
    #: the clinic's version label ([clinic] version in clinic.toml), "" when it has none
    version: str
    #: "share" (current share content), "cache" (an older copy: see banner), "folder"
    #: (explicit folder), "sample" (built-in sample clinic)
    kind: str
    #: check problems of a rejected new version, "FILE:LINE: message" (for the log/admin)
    problems: tuple[str, ...] = ()
    lease: Any = field(default=None, repr=False, compare=False)


Validator = Callable[[ClinicProfile], list[str]]


def check_clinic(clinic: ClinicProfile) -> list[str]:
    """Errors (not warnings) of every template combination, then one real handout per
    language through the engine (the logo is decoded and drawn as in every render)."""
    from ..checks import CHECK_DATE, check_templates
    from ..domain.request import HandoutRequest
    from ..engine import render_handouts
    from ..render.language import available_languages
    from ..sample import sample_request_data

    report = check_templates(clinic, build_pdfs=False, grades=False)
    errors = [str(p) for p in report.errors]
    if errors:
        return errors
    for language in available_languages(clinic.templates_dir):
        data = sample_request_data(CHECK_DATE) | {"language": language}
        try:
            render_handouts(HandoutRequest.from_mapping(data, today=CHECK_DATE), clinic)
        except DischargeDeskError as exc:
            return [f"a sample handout in “{language}” could not be made: {exc}"]
    return []


def locked_reason(config: SiteConfig) -> str | None:
    """Why a clinic folder may not be chosen by hand on this computer, or None."""
    for key in ("lock_clinic_profile", "lock_templates"):
        if config[key]:
            if config.site_file_broken:
                return f"{key} is on because the site settings file cannot be read"
            return f"{key} = true in the {config.source(key)}"
    return None


@dataclass(frozen=True)
class ClinicStart:
    """What a window can open on at once, and the slow rest (for the app: it never waits on
    a share before its window is shown).

    ``source`` is final when ``finish`` is None. Otherwise it is the last good local copy of
    the share (verified by hash, not yet compared with the share), or None when this
    computer has no copy yet; ``finish(on_check)`` (slow: reads the share, maybe copies and
    checks a new version; call it off the GUI thread) returns what :func:`resolve_clinic`
    returns, and calls ``on_check()`` first when a new version is about to be checked."""

    source: ClinicSource | None
    finish: Callable[[Callable[[], None] | None], ClinicSource] | None = None


def start_clinic(config: SiteConfig | None = None, *, folder: Path | None = None,
                 cache_root: Path | None = None, validate: Validator = check_clinic,
                 probe_timeout: float = PROBE_TIMEOUT,
                 copy_timeout: float = COPY_TIMEOUT) -> ClinicStart:
    """Like :func:`resolve_clinic`, split into the quick local part and the share part."""
    config = config if config is not None else load_config()
    share = config.clinic_folder
    if folder is not None or share is None:
        return ClinicStart(resolve_clinic(config, folder=folder, cache_root=cache_root,
                                          validate=validate))
    cache = Cache(cache_root or user_data_dir() / CACHE_DIR)
    current, _ = cache.take_current(cache.folder_for(share))
    source = None if current is None else _source(current, None, "cache")

    def finish(on_check: Callable[[], None] | None = None) -> ClinicSource:
        return resolve_clinic(config, cache_root=cache.root, validate=validate,
                              probe_timeout=probe_timeout, copy_timeout=copy_timeout,
                              on_check=on_check)

    return ClinicStart(source, finish)


def resolve_clinic(config: SiteConfig | None = None, *, folder: Path | None = None,
                   cache_root: Path | None = None, validate: Validator = check_clinic,
                   now: Callable[[], dt.datetime] | None = None,
                   probe_timeout: float = PROBE_TIMEOUT,
                   copy_timeout: float = COPY_TIMEOUT,
                   on_check: Callable[[], None] | None = None) -> ClinicSource:
    """Choose the clinic (see the module docstring). Raises :class:`ClinicLockedError` for a
    hand-chosen folder on a locked computer, :class:`NoClinicCopyError` when there is nothing
    safe to use, and ClinicProfileError for an explicit folder that cannot be loaded.
    ``on_check()`` is called just before a new share version is copied and checked."""
    config = config if config is not None else load_config()
    if folder is not None:
        reason = locked_reason(config)
        if reason is not None:
            raise ClinicLockedError(
                f"The clinic is set by your administrator ({reason}), so another clinic "
                "folder cannot be chosen on this computer; leave out --clinic to use the "
                "site's clinic.")
        clinic = load_clinic(folder)
        return ClinicSource(clinic, f"clinic folder {folder}", None, clinic.version, "folder")
    cache = Cache(cache_root or user_data_dir() / CACHE_DIR)
    if config.clinic_folder is not None:
        return _from_share(config.clinic_folder, cache, validate,
                           now or (lambda: dt.datetime.now(dt.UTC)), probe_timeout,
                           copy_timeout, on_check)
    if config.site_file_broken:
        entry = cache.last_used()
        if entry is None:
            raise NoClinicCopyError(
                f"The site settings file {config.site_file} cannot be read, so Discharge Desk "
                "does not know which clinic folder to use; ask your administrator to fix it.")
        return _source(entry, "The site settings cannot be read; using the clinic copy from "
                       f"{entry.date_text}, {_version_text(entry.version)}.", "cache")
    clinic = load_sample_clinic()
    return ClinicSource(clinic, "sample clinic (built in)", None, clinic.version, "sample")


# -- the share ---------------------------------------------------------------------------------
def _from_share(share: Path, cache: Cache, validate: Validator,
                now: Callable[[], dt.datetime], probe_timeout: float,
                copy_timeout: float, on_check: Callable[[], None] | None = None
                ) -> ClinicSource:
    folder = cache.folder_for(share)
    try:
        current, changed = cache.take_current(folder)
        fingerprint = _probe(share, probe_timeout)
        if fingerprint is None:
            return _fallback(share, current, changed, "cannot be reached",
                             "The clinic folder on the network cannot be reached")
        if current is not None and current.fingerprint == fingerprint:
            cache.remember(share)
            return _source(current, None, "share")
        rejected = cache.rejected(folder, fingerprint)
        if rejected is not None:
            return _rejected(share, current, changed, rejected)
        if on_check is not None:
            on_check()
        try:
            entry, problems = cache.refresh(share, fingerprint, validate, now(), copy_timeout)
        except ShareTooSlow:
            return _fallback(share, current, changed, "is too slow to read",
                             "The clinic folder on the network is too slow to read")
        except OSError:  # the share went away while we copied it
            return _fallback(share, current, changed, "could not be copied",
                             "The clinic folder on the network could not be read completely")
        if entry is None:
            return _rejected(share, current, changed, problems)
        return _source(entry, None, "share")
    finally:
        current = None  # drop our hold on a copy we do not use, then tidy up
        cache.clean(folder)


def _fallback(share: Path, current: CacheEntry | None, changed: bool, what: str,
              banner: str, problems: list[str] | None = None) -> ClinicSource:
    if current is None:
        why = ("the copy on this computer was changed after it was checked, so it is not "
               "used" if changed else "there is no saved copy on this computer yet")
        raise NoClinicCopyError(
            f"The clinic folder {share} {what} and {why}; check the network connection and "
            "start Discharge Desk again, or ask your administrator.")
    return _source(current, f"{banner}; using the copy from {current.date_text}, "
                   f"{_version_text(current.version)}.", "cache", problems)


def _rejected(share: Path, current: CacheEntry | None, changed: bool,
              problems: list[str]) -> ClinicSource:
    first = problems[0] if problems else "unknown problem"
    if current is None:
        raise NoClinicCopyError(
            f"The clinic folder {share} has a problem ({first}) and there is no "
            f"{'unchanged' if changed else 'earlier'} copy on this computer; ask your "
            "administrator to run 'dischargedesk templates check' on it.")
    return _source(current, "The new clinic templates on the network have a problem; using "
                   f"the copy from {current.date_text}, {_version_text(current.version)}, "
                   "until your administrator fixes it.", "cache", problems)


def _source(entry: CacheEntry, banner: str | None, kind: str,
            problems: list[str] | None = None) -> ClinicSource:
    clinic = load_clinic(entry.clinic_dir)
    source = ClinicSource(clinic, f"network folder {entry.share} ({_cached_source(entry)})",
                          banner, clinic.version, kind, tuple(problems or ()), entry.lease)
    weakref.finalize(clinic, _keep, entry.lease)  # the lease lives as long as the clinic
    return source


def _keep(_lease: object) -> None:
    """Finalizer target: holding the lease in its arguments keeps it alive."""


def _version_text(version: str) -> str:
    return f"version {version}" if version else "which has no version label"


def _cached_source(entry: CacheEntry) -> str:
    return f"checked copy of {entry.when_text}, {_version_text(entry.version)}"


def _ignored(name: str) -> bool:
    return name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES) \
        or name in _IGNORED_NAMES


def _fingerprint(folder: Path) -> str:
    """Hash of every entry's relative path, type, size and modification time (not the
    content). Tolerates anything (links, odd names): the copy step reports those."""
    digest = hashlib.sha256()
    count = 0
    stack: list[tuple[str, int]] = [(str(folder), 0)]
    while stack:
        here, depth = stack.pop()
        with os.scandir(here) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
        for e in entries:
            if _ignored(e.name):
                continue
            st = e.stat(follow_symlinks=False)
            rel = os.fsencode(os.path.relpath(e.path, folder))
            digest.update(rel + f"\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            count += 1
            if count > MAX_FILES:  # not a clinic folder; the copy step reports it
                return digest.hexdigest()
            if stat.S_ISDIR(st.st_mode) and depth <= MAX_DEPTH:
                stack.append((e.path, depth + 1))
    return digest.hexdigest()


def _probe(share: Path, timeout: float) -> str | None:
    """The share's fingerprint, or None if it cannot be reached within ``timeout`` seconds
    (a dead SMB server can block a stat for a minute; the thread is left to finish alone)."""
    result: list[str | None] = [None]

    def run() -> None:
        try:
            if (share / "clinic.toml").is_file():
                result[0] = _fingerprint(share)
        except Exception:  # noqa: BLE001 - whatever the share does, it counts as unreachable
            result[0] = None

    worker = threading.Thread(target=run, name="clinic-share-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    return None if worker.is_alive() else result[0]


# -- reading a clinic tree (the share, or a local copy to verify it) --------------------------
def _walk(root: Path) -> Iterator[tuple[str, os.stat_result | None]]:
    """(relative path, lstat) of every regular file and (relative path, None) of every
    folder, in a fixed order. Raises ShareRefused for links, special files, names that are
    not UTF-8, too many entries or too deep folders."""
    count = 0
    stack: list[tuple[str, int]] = [("", 0)]
    while stack:
        rel_dir, depth = stack.pop()
        with os.scandir(os.path.join(root, rel_dir) if rel_dir else root) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
        below: list[tuple[str, int]] = []
        for e in entries:
            if _ignored(e.name):
                continue
            try:
                e.name.encode("utf-8")
            except UnicodeEncodeError:
                where = f"the folder {rel_dir}" if rel_dir else "the clinic folder itself"
                raise ShareRefused(f"a file name in {where} is not valid UTF-8 text; rename "
                                   "it (the name cannot be shown here)") from None
            rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
            count += 1
            if count > MAX_FILES:
                raise ShareRefused(f"the clinic folder holds more than {MAX_FILES} files; point "
                                   "clinic_folder at the folder with clinic.toml")
            st = e.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode) or getattr(st, "st_file_attributes", 0) \
                    & _REPARSE_POINT:
                raise ShareRefused(f"{rel} is a link; a clinic folder may hold only ordinary "
                                   "files and folders, so put the file itself there")
            if stat.S_ISDIR(st.st_mode):
                if depth >= MAX_DEPTH:
                    raise ShareRefused(f"{rel} is nested more than {MAX_DEPTH} folders deep; "
                                       "use fewer folder levels")
                yield rel, None
                below.append((rel, depth + 1))
            elif stat.S_ISREG(st.st_mode):
                yield rel, st
            else:
                raise ShareRefused(f"{rel} is not an ordinary file (a device, pipe or "
                                   "socket); remove it from the clinic folder")
        stack.extend(reversed(below))


def _tree_hash(root: Path, dest: Path | None = None,
               cancel: threading.Event | None = None) -> str:
    """SHA-256 of the tree's names and contents; with ``dest``, a copy is written there."""
    digest = hashlib.sha256()
    total = [0]
    if dest is not None:
        dest.mkdir(parents=True)
    for rel, st in _walk(root):
        if cancel is not None and cancel.is_set():
            raise ShareTooSlow
        digest.update(("D " if st is None else "F ").encode() + rel.encode("utf-8") + b"\0")
        target = None if dest is None else dest / rel
        if st is None:
            if target is not None:
                target.mkdir()
            continue
        _copy_file(root, rel, st, target, digest, total, cancel)
    return digest.hexdigest()


def _copy_file(root: Path, rel: str, st: os.stat_result, target: Path | None,
               digest: Any, total: list[int], cancel: threading.Event | None) -> None:
    """Read one regular file without following links or blocking on a pipe; hash it and
    write it to ``target``. ``total`` counts the bytes of the whole tree."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(os.path.join(root, rel), flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link since it was listed
            raise ShareRefused(f"{rel} is a link; a clinic folder may hold only ordinary "
                               "files and folders") from None
        raise
    try:
        fst = os.fstat(fd)
        same = not (st.st_ino and fst.st_ino) or (fst.st_ino, fst.st_dev) == \
            (st.st_ino, st.st_dev)
        if not stat.S_ISREG(fst.st_mode) or not same:
            raise ShareRefused(f"{rel} changed while it was copied; publish the folder again")
        # closed in the finally below (also when the copy is refused half-way)
        out: IO[bytes] | None = None if target is None else open(target, "xb")  # noqa: SIM115
        try:
            size = 0
            while chunk := os.read(fd, _CHUNK):
                size += len(chunk)
                total[0] += len(chunk)
                if total[0] > MAX_BYTES:
                    raise ShareRefused(f"the clinic folder holds more than "
                                       f"{MAX_BYTES // 2**20} MB; keep only clinic.toml, the "
                                       "logo and templates/ in it")
                if cancel is not None and cancel.is_set():
                    raise ShareTooSlow
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
            digest.update(f"\0{size}\n".encode())
        finally:
            if out is not None:
                out.close()
    finally:
        os.close(fd)


def _copy_share(share: Path, dest: Path, timeout: float) -> str:
    """Copy in a worker thread; ShareTooSlow after ``timeout`` seconds (the worker then
    stops at its next read and removes its temporary folder)."""
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["hash"] = _tree_hash(share, dest, cancel)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc
        if cancel.is_set():
            shutil.rmtree(dest.parent, ignore_errors=True)

    worker = threading.Thread(target=run, name="clinic-share-copy", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        cancel.set()
        raise ShareTooSlow
    if "error" in box:
        raise box["error"]
    return str(box["hash"])


# -- locks -------------------------------------------------------------------------------------
def _try_lock(fh: IO[bytes]) -> bool:
    """Exclusive, non-blocking OS lock on an open file; released when the file is closed or
    the process ends (also when it crashes)."""
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class _Lease:
    """This process uses a copy: a locked marker file in its inuse/ folder."""

    def __init__(self, copy: Path) -> None:
        folder = copy / "inuse"
        folder.mkdir(exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".lock", dir=folder)
        self.path = Path(name)
        self._fh = os.fdopen(fd, "r+b")
        if not _try_lock(self._fh):  # pragma: no cover - a fresh file is never locked
            self._fh.close()
            raise OSError("the copy could not be marked as in use")
        weakref.finalize(self, _release, self._fh, self.path)


def _release(fh: IO[bytes], path: Path) -> None:
    fh.close()
    with contextlib.suppress(OSError):  # another process's clean-up may have taken it
        path.unlink()


def _in_use(copy: Path) -> bool:
    """Does any process hold a marker of this copy? Markers of ended processes are removed."""
    try:
        markers = list((copy / "inuse").iterdir())
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: keep it
    used = False
    for marker in markers:
        try:
            with open(marker, "r+b") as fh:
                if not _try_lock(fh):
                    used = True
                    continue
            marker.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            used = True
    return used


# -- the cache ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CacheEntry:
    path: Path
    share: str
    version: str
    copied_at: dt.datetime
    fingerprint: str
    content: str
    lease: _Lease | None = field(default=None, repr=False, compare=False)

    @property
    def clinic_dir(self) -> Path:
        return self.path / "clinic"

    @property
    def date_text(self) -> str:
        return self.copied_at.astimezone().strftime("%Y-%m-%d")

    @property
    def when_text(self) -> str:
        return self.copied_at.astimezone().strftime("%Y-%m-%d %H:%M")


class Cache:
    """Checked copies of clinic shares, one folder per share path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder_for(self, share: Path | str) -> Path:
        key = hashlib.sha256(os.path.normcase(str(share)).encode("utf-8")).hexdigest()[:16]
        return self.root / key

    @contextmanager
    def _locked(self, folder: Path, wait: float = 10.0) -> Iterator[bool]:
        """The cache folder's lock (True if taken within ``wait`` seconds)."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fh = open(folder / "lock", "a+b")  # noqa: SIM115 - held while the copy is in use
        except OSError:
            yield False
            return
        try:
            deadline = time.monotonic() + wait
            while not (got := _try_lock(fh)) and time.monotonic() < deadline:
                time.sleep(0.05)
            yield got
        finally:
            fh.close()

    def _entry(self, folder: Path, name: str, fingerprint: str = "") -> CacheEntry | None:
        if not _COPY_RE.match(name):
            return None
        path = folder / name
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            return CacheEntry(path, str(meta["share"]), str(meta.get("version", "")),
                              dt.datetime.fromisoformat(meta["copied_at"]), fingerprint,
                              str(meta["content"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _pointer(self, folder: Path) -> tuple[str, str] | None:
        try:
            data = json.loads((folder / "current").read_text(encoding="utf-8"))
            return str(data["copy"]), str(data["fingerprint"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def current(self, share: Path | str) -> CacheEntry | None:
        """The current checked copy of ``share`` (verified, not held)."""
        entry, _ = self.take_current(self.folder_for(share))
        return None if entry is None else CacheEntry(
            entry.path, entry.share, entry.version, entry.copied_at, entry.fingerprint,
            entry.content)

    def take_current(self, folder: Path) -> tuple[CacheEntry | None, bool]:
        """(the current copy, held for this process and verified; or None, and whether a
        copy was there but failed verification)."""
        if not folder.is_dir():
            return None, False
        with self._locked(folder):
            pointer = self._pointer(folder)
            entry = None if pointer is None else self._entry(folder, *pointer)
            if entry is None:
                return None, pointer is not None
            try:
                entry = _with_lease(entry)
            except OSError:
                return None, False
        return (entry, False) if _verified(entry) else (None, True)

    def rejected(self, folder: Path, fingerprint: str) -> list[str] | None:
        """The problems of this exact share version if it was refused before."""
        try:
            data = json.loads((folder / "rejected.json").read_text(encoding="utf-8"))
            if data["fingerprint"] == fingerprint:
                return [str(p) for p in data["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def last_used(self) -> CacheEntry | None:
        try:
            data = json.loads((self.root / "last.json").read_text(encoding="utf-8"))
            key = str(data["folder"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not _KEY_RE.match(key):
            return None
        entry, _ = self.take_current(self.root / key)
        return entry

    def remember(self, share: Path | str) -> None:
        folder = self.folder_for(share)
        # only used when the site file breaks; never worth failing a start
        with contextlib.suppress(OSError):
            write_text_atomic(self.root / "last.json",
                              json.dumps({"folder": folder.name, "share": str(share)}))

    def refresh(self, share: Path, fingerprint: str, validate: Validator, when: dt.datetime,
                timeout: float = COPY_TIMEOUT) -> tuple[CacheEntry | None, list[str]]:
        """Copy, check, and make current. (entry held for this process, []) on success;
        (None, problems) when the share holds something refused or the copy fails any check
        (the version is remembered as rejected). ShareTooSlow after ``timeout`` seconds;
        OSError when the share cannot be read."""
        folder = self.folder_for(share)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
        try:
            content = _copy_share(share, tmp / "clinic", timeout)
        except ShareTooSlow:
            raise  # the worker removes tmp when it stops
        except ShareRefused as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            return None, self._reject(folder, fingerprint, [str(exc)])
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        try:
            try:
                profile = load_clinic(tmp / "clinic")
                problems = validate(profile)
            except DischargeDeskError as exc:
                problems = [str(exc)]
            except Exception as exc:  # noqa: BLE001 - any failure of a new version rejects it
                problems = [f"the check stopped with an unexpected {type(exc).__name__}"]
            if problems:
                shutil.rmtree(tmp, ignore_errors=True)
                return None, self._reject(folder, fingerprint, problems)
            meta = {"share": str(share), "version": profile.version,
                    "copied_at": when.isoformat(), "content": content}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            with self._locked(folder):
                name = "v-" + content[:24]
                existing = self._entry(folder, name)
                if existing is not None and _verified(existing):
                    shutil.rmtree(tmp, ignore_errors=True)  # the same content, checked before
                else:
                    if (folder / name).exists():
                        name += "-" + tmp.name[-8:].replace("-", "_")
                    os.replace(tmp, folder / name)
                entry = self._entry(folder, name, fingerprint)
                if entry is None:
                    raise OSError("the new copy could not be read back")
                entry = _with_lease(entry)
                write_text_atomic(folder / "current",
                                  json.dumps({"copy": name, "fingerprint": fingerprint}))
            (folder / "rejected.json").unlink(missing_ok=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.remember(share)
        return entry, []

    def _reject(self, folder: Path, fingerprint: str, problems: list[str]) -> list[str]:
        with contextlib.suppress(OSError):  # then it is simply checked again next time
            write_text_atomic(folder / "rejected.json",
                              json.dumps({"fingerprint": fingerprint, "problems": problems}))
        return problems

    def clean(self, folder: Path) -> None:
        """Remove copies that are not current and that no process uses, and temporary
        copies abandoned an hour ago."""
        if not folder.is_dir():
            return
        with self._locked(folder, wait=1.0) as got:
            if not got:
                return  # another window is busy here; the next start tidies up
            pointer = self._pointer(folder)
            keep = pointer[0] if pointer else None
            for old in folder.iterdir():
                if not old.is_dir() or old.is_symlink() or old.name == keep:
                    continue
                if old.name.startswith(".incoming-"):
                    if _age_seconds(old) < STALE_INCOMING:
                        continue  # maybe another window copying right now
                elif _in_use(old):
                    continue
                shutil.rmtree(old, ignore_errors=True)


def _with_lease(entry: CacheEntry) -> CacheEntry:
    return CacheEntry(entry.path, entry.share, entry.version, entry.copied_at,
                      entry.fingerprint, entry.content, _Lease(entry.path))


def _verified(entry: CacheEntry) -> bool:
    """Is the copy exactly what was checked (content hash = meta.json = its name)?"""
    if not entry.path.name[2:].startswith(entry.content[:24]):
        return False
    try:
        return _tree_hash(entry.clinic_dir) == entry.content
    except (OSError, ShareRefused, ShareTooSlow):
        return False


def _age_seconds(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
