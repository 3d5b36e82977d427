"""Find bundled files (templates, fonts, images, the sample clinic).

One lookup for every way the app runs:

* installed wheel and frozen bundle: ``dischargedesk/_data/{templates,resources}`` next to
  this module (the wheel build and the PyInstaller spec both put them there);
* source checkout (including editable installs): ``templates/`` and ``resources/`` at the
  repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent
#: (templates folder, sample clinic folder) to use instead of the installed ones, for the
#: archive's reprint from a stored snapshot; per thread and task (a preview rendering at the
#: same time in another thread keeps the installed files).
_SNAPSHOT: ContextVar[tuple[Path, Path | None] | None] = ContextVar("snapshot", default=None)


@contextmanager
def snapshot_files(templates: Path, sample_clinic: Path | None) -> Iterator[None]:
    """Within the block, the built-in templates (and the sample clinic, when the snapshot
    was made from it) are the ones in the given folders."""
    token = _SNAPSHOT.set((templates, sample_clinic))
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


@cache
def data_root() -> Path:
    bundled = _PKG / "_data"
    if (bundled / "templates").is_dir():
        return bundled
    checkout = _PKG.parent.parent
    if (checkout / "templates").is_dir() and (checkout / "resources").is_dir():
        return checkout
    raise FileNotFoundError(
        "Discharge Desk cannot find its templates and resources; reinstall the application."
    )


def install_mode() -> str:
    """'bundled' (wheel or frozen app) or 'checkout' (source tree)."""
    return "bundled" if data_root() == _PKG / "_data" else "checkout"


def templates_dir() -> Path:
    snapshot = _SNAPSHOT.get()
    if snapshot is not None:
        return snapshot[0]
    return _installed("templates")


def resources_dir() -> Path:
    return _installed("resources")


@cache
def _installed(name: str) -> Path:
    """A folder of :func:`data_root` (joined once: a template check asks ~13,000 times)."""
    return data_root() / name


def font_path(file_name: str) -> Path:
    return resources_dir() / "fonts" / file_name


def sample_clinic_dir() -> Path:
    snapshot = _SNAPSHOT.get()
    if snapshot is not None and snapshot[1] is not None:
        return snapshot[1]
    return resources_dir() / "sample-clinic"


def procedures_file() -> Path:
    return resources_dir() / "procedures.toml"
