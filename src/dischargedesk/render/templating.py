"""The hardened Jinja2 environment that renders clinic-editable handout templates.

Templates are content, not code:

* ``ImmutableSandboxedEnvironment`` with autoescape and ``StrictUndefined``;
* every printed value goes through :func:`finalize`, which escapes it so that user text can
  never become block or inline markup;
* no method calls at all (only macros, ``range`` and the loop helpers), so the plain-data
  context cannot be used to reach Python internals;
* templates load only from their language root (no ``..``, no links out of the folder);
* a time limit enforced by a trace function on template frames, plus caps on ranges, string
  repetition and output size, so a runaway template fails instead of hanging the app.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import TemplateError

TEMPLATE_SUFFIX = ".txt"
HANDOUT_KINDS = ("discharge", "recovery")
TIME_LIMIT_SECONDS = 3.0
MAX_OUTPUT_CHARS = 200_000
MAX_SEQUENCE = 10_000
MAX_INT_ARG = 10_000

# Characters that start block markup at the beginning of a line, or inline markup anywhere.
_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "#": "&#35;", "-": "&#45;", "[": "&#91;", "|": "&#124;", ":": "&#58;", "@": "&#64;",
    "*": "&#42;",
}
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


def escape_value(value: str) -> str:
    """Escape text so that it is printed literally by the document parser and ReportLab.

    Newlines become spaces: a value can never start a new block line.
    """
    value = " ".join(value.splitlines())
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], value)


def finalize(value: Any) -> Markup:
    """Applied to every ``{{ ... }}``: values are escaped once, never interpreted."""
    if isinstance(value, Markup):
        return value
    return Markup(escape_value(str(value)))


class _Deadline(threading.local):
    at: float | None = None


_deadline = _Deadline()


class TemplateTimeout(SecurityError):
    pass


def _check_deadline() -> None:
    if _deadline.at is not None and time.monotonic() > _deadline.at:
        raise TemplateTimeout(f"the template took longer than {TIME_LIMIT_SECONDS:g} seconds; "
                              "look for loops that never end")


def _guarded_range(*args: int) -> Iterator[int]:
    if any(not isinstance(a, int) or abs(a) > MAX_SEQUENCE for a in args):
        raise SecurityError(f"range() is limited to {MAX_SEQUENCE} items in templates")
    for i, value in enumerate(range(*args)):
        if i % 256 == 0:
            _check_deadline()
        yield value


#: Filters that would let text become markup or reach Python objects.
REMOVED_FILTERS = frozenset({"safe", "urlize", "xmlattr", "tojson", "forceescape", "attr",
                             "pprint", "indent"})


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter or test: time limit, small numbers only, and never Markup out.

    Filters such as ``join`` return Markup (HTML-escaped) under autoescape; we turn it back
    into plain text so that :func:`finalize` escapes it once, the document format's way.
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        for a in (*args[1:], *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_INT_ARG:
                raise SecurityError(f"numbers above {MAX_INT_ARG} are not allowed in filters")
        result = func(*args, **kwargs)
        return str(result.unescape()) if isinstance(result, Markup) else result

    for attr in ("jinja_pass_arg",):
        if hasattr(func, attr):
            setattr(wrapper, attr, getattr(func, attr))
    return wrapper


class RootedLoader(FileSystemLoader):
    """A FileSystemLoader that also refuses files whose real path leaves the root."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root), encoding="utf-8", followlinks=False)
        self.root = root.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise TemplateNotFound(template)
        return source, filename, uptodate


class OverlayLoader(BaseLoader):
    """Unsaved editor text for some templates, reported under their real file path."""

    def __init__(self, sources: Mapping[str, tuple[str, Path]]) -> None:
        self.sources = dict(sources)

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources:
            raise TemplateNotFound(template)
        source, path = self.sources[template]
        return source, str(path), lambda: False


class HandoutEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, roots: list[Path], clinic_root: Path | None = None,
                 language: str = "en",
                 overlay: Mapping[str, tuple[str, Path]] | None = None) -> None:
        # Templates load from the language folder: include "partials/x.txt".
        loaders: list[BaseLoader] = [OverlayLoader(overlay)] if overlay else []
        loaders += [RootedLoader(r / language) for r in roots if (r / language).is_dir()]
        super().__init__(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            finalize=finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,  # clinics edit templates while the app runs
        )
        self.roots = roots
        self.clinic_root = clinic_root
        self.globals = {"range": _guarded_range}
        self.filters = {k: _guard(v) for k, v in self.filters.items()
                        if k not in REMOVED_FILTERS}
        self.tests = {k: _guard(v) for k, v in self.tests.items()}  # type: ignore[arg-type]

    def display_name(self, path: Path) -> str:
        """"clinic en/discharge/30-wound-care.txt" or "en/discharge/30-wound-care.txt"."""
        for root in self.roots:
            try:
                rel = path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
            return f"clinic {rel}" if root == self.clinic_root else rel
        return path.name

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro) or obj is _guarded_range:
            return True
        return getattr(obj, "__self__", None).__class__ is LoopContext

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_deadline()
        if operator == "**":
            raise SecurityError("the power operator ** is not allowed in templates")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) \
                        and len(seq) * n > MAX_SEQUENCE:
                    raise SecurityError("text or lists repeated with * are limited to "
                                        f"{MAX_SEQUENCE} items")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        return super().call(__context, __obj, *args, **kwargs)


@dataclass(frozen=True)
class SectionSource:
    """One section template: where it lives and whether it is the clinic's copy."""

    name: str  # loader name, e.g. "discharge/30-wound-care.txt"
    path: Path
    customized: bool
    language: str

    @property
    def display(self) -> str:
        prefix = "clinic " if self.customized else ""
        return f"{prefix}{self.language}/{self.name}"


def section_sources(roots: list[Path], language: str, kind: str,
                    clinic_root: Path | None = None) -> list[SectionSource]:
    """Section templates of a handout in file-name order; earlier roots override later ones."""
    found: dict[str, SectionSource] = {}
    for root in reversed(roots):
        folder = root / language / kind
        if not folder.is_dir():
            continue
        for path in folder.glob(f"*{TEMPLATE_SUFFIX}"):
            name = f"{kind}/{path.name}"
            found[name] = SectionSource(name, path, root == clinic_root, language)
    return [found[k] for k in sorted(found)]


def _render_guarded(func: Callable[[], Iterator[str]]) -> str:
    """Run a template's generator under the time limit and output cap."""
    previous = sys.gettrace()
    _deadline.at = time.monotonic() + TIME_LIMIT_SECONDS

    def local_trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            _check_deadline()
        return local_trace

    def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename.endswith(TEMPLATE_SUFFIX):
            return local_trace
        return None

    sys.settrace(global_trace)
    try:
        parts: list[str] = []
        size = 0
        for chunk in func():
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError(f"the template printed more than {MAX_OUTPUT_CHARS} "
                                    "characters")
            parts.append(chunk)
        return "".join(parts)
    finally:
        sys.settrace(previous)
        _deadline.at = None


def render_section(env: HandoutEnvironment, source: SectionSource,
                   context: dict[str, Any]) -> str:
    """Render one section. Every failure becomes a TemplateError naming file and line."""

    def fail(exc: BaseException, message: str, line: int | None = None) -> TemplateError:
        path, frame_line = _template_location(exc)
        if isinstance(exc, TemplateSyntaxError) and exc.filename:
            path, frame_line = Path(exc.filename), exc.lineno
        path = path or source.path
        return TemplateError(env.display_name(path), line or frame_line,
                             redact(message, context), path=path)

    try:
        template = env.get_template(source.name)
        return _render_guarded(lambda: template.generate(context))
    except TemplateSyntaxError as exc:
        raise fail(exc, f"syntax error: {exc.message}") from None
    except TemplateNotFound as exc:
        raise fail(exc, f"the template “{exc.name}” cannot be included (only files inside "
                   "the language folder can be)") from None
    except UndefinedError as exc:
        raise fail(exc, f"unknown variable: {exc.message}") from None
    except TemplateTimeout as exc:
        raise fail(exc, str(exc)) from None
    except SecurityError as exc:
        raise fail(exc, f"not allowed in a template: {exc}") from None
    except RecursionError as exc:
        raise fail(exc, "a macro calls itself without end") from None
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, KeyError,
            IndexError) as exc:
        # The message itself may quote a value (patient data): give only its type.
        raise fail(exc, f"a value cannot be used this way ({type(exc).__name__})") from None


#: Context keys whose values come from a person (patient data): never in messages.
PERSONAL_KEYS = ("patient", "medications", "blood_thinner", "physician", "follow_up")


def redact(message: str, context: dict[str, Any]) -> str:
    """Remove every personal value from a message (Jinja quotes keys it cannot find)."""
    values: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            values.extend(v for v in (value, *value.split("\n")) if len(v) >= 2)
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    for key in PERSONAL_KEYS:
        collect(context.get(key))
    for value in sorted(set(values), key=len, reverse=True):
        message = message.replace(value, "[patient data]")
    return message


def _template_location(exc: BaseException) -> tuple[Path | None, int | None]:
    """File and line of the innermost template frame in the traceback."""
    path, line = None, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIX):
            path, line = Path(frame.filename), frame.lineno
    return path, line
