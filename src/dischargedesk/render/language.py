"""Language packs (templates/<code>/pack.toml) and locale-aware formatting (Babel)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

from ..errors import DischargeDeskError
from ..resources import templates_dir
from ..textio import TextFormatError, loads_toml, read_text_utf8

PACK_FILE = "pack.toml"
REVIEWED_STATUSES = ("source", "reviewed")


@dataclass(frozen=True)
class LanguagePack:
    code: str
    name: str
    translated_by: str
    reviewed_by: str
    date: str
    status: str  # "source" (original text), "reviewed", or "unreviewed"
    procedures: dict[str, str]
    handouts: dict[str, str]
    labels: dict[str, str | dict[str, str]]
    unreviewed_notice: str = ""
    locale: str = ""  # Babel locale for dates, times and numbers (default: the code)

    @property
    def format_locale(self) -> str:
        return self.locale or self.code

    @property
    def needs_review(self) -> bool:
        return self.status not in REVIEWED_STATUSES

    def label(self, key: str, **values: object) -> str:
        """A label with {placeholders} filled in. A label may be a table of plural forms
        (``{ one = "...", other = "..." }``) chosen by the language's rule for ``count``."""
        text = self.labels[key]
        if isinstance(text, dict):
            count = values.get("count", 0)
            form = Locale.parse(self.code).plural_form(count)  # type: ignore[arg-type]
            text = text.get(form, text["other"])
        return text.format(**values)


@cache
def _read_pack(path: Path) -> LanguagePack:
    try:
        data = loads_toml(read_text_utf8(path))  # strict UTF-8, a BOM is dropped
        lang, tr = data["language"], data["translation"]
        return LanguagePack(
            code=lang["code"], name=lang["name"],
            translated_by=tr.get("translated_by", ""), reviewed_by=tr.get("reviewed_by", ""),
            date=tr.get("date", ""), status=tr.get("status", "unreviewed"),
            procedures=dict(data["procedures"]), handouts=dict(data["handouts"]),
            labels=dict(data["labels"]),
            unreviewed_notice=tr.get("unreviewed_notice", ""),
            locale=lang.get("locale", ""),
        )
    except TextFormatError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise DischargeDeskError(f"The language pack {path}{where} cannot be used: "
                                 f"{exc.reason}.") from None
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise DischargeDeskError(f"The language pack {path} is incomplete or not valid TOML "
                                 f"({type(exc).__name__}: {exc}); fix it or remove the "
                                 "language folder.") from None


def pack_roots(clinic_templates: Path | None) -> list[Path]:
    """Template roots, the clinic's overrides first."""
    roots = [templates_dir()]
    if clinic_templates is not None:
        roots.insert(0, clinic_templates)
    return roots


def available_languages(clinic_templates: Path | None = None) -> list[str]:
    codes: set[str] = set()
    for root in pack_roots(clinic_templates):
        if root.is_dir():
            codes.update(p.parent.name for p in root.glob(f"*/{PACK_FILE}"))
    return sorted(codes, key=lambda c: (c != "en", c))


def load_pack(code: str, clinic_templates: Path | None = None) -> LanguagePack:
    for root in pack_roots(clinic_templates):
        path = root / code / PACK_FILE
        if path.is_file():
            return _read_pack(path)
    raise KeyError(code)


# -- formatting ------------------------------------------------------------------------------
@cache
def _day_pattern(lang: str) -> str:
    """The locale's full date pattern without the year ("EEEE, MMMM d")."""
    full = Locale.parse(lang).date_formats["full"].pattern
    return re.sub(r"[\s,]*(?:'[^']*'\s*)?y+[^dMLE]*$", "", full).strip()


def day_text(day: dt.date, lang: str) -> str:
    """Weekday and date without the year: "Friday, March 6" / "viernes, 6 de marzo"."""
    text = format_date(day, format=_day_pattern(lang), locale=lang)
    return text[:1].upper() + text[1:]


def full_date_text(day: dt.date, lang: str) -> str:
    """"Wednesday, November 25, 2026"."""
    text = format_date(day, format="full", locale=lang)
    return text[:1].upper() + text[1:]


def birth_date_text(day: dt.date, lang: str) -> str:
    """"March 4, 1948" (no weekday)."""
    return format_date(day, format="long", locale=lang)


def time_text(value: dt.time, lang: str) -> str:
    return format_time(value, format="short", locale=lang)


def list_text(items: Sequence[str], lang: str) -> str:
    """"T12 and L1", "T11, T12 and L1" (the language's own list style)."""
    return format_list(list(items), locale=lang) if items else ""


def number_text(value: float, lang: str) -> str:
    return format_decimal(round(value, 1), format="#,##0.#", locale=lang)
