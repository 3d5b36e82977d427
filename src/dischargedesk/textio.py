"""Reading text people wrote: strict UTF-8 (a BOM is accepted and dropped), JSON and TOML
parsers that refuse what would crash or mislead later.

Every reader here raises :class:`TextFormatError` (a ``ValueError``) with a plain reason and,
when known, the line. Callers add the file name and turn it into their own error class. The
reason never quotes the text (it may hold patient data), only positions and kinds.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

#: What to tell a person whose file is not UTF-8.
UTF8_HINT = "save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8) and try again"
#: Deepest nesting of arrays/tables/objects a person plausibly writes.
MAX_DEPTH = 50
_BOM = "\ufeff"


class TextFormatError(ValueError):
    """The text cannot be used. ``reason`` is a plain phrase; ``line`` is 1-based or None."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason + (f" (line {line})" if line else ""))
        self.reason = reason
        self.line = line


def decode_utf8(data: bytes) -> str:
    """UTF-8 bytes to text; a leading BOM is dropped. Anything else is refused, naming the
    line of the first bad byte (Windows-1252 and Latin-1 files fail here, not later)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TextFormatError(f"it is not UTF-8 text; {UTF8_HINT}", line) from None
    return text[1:] if text.startswith(_BOM) else text


def read_text_utf8(path: str | Path) -> str:
    """Read a whole text file as strict UTF-8 (see :func:`decode_utf8`).

    Raises ``OSError`` when the file cannot be opened and :class:`TextFormatError` when it is
    not UTF-8."""
    return decode_utf8(Path(path).read_bytes())


def strip_bom(text: str) -> str:
    """Drop a leading BOM from text that was already decoded (e.g. from standard input)."""
    return text[1:] if text.startswith(_BOM) else text


def _depth_exceeded(text: str, openers: str, closers: str, limit: int,
                    strings: re.Pattern[str]) -> int | None:
    """Line where bracket nesting first goes deeper than ``limit``, outside strings and
    comments: a linear pre-check so the recursive parsers never recurse deeply."""
    if sum(text.count(ch) for ch in openers) <= limit:
        return None
    text = _blank(strings, text)
    depth = 0
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in openers:
            depth += 1
            if depth > limit:
                return line
        elif ch in closers:
            depth = max(0, depth - 1)
    return None


_JSON_STRING_RE = re.compile(r'"(?:\\.|[^"\\\n])*"')


def _refuse_constant(name: str) -> Any:
    raise TextFormatError(f"it contains {name}, which is not a number; write a plain number")


def loads_json(text: str) -> Any:
    """Parse JSON, refusing NaN/Infinity, nesting deeper than :data:`MAX_DEPTH` and numbers
    too long to convert."""
    text = strip_bom(text)
    deep = _depth_exceeded(text, "[{", "]}", MAX_DEPTH, _JSON_STRING_RE)
    if deep is not None:
        raise TextFormatError(f"it is nested more than {MAX_DEPTH} levels deep", deep)
    try:
        return json.loads(text, parse_constant=_refuse_constant,
                          parse_float=_finite_float_json)
    except TextFormatError:
        raise
    except json.JSONDecodeError as exc:
        raise TextFormatError("it is not valid JSON; check the quotes, commas and brackets",
                              exc.lineno) from None
    except (ValueError, RecursionError):  # e.g. a 5,000-digit number
        raise TextFormatError("it holds a number that is far too long") from None


def _finite_float_json(s: str) -> float:
    value = float(s)
    if not math.isfinite(value):  # 1e999
        raise TextFormatError("it holds a number that is too large")
    return value


_NONFINITE_RE = re.compile(r"=[ \t]*[^#\n]*?(?<![\w.])[+-]?(nan|inf)(?![\w])")


def _finite_float_toml(s: str) -> float:
    value = float(s)
    if not math.isfinite(value):
        raise TextFormatError("nan and inf are not numbers that can be used; write a plain "
                              "number")
    return value


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML, refusing nan/inf, nesting deeper than :data:`MAX_DEPTH` and integers too
    long to convert. Syntax errors keep tomllib's reason and line."""
    text = strip_bom(text)
    deep = _depth_exceeded(text, "[{", "]}", MAX_DEPTH, _TOML_STRING_RE)
    if deep is not None:
        raise TextFormatError(f"it is nested more than {MAX_DEPTH} levels deep", deep)
    try:
        return tomllib.loads(text, parse_float=_finite_float_toml)
    except TextFormatError as exc:
        blanked = _blank(_TOML_STRING_RE, text)
        m = _NONFINITE_RE.search(blanked)
        if m is None:
            raise TextFormatError(exc.reason) from None
        start = blanked.rfind("\n", 0, m.start()) + 1
        key = re.match(r"\s*([\w.\"'-]+)\s*=", blanked[start:])
        reason = f"“{key.group(1)}” is nan or inf" if key else "a value is nan or inf"
        raise TextFormatError(f"{reason}, which is not a number that can be used; write a "
                              "plain number", text.count("\n", 0, m.start()) + 1) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        reason = str(exc).split(" (at")[0].rstrip(".")
        raise TextFormatError(f"it is not valid TOML ({reason}); fix the quoting or brackets",
                              int(m.group(1)) if m else None) from None
    except (ValueError, RecursionError):  # 5,000-digit integers
        m = re.search(r"\d{4300,}", text)
        raise TextFormatError("it holds a number that is far too long",
                              text.count("\n", 0, m.start()) + 1 if m else None) from None


_TOML_STRING_RE = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|\"(?:\\.|[^\"\\\n])*\"|'[^'\n]*'|#[^\n]*",
                             re.S)


def _blank(strings: re.Pattern[str], text: str) -> str:
    """``text`` with strings (and TOML comments) blanked, newlines kept, so that brackets
    and words inside them do not count."""
    return strings.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
