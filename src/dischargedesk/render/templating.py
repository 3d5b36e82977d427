"""The hardened Jinja2 environment that renders clinic-editable handout templates.

Templates are content, not code:

* ``ImmutableSandboxedEnvironment`` with autoescape and ``StrictUndefined``;
* every printed value goes through :func:`finalize`, which escapes it so that user text can
  never become block or inline markup;
* no method calls at all (only macros, ``range`` and the loop helpers), so the plain-data
  context cannot be used to reach Python internals;
* templates load only from their language root (no ``..``, no links out of the folder);
* a time limit enforced by a trace function on every frame of code the sandbox compiled
  (whatever the file is called) and checked by every filter, call and operator, also while
  Jinja folds constants at compile time;
* caps on the size of every value a template builds (filters, operators, ``~``, output
  buffers, ``%`` format widths), on numbers, ranges and nesting, so a runaway or hostile
  template fails fast with "FILE, line N" instead of hanging the app or exhausting memory;
* messages built only from fixed texts, the file name and the line (see :func:`describe`):
  no exception text, so no rendered value (patient data), can reach a message.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as _JINJA_FILTERS
from jinja2.loaders import split_template_path
from jinja2.runtime import Context, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import TemplateError
from .codecache import shared_cache
from .document import FREE_END, FREE_START, RUN_CHARS, free_runs

TEMPLATE_SUFFIX = ".txt"
HANDOUT_KINDS = ("discharge", "recovery")
TIME_LIMIT_SECONDS = 3.0
MAX_OUTPUT_CHARS = 200_000
MAX_SEQUENCE = 10_000
MAX_INT_ARG = 10_000
MAX_TEMPLATE_BYTES = 200_000
MAX_BLOCK_DEPTH = 10  # for/if/macro... inside each other (Python allows 20 loops in all)
MAX_BRACKET_DEPTH = 30  # ( [ { inside each other (the parser recurses for each)
MAX_TAG_TOKENS = 200  # words and signs in one {{ }} or {% %} (long chains nest as deeply)

# Characters that start block markup at the beginning of a line, or inline markup anywhere.
_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "#": "&#35;", "-": "&#45;", "[": "&#91;", "|": "&#124;", ":": "&#58;", "@": "&#64;",
    "*": "&#42;",
}
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


# Free text the nurse wrote (in English) travels through the templates between these two
# Unicode noncharacters (never in typed text: domain/textclean.py drops them), so every
# template prints it marked, whatever it does with it (filters, ``~``, macros, ``set``):
# :func:`resolve_free_text` follows each value with the handout's marker and keeps the
# marks for the document model (render/document.py), or removes them.


def free_text(value: str) -> str:
    """A free-text value as the context holds it (empty stays empty: ``{% if %}`` works)."""
    return f"{FREE_START}{value}{FREE_END}" if value else value


#: What starts a block line (docs/templates.md): a value's run never takes it in.
_BLOCK_PREFIX = re.compile(r"\s*(?:- |\[ \]|## |# )?")


def resolve_free_text(text: str, marker: str = "") -> str:
    """Rendered template text -> text for the document parser. With a ``marker`` (the
    pack's ``free_text_marker``, plain text: a translated handout) each printed free-text
    value stays one run between the marks and is followed by the marker, in italics; a
    value cut by a filter runs to the end of its line (its end gone) or from the start of
    its line's text or table cell (its start gone). Without one (an English handout) the
    marks are removed."""
    if FREE_START not in text and FREE_END not in text:
        return text
    if not marker:
        return text.replace(FREE_START, "").replace(FREE_END, "")
    tag = f"{FREE_END} <i>({escape_value(marker)})</i>"
    out = []
    for line in text.split("\n"):
        if FREE_START in line or FREE_END in line:
            if line.lstrip().startswith("|"):
                line = "|".join(free_runs(cell) for cell in line.split("|"))
            else:
                at = _BLOCK_PREFIX.match(line).end()  # type: ignore[union-attr]
                line = line[:at] + free_runs(line[at:])
            line = line.replace(FREE_END, tag)
        out.append(line)
    return "\n".join(out)


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
    _check_size(value)  # before str(): a list of references can print as gigabytes
    return Markup(escape_value(str(value)))


class _Limits(threading.local):
    """Per-thread render state: the deadline, and files known to run away (checks).

    The limit is on the CPU time of the rendering thread, not on the clock: a template that
    runs away burns CPU, while a render on a busy machine (a ward PC scanning for viruses,
    a check beside other work, a process at low priority) can take many seconds of clock
    for a fraction of a second of CPU and must not be refused for it. ``at`` is a clock
    deadline, cheap to test on every line; when it passes, the thread's CPU time
    (``cpu_at``, a slower system call) decides: over, the template stops; under, ``at``
    moves on by the CPU time the template has left."""

    at: float | None = None
    cpu_at: float = 0.0
    runaway: frozenset[str] = frozenset()


_limits = _Limits()

#: Every file name the sandbox compiled: frames of these files are template code, whatever
#: the file is called (".txt", ".inc", no suffix); the trace and error locations use it.
_TEMPLATE_FILES: set[str] = set()


class SandboxLimit(SecurityError):
    """A limit of the sandbox. The text is fixed by this module and never quotes a value."""


class TemplateTimeout(SandboxLimit):
    filename: str | None = None


class TemplateTooComplex(TemplateSyntaxError):
    """Nesting or size the compiler cannot take (raised before Python compiles it)."""


class TemplateNotUtf8(Exception):
    def __init__(self, filename: str, line: int) -> None:
        super().__init__("not UTF-8")
        self.filename, self.lineno = filename, line


TIMEOUT_TEXT = (f"the template took longer than {TIME_LIMIT_SECONDS:g} seconds of work; look "
                "for loops that never end")


def _check_deadline() -> None:
    if _limits.at is not None and time.monotonic() > _limits.at:
        left = _limits.cpu_at - time.thread_time()
        if left <= 0:
            raise TemplateTimeout(TIMEOUT_TEXT)
        _limits.at = time.monotonic() + left  # the clock ran, not the template


def _start_deadline() -> None:
    _limits.at = time.monotonic() + TIME_LIMIT_SECONDS
    _limits.cpu_at = time.thread_time() + TIME_LIMIT_SECONDS


@contextmanager
def skipping_runaway(paths: Iterable[str]) -> Iterator[None]:
    """Within this block, a template file in ``paths`` (they timed out before) fails at
    once with the time-limit error instead of running for the whole limit again."""
    previous = _limits.runaway
    _limits.runaway = frozenset(paths)
    try:
        yield
    finally:
        _limits.runaway = previous


def _size(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
    """Characters (and items) a value holds, counted until ``limit`` is passed."""
    total, stack = 0, [value]
    while stack and total <= limit:
        v = stack.pop()
        total += 1
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, list | tuple | set | frozenset):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return total


SIZE_TEXT = f"a value grew larger than {MAX_OUTPUT_CHARS} characters"


def _check_size(*values: Any) -> None:
    if sum(_size(v) for v in values) > MAX_OUTPUT_CHARS:
        raise SandboxLimit(SIZE_TEXT)


def _checked(value: Any) -> Any:
    _check_size(value)
    return value


def _checked_join(parts: Iterable[Any]) -> str:
    """``environment.concat``: joins output buffers (macros, ``{% set %}`` blocks) only
    when the total stays under the cap, so memory is bounded before it is used."""
    parts = list(parts)
    _check_size(parts)
    return "".join(parts)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)",
                           re.DOTALL)
MAX_FORMAT_WIDTH = 200


def _check_percent_format(fmt: str) -> None:
    """Widths and precisions of ``%`` formats (filter and operator) are small numbers."""
    for m in _PERCENT_SPEC.finditer(fmt):
        for part in m.group(1, 2):
            if part == "*" or (part and (len(part) > 3 or int(part) > MAX_FORMAT_WIDTH)):
                raise SandboxLimit(f"format widths or precisions above {MAX_FORMAT_WIDTH}, "
                                   "or '*'")


def _safe_format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_percent_format(str(value))
    _check_size(value, args, kwargs)
    return _ORIGINAL_FILTERS["format"](value, *args, **kwargs)


def _safe_replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
    text, old_s, new_s = str(s), str(old), str(new)
    if any(c in old_s for c in RUN_CHARS):
        raise SandboxLimit("replace() cannot remove the marks of the nurse's free text")
    hits = text.count(old_s) if count is None or count < 0 else min(count, text.count(old_s))
    if len(text) + hits * max(0, len(new_s) - len(old_s)) > MAX_OUTPUT_CHARS:
        raise SandboxLimit(SIZE_TEXT)
    return _ORIGINAL_FILTERS["replace"](eval_ctx, s, old, new, count)


def _safe_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
    items = list(value)
    _check_size(items, [d] * len(items))
    return _ORIGINAL_FILTERS["join"](eval_ctx, items, d, attribute)


def _safe_wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True,
                   wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    wrap = wrapstring if wrapstring is not None else environment.newline_sequence
    if len(s) + (len(s) // max(1, width) + 1) * len(str(wrap)) > MAX_OUTPUT_CHARS:
        raise SandboxLimit(SIZE_TEXT)
    return _ORIGINAL_FILTERS["wordwrap"](environment, s, width, break_long_words, wrapstring,
                                         break_on_hyphens)


def _guarded_range(*args: int) -> Iterator[int]:
    if any(not isinstance(a, int) or abs(a) > MAX_SEQUENCE for a in args):
        raise SandboxLimit(f"range() is limited to {MAX_SEQUENCE} items in templates")
    for i, value in enumerate(range(*args)):
        if i % 256 == 0:
            _check_deadline()
        yield value


#: Filters that would let text become markup or reach Python objects.
REMOVED_FILTERS = frozenset({"safe", "urlize", "xmlattr", "tojson", "forceescape", "attr",
                             "pprint", "indent"})

_ORIGINAL_FILTERS = dict(_JINJA_FILTERS)
#: Filters whose output can be far larger than their input: checked before they run.
_SAFE_FILTERS: dict[str, Callable[..., Any]] = {
    "format": _safe_format, "replace": _safe_replace, "join": _safe_join,
    "wordwrap": _safe_wordwrap,
}
for _name, _func in _SAFE_FILTERS.items():
    for _attr in ("jinja_pass_arg",):
        if hasattr(_ORIGINAL_FILTERS[_name], _attr):
            setattr(_func, _attr, getattr(_ORIGINAL_FILTERS[_name], _attr))

MAX_INT_BITS = 256


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter or test: time limit, small numbers and values only, never Markup out.

    Filters such as ``join`` return Markup (HTML-escaped) under autoescape; we turn it back
    into plain text so that :func:`finalize` escapes it once, the document format's way.
    Jinja also calls filters while compiling (constant folding): the same checks apply.
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        for a in (*args[1:], *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_INT_ARG:
                raise SandboxLimit(f"numbers above {MAX_INT_ARG} are not allowed in filters")
        _check_size([a for a in (*args, *kwargs.values()) if isinstance(
            a, str | list | tuple | dict | set | frozenset)])
        result = func(*args, **kwargs)
        _check_size(result)
        return str(result.unescape()) if isinstance(result, Markup) else result

    for attr in ("jinja_pass_arg",):
        if hasattr(func, attr):
            setattr(wrapper, attr, getattr(func, attr))
    return wrapper


def _read_utf8(filename: str) -> str:
    """Template text: UTF-8 (a leading BOM is dropped), or TemplateNotUtf8 naming the line."""
    data = Path(filename).read_bytes()
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateTooComplex(f"the file is larger than {MAX_TEMPLATE_BYTES // 1000} kB; "
                                 "split it into smaller templates", 0, None, filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateNotUtf8(filename, data[:exc.start].count(b"\n") + 1) from None


class RootedLoader(FileSystemLoader):
    """A FileSystemLoader that also refuses files whose real path leaves the root."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root), encoding="utf-8", followlinks=False)
        self.root = root.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = Path(self.searchpath[0], *split_template_path(template))
        if not path.is_file() or not path.resolve().is_relative_to(self.root):
            raise TemplateNotFound(template)
        filename = str(path)
        mtime = path.stat().st_mtime
        source = _read_utf8(filename)

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return source, filename, uptodate


class OverlayLoader(BaseLoader):
    """Unsaved editor text for some templates, reported under their real file path."""

    def __init__(self, sources: Mapping[str, tuple[str, Path]]) -> None:
        self.sources = dict(sources)

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources:
            raise TemplateNotFound(template)
        source, path = self.sources[template]
        return source.removeprefix("\ufeff"), str(path), lambda: False


class _LimitedCodeGenerator(CodeGenerator):
    """``a ~ b`` checks the size of its parts before turning them into text (as Jinja's
    own ``visit_Concat``, through :func:`_checked_concat`)."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.checked_concat({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _checked_concat(join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
    _check_size(parts)
    return _checked(join(parts))


#: Block tags that open a level of nesting (``set`` only in its block form).
_BLOCK_TAGS = frozenset({"for", "if", "macro", "call", "filter", "block", "with",
                         "autoescape", "set"})
_OPEN = frozenset({"lparen", "lbracket", "lbrace"})
_CLOSE = frozenset({"rparen", "rbracket", "rbrace"})
_UNARY = frozenset({"sub", "add"})


def _check_nesting(stream: Any, filename: str | None) -> None:
    """Refuse nesting deeper than the limits, with its line, before the recursive parser
    and Python's compiler see it (they fail with RecursionError or SyntaxError)."""
    blocks: list[str] = []
    brackets = unary = parts = 0
    tag: list[Any] | None = None

    def too_deep(what: str, limit: int, line: int) -> TemplateTooComplex:
        return TemplateTooComplex(f"{what} are nested more than {limit} deep; simplify the "
                                  "template", line, None, filename)

    for tok in stream:
        parts = 0 if tok.type in ("block_begin", "variable_begin") else parts + 1
        if parts > MAX_TAG_TOKENS:
            raise TemplateTooComplex(f"one {{{{ }}}} or {{% %}} has more than {MAX_TAG_TOKENS} "
                                     "parts; split it into shorter ones", tok.lineno, None,
                                     filename)
        if tok.type in _OPEN:
            brackets += 1
            if brackets > MAX_BRACKET_DEPTH:
                raise too_deep("brackets", MAX_BRACKET_DEPTH, tok.lineno)
        elif tok.type in _CLOSE:
            brackets = max(0, brackets - 1)
        unary = unary + 1 if tok.type in _UNARY or (tok.type == "name" and tok.value == "not") \
            else 0
        if unary > MAX_BRACKET_DEPTH:
            raise too_deep("signs", MAX_BRACKET_DEPTH, tok.lineno)
        if tok.type == "block_begin":
            tag = []
        elif tok.type == "block_end" and tag is not None:
            names = [t.value for t in tag if t.type == "name"]
            first = names[0] if names else ""
            assigns = any(t.type == "assign" for t in tag)
            if first in _BLOCK_TAGS and not (first == "set" and assigns):
                blocks.append(first)
                if len(blocks) > MAX_BLOCK_DEPTH:
                    raise too_deep("blocks such as for, if and macro", MAX_BLOCK_DEPTH,
                                   tag[0].lineno)
            elif first.startswith("end") and blocks and blocks[-1] == first[3:]:
                blocks.pop()
            tag = None
        elif tag is not None:
            tag.append(tok)


class _Reads(threading.local):
    names: set[str] | None = None


_reads = _Reads()


class RecordingContext(Context):
    """The context templates run in: inside :func:`recording_reads` it notes every
    top-level name a template (or a partial it includes or imports) looks up. Jinja looks
    up every name a template uses this way, so a template's output is a function of the
    values of the names it looked up (engine.RenderMemo keys on them)."""

    def resolve_or_missing(self, key: str) -> Any:
        names = _reads.names
        if names is not None:
            names.add(key)
        return super().resolve_or_missing(key)

    def __contains__(self, name: str) -> bool:
        names = _reads.names
        if names is not None:
            names.add(name)
        return super().__contains__(name)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """The names of the context looked up by templates rendered in this block (this
    thread only)."""
    previous, names = _reads.names, set[str]()
    _reads.names = names
    try:
        yield names
    finally:
        _reads.names = previous
        if previous is not None:
            previous |= names


class HandoutEnvironment(ImmutableSandboxedEnvironment):
    context_class = RecordingContext
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _LimitedCodeGenerator
    concat = staticmethod(_checked_join)  # type: ignore[assignment]

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
            # compiled templates on disk, keyed by their text (render/codecache.py); never
            # for unsaved editor text
            bytecode_cache=None if overlay else shared_cache(),
        )
        self.roots = roots
        self.clinic_root = clinic_root
        self.sources: dict[str, str] = {}  # file name -> source, for messages
        self.globals = {"range": _guarded_range}
        self.filters = {k: _guard(_SAFE_FILTERS.get(k, v)) for k, v in self.filters.items()
                        if k not in REMOVED_FILTERS}
        self.tests = {k: _guard(v) for k, v in self.tests.items()}  # type: ignore[arg-type]

    checked_concat = staticmethod(_checked_concat)

    # -- compile: bounded nesting, size and time; every compiled file is template code ------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        if len(source) > MAX_TEMPLATE_BYTES:
            raise TemplateTooComplex(f"the file is larger than {MAX_TEMPLATE_BYTES // 1000} "
                                     "kB; split it into smaller templates", 0, name,
                                     filename)
        _check_nesting(self._tokenize(source, name, filename), filename)
        self.sources[filename or "<template>"] = source
        try:
            ast = super()._parse(source, name, filename)
        except RecursionError:
            raise TemplateTooComplex("the template is nested too deeply; simplify it", 0,
                                     name, filename) from None
        # the free-text marks are the engine's: a template that writes them (to strip
        # them with |replace, say) would print the nurse's English unmarked
        for node in ast.find_all((nodes.Const, nodes.TemplateData)):
            value = node.data if isinstance(node, nodes.TemplateData) else \
                getattr(node, "value", None)
            if isinstance(value, str) and any(c in value for c in RUN_CHARS):
                raise TemplateTooComplex("the template has a character reserved for "
                                         "marking the nurse's free text and other "
                                         "languages (U+FDD0 to U+FDD4); remove it",
                                         node.lineno, name, filename)
        return ast

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        try:
            return super()._generate(source, name, filename, defer_init)
        except RecursionError:
            raise TemplateTooComplex("the template is nested too deeply; simplify it", 0,
                                     name, filename) from None

    def _compile(self, source: str, filename: str) -> CodeType:
        _TEMPLATE_FILES.add(filename)
        try:
            return super()._compile(source, filename)
        except (SyntaxError, RecursionError, MemoryError):
            raise TemplateTooComplex("the template is nested too deeply; simplify it", 0,
                                     None, filename) from None

    def loaded_from_cache(self, filename: str, source: str) -> None:
        """The code cache found this file's code: as :meth:`_parse` and :meth:`_compile`
        would, remember its source (messages) and that its frames are template code."""
        self.sources[filename] = source
        _TEMPLATE_FILES.add(filename)

    def _load_template(self, name: str, globals: Any) -> Any:
        template = super()._load_template(name, globals)
        if template.filename in _limits.runaway:
            exc = TemplateTimeout(TIMEOUT_TEXT)
            exc.filename = template.filename  # the runaway file, not the one including it
            raise exc
        return template

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
            raise SandboxLimit("the power operator ** is not allowed in templates")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) \
                        and (len(seq) * n > MAX_SEQUENCE
                             or _size(seq) * n > MAX_OUTPUT_CHARS):
                    raise SandboxLimit("text or lists repeated with * are limited to "
                                       f"{MAX_SEQUENCE} items")
            if isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SandboxLimit("numbers in templates must stay small")
        elif operator == "+":
            _check_size(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            _check_size(left, right)
        return _checked(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        return _checked(super().call(__context, __obj, *args, **kwargs))


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
    """Compile and run a template under the time limit and output cap.

    The trace function checks the deadline on every line of every frame of code the
    sandbox compiled (sections, partials and macros, whatever their file is called).
    """
    previous = sys.gettrace()
    _start_deadline()

    def local_trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            _check_deadline()
        return local_trace

    def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in _TEMPLATE_FILES:
            return local_trace
        return None

    sys.settrace(global_trace)
    try:
        parts: list[str] = []
        size = 0
        for chunk in func():
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise SandboxLimit(f"the template printed more than {MAX_OUTPUT_CHARS} "
                                   "characters")
            parts.append(chunk)
        return "".join(parts)
    finally:
        sys.settrace(previous)
        _limits.at = None


#: Fixed texts by kind of failure. A message is built only from these, the file name and
#: the line (and, for syntax errors and unknown names, words of the template's own source):
#: never from an exception's text, which may quote a rendered value (patient data).
UNKNOWN_NAME = "unknown variable: a name or field on this line does not exist (see " \
    "docs/templates.md for the names a template can use)"
NOT_FOUND = "a template named here cannot be included (it does not exist, or it is not " \
    "inside the language folder)"
UNKNOWN_FILTER = "an unknown filter or test is used on this line (check its spelling, " \
    "for example 'is defined')"
NOT_ALLOWED = "not allowed in a template: internals of values, method calls and unsafe " \
    "filters cannot be used"
NOT_UTF8 = "the file is not UTF-8 text; save it as UTF-8 (in most editors: Save As, " \
    "Encoding: UTF-8)"
RECURSION = "a macro calls itself without end"
MEMORY = "the template needs too much memory; look for values that grow in loops"
FAILED = "this line cannot be rendered"


def describe(exc: BaseException) -> str:
    """The fixed text for a failure."""
    if isinstance(exc, TemplateNotUtf8):
        return NOT_UTF8
    if isinstance(exc, TemplateTooComplex):
        return exc.message or "the template is nested too deeply; simplify it"
    if isinstance(exc, TemplateSyntaxError):
        # Raised only while compiling: the text quotes the template source, never a value.
        return f"syntax error: {exc.message}"
    if isinstance(exc, TemplateNotFound):
        return NOT_FOUND
    if isinstance(exc, UndefinedError):
        return UNKNOWN_NAME
    if isinstance(exc, SandboxLimit):
        return f"not allowed in a template: {exc}" if not isinstance(exc, TemplateTimeout) \
            else str(exc)
    if isinstance(exc, SecurityError):
        return NOT_ALLOWED
    if isinstance(exc, TemplateRuntimeError):
        return UNKNOWN_FILTER
    if isinstance(exc, RecursionError):
        return RECURSION
    if isinstance(exc, MemoryError):
        return MEMORY
    if isinstance(exc, TypeError | ValueError | ArithmeticError | AttributeError
                  | LookupError):
        return f"a value cannot be used this way ({type(exc).__name__})"
    return f"{FAILED} ({type(exc).__name__})"


def render_section(env: HandoutEnvironment, source: SectionSource,
                   context: dict[str, Any], free_text_marker: str = "") -> str:
    """Render one section. Every failure becomes a TemplateError naming file and line.

    The nurse's free text comes out followed by ``free_text_marker`` (a translated
    handout) or plain (no marker): see :func:`resolve_free_text`."""
    try:
        return resolve_free_text(
            _render_guarded(lambda: env.get_template(source.name).generate(context)),
            free_text_marker)
    except Exception as exc:  # noqa: BLE001 - the template is untrusted: report any failure
        path, line = _template_location(exc)
        if isinstance(exc, TemplateSyntaxError | TemplateNotUtf8) and exc.filename:
            path, line = Path(exc.filename), exc.lineno or None
        elif isinstance(exc, TemplateTimeout) and exc.filename:
            path, line = Path(exc.filename), None
        path = path or source.path
        message = describe(exc)
        if isinstance(exc, UndefinedError):
            name = unknown_name(env, str(path), line, context)
            if name:
                message = f"unknown variable: {name} does not exist (see docs/templates.md " \
                    "for the names a template can use)"
        kind = "timeout" if isinstance(exc, TemplateTimeout) else type(exc).__name__
        raise TemplateError(env.display_name(path), line, message, path=path,
                            kind=kind) from None


def unknown_name(env: HandoutEnvironment, filename: str, line: int | None,
                 context: Mapping[str, Any]) -> str:
    """The first name on ``line`` of the source that does not resolve in ``context``, as
    written in the source ("patient.nmae"); "" when the failing name is not a plain one
    (it was computed, e.g. from a value). Only source words can be returned."""
    source = env.sources.get(filename)
    if source is None or line is None:
        return ""
    try:
        ast = env.parse(source)
    except Exception:  # noqa: BLE001 - only a hint for a message: no hint, no message part
        return ""
    declared = set(context) | set(env.globals)
    undeclared = meta.find_undeclared_variables(ast)

    def resolve(node: nodes.Node) -> tuple[bool, Any, str]:
        if isinstance(node, nodes.Name):
            return node.name in context, context.get(node.name), node.name
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            key = node.attr if isinstance(node, nodes.Getattr) else \
                node.arg.value if isinstance(node.arg, nodes.Const) else None
            if not isinstance(key, str):  # not a name we can resolve statically
                raise LookupError  # noqa: TRY004 - "not found", caught by the caller
            ok, value, dotted = resolve(node.node)
            if not ok:
                return ok, None, dotted
            dotted = f"{dotted}.{key}"
            if isinstance(value, Mapping):
                return key in value, value.get(key), dotted
            raise LookupError
        raise LookupError

    for node in ast.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        if node.lineno != line:
            continue
        if isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name in undeclared and node.name not in declared:
                return node.name
            continue
        try:
            ok, _, dotted = resolve(node)
        except LookupError:
            continue
        if not ok and dotted.split(".")[0] in declared:
            return dotted
    return ""


def _template_location(exc: BaseException) -> tuple[Path | None, int | None]:
    """File and line of the innermost template frame in the traceback."""
    path, line = None, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in _TEMPLATE_FILES:
            path, line = Path(frame.filename), frame.lineno
    return path, line
