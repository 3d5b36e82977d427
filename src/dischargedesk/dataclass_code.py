"""The code of the methods ``dataclasses`` writes, compiled once and kept in the user cache
folder for the next one-shot command.

Making a dataclass, Python 3.11's ``dataclasses`` writes its ``__init__``, ``__repr__``,
``__eq__``, ``__hash__`` (and ``__setattr__``/``__delattr__`` when frozen) as source text and
compiles each with ``exec``: a cold ``dischargedesk render`` makes 45 classes, 257 functions,
and compiling them was ~50 ms of its CPU (~70% of making the classes). Inside
:func:`cached_dataclass_code`, ``dataclasses`` is handed an ``exec`` that looks each text up
by its SHA-256 and runs the code object compiled from exactly that text before (compiled as
``exec`` compiles it: no ``__future__`` flags of this module, file name ``<string>``). The
same text always compiles to the same code, so every class is made exactly as without it
(tests/test_cold_start.py compares the methods' code of many kinds of dataclass).

What is stored: code compiled from text ``dataclasses`` wrote from class definitions (field
names and the names of defaults): program text, never data (values, defaults included, are
passed in, not written into the text; nothing here calls ``make_dataclass`` with data).

Where: ``<user cache>/code/dataclasses-<tag>.bin``; the tag is the Python version and its
bytecode magic (another interpreter: another file). The file is ``MAGIC``, the SHA-256 of
the payload and the payload (``marshal`` of {SHA-256 of a text: code}); a damaged file is
ignored (everything compiles as usual) and written again. Only the installed scripts use it
(``cli.main`` without arguments: a command, or the app it opens, until the process ends);
``DISCHARGEDESK_NO_TEMPLATE_CACHE`` turns it off.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import hashlib
import importlib.util
import marshal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from .render import usercache

MAGIC = b"DDDCC1\n"
MAX_ENTRIES = 4096  # past this, the file keeps only what the last process used


class Stats:
    """Texts found compiled, and texts compiled now, inside one :func:`cached_dataclass_code`."""

    def __init__(self) -> None:
        self.hits = self.compiled = 0


def cache_file() -> Path:
    tag = hashlib.sha256(f"{sys.version}\0".encode() + importlib.util.MAGIC_NUMBER)
    return usercache.root() / "code" / f"dataclasses-{tag.hexdigest()[:16]}.bin"


def _read(path: Path) -> dict[bytes, CodeType]:
    payload = usercache.read_verified(path, MAGIC)
    if payload is None:
        return {}
    try:
        table = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict) or not all(
            type(k) is bytes and type(v) is CodeType for k, v in table.items()):
        return {}
    return table


@contextlib.contextmanager
def cached_dataclass_code() -> Iterator[Stats]:
    """Dataclasses made inside use (and add to) the compiled code in the user cache."""
    stats = Stats()
    if not usercache.enabled() or "exec" in vars(dataclasses):
        yield stats  # off, or already inside
        return
    path = cache_file()
    known = _read(path)
    used: dict[bytes, CodeType] = {}

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is not str:
            builtins.exec(source, globals, locals)
            return
        key = hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()
        code = known.get(key)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            stats.compiled += 1
        else:
            stats.hits += 1
        used[key] = code
        builtins.exec(code, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]  # found before the builtin
    try:
        yield stats
    finally:
        del dataclasses.exec  # type: ignore[attr-defined]
        if stats.compiled:
            table = {**known, **used}
            if len(table) > MAX_ENTRIES:
                table = used
            usercache.write_verified(path, MAGIC, marshal.dumps(table))
