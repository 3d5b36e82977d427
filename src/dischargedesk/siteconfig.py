"""Site-wide settings an administrator deploys, and the user's own settings (Qt-free).

Two TOML files with the same keys (table in docs/admin.md):

* the **site file**, one per computer, written by the administrator:
  Windows ``%ProgramData%\\DischargeDesk\\site.toml``, macOS
  ``/Library/Application Support/DischargeDesk/site.toml``, Linux
  ``/etc/dischargedesk/site.toml``; ``DISCHARGEDESK_SITE_CONFIG`` may point elsewhere only
  when that file does not exist or sets ``allow_site_config_override = true`` (otherwise a
  user could escape the locks with ``DISCHARGEDESK_SITE_CONFIG=/dev/null``);
* the **user file** (location from platformdirs): Linux
  ``$XDG_CONFIG_HOME/dischargedesk/user.toml``, Windows ``%APPDATA%\\DischargeDesk\\user.toml``,
  macOS ``~/Library/Application Support/DischargeDesk/user.toml``.

Precedence: site file > user file > default. ``lock_*`` keys (site file only) also make the
user's value of the key they guard ignored, and tell the UI to disable editing. Every resolved
value carries its source for the About/configuration view.

A broken file never stops the app: each problem becomes one plain sentence naming the file
and line (``SiteConfig.messages``) and the affected value falls back to its default. A site
file that cannot be read at all (not UTF-8, not TOML, nested too deeply, a number too long,
larger than :data:`MAX_FILE_BYTES`) fails closed: every lock is on until it is fixed. A UTF-8
byte order mark (PowerShell writes one) is accepted.

No patient data ever goes into these files: only the keys below exist, and
:func:`save_user_settings` refuses anything else.
"""

from __future__ import annotations

import difflib
import ntpath
import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import DischargeDeskError
from .output import write_text_atomic

SITE_ENV = "DISCHARGEDESK_SITE_CONFIG"
APP_DIR = "DischargeDesk"      # Windows and macOS folder name
XDG_DIR = "dischargedesk"      # Linux folder name
SITE_FILE = "site.toml"
USER_FILE = "user.toml"
MAX_IDLE_MINUTES = 24 * 60
MAX_FILE_BYTES = 256 * 1024   # a settings file is a few lines; anything larger is not one
MAX_NESTING = 50              # brackets/braces deep; the keys here need 1
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_URI_RE = re.compile(r"^(urn:[a-z0-9][a-z0-9-]{0,31}:|https?://)[!-~]{1,300}$")


class SiteConfigError(DischargeDeskError):
    """A user setting cannot be saved (locked, unknown key, bad value, unwritable file)."""


@dataclass(frozen=True)
class Key:
    """One setting: its TOML name, kind, default and meaning (docs/admin.md is built on it)."""

    name: str
    kind: str            # "path", "languages", "language", "bool", "int" or "uri"
    default: Any
    meaning: str
    user: bool = True    # may the user file set it?
    lock: str = ""       # the lock_* key that makes the user's value ignored


KEYS: tuple[Key, ...] = (
    Key("clinic_folder", "path", None,
        "Clinic folder (clinic.toml + templates/), often a network share; checked and copied "
        "to a local last-known-good cache. Unset: the built-in sample clinic.",
        lock="lock_clinic_profile"),
    Key("output_folder", "path", None,
        "Default folder for saved PDFs. ~ and environment variables are expanded.",
        lock="lock_output_folder"),
    Key("languages", "languages", (),
        "Handout languages offered, e.g. [\"en\", \"es\"]. Empty: every installed language."),
    Key("language", "language", None,
        "The clinic's default handout language, e.g. \"es\": chosen at start and by New "
        "patient (the nurse picks another per patient; that choice is never remembered). Not "
        "set: the first of `languages`, else English.", user=False),
    Key("lock_templates", "bool", False,
        "Users cannot edit templates (the template workspace is read-only).", user=False),
    Key("lock_clinic_profile", "bool", False,
        "Users cannot edit the clinic profile or choose another clinic folder.", user=False),
    Key("lock_output_folder", "bool", False,
        "Users cannot change the output folder.", user=False),
    Key("allow_site_config_override", "bool", False,
        "The environment variable DISCHARGEDESK_SITE_CONFIG may point to another site file "
        "(test machines). Without a site file it always may.", user=False),
    Key("chart_outbox", "path", None,
        "Folder of the EHR interface engine where `dischargedesk render` files the chart "
        "documents (as --chart-outbox; docs/ehr.md). Unset: only with --chart-outbox.",
        user=False),
    Key("mrn_system", "uri", None,
        "The hospital's identifier system of the MRN (a URI such as "
        "\"urn:oid:2.16.840.1.113883.3.1\"), used when a patient context lists several "
        "identifiers (as --mrn-system; docs/ehr.md).", user=False),
    Key("archive", "archive", None,
        "The education record and reprint archive, a table: `[archive]` with `url` "
        "(\"sqlite:///C:/path/archive.db\", any absolute path, or "
        "\"postgresql://user@host:5432/dbname\"), `key_file = \"/path/archive.key\"` or "
        "`key_source = \"keyring\"`, and `retention_days` (default 400). On when `url` is "
        "set; not set: nothing is kept (docs/archive.md).", user=False),
    Key("idle_clear_minutes", "int", 10,
        f"Clear the patient form after this many idle minutes (0 = never, at most "
        f"{MAX_IDLE_MINUTES})."),
)
BY_NAME: Mapping[str, Key] = MappingProxyType({k.name: k for k in KEYS})
LOCKS = tuple(k.name for k in KEYS if k.name.startswith("lock_"))

_KIND_TEXT = {
    "path": "a folder path in quotes",
    "languages": 'a list of language codes such as ["en", "es"]',
    "language": 'a language code in quotes such as "en"',
    "bool": "true or false",
    "int": f"a whole number from 0 to {MAX_IDLE_MINUTES}",
    "uri": "an identifier system in quotes such as \"urn:oid:1.2.3\" or \"https://...\"",
    "archive": "a table with url = \"sqlite:///ABSOLUTE/PATH.db\" or \"postgresql://...\", "
               "key_file = \"/ABSOLUTE/PATH\" or key_source = \"keyring\", and "
               "retention_days from 1 to 36500 (docs/archive.md); the archive stays off",
}

DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class Setting:
    """A resolved value and where it came from ("site file ...", "user settings ...",
    "default"). ``editable`` is False when the site file sets the key or a lock guards it."""

    key: str
    value: Any
    source: str
    editable: bool


@dataclass(frozen=True)
class SiteConfig:
    settings: Mapping[str, Setting]
    site_file: Path
    user_file: Path
    messages: tuple[str, ...] = ()
    #: the site file exists but could not be read or parsed: every lock is on
    site_file_broken: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.settings[key].value

    @property
    def clinic_folder(self) -> Path | None:
        return self["clinic_folder"]

    @property
    def output_folder(self) -> Path | None:
        return self["output_folder"]

    @property
    def languages(self) -> tuple[str, ...]:
        return self["languages"]

    @property
    def lock_templates(self) -> bool:
        return self["lock_templates"]

    @property
    def lock_clinic_profile(self) -> bool:
        return self["lock_clinic_profile"]

    @property
    def lock_output_folder(self) -> bool:
        return self["lock_output_folder"]

    @property
    def archive(self) -> ArchiveSettings | None:
        """The archive's settings when it is on (``[archive] url`` set), else None."""
        value = self.settings["archive"].value if "archive" in self.settings else None
        return value if isinstance(value, ArchiveSettings) else None

    @property
    def idle_clear_minutes(self) -> int:
        return self["idle_clear_minutes"]

    def source(self, key: str) -> str:
        return self.settings[key].source

    def editable(self, key: str) -> bool:
        """May the user change this setting (not set by the site file, not locked)?"""
        return self.settings[key].editable

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, value as shown, source) for an About/configuration view."""
        return [(k.name, show_value(self.settings[k.name].value), self.settings[k.name].source)
                for k in KEYS]


def show_value(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "all installed"
    return str(value)


# -- where the files are ----------------------------------------------------------------------
def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def site_file_path(environ: Mapping[str, str] | None = None,
                   platform: str | None = None) -> Path:
    """The site file in force: :func:`system_site_file`, or ``DISCHARGEDESK_SITE_CONFIG``
    where that is allowed (see :func:`_choose_site_file`)."""
    return _choose_site_file(environ, platform)[0]


def _choose_site_file(environ: Mapping[str, str] | None,
                      platform: str | None) -> tuple[Path, str | None]:
    """(site file, message when the environment override was ignored). The override counts
    only when the computer has no site file, or its site file allows it; a site file that
    cannot be read does not allow it (fail closed)."""
    system = system_site_file(environ, platform)
    override = _env(environ).get(SITE_ENV)
    if not override or Path(override) == system:
        return system, None
    layer = _read_layer(system, site=True)
    if not layer.exists:
        return Path(override), None
    if layer.values.get("allow_site_config_override") is True and not layer.broken:
        return Path(override), None
    return system, (f"{SITE_ENV} is ignored because the site settings file {system} does not "
                    "allow it (allow_site_config_override); its settings and locks apply.")


def system_site_file(environ: Mapping[str, str] | None = None,
                     platform: str | None = None) -> Path:
    """The computer's own site file, written by the administrator."""
    env, platform = _env(environ), platform or sys.platform
    if platform == "win32":
        base = env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(ntpath.join(base, APP_DIR, SITE_FILE))
    if platform == "darwin":
        return Path("/Library/Application Support") / APP_DIR / SITE_FILE
    return Path("/etc") / XDG_DIR / SITE_FILE


def _app_name() -> str:
    return XDG_DIR if sys.platform not in ("win32", "darwin") else APP_DIR


def user_config_dir() -> Path:
    """Per-user settings (platformdirs): Linux $XDG_CONFIG_HOME/dischargedesk, Windows
    %APPDATA%\\DischargeDesk (roamed), macOS ~/Library/Application Support/DischargeDesk."""
    import platformdirs

    return platformdirs.user_config_path(_app_name(), appauthor=False, roaming=True)


def user_data_dir() -> Path:
    """Per-user data, the clinic cache (platformdirs): Linux $XDG_DATA_HOME/dischargedesk,
    Windows %LOCALAPPDATA%\\DischargeDesk (not roamed), macOS
    ~/Library/Application Support/DischargeDesk."""
    import platformdirs

    return platformdirs.user_data_path(_app_name(), appauthor=False, roaming=False)


def user_file_path() -> Path:
    return user_config_dir() / USER_FILE


# -- reading -----------------------------------------------------------------------------------
@dataclass
class _Layer:
    values: dict[str, Any]
    messages: list[str]
    broken: bool = False
    exists: bool = True


def _too_deep(text: str) -> int | None:
    """Line where brackets/braces (outside strings and comments) nest deeper than
    MAX_NESTING, or None. tomllib recurses per level and would hit Python's limit."""
    depth, line, quote, i = 0, 1, "", 0
    while i < len(text):
        c = text[i]
        if c == "\n":
            line += 1
            if quote in ('"', "'"):
                quote = ""  # a one-line string cannot go on; tomllib reports it
        elif quote:
            if c == "\\" and quote in ('"', '"""'):
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _long_number_line(text: str) -> int | None:
    for no, line in enumerate(text.splitlines(), 1):
        if re.search(r"[0-9_]{" + str(sys.get_int_max_str_digits() or 4300) + ",}", line):
            return no
    return None


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
                         r"\s*(?:=|\.)|^\s*\[+\s*" + re.escape(key) + r"\s*[\].]")
    for no, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return no
    return None


@dataclass(frozen=True)
class ArchiveSettings:
    """The site's ``[archive]`` table (docs/archive.md). ``str`` hides a password."""

    url: str
    key_file: Path | None = None
    key_source: str = "file"        # "file" (key_file) or "keyring"
    retention_days: int = 400

    @property
    def backend(self) -> str:
        return "postgresql" if self.url.startswith(("postgresql://", "postgres://")) \
            else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url[len("sqlite:///"):])

    def __str__(self) -> str:
        url = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", self.url)
        key = str(self.key_file) if self.key_source == "file" else "OS keyring"
        return f"{url} (key: {key}; kept {self.retention_days} days)"


ARCHIVE_KEYS = ("url", "key_file", "key_source", "retention_days")
MAX_RETENTION_DAYS = 36500


def _absolute(path: str) -> bool:
    return os.path.isabs(path) or bool(re.match(r"^[A-Za-z]:[\\/]", path)) \
        or path.startswith(("\\\\", "//"))


def _archive_settings(value: Any) -> tuple[bool, Any]:
    if not isinstance(value, dict) or set(value) - set(ARCHIVE_KEYS):
        return False, None
    url = value.get("url", "")
    if not isinstance(url, str):
        return False, None
    if not url.strip():
        return True, None  # no url: the archive is off
    url = url.strip()
    if url.startswith("sqlite:///"):
        if not _absolute(os.path.expandvars(url[len("sqlite:///"):])):
            return False, None
        url = "sqlite:///" + os.path.expandvars(url[len("sqlite:///"):])
    elif not re.match(r"^postgres(?:ql)?://[!-~]{1,500}$", url):
        return False, None
    source = value.get("key_source", "file")
    key_file = value.get("key_file")
    retention = value.get("retention_days", 400)
    if source not in ("file", "keyring") or (key_file is not None and not isinstance(
            key_file, str)):
        return False, None
    if not isinstance(retention, int) or isinstance(retention, bool) \
            or not 1 <= retention <= MAX_RETENTION_DAYS:
        return False, None
    path = None
    if source == "file":
        expanded = os.path.expandvars(os.path.expanduser((key_file or "").strip()))
        if not expanded or not _absolute(expanded):
            return False, None
        path = Path(expanded)
    elif key_file:
        return False, None  # both a key file and the keyring: which one is meant?
    return True, ArchiveSettings(url, path, source, retention)


def _convert(key: Key, value: Any) -> tuple[bool, Any]:
    """(ok, converted value)."""
    if key.kind == "archive":
        return _archive_settings(value)
    if key.kind == "bool":
        return isinstance(value, bool), value
    if key.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) \
            and 0 <= value <= MAX_IDLE_MINUTES
        return ok, value
    if key.kind == "languages":
        ok = isinstance(value, list) and all(isinstance(v, str) and _LANG_RE.match(v)
                                             for v in value)
        return ok, tuple(dict.fromkeys(value)) if ok else None
    if key.kind == "language":
        if not isinstance(value, str) or (value and not _LANG_RE.match(value)):
            return False, None
        return True, value or None
    if key.kind == "uri":
        if not isinstance(value, str) or (value and not _URI_RE.match(value)):
            return False, None
        return True, value or None
    if key.kind == "path":
        if not isinstance(value, str):
            return False, None
        if not value.strip():
            return True, None   # "" = not set
        expanded = os.path.expandvars(os.path.expanduser(value.strip()))
        if not (os.path.isabs(expanded) or expanded.startswith(("\\\\", "//"))):
            return False, None
        return True, Path(expanded)
    raise AssertionError(key.kind)  # pragma: no cover


def _read_layer(path: Path, *, site: bool) -> _Layer:
    what = f"The site settings file {path}" if site else f"Your settings file {path}"
    fallback = ("Discharge Desk ignores it and locks templates, the clinic profile and the "
                "output folder until it is fixed" if site else
                "Discharge Desk ignores it and uses the defaults")
    def broken(text: str, line: int | None = None) -> _Layer:
        where = f", line {line}," if line else ""
        return _Layer({}, [f"{what}{where} {text}; {fallback}."], broken=True)

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return _Layer({}, [], exists=False)
    except OSError as exc:
        if site and not path.exists():
            return _Layer({}, [], exists=False)
        return broken(f"cannot be read ({type(exc).__name__})")
    if len(raw) > MAX_FILE_BYTES:
        return broken(f"is too large for a settings file (more than {MAX_FILE_BYTES // 1024} "
                      "KB)")
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark (PowerShell) is dropped
    except UnicodeDecodeError:
        return broken("is not UTF-8 text")
    deep = _too_deep(text)
    if deep is not None:
        return broken(f"has lists or tables nested too deeply (more than {MAX_NESTING} "
                      "levels)", deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        reason = str(exc).split(" (at ")[0].rstrip(".")
        return broken(f"is not valid TOML ({reason})", int(m.group(1)) if m else None)
    except ValueError:  # an integer longer than Python converts (4300 digits)
        return broken("holds a number that is too long", _long_number_line(text))
    except RecursionError:  # pragma: no cover - _too_deep stops this first
        return broken(f"has lists or tables nested too deeply (more than {MAX_NESTING} "
                      "levels)")
    values: dict[str, Any] = {}
    messages: list[str] = []
    for name, value in data.items():
        line = _line_of(text, name)
        at = f"{what}, line {line}" if line else what
        key = BY_NAME.get(name)
        if key is None:
            close = difflib.get_close_matches(name, BY_NAME, n=1)
            hint = f" (did you mean “{close[0]}”?)" if close else \
                f" (known settings: {', '.join(BY_NAME)})"
            messages.append(f"{at}: “{name}” is not a known setting{hint}; it is ignored.")
            continue
        if not site and not key.user:
            messages.append(f"{at}: “{name}” can only be set in the site settings file; it is "
                            "ignored.")
            continue
        ok, converted = _convert(key, value)
        if not ok:
            if site and name in LOCKS:
                messages.append(f"{at}: “{name}” must be {_KIND_TEXT[key.kind]}; it counts as "
                                "true (locked) until it is fixed.")
                values[name] = True
            else:
                messages.append(f"{at}: “{name}” must be {_KIND_TEXT[key.kind]}; the default "
                                f"({show_value(key.default)}) is used instead.")
            continue
        values[name] = converted
    return _Layer(values, messages)


def load_config(*, site_file: Path | None = None, user_file: Path | None = None,
                environ: Mapping[str, str] | None = None,
                platform: str | None = None) -> SiteConfig:
    """Read both files and resolve every key. Never raises for a bad file."""
    note = None
    if site_file is not None:
        site_path = site_file
    else:
        site_path, note = _choose_site_file(environ, platform)
    user_path = user_file or user_file_path()
    site = _read_layer(site_path, site=True)
    if note:
        site.messages.insert(0, note)
    user = _read_layer(user_path, site=False)
    site_src, user_src = f"site file {site_path}", f"user settings {user_path}"
    settings: dict[str, Setting] = {}
    for key in KEYS:  # locks first (declared before the keys they guard are read below)
        if key.name not in LOCKS:
            continue
        if key.name in site.values:
            settings[key.name] = Setting(key.name, site.values[key.name], site_src, False)
        elif site.broken:
            settings[key.name] = Setting(key.name, True, f"safe default ({site_path} cannot be "
                                         "read)", False)
        else:
            settings[key.name] = Setting(key.name, key.default, DEFAULT_SOURCE, False)
    for key in KEYS:
        if key.name in LOCKS:
            continue
        locked = bool(key.lock and settings[key.lock].value)
        if key.name in site.values:
            settings[key.name] = Setting(key.name, site.values[key.name], site_src, False)
        elif key.name in user.values and not locked:
            settings[key.name] = Setting(key.name, user.values[key.name], user_src, True)
        else:
            settings[key.name] = Setting(key.name, key.default, DEFAULT_SOURCE, not locked)
    ordered = {k.name: settings[k.name] for k in KEYS}
    return SiteConfig(MappingProxyType(ordered), site_path, user_path,
                      tuple(site.messages + user.messages), site.broken)


# -- writing the user file ---------------------------------------------------------------------
def _toml_value(key: Key, value: Any) -> Any:
    if key.kind in ("path", "language", "uri"):
        return "" if value is None else str(value)
    if key.kind == "languages":
        return list(value)
    return value


def save_user_settings(config: SiteConfig, changes: Mapping[str, Any]) -> SiteConfig:
    """Write ``changes`` into the user file (atomically, keeping its comments) and return the
    newly resolved configuration. A value of None removes the key (back to the default).
    Raises :class:`SiteConfigError` for an unknown, site-only, locked or site-set key, a bad
    value, or a file that cannot be written."""
    import tomlkit

    for name, value in changes.items():
        key = BY_NAME.get(name)
        if key is None or not key.user:
            raise SiteConfigError(f"“{name}” is not a setting users can change.")
        if not config.editable(name):
            raise SiteConfigError(f"“{name}” is set by your administrator "
                                  f"({config.source(name)}) and cannot be changed here.")
        if value is not None and not _convert(key, _toml_value(key, value))[0]:
            raise SiteConfigError(f"“{name}” must be {_KIND_TEXT[key.kind]}.")
    path = config.user_file
    try:
        text = path.read_text(encoding="utf-8-sig")
        doc = tomlkit.parse(text)
    except FileNotFoundError:
        doc = tomlkit.document()
        doc.add(tomlkit.comment("Discharge Desk user settings (keys: docs/admin.md). "
                                "No patient data."))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError):
        doc = tomlkit.document()  # a broken file is replaced; it was ignored anyway
    for name, value in changes.items():
        if value is None:  # back to the default
            doc.pop(name, None)
        else:
            doc[name] = _toml_value(BY_NAME[name], value)
    try:
        write_text_atomic(path, tomlkit.dumps(doc))
    except OSError as exc:
        raise SiteConfigError(f"Your settings could not be saved to {path} "
                              f"({type(exc).__name__}); check that the folder is writable."
                              ) from None
    return load_config(site_file=config.site_file, user_file=path)
