"""Plain callback lists, used instead of Qt signals emitted from Python.

Why: with PySide6 6.12.0 on Python 3.11, every ``SignalInstance.emit()`` called from Python
drops one reference to ``True`` (the value ``emit`` returns). ``True`` starts with ~2,400
references in this app, so after a few thousand keystrokes (each one used to emit "form
changed") the interpreter aborted with "Fatal Python error: bool_dealloc". Signals emitted
by Qt itself (``textChanged``, ``toggled``, ``triggered``) are not affected and are still
used. :mod:`.refcount_guard` covers the wider bug (void calls and ``None``);
``tests/ui/test_errors_and_start.py`` pins both down.

A :class:`Notifier` calls its callbacks directly, in the GUI thread only. Work from other
threads comes back through :mod:`.background` (one Qt signal per finished op, not per
keystroke; the refcount guard tops up ``True``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Notifier:
    """``connect(callback)`` / ``emit(*args)``, same thread only."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)

