"""What the workspace runs off the GUI thread: the preview of an edit and its check.

Qt-free work; the dialog runs it with :class:`~dischargedesk.ui.background.QueryOp` on a
latest-only lane (the newest edit wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class PreviewResult:
    pdf: bytes | None
    error: Exception | None  # why there is no pdf
    report: CheckReport | None  # None when the check itself could not run


def preview_and_check(job: PreviewJob) -> PreviewResult:
    """Render the sample handout with the edit, then check the edit's language."""
    pdf: bytes | None = None
    error: Exception | None = None
    try:
        pdf = render_pdf(job.request(), job.clinic, overrides=job.overrides)
    except Exception as exc:  # noqa: BLE001 - any failure is shown as a result
        error = exc
    report: CheckReport | None
    try:
        # an edit: what the edited file can change (its language and handout); else the
        # language shown
        edited = next(iter(job.overrides)) if len(job.overrides) == 1 else None
        report = check_templates(job.clinic, languages=[job.language], build_pdfs=False,
                                 overrides=job.overrides, only=edited)
    except Exception:  # noqa: BLE001 - a check that fails shows no report
        report = None
    return PreviewResult(pdf, error, report)


__all__ = ["PreviewJob", "PreviewResult", "preview_and_check"]
