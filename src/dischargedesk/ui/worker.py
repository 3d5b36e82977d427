"""Render previews off the GUI thread: one render at a time, newest request wins.

:class:`RenderWorker` runs ``engine.render_pdf`` on its own single-thread pool. While a
render runs, newer requests replace each other in one "pending" slot, so typing never
queues up work. Every request carries a generation number; the receiver drops results
whose generation is not the newest one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool

from .. import engine
from ..clinic.profile import ClinicProfile
from ..domain.request import HandoutRequest
from .notify import Notifier, call_in_thread_of

log = logging.getLogger("dischargedesk.ui")


class _RenderTask(QRunnable):
    def __init__(self, generation: int, request: HandoutRequest, clinic: ClinicProfile,
                 owner: RenderWorker) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.generation = generation
        self.request = request
        self.clinic = clinic
        self.owner = owner

    def run(self) -> None:
        start = time.perf_counter()
        owner, generation, request = self.owner, self.generation, self.request
        try:
            pdf = engine.render_pdf(request, self.clinic)
        except BaseException as exc:  # noqa: BLE001 - any failure goes to the GUI thread as a result
            error = exc
            call_in_thread_of(owner, lambda: owner._on_failed(generation, request, error))
        else:
            seconds = time.perf_counter() - start
            call_in_thread_of(owner, lambda: owner._on_done(generation, request, pdf,
                                                            seconds))


class RenderWorker(QObject):
    """``rendered(generation, request, pdf, seconds)`` and ``failed(generation, request,
    exception)`` are called on the GUI thread."""

    def __init__(self, clinic: ClinicProfile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.rendered = Notifier()
        self.failed = Notifier()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._busy = False
        self._pending: tuple[int, HandoutRequest] | None = None

    @property
    def busy(self) -> bool:
        return self._busy or self._pending is not None

    def submit(self, generation: int, request: HandoutRequest) -> None:
        if self._busy:
            self._pending = (generation, request)
            return
        self._start(generation, request)

    def cancel_pending(self) -> None:
        self._pending = None

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the running render ends (pending work is dropped)."""
        self._pending = None
        return self._pool.waitForDone(msecs)

    def _start(self, generation: int, request: HandoutRequest) -> None:
        self._busy = True
        self._pool.start(_RenderTask(generation, request, self.clinic, self))

    def _next(self) -> None:
        self._busy = False
        if self._pending is not None:
            generation, request = self._pending
            self._pending = None
            self._start(generation, request)

    def _on_done(self, generation: int, request: Any, pdf: bytes, seconds: float) -> None:
        self._next()
        self.rendered.emit(generation, request, pdf, seconds)

    def _on_failed(self, generation: int, request: Any, exc: BaseException) -> None:
        self._next()
        self.failed.emit(generation, request, exc)
