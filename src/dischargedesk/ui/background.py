"""The one way the app runs work off the GUI thread, modelled on Anki's ``QueryOp``.

    QueryOp(parent=self, op=lambda: slow(x), success=self.show).failure(self.oops)\
        .run_in_background(lane)

``op`` runs on a worker thread and must not touch any widget. ``success(result)`` or
``failure(exception)`` is then called on the GUI thread, and only while ``parent`` still
exists (a dialog closed meanwhile gets nothing). The result comes back through one Qt
signal of a relay object owned by the application, emitted from the worker thread, so Qt
queues it to the GUI thread; nothing else crosses threads.

A :class:`Lane` is the thread pool an op runs on: one op at a time, in order. With
``latest_only`` (the default) an op submitted while another one runs replaces the op that
waits, so typing never queues up work: the newest one wins, and the ones it replaced never
run (the preview also drops results older than the form, see ``ui/session.py``). Lanes
use daemon threads: an op stuck on a dead network share never keeps the app from quitting.
A lane made with ``latest_only=False`` runs every op in order (the archive's records);
:meth:`Lane.wait_idle` lets the window's close wait for them, bounded.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

log = logging.getLogger("dischargedesk.ui")

T = TypeVar("T")


class _Relay(QObject):
    """Lives in the GUI thread; ``deliver(fn)`` emitted from any thread runs ``fn`` there."""

    deliver = Signal(object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("backgroundRelay")
        self.deliver.connect(self._run)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:  # a QObject slot: queued to its thread
        fn()


_relays: dict[int, _Relay] = {}


def _relay() -> _Relay:
    """The application's relay (created on first use, in the GUI thread)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("QueryOp needs a running QApplication")
    relay = _relays.get(id(app))
    if relay is None or not shiboken6.isValid(relay):
        relay = _Relay(app)
        _relays.clear()
        _relays[id(app)] = relay
    return relay


class Lane:
    """One worker thread at a time; see the module docstring for ``latest_only``."""

    def __init__(self, name: str, *, latest_only: bool = True) -> None:
        self.name = name
        self.latest_only = latest_only
        self._lock = threading.Lock()
        self._waiting: deque[Callable[[], None]] = deque()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    @property
    def busy(self) -> bool:
        """An op is running or waiting."""
        return not self._idle.is_set()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self.latest_only:
                self._waiting.clear()
            self._waiting.append(job)
            if self._thread is None:
                self._idle.clear()
                self._thread = threading.Thread(target=self._loop, name=self.name,
                                                daemon=True)
                self._thread.start()

    def cancel_pending(self) -> None:
        """Drop the ops that wait (the running one finishes)."""
        with self._lock:
            self._waiting.clear()

    def wait(self, msecs: int = 30_000) -> bool:
        """Drop the waiting ops and block until the running one ends (its callback still
        comes later, through the event loop). False on time-out."""
        self.cancel_pending()
        return self._idle.wait(msecs / 1000)

    def wait_idle(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until every op submitted so far has run (none is
        dropped: for a lane whose ops must all run, like the archive's). False on time-out.
        Their callbacks still come later, through the event loop."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._thread = None
                    self._idle.set()
                    return
                job = self._waiting.popleft()
            job()


class QueryOp(Generic[T]):
    """Run ``op`` off the GUI thread; ``success``/``failure`` on the GUI thread."""

    def __init__(self, *, parent: QObject, op: Callable[[], T],
                 success: Callable[[T], Any]) -> None:
        self._parent = parent
        self._op = op
        self._success = success
        self._failure: Callable[[Exception], Any] | None = None
        self._relay = _relay()  # made here, in the GUI thread

    def failure(self, failure: Callable[[Exception], Any] | None) -> QueryOp[T]:
        self._failure = failure
        return self

    def post(self, fn: Callable[[], Any]) -> None:
        """From inside ``op`` (the worker thread): run ``fn`` on the GUI thread soon, while
        ``parent`` exists (a progress note; the result still comes through ``success``)."""
        def run() -> None:
            if self._alive():
                fn()

        self._post(run)

    def run_in_background(self, lane: Lane | None = None) -> None:
        """On ``lane``, or on a thread of its own when there is none."""
        (lane or Lane(f"op-{id(self):x}")).submit(self._execute)

    # -- on the worker thread ------------------------------------------------------------------
    def _execute(self) -> None:
        try:
            result = self._op()
        except Exception as exc:  # noqa: BLE001 - every failure goes to the GUI thread
            error = exc
            self._post(lambda: self._fail(error))
        except BaseException as exc:  # noqa: BLE001 - SystemExit and the like: raised there
            fatal = exc
            self._post(lambda: _reraise(fatal))
        else:
            self._post(lambda: self._succeed(result))

    def _post(self, fn: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the application is gone: nobody to tell
            self._relay.deliver.emit(fn)

    # -- on the GUI thread ---------------------------------------------------------------------
    def _alive(self) -> bool:
        return shiboken6.isValid(self._parent)

    def _succeed(self, result: T) -> None:
        if self._alive():
            self._success(result)

    def _fail(self, exc: Exception) -> None:
        if not self._alive():
            return
        if self._failure is not None:
            self._failure(exc)
        else:  # never the message: it may quote patient data
            log.warning("background work failed: %s", type(exc).__name__)


def _reraise(exc: BaseException) -> None:
    raise exc


__all__ = ["Lane", "QueryOp"]
