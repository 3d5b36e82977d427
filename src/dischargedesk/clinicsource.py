"""Which clinic folder to use, with a local last-known-good copy of a network share (Qt-free).

:func:`resolve_clinic` decides, in this order:

1. a folder given explicitly (``--clinic DIR``): loaded as it is, no copy;
2. the site/user setting ``clinic_folder`` (often a network share): when its content changed
   since the last start, it is copied to a temporary folder in the per-user cache, the copy is
   checked (``load_clinic`` + ``check_templates(build_pdfs=False)``, every combination) and
   only then made current (rename + atomic pointer replace). The app always runs from the
   local copy, so a share that disappears mid-session cannot break a handout. When the share
   cannot be reached, or its new version fails the checks, the previous copy is used and
   ``banner`` says so in one plain sentence naming the version;
3. a site file that could not be read: the copy used last, with a banner (never the sample
   clinic: its phone numbers must not reach a patient);
4. nothing set: the built-in sample clinic.

Cache layout (``user_data_dir()/clinic-cache``)::

    <sha256(share path)[:16]>/current       name of the current copy (replaced atomically)
    <sha256(share path)[:16]>/<stamp>/       meta.json + clinic/ (the checked copy)
    last.json                                the share used last (for case 3)

Timing (2-core VM, sample clinic, 2 languages, 288 combinations): the check takes about
0.7 s warm and 1.5 s in a fresh process (loading the reading-level dictionaries); it runs only
when the share's content changed. An unchanged share costs one walk over its file list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .domain.clinic import ClinicProfile, load_clinic, load_sample_clinic
from .errors import ClinicProfileError, DischargeDeskError
from .output import write_text_atomic
from .siteconfig import SiteConfig, load_config, user_data_dir

CACHE_DIR = "clinic-cache"
MAX_FILES = 2_000
MAX_BYTES = 100 * 1024 * 1024
PROBE_TIMEOUT = 5.0  # seconds to wait for a dead network share before giving up
_IGNORED_PREFIXES = (".", "~$")
_IGNORED_SUFFIXES = (".tmp", "~", ".bak")
_IGNORED_NAMES = frozenset({"Thumbs.db", "desktop.ini", "__pycache__"})


@dataclass(frozen=True)
class ClinicSource:
    """The clinic to use and how it was chosen (no patient data anywhere in here)."""

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


Validator = Callable[[ClinicProfile], list[str]]


def check_clinic(clinic: ClinicProfile) -> list[str]:
    """Errors (not warnings) of every template combination, without the PDF layout step."""
    from .checks import check_templates

    report = check_templates(clinic, build_pdfs=False, grades=False)
    return [str(p) for p in report.errors]


def resolve_clinic(config: SiteConfig | None = None, *, folder: Path | None = None,
                   cache_root: Path | None = None, validate: Validator = check_clinic,
                   now: Callable[[], dt.datetime] | None = None,
                   probe_timeout: float = PROBE_TIMEOUT) -> ClinicSource:
    """Choose the clinic (see the module docstring). Raises ClinicProfileError only when
    there is nothing safe to use (configured share unreachable or failing, and no copy)."""
    if folder is not None:
        clinic = load_clinic(folder)
        return ClinicSource(clinic, f"clinic folder {folder}", None, clinic.version, "folder")
    config = config if config is not None else load_config()
    cache = Cache(cache_root or user_data_dir() / CACHE_DIR)
    if config.clinic_folder is not None:
        return _from_share(config.clinic_folder, cache, validate,
                           now or (lambda: dt.datetime.now(dt.UTC)), probe_timeout)
    if config.site_file_broken:
        entry = cache.last_used()
        if entry is None:
            raise ClinicProfileError(
                f"The site settings file {config.site_file} cannot be read, so Discharge Desk "
                "does not know which clinic folder to use; ask your administrator to fix it.")
        clinic = load_clinic(entry.clinic_dir)
        return ClinicSource(
            clinic, _cached_source(entry), f"The site settings cannot be read; using the "
            f"clinic copy from {entry.date_text}, {_version_text(entry.version)}.",
            clinic.version, "cache")
    clinic = load_sample_clinic()
    return ClinicSource(clinic, "sample clinic (built in)", None, clinic.version, "sample")


# -- the share ---------------------------------------------------------------------------------
def _from_share(share: Path, cache: Cache, validate: Validator,
                now: Callable[[], dt.datetime], probe_timeout: float) -> ClinicSource:
    current = cache.current(share)
    fingerprint = _probe(share, probe_timeout)
    if fingerprint is None:
        if current is None:
            raise ClinicProfileError(
                f"The clinic folder {share} cannot be reached and there is no saved copy on "
                "this computer yet; check the network connection and start Discharge Desk "
                "again.")
        return _use_cache(current, "The clinic folder on the network cannot be reached; "
                          f"using the copy from {current.date_text}, "
                          f"{_version_text(current.version)}.")
    if current is not None and current.fingerprint == fingerprint:
        try:
            clinic = load_clinic(current.clinic_dir)
        except DischargeDeskError:
            pass  # the local copy was damaged: take a fresh one below
        else:
            cache.remember(share)
            return ClinicSource(clinic, f"network folder {share} ({_cached_source(current)})",
                                None, clinic.version, "share")
    try:
        entry, problems = cache.refresh(share, fingerprint, validate, now())
    except OSError:  # the share went away while we copied it
        if current is None:
            raise ClinicProfileError(
                f"The clinic folder {share} could not be copied and there is no saved copy on "
                "this computer yet; check the network connection and start Discharge Desk "
                "again.") from None
        return _use_cache(current, "The clinic folder on the network could not be read "
                          f"completely; using the copy from {current.date_text}, "
                          f"{_version_text(current.version)}.")
    if entry is None:
        first = problems[0] if problems else "unknown problem"
        if current is None:
            raise ClinicProfileError(
                f"The clinic folder {share} has a problem ({first}) and there is no earlier "
                "copy on this computer; ask your administrator to run 'dischargedesk "
                "templates check' on it.")
        return _use_cache(current, "The new clinic templates on the network have a problem; "
                          f"using the copy from {current.date_text}, "
                          f"{_version_text(current.version)}, until your administrator fixes "
                          "it.", problems)
    clinic = load_clinic(entry.clinic_dir)
    return ClinicSource(clinic, f"network folder {share} ({_cached_source(entry)})", None,
                        clinic.version, "share")


def _use_cache(entry: CacheEntry, banner: str, problems: list[str] | None = None
               ) -> ClinicSource:
    clinic = load_clinic(entry.clinic_dir)
    return ClinicSource(clinic, f"network folder {entry.share} ({_cached_source(entry)})",
                        banner, clinic.version, "cache", tuple(problems or ()))


def _version_text(version: str) -> str:
    return f"version {version}" if version else "which has no version label"


def _cached_source(entry: CacheEntry) -> str:
    return f"checked copy of {entry.when_text}, {_version_text(entry.version)}"


def _ignored(name: str) -> bool:
    return name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES) \
        or name in _IGNORED_NAMES


def _fingerprint(folder: Path) -> str:
    """Hash of every file's relative path, size and modification time (not the content)."""
    digest = hashlib.sha256()
    count = 0
    for dirpath, dirnames, filenames in os.walk(folder, onerror=_raise):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        for name in sorted(filenames):
            if _ignored(name):
                continue
            st = os.stat(os.path.join(dirpath, name))
            rel = os.path.relpath(os.path.join(dirpath, name), folder).replace(os.sep, "/")
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            count += 1
            if count > MAX_FILES:  # not a clinic folder; the copy step reports it
                return digest.hexdigest()
    return digest.hexdigest()


def _raise(exc: OSError) -> None:
    raise exc


def _probe(share: Path, timeout: float) -> str | None:
    """The share's fingerprint, or None if it cannot be reached within ``timeout`` seconds
    (a dead SMB server can block a stat for a minute; the thread is left to finish alone)."""
    result: list[str | None] = [None]

    def run() -> None:
        try:
            if (share / "clinic.toml").is_file():
                result[0] = _fingerprint(share)
        except OSError:
            result[0] = None

    worker = threading.Thread(target=run, name="clinic-share-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    return None if worker.is_alive() else result[0]


# -- the cache ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CacheEntry:
    path: Path
    share: str
    version: str
    copied_at: dt.datetime
    fingerprint: str

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

    def current(self, share: Path | str) -> CacheEntry | None:
        return self._read_current(self.folder_for(share))

    def _read_current(self, folder: Path) -> CacheEntry | None:
        try:
            name = (folder / "current").read_text(encoding="utf-8").strip()
            path = folder / name
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            return CacheEntry(path, str(meta["share"]), str(meta.get("version", "")),
                              dt.datetime.fromisoformat(meta["copied_at"]),
                              str(meta["fingerprint"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def last_used(self) -> CacheEntry | None:
        try:
            data = json.loads((self.root / "last.json").read_text(encoding="utf-8"))
            return self._read_current(self.root / str(data["folder"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remember(self, share: Path | str) -> None:
        folder = self.folder_for(share)
        try:
            write_text_atomic(self.root / "last.json",
                          json.dumps({"folder": folder.name, "share": str(share)}))
        except OSError:
            pass  # only used when the site file breaks; never worth failing a start

    def refresh(self, share: Path, fingerprint: str, validate: Validator,
                when: dt.datetime) -> tuple[CacheEntry | None, list[str]]:
        """Copy, check, and make current. (entry, []) on success; (None, problems) when the
        copy fails the checks (it is deleted). OSError when the share cannot be copied."""
        folder = self.folder_for(share)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
        try:
            try:
                _copy_clinic(share, tmp / "clinic")
                profile = load_clinic(tmp / "clinic")
                problems = validate(profile)
            except DischargeDeskError as exc:
                problems = [str(exc)]
            except (ImportError, ArithmeticError, LookupError, TypeError, ValueError,
                    AttributeError) as exc:  # an engine bug must not stop the start
                problems = [f"the check stopped with an unexpected {type(exc).__name__}"]
            if problems:
                shutil.rmtree(tmp, ignore_errors=True)
                return None, problems
            meta = {"share": str(share), "version": profile.version,
                    "copied_at": when.isoformat(), "fingerprint": fingerprint}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            final = folder / (when.strftime("%Y%m%dT%H%M%S") + "-" + tmp.name[-8:])
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        write_text_atomic(folder / "current", final.name)
        self.remember(share)
        for old in folder.iterdir():  # earlier copies; temp folders abandoned an hour ago
            if not old.is_dir() or old.name == final.name:
                continue
            if old.name.startswith(".incoming-") and _age_seconds(old) < 3600:
                continue  # maybe another Discharge Desk window copying right now
            shutil.rmtree(old, ignore_errors=True)
        entry = self._read_current(folder)
        assert entry is not None
        return entry, []


def _age_seconds(path: Path) -> float:
    try:
        return dt.datetime.now().timestamp() - path.stat().st_mtime
    except OSError:
        return 0.0


def _copy_clinic(share: Path, dest: Path) -> None:
    total, count = 0, 0

    def ignore(directory: str, names: list[str]) -> set[str]:
        nonlocal total, count
        skipped = {n for n in names if _ignored(n)}
        for name in names:
            path = os.path.join(directory, name)
            if name not in skipped and os.path.isfile(path):
                total += os.path.getsize(path)
                count += 1
        if total > MAX_BYTES or count > MAX_FILES:
            raise ClinicProfileError(
                f"the clinic folder holds more than {MAX_FILES} files or "
                f"{MAX_BYTES // 2**20} MB; point clinic_folder at the folder with clinic.toml")
        return skipped

    shutil.copytree(share, dest, ignore=ignore, symlinks=False)


