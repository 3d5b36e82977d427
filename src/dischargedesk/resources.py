"""Find bundled files (templates, fonts, images, the sample clinic).

One lookup for every way the app runs:

* installed wheel and frozen bundle: ``dischargedesk/_data/{templates,resources}`` next to
  this module (the wheel build and the PyInstaller spec both put them there);
* source checkout (including editable installs): ``templates/`` and ``resources/`` at the
  repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


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
    return data_root() / "templates"


def resources_dir() -> Path:
    return data_root() / "resources"


def font_path(file_name: str) -> Path:
    return resources_dir() / "fonts" / file_name


def sample_clinic_dir() -> Path:
    return resources_dir() / "sample-clinic"


def procedures_file() -> Path:
    return resources_dir() / "procedures.toml"
