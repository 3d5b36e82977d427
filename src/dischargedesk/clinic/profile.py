"""The clinic profile: identity, phones, portal, logo, physicians and clinical parameters.

Loaded from a folder holding ``clinic.toml`` (format: docs/clinic-profile.md), optional
assets (the logo) and optional ``templates/`` overrides. Every problem raises
:class:`~dischargedesk.errors.ClinicProfileError` naming the file, the line and the key, and
saying what is allowed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..domain.textclean import RTL_NOT_SUPPORTED, clean_text, has_rtl, has_visible
from ..errors import ClinicProfileError
from ..resources import procedures_file, sample_clinic_dir
from ..textio import TextFormatError, loads_toml, read_text_utf8
from .parameters import BY_KEY, defaults

PROFILE_FILE = "clinic.toml"
MAX_LOGO_BYTES = 2_000_000
#: Largest logo, checked from the image header before it is decoded: it prints about 1.5 cm
#: high, and every handout decodes it again (12000 x 12000 took 5-12 s and 480 MB; 4 MP
#: still added 1.4 s to each render of both handouts, 1 MP about 0.35 s).
MAX_LOGO_SIDE = 4000
MAX_LOGO_PIXELS = 1_000_000
#: Caps of the clinic's text (characters; lines for lists), as for the request's fields.
MAX_CLINIC_TEXT = {"name": 120, "portal_name": 120, "address": 120, "physicians": 100,
                   "version": 40}
MAX_CLINIC_LINES = {"address": 6, "physicians": 60}
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
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
    def is_sample(self) -> bool:
        """The bundled fictional clinic (its handouts say so in the footer)."""
        return self.folder is not None and self.folder.resolve() == _resolved(sample_clinic_dir())

    @property
    def templates_dir(self) -> Path | None:
        """The clinic's template overrides, if it has any."""
        if self.folder is None:
            return None
        path = self.folder / "templates"
        return path if path.is_dir() else None


@lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    """A sample clinic folder, resolved once per process. Keyed by the folder, never cached
    as one answer: a reprint points ``sample_clinic_dir`` at the archived snapshot's copy."""
    return folder.resolve()


CLINIC_KEYS: dict[str, type | tuple[type, ...]] = {
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
        text = read_text_utf8(path)
    except FileNotFoundError:
        raise ClinicProfileError(f"There is no {PROFILE_FILE} in the clinic folder {folder}; "
                                 "create one with 'dischargedesk templates export'.") from None
    except TextFormatError as exc:
        raise ClinicProfileError(f"{exc.reason}.", file=shown, line=exc.line) from None
    except OSError:
        raise ClinicProfileError(f"{shown} cannot be read; check that it is a file you have "
                                 "permission to open.") from None
    return validate_profile_text(text, folder, shown)


def validate_profile_text(text: str, folder: Path, shown: str) -> ClinicProfile:
    """Parse and validate clinic.toml text (``shown`` names the file in messages)."""
    try:
        data = loads_toml(text)
    except TextFormatError as exc:
        raise ClinicProfileError(f"{exc.reason}.", file=shown, line=exc.line) from None
    return _profile_from_data(data, text, folder, shown)


def _clinic_text(key: str, value: str | list[str], fail: Any) -> str | list[str]:
    """Clean one text value (or list of lines) of [clinic] with the request's rules: length
    caps, no unprintable or right-to-left characters, every line visible. Messages name the
    key, never the text."""
    from ..render.fonts import describe_characters, missing_characters

    cap = MAX_CLINIC_TEXT[key]
    lines = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) > MAX_CLINIC_LINES[key]:
        raise fail("clinic", key, f"has too many lines: at most {MAX_CLINIC_LINES[key]}.")
    cleaned = []
    for raw in lines:
        if len(raw) > cap * 2:
            raise fail("clinic", key, f"is too long: at most {cap} characters a line.")
        line = clean_text(raw)
        if len(line) > cap:
            raise fail("clinic", key, f"is too long: at most {cap} characters a line.")
        if not has_visible(line):
            if not isinstance(value, list):
                return ""  # nothing that prints: the same as not given ("required" for name)
            raise fail("clinic", key, "has an empty line (or one of invisible characters only); "
                       "remove it.")
        missing = missing_characters(line)
        if missing:
            raise fail("clinic", key, "has characters the handout font cannot print: "
                       f"{describe_characters(missing)}; type them another way or leave "
                       "them out.")
        if has_rtl(line):
            raise fail("clinic", key, f"has right-to-left letters: {RTL_NOT_SUPPORTED}; "
                       "type it in Latin letters.")
        cleaned.append(line)
    return cleaned if isinstance(value, list) else cleaned[0]


def logo_problem(path: Path) -> str | None:
    """Why the logo cannot be printed, or None. The pixel size is read from the header
    first, so a huge image is refused without decoding it; then it is decoded once to catch
    damaged files (what every handout would otherwise fail on)."""
    import warnings

    from PIL import Image

    formats = "save the logo as a PNG or JPEG image"
    too_big = (f"use an image of at most {MAX_LOGO_SIDE} x {MAX_LOGO_SIDE} pixels and "
               f"{MAX_LOGO_PIXELS:,} pixels in all, such as 1000 x 1000 or 2000 x 500 (a logo "
               "prints about 1.5 cm high, and every handout decodes it again).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=("PNG", "JPEG")) as img:
                width, height = img.size
                if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE \
                        or width * height > MAX_LOGO_PIXELS:
                    return f"is {width} x {height} pixels; {too_big}"
                if width < 1 or height < 1:
                    raise ValueError("empty image")
                img.load()
    except Image.DecompressionBombError:  # Pillow's own limit, hit while reading the header
        return f"is far too many pixels; {too_big}"
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on damaged input; all mean the same here
        return (f"cannot be read as an image (the file is damaged, empty or in another "
                f"format such as SVG); {formats}.")
    return None


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
        full = f"{section}.{key}" if section else key
        line = _line_of(text, key, section) or (_line_of(text, full) if section else None)
        return ClinicProfileError(f"“{full}” {message}", file=shown, line=line, key=full)

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(None, key, f"is not a known section; allowed: {', '.join(_TOP_KEYS)}.")
    clinic = data.get("clinic")
    if not isinstance(clinic, dict):
        raise ClinicProfileError("the [clinic] section with the clinic's name and phone is "
                                 "missing.", file=shown)
    for key, value in clinic.items():
        expected = CLINIC_KEYS.get(key)
        if expected is None:
            raise fail("clinic", key, "is not a known key; allowed: "
                       f"{', '.join(CLINIC_KEYS)}.")
        if not isinstance(value, expected):
            kind = "a list of text lines" if expected is list else "text in quotes"
            raise fail("clinic", key, f"must be {kind}.")
        if isinstance(value, list) and not all(isinstance(x, str) for x in value):
            raise fail("clinic", key, "must be a list of text lines in quotes.")
        if key in MAX_CLINIC_TEXT and isinstance(value, str | list):
            clinic[key] = _clinic_text(key, value, fail)
        elif isinstance(value, str) and len(value) > 300:  # phones, web address, logo path
            raise fail("clinic", key, "is too long: at most 300 characters.")
    for key in ("name", "phone"):
        if not has_visible(str(clinic.get(key, ""))):
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
        problem = logo_problem(logo)
        if problem:
            raise fail("clinic", "logo", problem)

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
    raw_procedures = data.get("procedures", {})
    if not isinstance(raw_procedures, dict):
        raise fail(None, "procedures", "must be tables such as [procedures.sacroplasty] "
                   "with uses_balloon = false.")
    for pid, spec in raw_procedures.items():
        if not re.match(r"^[a-z][a-z0-9-]{0,39}$", pid):
            raise fail(None, "procedures", "has a procedure name that is not a lowercase "
                       "name such as sacroplasty.")
        if not isinstance(spec, dict):
            raise fail("procedures", pid, "must be a table such as uses_balloon = false.")
        unknown = set(spec) - {"uses_balloon"}
        if unknown or not isinstance(spec.get("uses_balloon", False), bool):
            raise fail(f"procedures.{pid}", "uses_balloon", "must be true or false (the only "
                       "key of a procedure).")
        procedures[pid] = Procedure(pid, bool(spec.get("uses_balloon", False)))

    reviews: dict[str, TranslationReview] = {}
    raw_reviews = data.get("translation_reviews", {})
    if not isinstance(raw_reviews, dict):
        raise fail(None, "translation_reviews", "must be tables such as "
                   "[translation_reviews.es] with reviewed_by and date.")
    for lang, spec in raw_reviews.items():
        if not _LANG_RE.match(lang):
            raise fail(None, "translation_reviews", "has a language that is not a code such "
                       "as es or pt-BR.")
        reviewer = spec.get("reviewed_by") if isinstance(spec, dict) else None
        date = spec.get("date") if isinstance(spec, dict) else None
        if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
            date = date.isoformat()
        if not isinstance(spec, dict) or set(spec) - {"reviewed_by", "date"} \
                or not isinstance(reviewer, str) or not has_visible(reviewer) \
                or len(reviewer) > 100 or not isinstance(date, str) \
                or not re.match(r"^\d{4}-\d{2}-\d{2}$", date.strip()):
            raise fail("translation_reviews", lang, "needs reviewed_by (the qualified "
                       "translator, in quotes) and date (written like 2026-11-01), and "
                       "nothing else.")
        reviews[lang] = TranslationReview(clean_text(reviewer), date.strip())

    return ClinicProfile(
        name=clinic["name"],
        address=tuple(clinic.get("address", ())),
        phone=clinic["phone"].strip(),
        after_hours_phone=clinic.get("after_hours_phone", "").strip(),
        emergency_number=clinic.get("emergency_number", "911").strip() or "911",
        portal_name=clinic.get("portal_name", ""),
        portal_url=url,
        logo=logo,
        physicians=tuple(clinic.get("physicians", ())),
        version=clinic.get("version", ""),
        parameters=MappingProxyType(params),
        procedures=MappingProxyType(procedures),
        translation_reviews=MappingProxyType(reviews),
        folder=folder,
    )
