"""Discharge Desk: personalized discharge and recovery handouts.

The public engine API is Qt-free::

    from dischargedesk import HandoutRequest, load_clinic, render_handouts, resolve_clinic
    result = render_handouts(request, clinic)

``resolve_clinic().clinic`` is the clinic the app would use on this computer (site settings,
checked copy of the network share; keep the returned source while you render).

See :mod:`dischargedesk.engine`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._meta import APP_NAME, __version__

if TYPE_CHECKING:  # pragma: no cover
    from .clinic.profile import ClinicProfile, load_clinic
    from .clinic.source import resolve_clinic
    from .domain.request import HandoutRequest
    from .engine import render_handouts

__all__ = ["APP_NAME", "ClinicProfile", "HandoutRequest", "__version__", "load_clinic",
           "render_handouts", "resolve_clinic"]


def __getattr__(name: str) -> Any:
    # Lazy so that `dischargedesk --version` does not pay for ReportLab and Jinja2.
    if name == "HandoutRequest":
        from .domain.request import HandoutRequest
        return HandoutRequest
    if name in ("ClinicProfile", "load_clinic"):
        from .clinic import profile as clinic
        return getattr(clinic, name)
    if name == "render_handouts":
        from .engine import render_handouts
        return render_handouts
    if name == "resolve_clinic":
        from .clinic.source import resolve_clinic
        return resolve_clinic
    raise AttributeError(name)
