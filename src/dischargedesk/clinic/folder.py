"""Clinic folder file operations: export a starter folder, customize and revert templates."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import OutputError
from ..output import write_text_atomic
from ..resources import sample_clinic_dir, templates_dir


def export_starter(target: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates (all languages) and a sample clinic.toml + logo."""
    target = Path(target)
    pairs: list[tuple[Path, Path]] = []
    for src in sorted(templates_dir().rglob("*")):
        if src.is_file():
            pairs.append((src, target / "templates" / src.relative_to(templates_dir())))
    for name in ("clinic.toml", "logo.png"):
        pairs.append((sample_clinic_dir() / name, target / name))
    existing = [dst for _, dst in pairs if dst.exists()]
    if existing and not force:
        raise OutputError(f"{target} already has clinic files (for example "
                          f"{existing[0].relative_to(target)}); choose an empty folder or add "
                          "--force to overwrite them.")
    try:
        for src, dst in pairs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    except OSError as exc:
        raise OutputError(f"The templates could not be copied to {target} "
                          f"({exc.strerror or type(exc).__name__}); check the folder and your "
                          "permissions.") from None
    return [dst for _, dst in pairs]


def customize(clinic_folder: Path, relative: str) -> Path:
    """Copy one built-in template (e.g. "en/discharge/30-wound-care.txt") into the clinic."""
    src = (templates_dir() / relative).resolve()
    if not src.is_relative_to(templates_dir().resolve()) or not src.is_file():
        raise OutputError(f"There is no built-in template {relative}.")
    dst = clinic_folder / "templates" / relative
    if dst.exists():
        return dst
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    except OSError as exc:
        raise OutputError(f"The template could not be copied into {clinic_folder} "
                          f"({exc.strerror or type(exc).__name__}); check your permissions."
                          ) from None
    return dst


def template_names(clinic_folder: Path | None, language: str) -> list[tuple[str, bool]]:
    """Every template of a language ("en/discharge/10-summary.txt"), and whether the clinic
    has its own copy."""
    names: dict[str, bool] = {}
    builtin = templates_dir()
    for path in (builtin / language).rglob("*.txt"):
        names[path.relative_to(builtin).as_posix()] = False
    if clinic_folder is not None:
        root = clinic_folder / "templates"
        for path in (root / language).rglob("*.txt"):
            names[path.relative_to(root).as_posix()] = True
    return sorted(names.items())


def read_template(clinic_folder: Path | None, relative: str) -> str:
    """The clinic's copy if it has one, else the built-in text."""
    if clinic_folder is not None:
        own = clinic_folder / "templates" / relative
        if own.is_file():
            return own.read_text(encoding="utf-8")
    return (templates_dir() / relative).read_text(encoding="utf-8")


def save_template(clinic_folder: Path, relative: str, text: str) -> Path:
    """Write the clinic's copy atomically (temp file in the same folder, then rename)."""
    path = (clinic_folder / "templates" / relative).resolve()
    if not path.is_relative_to((clinic_folder / "templates").resolve()) \
            or path.suffix != ".txt":
        raise OutputError(f"{relative} is not a clinic template.")
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"The template could not be saved in {clinic_folder} "
                          f"({exc.strerror or type(exc).__name__}); check your permissions."
                          ) from None
    return path


def revert(clinic_folder: Path, relative: str) -> None:
    """Remove the clinic's copy so the built-in template is used again."""
    path = (clinic_folder / "templates" / relative).resolve()
    if not path.is_relative_to((clinic_folder / "templates").resolve()):
        raise OutputError(f"{relative} is not a clinic template.")
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"The clinic's copy of {relative} could not be removed "
                          f"({exc.strerror or type(exc).__name__}); check your permissions."
                          ) from None
