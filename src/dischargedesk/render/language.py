"""Language packs (templates/<code>/pack.toml) and locale-aware formatting (Babel).

Babel is imported on first use, not with this module: an English handout is formatted by a
few lines of Python that give Babel's own English results (tests compare them for every day,
minute and list length), and loading Babel with its English locale data is about 30 ms of
each cold command."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..clinic.profile import _line_of
from ..domain.request import is_english
from ..errors import ClinicProfileError
from ..resources import templates_dir
from ..textio import TextFormatError, loads_toml, read_text_utf8

PACK_FILE = "pack.toml"
#: A pack's code: a BCP 47 tag (language, then optional script and region): "zh-Hant", "es-US"
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")
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
    english_name: str = ""  # the language's name in English (default: from Babel)
    #: CLDR date patterns ([dates] of pack.toml) that replace the locale's own forms
    dates: dict[str, str] = field(default_factory=dict)

    @property
    def format_locale(self) -> str:
        """The Babel locale ("zh_Hans", "es_US") of ``locale``, else of the BCP 47 code."""
        return babel_locale(self.locale or self.code)

    @property
    def display_name(self) -> str:
        """What the form's language list shows: the language in its own name, then in
        English ("中文（简体） Chinese, Simplified", "Español Spanish", "English")."""
        english = self.english_name or english_language_name(self.code)
        return self.name if not english or english == self.name else f"{self.name} {english}"

    @property
    def needs_review(self) -> bool:
        return self.status not in REVIEWED_STATUSES

    @property
    def colon(self) -> str:
        """What joins a label to its value: the pack's ``label_colon`` label, ": " by
        default (Chinese writes the full-width "：" with no space)."""
        value = self.labels.get("label_colon")
        return value if isinstance(value, str) and value else ": "

    def labelled(self, key: str, value: str) -> str:
        """"Patient: Ana Diaz", "病人：王小明": a label, the pack's colon, the value."""
        return f"{self.label(key)}{self.colon}{value}"

    def label(self, key: str, **values: object) -> str:
        """A label with {placeholders} filled in. A label may be a table of plural forms
        (``{ one = "...", other = "..." }``) chosen by the language's rule for ``count``."""
        text = self.labels[key]
        if isinstance(text, dict):
            count = values.get("count", 0)
            form = _plural_form(self.format_locale, count)
            text = text.get(form, text["other"])
        return text.format(**values)


#: Every label a pack must have, and the {placeholders} each may use.
LABELS: dict[str, frozenset[str]] = {
    key: frozenset() for key in (
        "patient", "date_of_birth", "mrn", "treated", "not_recorded", "signature_patient",
        "signature_nurse", "signature_datetime", "interpreter", "diary_day", "diary_pain",
        "diary_walking", "diary_bowel", "diary_temperature", "sample_notice")
} | {"page": frozenset({"page", "pages"}), "levels_count": frozenset({"count"})}
#: Labels for translated handouts. ``free_text_marker`` follows each line of the nurse's
#: free text (written in English) in a handout of another language: every non-English pack
#: must say it (a handout never prints English without a word in the reader's language).
#: English packs may leave it empty or out: an English handout prints no marker.
#: ``bilingual_note`` explains bilingual print once; a pack without it gets the built-in
#: pack's of its language, else the English one.
#: ``english_copy`` is the label over the clinic's English text of each section in
#: bilingual print, in the pack's language ("英文原文 · English").
TRANSLATION_LABELS = ("free_text_marker", "bilingual_note", "english_copy")
#: Pack texts printed in the pack's language and then in English (for staff and family),
#: with the separator before the English: what follows its last occurrence is read as
#: English in the tagged PDF (``english_half``).
BILINGUAL_TEXTS = {"unreviewed_notice": " / ", "unreviewed_short": " · ", "english_copy": " · "}


def english_half(key: str, text: str) -> tuple[str, str]:
    """A bilingual pack text (``BILINGUAL_TEXTS``) cut before its English: (the pack's
    language with the separator, the English); ("the whole text", "") for any other key
    or a text without the separator."""
    sep = BILINGUAL_TEXTS.get(key)
    if not sep or sep not in text:
        return text, ""
    own, _, english = text.rpartition(sep)
    return (own + sep, english) if english.strip() else (text, "")
#: Optional labels with a default: ``label_colon`` joins a label to its value in the header,
#: footer and spine caption (": " when a pack has none; "：" in Chinese).
OPTIONAL_LABELS = ("label_colon",)
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})
#: [dates] keys: what each CLDR pattern formats (default when the pack gives none)
DATE_KEYS = {
    "day": "weekday and date, no year (the locale's full date without its year)",
    "full": "weekday, date and year (the locale's full date)",
    "birth": "date and year, no weekday (the locale's long date)",
    "diary": "short weekday and date, for the diary rows (skeleton MMMEd)",
    "calendar": "weekday and date, for the recovery calendar's rows (the day form)",
    "time": "hours and minutes (the locale's short time)",
}
HANDOUT_KINDS = ("discharge", "recovery")


class LanguagePackError(ClinicProfileError):
    """A language pack (pack.toml) that cannot be used: names the file, line and key."""


_DATE_FIELDS = frozenset("GyYuUrQqMLlwWdDFgEec")
_TIME_FIELDS = frozenset("ahHKkmsbB")


def _pattern_ok(key: str, pattern: str) -> bool:
    """A [dates] pattern uses only fields of its form (dates or times) and closes its
    quotes: "EEEE, 'ngày' d MMMM" is good; "EEEE, 'ngày d" or "HH:mm" for a day is not."""
    if pattern.replace("''", "").count("'") % 2:
        return False
    from babel.dates import tokenize_pattern

    try:
        tokens = tokenize_pattern(pattern)
    except (ValueError, KeyError, TypeError):
        return False
    fields = {value[0] for kind, value in tokens if kind == "field"}
    return bool(fields) and fields <= (_TIME_FIELDS if key == "time" else _DATE_FIELDS)


def _placeholders(text: str) -> set[str]:
    """Names used as {name} in a label; ValueError when the braces do not pair up."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@cache
def _read_pack(path: Path) -> LanguagePack:
    shown = str(path)
    try:
        text = read_text_utf8(path)  # strict UTF-8, a BOM is dropped
        data = loads_toml(text)  # no nan/inf, bounded nesting and integers
    except TextFormatError as exc:
        raise LanguagePackError(f"{exc.reason}.", file=shown, line=exc.line) from None
    except OSError as exc:
        raise LanguagePackError(f"the file cannot be read ({exc.strerror or type(exc).__name__}"
                                "); check the folder and your permissions.", file=shown) from None

    def fail(section: str, key: str, message: str) -> LanguagePackError:
        line = (_line_of(text, key, section) if key else None) or _line_of(text, section)
        full = f"{section}.{key}" if key else f"[{section}]"
        return LanguagePackError(f"“{full}” {message}", file=shown, line=line, key=full)

    def table(section: str) -> dict[str, Any]:
        value = data.get(section)
        if not isinstance(value, dict):
            raise fail(section, "", "is missing; add the section (see the English pack.toml).")
        return value

    def text_of(section: str, key: str, required: bool = True) -> str:
        value = table(section).get(key, "" if not required else None)
        if value is None:
            raise fail(section, key, "is missing; add it (see the English pack.toml).")
        if not isinstance(value, str):
            raise fail(section, key, "must be text in quotes.")
        return value

    table("language")
    code, locale = text_of("language", "code"), text_of("language", "locale", False)
    for key, value in (("code", code), ("locale", locale)):
        if value or key == "code":
            try:
                babel_locale(value)
            except (ValueError, TypeError, LookupError):
                raise fail("language", key, "is not a language or locale Babel knows "
                           "(for example \"es\", \"zh-Hans\" or \"es_US\").") from None
    if not BCP47.match(code):
        raise fail("language", "code", "must be a BCP 47 language tag, as the PDF states it: "
                   "for example \"es\", \"vi\" or \"zh-Hans\" (a hyphen, not \"_\").")
    dates = data.get("dates", {})
    if not isinstance(dates, dict):
        raise fail("dates", "", "must be a section of date patterns.")
    for key in dates:
        if key not in DATE_KEYS:
            raise fail("dates", key, "is not a date form; the forms are: "
                       f"{', '.join(DATE_KEYS)}.")
        if not _pattern_ok(key, text_of("dates", key)):
            example = "h:mm a" if key == "time" else "M月d日 EEEE\" or \"EEEE, 'ngày' d MMMM"
            raise fail("dates", key, "is not a CLDR date pattern of this form (for example "
                       f"\"{example}\"; put words in 'single quotes').")
    tr = data.get("translation", {})
    if not isinstance(tr, dict):
        raise fail("translation", "", "must be a section of text values.")
    for section in ("procedures", "handouts"):
        for key in table(section):
            text_of(section, key)
    for kind in HANDOUT_KINDS:
        text_of("handouts", kind)
    labels = table("labels")
    for key, allowed in LABELS.items():
        label = labels.get(key)
        forms = label if isinstance(label, dict) else {"other": label}
        if label is None:
            raise fail("labels", key, "is missing; add it (see the English pack.toml).")
        if not forms or "other" not in forms or not set(forms) <= PLURAL_FORMS:
            raise fail("labels", key, "must be text in quotes, or a table of plural forms "
                       "with at least \"other\".")
        for form in forms.values():
            if not isinstance(form, str):
                raise fail("labels", key, "must be text in quotes.")
            try:
                used = _placeholders(form)
            except ValueError:
                raise fail("labels", key, "has a { or } that does not pair up; write {{ or }} "
                           "for a brace.") from None
            if not used <= allowed:
                names = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
                raise fail("labels", key, f"uses a placeholder it cannot fill (allowed: "
                           f"{names}).")
    for key in (*TRANSLATION_LABELS, *OPTIONAL_LABELS):
        extra = labels.get(key)
        if extra is None:
            continue
        if not isinstance(extra, str):
            raise fail("labels", key, "must be text in quotes.")
        if "{" in extra or "}" in extra:
            raise fail("labels", key, "uses a placeholder it cannot fill (allowed: none).")
    if not is_english(code) and not str(labels.get("free_text_marker") or "").strip():
        why = ("a handout in this language needs a short sentence, in the language, "
               "saying that the nurse's lines are written in English (see the Spanish "
               "pack.toml).")
        if "free_text_marker" in labels:
            raise fail("labels", "free_text_marker", f"is empty: {why}")
        raise fail("labels", "", f"has no free_text_marker: {why}")
    return LanguagePack(
        code=code, name=text_of("language", "name"),
        translated_by=str(tr.get("translated_by", "")), reviewed_by=str(tr.get("reviewed_by", "")),
        date=str(tr.get("date", "")), status=str(tr.get("status", "unreviewed")),
        procedures=dict(table("procedures")), handouts=dict(table("handouts")),
        labels=dict(labels), unreviewed_notice=str(tr.get("unreviewed_notice", "")),
        locale=locale, english_name=text_of("language", "english_name", False),
        dates={key: str(value) for key, value in dates.items()},
    )


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
#: Babel locales formatted without Babel (:func:`_english_date` and the others below): US
#: English (the English pack's locale) and "en", whose CLDR data it inherits unchanged.
ENGLISH = frozenset({"en", "en_US"})
#: Babel formats a date in about 50 us and a template check formats the same few dates in
#: every language over and over: day, date, diary, number and list texts are remembered
#: (in memory, per process; pure functions of their arguments: dates of the procedure and
#: its plan, level names, clinic numbers - never a birth date, name or free text).
FORMAT_CACHE = 4096


@cache
def babel_locale(tag: str) -> str:
    """Babel's identifier for a BCP 47 tag or a Babel locale: "zh-Hans" -> "zh_Hans",
    "es_US" -> "es_US", "tl" -> "fil_PH". ValueError/LookupError (Babel's
    UnknownLocaleError) if unknown."""
    if not isinstance(tag, str) or not tag:
        raise ValueError(tag)
    if tag.replace("-", "_") in ENGLISH:
        return tag.replace("-", "_")
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(tag.replace("-", "_")))
    except UnknownLocaleError as exc:
        raise LookupError(tag) from exc


def _plural_form(lang: str, count: object) -> str:
    """The CLDR plural category of ``count`` in ``lang`` ("one", "other", ...)."""
    if lang in ENGLISH and type(count) is int:  # English: "one" for 1, else "other"
        return "one" if count == 1 else "other"
    from babel import Locale

    return str(Locale.parse(lang).plural_form(count))  # type: ignore[arg-type]


@cache
def english_language_name(code: str) -> str:
    """"Chinese, Simplified" (zh-Hans), "Tagalog" (tl), "Spanish" (es), from Babel's
    English names of languages, scripts and regions; "" when Babel has no name."""
    from babel import Locale

    en = Locale.parse("en")
    parts = code.replace("_", "-").split("-")
    language = en.languages.get(parts[0], "")
    details = [en.scripts.get(p, "") if len(p) == 4 else en.territories.get(p.upper(), "")
               for p in parts[1:]]
    return ", ".join([language, *filter(None, details)]) if language else ""


@cache
def _day_pattern(lang: str) -> str:
    """The locale's full date pattern without the year: "EEEE, MMMM d" (en), "M月d日EEEE"
    (zh), "MMMM d일 EEEE" (ko). The year field is taken out with the literal text that
    belongs to it ("年", "년 " after a leading year; ", " or " de " before a final one), so
    year-first languages lose their year too."""
    from babel import Locale
    from babel.dates import tokenize_pattern, untokenize_pattern

    tokens = tokenize_pattern(Locale.parse(lang).date_formats["full"].pattern)
    at = next((i for i, (kind, value) in enumerate(tokens)
               if kind == "field" and value[0] in "yYur"), None)
    if at is None:
        return untokenize_pattern(tokens)
    end = at + 1
    while end < len(tokens) and tokens[end][0] == "chars":
        end += 1
    start = at
    if end == len(tokens):  # the year ends the pattern: drop the separator before it
        while start > 0 and tokens[start - 1][0] == "chars":
            start -= 1
    return untokenize_pattern(tokens[:start] + tokens[end:]).strip()


def sentence_start(text: str) -> str:
    """``text`` as it starts a line or a table cell: "jueves, 3 de diciembre" -> "Jueves,
    3 de diciembre" (text without letter case is unchanged)."""
    return text[:1].upper() + text[1:]


def _format_date(day: dt.date, lang: str, pattern: str | None, form: str) -> str:
    """``day`` in ``pattern`` (a pack's [dates] pattern), else in the locale's ``form``:
    "day", "full", "long" or the skeleton "MMMEd"."""
    if pattern is None and lang in ENGLISH:
        return _english_date(day, form)
    if pattern is None and form == "MMMEd":
        from babel.dates import format_skeleton

        return format_skeleton("MMMEd", day, locale=lang)
    from babel.dates import format_date

    return format_date(day, format=pattern or (_day_pattern(lang) if form == "day" else form),
                       locale=lang)


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def day_text(day: dt.date, lang: str, pattern: str | None = None) -> str:
    """Weekday and date without the year, as written inside a sentence: "Friday, March 6",
    "viernes, 6 de marzo", "12月3日星期四", "12월 3일 목요일". ``pattern`` is a pack's
    [dates] day pattern."""
    return _format_date(day, lang, pattern or None, "day")


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def full_date_text(day: dt.date, lang: str, pattern: str | None = None) -> str:
    """"Wednesday, November 25, 2026", "miércoles, 25 de noviembre de 2026"."""
    return _format_date(day, lang, pattern or None, "full")


def birth_date_text(day: dt.date, lang: str, pattern: str | None = None) -> str:
    """"March 4, 1948" (no weekday)."""
    return _format_date(day, lang, pattern or None, "long")


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def diary_day_text(day: dt.date, lang: str, pattern: str | None = None) -> str:
    """"Thu, Dec 3" / "12月3日周四" for the diary rows."""
    return _format_date(day, lang, pattern or None, "MMMEd")


def time_text(value: dt.time, lang: str, pattern: str | None = None) -> str:
    if not pattern and lang in ENGLISH:
        return _english_time(value)
    from babel.dates import format_time

    return format_time(value, format=pattern or "short", locale=lang)


def list_text(items: Sequence[str], lang: str) -> str:
    """"T12 and L1", "T11, T12, and L1" (the language's own list style)."""
    return _list_text(tuple(items), lang) if items else ""


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def _list_text(items: tuple[str, ...], lang: str) -> str:
    if lang in ENGLISH:
        return _english_list(list(items))
    from babel.lists import format_list

    return format_list(list(items), locale=lang)


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def number_text(value: float, lang: str) -> str:
    if lang in ENGLISH and 0 <= value < 1e15:
        return _english_number(value)
    from babel.numbers import format_decimal

    return format_decimal(round(value, 1), format="#,##0.#", locale=lang)


# -- English without Babel (the same text as Babel's "en": tests/test_language_forms.py) ----
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _english_date(day: dt.date, form: str) -> str:
    weekday, month = _WEEKDAYS[day.weekday()], _MONTHS[day.month - 1]
    if form == "day":  # EEEE, MMMM d
        return f"{weekday}, {month} {day.day}"
    if form == "full":  # EEEE, MMMM d, y
        return f"{weekday}, {month} {day.day}, {day.year}"
    if form == "long":  # MMMM d, y
        return f"{month} {day.day}, {day.year}"
    return f"{weekday[:3]}, {month[:3]} {day.day}"  # MMMEd: E, MMM d


def _english_time(value: dt.time) -> str:
    """h:mm a, with CLDR's narrow no-break space before AM/PM."""
    return f"{value.hour % 12 or 12}:{value.minute:02d}\u202f{'AM' if value.hour < 12 else 'PM'}"


def _english_list(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def _english_number(value: float) -> str:
    """#,##0.# as Babel writes it: the rounded float's decimal digits, at most one after
    the point, grouped by thousands."""
    text = f"{Decimal(str(round(value, 1))):,.1f}"
    return text[:-2] if text.endswith(".0") else text
