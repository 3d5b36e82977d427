"""Preview and check a template edit off the GUI thread (newest edit wins)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ...checks import CHECK_DATE, LEVEL_PATTERNS, CheckReport, check_templates, sample_variants
from ...clinic.profile import ClinicProfile
from ...domain.request import HandoutRequest
from ...engine import render_pdf


@dataclass(frozen=True)
class PreviewJob:
    clinic: ClinicProfile
    procedure: str
    pattern: str
    language: str
    large_print: bool
    overrides: dict[str, str]

    def request(self) -> HandoutRequest:
        data: dict[str, Any] = {"procedure": self.procedure, "language": self.language,
                                "large_print": self.large_print, "anesthesia": "sedation",
                                "procedure_date": CHECK_DATE.isoformat(),
                                **LEVEL_PATTERNS[self.pattern], **sample_variants()[1]}
        return HandoutRequest.from_mapping(data, today=CHECK_DATE)


class _Signals(QObject):
    done = Signal(int, object, object, object)  # generation, pdf or None, error, report


class _Task(QRunnable):
    def __init__(self, generation: int, job: PreviewJob, signals: _Signals) -> None:
        super().__init__()
        self.generation, self.job, self.signals = generation, job, signals

    def run(self) -> None:
        pdf: bytes | None = None
        error: BaseException | None = None
        try:
            pdf = render_pdf(self.job.request(), self.job.clinic, overrides=self.job.overrides)
        except BaseException as exc:  # noqa: BLE001 - any failure is shown as a result
            error = exc
        report: CheckReport | None
        try:
            report = check_templates(self.job.clinic, languages=[self.job.language],
                                     build_pdfs=False, overrides=self.job.overrides)
        except BaseException:  # noqa: BLE001 - a check that fails shows no report
            report = None
        with contextlib.suppress(RuntimeError):  # the workspace closed meanwhile: nobody to tell
            self.signals.done.emit(self.generation, pdf, error, report)


class WorkspaceWorker(QObject):
    finished = Signal(int, object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._done)
        self.generation = 0
        self._pending: PreviewJob | None = None
        self._running = False

    def submit(self, job: PreviewJob) -> int:
        self.generation += 1
        self._pending = job
        self._start()
        return self.generation

    def _start(self) -> None:
        if self._running or self._pending is None:
            return
        job, self._pending = self._pending, None
        self._running = True
        self._pool.start(_Task(self.generation, job, self._signals))

    def _done(self, generation: int, pdf: object, error: object, report: object) -> None:
        self._running = False
        if generation == self.generation:
            self.finished.emit(generation, pdf, error, report)
        self._start()

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)


__all__ = ["PreviewJob", "WorkspaceWorker"]
