"""The clinic profile: identity, phones, portal, logo, physicians and clinical parameters.

Loaded from a folder holding ``clinic.toml`` (format: docs/clinic-profile.md), optional
assets (the logo) and optional ``templates/`` overrides. Every problem raises
:class:`~dischargedesk.errors.ClinicProfileError` naming the file, the line and the key, and
saying what is allowed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import ClinicProfileError
from ..resources import procedures_file, sample_clinic_dir
from .parameters import BY_KEY, defaults

PROFILE_FILE = "clinic.toml"
MAX_LOGO_BYTES = 2_000_000
_URL_RE = re.compile(r"^https?://[^\s<>\"']+$")
_PHONE_RE = re.compile(r"^[0-9+() .\-/extEXT]{3,30}$")


@dataclass(frozen=True)
class Procedure:
    id: str
    uses_balloon: bool


@dataclass(frozen=True)
class TranslationReview:
    reviewed_by: str
    date: str


@dataclass(frozen=True)
class ClinicProfile:
    name: str
    phone: str
    address: tuple[str, ...] = ()
    after_hours_phone: str = ""
    emergency_number: str = "911"
    portal_name: str = ""
    portal_url: str = ""
    logo: Path | None = None
    physicians: tuple[str, ...] = ()
    version: str = ""
    parameters: MappingProxyType[str, Any] = field(
        default_factory=lambda: MappingProxyType(defaults()))
    procedures: MappingProxyType[str, Procedure] = field(
        default_factory=lambda: MappingProxyType(builtin_procedures()))
    translation_reviews: MappingProxyType[str, TranslationReview] = field(
        default_factory=lambda: MappingProxyType({}))
    folder: Path | None = None

    @property
    def templates_dir(self) -> Path | None:
        """The clinic's template overrides, if it has any."""
        if self.folder is None:
            return None
        path = self.folder / "templates"
        return path if path.is_dir() else None


_CLINIC_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "address": list, "phone": str, "after_hours_phone": str,
    "emergency_number": str, "portal_name": str, "portal_url": str, "logo": str,
    "physicians": list, "version": str,
}
_TOP_KEYS = ("clinic", "parameters", "procedures", "translation_reviews")


def builtin_procedures() -> dict[str, Procedure]:
    with procedures_file().open("rb") as fh:
        data = tomllib.load(fh)
    return {pid: Procedure(pid, bool(v.get("uses_balloon", False))) for pid, v in data.items()}


def load_sample_clinic() -> ClinicProfile:
    return load_clinic(sample_clinic_dir())


def load_clinic(folder: str | Path) -> ClinicProfile:
    """Read and validate a clinic folder."""
    folder = Path(folder)
    path = folder / PROFILE_FILE
    shown = str(path)
    if not folder.is_dir():
        raise ClinicProfileError(f"The clinic folder {folder} does not exist or cannot be "
                                 "reached; check the path or the network connection.")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClinicProfileError(f"There is no {PROFILE_FILE} in the clinic folder {folder}; "
                                 "create one with 'dischargedesk templates export'.") from None
    except (OSError, UnicodeDecodeError):
        raise ClinicProfileError(f"{shown} cannot be read; check that it is a UTF-8 text file "
                                 "you have permission to open.") from None
    return validate_profile_text(text, folder, shown)


def validate_profile_text(text: str, folder: Path, shown: str) -> ClinicProfile:
    """Parse and validate clinic.toml text (``shown`` names the file in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ClinicProfileError(f"this is not valid TOML ({str(exc).split(' (at')[0]}); fix "
                                 "the quoting or brackets.", file=shown,
                                 line=int(m.group(1)) if m else None) from None
    return _profile_from_data(data, text, folder, shown)


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """Best-effort line number of ``key`` (inside ``[section]`` when given)."""
    in_section = section is None
    for no, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = stripped.strip("[] ")
            if section is not None:
                in_section = name == section or name.startswith(section + ".")
            if section is None and name == key:
                return no
            continue
        if in_section and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return no
    return None


def _profile_from_data(data: dict[str, Any], text: str, folder: Path,
                       shown: str) -> ClinicProfile:
    def fail(section: str | None, key: str, message: str) -> ClinicProfileError:
        line = _line_of(text, key, section)
        full = f"{section}.{key}" if section else key
        return ClinicProfileError(f"“{full}” {message}", file=shown, line=line, key=full)

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(None, key, f"is not a known section; allowed: {', '.join(_TOP_KEYS)}.")
    clinic = data.get("clinic")
    if not isinstance(clinic, dict):
        raise ClinicProfileError("the [clinic] section with the clinic's name and phone is "
                                 "missing.", file=shown)
    for key, value in clinic.items():
        expected = _CLINIC_KEYS.get(key)
        if expected is None:
            raise fail("clinic", key, "is not a known key; allowed: "
                       f"{', '.join(_CLINIC_KEYS)}.")
        if not isinstance(value, expected):
            kind = "a list of text lines" if expected is list else "text in quotes"
            raise fail("clinic", key, f"must be {kind}.")
        if isinstance(value, list) and not all(isinstance(x, str) for x in value):
            raise fail("clinic", key, "must be a list of text lines in quotes.")
    for key in ("name", "phone"):
        if not str(clinic.get(key, "")).strip():
            raise fail("clinic", key, "is required.") if key in clinic else ClinicProfileError(
                f"“clinic.{key}” is required in the [clinic] section.", file=shown,
                key=f"clinic.{key}")
    for key in ("phone", "after_hours_phone", "emergency_number"):
        value = clinic.get(key, "")
        if value and not _PHONE_RE.match(value):
            raise fail("clinic", key, "must be a phone number (digits, spaces, + ( ) - .).")
    url = clinic.get("portal_url", "")
    if url and not _URL_RE.match(url):
        raise fail("clinic", "portal_url", "must be a web address starting with https://.")
    for key in ("name", "portal_name"):
        if len(clinic.get(key, "")) > 120:
            raise fail("clinic", key, "is too long: at most 120 characters.")
    logo: Path | None = None
    if clinic.get("logo"):
        logo = (folder / clinic["logo"]).resolve()
        if not logo.is_relative_to(folder.resolve()):
            raise fail("clinic", "logo", "must be a file inside the clinic folder.")
        if not logo.is_file():
            raise fail("clinic", "logo", f"names a file that does not exist ({clinic['logo']}); "
                       "put the image in the clinic folder.")
        if logo.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise fail("clinic", "logo", "must be a PNG or JPEG image.")
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise fail("clinic", "logo", "is larger than 2 MB; use a smaller image.")

    params = defaults()
    raw_params = data.get("parameters", {})
    if not isinstance(raw_params, dict):
        raise fail(None, "parameters", "must be a section: [parameters].")
    for key, value in raw_params.items():
        spec = BY_KEY.get(key)
        if spec is None:
            raise fail("parameters", key, "is not a known clinical parameter; see "
                       "docs/clinic-profile.md for the list.")
        problem = spec.check(value)
        if problem:
            raise fail("parameters", key, f"{problem}.")
        params[key] = float(value) if spec.kind is float else value

    procedures = builtin_procedures()
    for pid, spec in data.get("procedures", {}).items():
        if not re.match(r"^[a-z][a-z0-9-]{0,39}$", pid) or not isinstance(spec, dict):
            raise fail(None, f"procedures.{pid}", "must be a lowercase name with a table "
                       "such as uses_balloon = false.")
        unknown = set(spec) - {"uses_balloon"}
        if unknown or not isinstance(spec.get("uses_balloon", False), bool):
            raise fail(f"procedures.{pid}", "uses_balloon", "must be true or false (the only "
                       "key of a procedure).")
        procedures[pid] = Procedure(pid, bool(spec.get("uses_balloon", False)))

    reviews: dict[str, TranslationReview] = {}
    for lang, spec in data.get("translation_reviews", {}).items():
        if not isinstance(spec, dict) or not str(spec.get("reviewed_by", "")).strip() \
                or not str(spec.get("date", "")).strip():
            raise fail(None, f"translation_reviews.{lang}", "needs reviewed_by (the qualified "
                       "translator) and date.")
        reviews[lang] = TranslationReview(str(spec["reviewed_by"]), str(spec["date"]))

    return ClinicProfile(
        name=clinic["name"].strip(),
        address=tuple(clinic.get("address", ())),
        phone=clinic["phone"].strip(),
        after_hours_phone=clinic.get("after_hours_phone", "").strip(),
        emergency_number=clinic.get("emergency_number", "911").strip() or "911",
        portal_name=clinic.get("portal_name", "").strip(),
        portal_url=url,
        logo=logo,
        physicians=tuple(clinic.get("physicians", ())),
        version=clinic.get("version", ""),
        parameters=MappingProxyType(params),
        procedures=MappingProxyType(procedures),
        translation_reviews=MappingProxyType(reviews),
        folder=folder,
    )
