"""The live link between the form, the request validation, the render worker and the preview.

Each edit bumps a generation number and (re)starts a zero-length timer, so the edits of one
event-loop pass (a paste, a New patient) are handled once and nothing waits for the nurse to
stop typing. When it fires, the form's values are validated into a :class:`HandoutRequest`;
a valid request goes to the worker, an invalid one puts its message under the field. Results
of older generations are dropped, and the preview banner says whenever the pages shown do
not match the form.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from .. import engine
from ..clinic.profile import ClinicProfile
from ..domain.calendar import request_warnings
from ..domain.request import HandoutRequest
from ..errors import DischargeDeskError, RequestError
from .background import Lane, QueryOp
from .form import HandoutForm
from .notify import Notifier
from .preview import PreviewPane

log = logging.getLogger("dischargedesk.ui")

# No fixed typing pause: the worker coalesces (a new edit replaces the queued render and the
# newest result wins), and the old pages stay in view until the new ones are loaded.
DEBOUNCE_MS = 0
UPDATING = "Updating preview..."
OUT_OF_DATE = "Preview is out of date: fix the form (see the message in red)."
NO_PREVIEW = "No preview yet: fill in the form on the left."


def build_request(values: dict, clinic: ClinicProfile, today: dt.date) -> HandoutRequest:
    """Form values -> a request valid for this clinic, or RequestError naming the field."""
    request = HandoutRequest.from_mapping(values, today=today)
    engine.check_request_against(request, clinic)
    return request


class FormSession(QObject):
    """Emits ``state_changed`` when readiness changes and ``preview_ready(pages)`` when a
    PDF that matches the form is in the preview."""

    def __init__(self, form: HandoutForm, preview: PreviewPane, clinic: ClinicProfile,
                 today: Callable[[], dt.date], parent: QObject | None = None,
                 debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.state_changed = Notifier()
        self.preview_ready = Notifier()
        self.form = form
        self.preview = preview
        self.clinic = clinic
        self.today = today
        # one render at a time; a newer edit replaces the render that waits (newest wins)
        self.renders = Lane("preview-render", latest_only=True)
        self.generation = 0
        self.request: HandoutRequest | None = None  # the form as a valid request
        self.problem = ""  # why the form cannot be printed (one sentence)
        self.shown: HandoutRequest | None = None  # the request whose PDF is in the preview
        #: why nothing may be rendered yet (the window waits for the first clinic check), or ""
        self.blocked = ""
        self.dirty = False  # edited since the last print or save
        self.touched = False  # show inline errors only once the nurse has typed something
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self.refresh)
        form.changed.connect(self._on_changed)
        #: ``rendered(generation, request, pdf, seconds)`` for every render that ends (also the
        #: stale ones, which never reach the view); for benchmarks and tests
        self.rendered = Notifier()

    def set_clinic(self, clinic: ClinicProfile) -> None:
        """Use a clinic profile saved while the app runs: the next preview, print and save
        render with it; a preview made with the old one is dropped."""
        self.clinic = clinic
        self.generation += 1
        self.shown = None
        self.refresh()

    # -- readiness ---------------------------------------------------------------------------
    def readiness(self) -> tuple[bool, str]:
        if self.blocked:
            return False, self.blocked
        if self.request is None:
            return False, self.problem or "Checking the form..."
        if self.problem:
            return False, self.problem
        return True, "Ready: print or save the handouts."

    # -- the edit -> validate -> render loop -------------------------------------------------
    def _on_changed(self) -> None:
        self.generation += 1
        self.dirty = True
        self.touched = True
        if self.preview.banner_kind() != "invalid" and not self.blocked:
            self.preview.set_banner("updating", UPDATING)
        self.timer.start()

    def validate(self) -> HandoutRequest | None:
        """Validate the form now; show the problem inline. None when invalid."""
        self.timer.stop()
        self.form.clear_errors()
        try:
            request = build_request(self.form.values(), self.clinic, self.today())
        except RequestError as exc:
            self.form.set_request_warnings([])
            self._show_invalid(exc)
            return None
        self.request, self.problem = request, ""
        self.form.set_request_warnings(request_warnings(request, self.clinic))
        return request

    def _show_invalid(self, exc: RequestError) -> None:
        self.request, self.problem = None, exc.message
        if self.touched:
            self.form.set_field_error(exc.field, exc.message)
        self.preview.set_banner("invalid", OUT_OF_DATE if self.preview.page_count()
                                else NO_PREVIEW)
        self.state_changed.emit()

    def block(self, reason: str) -> None:
        """Render nothing, print nothing (``reason`` is the status) until :meth:`unblock`."""
        self.blocked = reason
        self.timer.stop()
        self.renders.cancel_pending()
        self.generation += 1
        self.preview.set_banner("updating", reason)
        self.state_changed.emit()

    def unblock(self) -> None:
        self.blocked = ""
        self.refresh()

    def refresh(self) -> None:
        if self.blocked:
            self.state_changed.emit()
            return
        request = self.validate()
        if request is None:
            return
        if request == self.shown:
            self.preview.set_banner(None)
        else:
            self.preview.set_banner("updating", UPDATING)
            self._render_in_background(self.generation, request)
        self.state_changed.emit()

    def _render_in_background(self, generation: int, request: HandoutRequest) -> None:
        clinic = self.clinic

        def render() -> tuple[bytes, float]:
            start = time.perf_counter()
            pdf = engine.render_pdf(request, clinic)
            return pdf, time.perf_counter() - start

        def done(result: tuple[bytes, float]) -> None:
            pdf, seconds = result
            self.rendered.emit(generation, request, pdf, seconds)
            self._on_rendered(generation, request, pdf, seconds)

        QueryOp(parent=self, op=render, success=done).failure(
            lambda exc: self._on_failed(generation, request, exc)).run_in_background(
            self.renders)

    def _on_rendered(self, generation: int, request: HandoutRequest, pdf: bytes,
                     seconds: float) -> None:
        if generation != self.generation:
            log.debug("render dropped: stale")
            return
        if not self.preview.show_pdf(pdf):
            log.warning("preview failed: the PDF could not be loaded")
            self.problem = "The preview could not be shown; change any entry to try again."
            self.preview.set_banner("failed", self.problem)
            self.state_changed.emit()
            return
        self.shown = request
        self.preview.set_banner(None)
        log.info("render ok: %d pages in %.2f s", self.preview.page_count(), seconds)
        self.state_changed.emit()
        self.preview_ready.emit(self.preview.page_count())

    def _on_failed(self, generation: int, request: HandoutRequest, exc: Exception) -> None:
        if generation != self.generation:
            return
        log.warning("render failed: %s", type(exc).__name__)  # never the message (PHI)
        if isinstance(exc, RequestError):
            self.touched = True
            self._show_invalid(exc)
            return
        if isinstance(exc, DischargeDeskError):
            self.problem = f"The handouts could not be made: {exc.message}"
        else:
            self.problem = (f"The handouts could not be made ({type(exc).__name__}). Your "
                            "entries are kept; change any entry to try again.")
        self.preview.set_banner("failed", self.problem)
        self.state_changed.emit()

    # -- for print and save ------------------------------------------------------------------
    def current_request(self) -> HandoutRequest:
        """The form as a valid request now (RequestError if it is not valid)."""
        self.touched = True
        if self.blocked:
            raise RequestError("form", self.blocked)
        request = self.validate()
        if request is None:
            raise RequestError("form", self.problem)
        return request

    def pdf_matching_form(self) -> tuple[HandoutRequest, bytes]:
        """The PDF of the form as it is now: the preview's, or rendered now if stale."""
        request = self.current_request()
        if request == self.shown and self.preview.pdf_bytes():
            return request, self.preview.pdf_bytes()
        self.wait_for_worker()
        pdf = engine.render_pdf(request, self.clinic)
        self.generation += 1  # anything still on its way is stale now
        if self.preview.show_pdf(pdf):
            self.shown = request
            self.problem = ""
            self.preview.set_banner(None)
            self.state_changed.emit()
            self.preview_ready.emit(self.preview.page_count())
        return request, pdf

    def wait_for_worker(self) -> None:
        """One render at a time: let a running preview render finish first."""
        self.timer.stop()
        self.renders.wait()

    def output_done(self) -> None:
        self.dirty = False

    def reset(self) -> None:
        """After "New patient": nothing typed yet, nothing to show."""
        self.timer.stop()
        self.renders.cancel_pending()
        self.generation += 1
        self.dirty = False
        self.touched = False
        self.shown = None
        self.preview.clear()
        self.refresh()
