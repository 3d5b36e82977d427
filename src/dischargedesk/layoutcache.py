"""What the template check's layout step found for each output, kept in the user cache
folder (``layout/``), so a check after an edit lays out only the outputs the edit changed.

Laying out is the check's cost: the sample clinic has about 650 distinct outputs (handout
PDFs), each a ReportLab build, a read-back and the layout checks (layout_checks.py). Most of
them are the same from one check to the next: an edit of a Spanish section changes only the
Spanish outputs that print it.

What is stored: for one output, the handouts' kinds, page counts and layout problems (or
the problem that stopped its layout) - what the check reports, never a PDF. The check lays
out only its own sample patients (checks.sample_variants), so no patient data can reach
it; a render of a real request never uses this cache.

Keyed by content: a file's name is the SHA-256 of everything the result is made from -
the output itself (checks.check_key: the documents, page furniture, blocks, print size,
language and the dates the checks compare), the bytes of the clinic's logo, and this
build's :func:`fingerprint`: every source file of the program, the bundled fonts, the
versions of Python, ReportLab, Pillow, Babel and the program, and ReportLab's settings.
Any change of any of them is a new key, so a kept result is only ever read for exactly the
output it was found for; old files are pruned (down to the newest half past :data:`MAX_FILES`).

A file is ``MAGIC``, the SHA-256 of its payload and the payload (JSON); one that is short,
damaged or not in the expected shape is ignored and the output laid out again. A frozen
bundle (no source files to hash) keeps no results. ``DISCHARGEDESK_NO_TEMPLATE_CACHE`` turns
it off with the other caches; ``templates check --no-cache`` for one check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ._meta import __version__
from .render import usercache

MAGIC = b"DDLAY1\n"
SUFFIX = ".json"
MAX_FILES = 5_000  # a full check of the sample clinic writes ~650, each under 4 KB
_DISTRIBUTIONS = ("reportlab", "pillow", "babel")


def default_folder() -> Path:
    return usercache.root() / "layout"


@cache
def fingerprint() -> str | None:
    """The SHA-256 of what a layout result depends on besides its output: this program's
    source files (every ``*.py`` of the package: the layout, the checks, the sample
    patients and the check date), the bundled fonts, the versions of Python, ReportLab,
    Pillow, Babel (the dates the checks read back) and the program, and ReportLab's
    settings. None where the sources cannot be read (a frozen bundle): then nothing is
    kept."""
    from .resources import resources_dir

    if getattr(sys, "frozen", False):
        return None
    return build_digest(Path(__file__).parent, resources_dir() / "fonts")


def build_digest(package: Path, fonts: Path) -> str | None:
    """:func:`fingerprint` of the sources in ``package`` and the fonts in ``fonts`` (None
    when either has no file or one cannot be read)."""
    digest = hashlib.sha256(MAGIC)
    versions = [__version__, sys.version, platform.machine()]
    for name in _DISTRIBUTIONS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    versions.append(_reportlab_settings())
    digest.update("\0".join(versions).encode())
    try:
        for folder, pattern in ((package, "*.py"), (fonts, "*")):
            files = sorted(p for p in folder.rglob(pattern) if p.is_file())
            if not files:
                return None
            for path in files:
                digest.update(b"\0" + path.relative_to(folder).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


#: set by render/fonts.py itself when it registers the fonts (the same value every time)
_OWN_SETTINGS = frozenset({"defaultGraphicsFontName", "canvas_basefontname"})


def _reportlab_settings() -> str:
    """ReportLab's settings as this process has them: a ``~/.reportlab_settings`` or a
    ``reportlab_settings.py`` on the path can change how ReportLab lays out (word spacing,
    table bounds, ...), so they are part of the build."""
    try:
        from reportlab import rl_config, rl_settings
    except ImportError:
        return "reportlab settings -"
    return repr(sorted((name, repr(getattr(rl_config, name, None)))
                       for name in rl_settings.__all__ if name not in _OWN_SETTINGS))


def file_digest(path: Path | None) -> str:
    """The SHA-256 of a file the layout reads (the logo), "-" for none, "unreadable" for
    one that cannot be read (the layout fails on it, and the key still differs from any
    readable file's)."""
    if path is None:
        return "-"
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


class LayoutCache:
    """Results by key in one folder: :meth:`get` (None when not kept or not valid),
    :meth:`put`, and the counts of hits and misses of this object. One object serves one
    check: it reads each file named in a key (the logo) once."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()
        self.hits = self.misses = self.written = 0
        self._digests: dict[Path | None, str] = {}

    def key(self, output: str, files: tuple[Path | None, ...] = ()) -> str | None:
        """The file name of an output's result: None when this build keeps none."""
        build = fingerprint()
        if build is None:
            return None
        digest = hashlib.sha256(build.encode())
        digest.update(b"\0" + output.encode("utf-8", "surrogatepass"))
        for path in files:
            if path not in self._digests:  # (every output of a clinic has its logo)
                self._digests[path] = file_digest(path)
            digest.update(b"\0" + self._digests[path].encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def get(self, key: str) -> Any:
        payload = usercache.read_verified(self._path(key), MAGIC)
        value = None
        if payload is not None:
            with contextlib.suppress(ValueError):
                value = json.loads(payload.decode("utf-8"))
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):  # (recently used: kept when the folder is pruned)
            os.utime(self._path(key))
        return value

    def put(self, key: str, value: Any) -> None:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        usercache.write_verified(self._path(key), MAGIC, payload)
        self.written += 1

    def prune(self) -> None:
        usercache.prune(self.folder, f"*{SUFFIX}", MAX_FILES)


def shared_cache() -> LayoutCache | None:
    """The cache of this user (None when the caches are turned off)."""
    return LayoutCache() if usercache.enabled() else None
