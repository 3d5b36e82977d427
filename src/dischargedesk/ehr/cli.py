"""Command-line options of the EHR hand-off, kept here so cli.py needs only three calls:
:func:`add_render_options`, :func:`apply_context` and :func:`file_to_chart`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RequestError
from . import FORMATS
from .education import Education, add_education_arguments

# .context and .outbox are imported where they are used: a render without a patient
# context or a chart outbox never needs them (issue 17, cold command)


def add_render_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("EHR hand-off (docs/ehr.md)")
    g.add_argument("--patient-context", metavar="FILE", type=Path,
                   help="FHIR R4 JSON (Patient or Bundle) or HL7 v2 ADT message from the "
                        "EHR; read once, deleted if in the temp folder; options given on "
                        "the command line win")
    g.add_argument("--mrn-system", metavar="URI",
                   help="identifier system (FHIR) or assigning authority (HL7 PID-3.4) of "
                        "the hospital's MRN; default: the identifier of type MR")
    g.add_argument("--chart-outbox", metavar="DIR", type=Path,
                   help="after the PDFs, write the chart documents into DIR")
    g.add_argument("--chart-format", choices=FORMATS, default=None,
                   help="fhir (DocumentReference + Communication, default), hl7v2 "
                        "(MDM^T02) or both")
    add_education_arguments(p)


def add_app_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--patient-context", dest="app_patient_context", metavar="FILE", type=Path,
                   help="open the app with the form filled from an EHR context file "
                        "(FHIR JSON or HL7 v2 ADT; see docs/ehr.md)")
    p.add_argument("--mrn-system", dest="app_mrn_system", metavar="URI",
                   help="the hospital's MRN system for --patient-context")


def _mrn_system(args: argparse.Namespace, attr: str = "mrn_system") -> str | None:
    """--mrn-system, else the site's `mrn_system` (site.toml)."""
    from ..siteconfig import load_config

    return getattr(args, attr, None) or load_config()["mrn_system"]


def _chart_outbox(args: argparse.Namespace) -> Path | None:
    """--chart-outbox, else the site's `chart_outbox` (site.toml)."""
    from ..siteconfig import load_config

    return getattr(args, "chart_outbox", None) or load_config()["chart_outbox"]


def _clinic(clinic_dir: Path | None) -> Any:
    """The clinic exactly as the render uses it (site settings, checked share copy)."""
    from ..clinic.source import resolve_clinic

    return resolve_clinic(folder=clinic_dir).clinic


def _languages(clinic: Any) -> tuple[str, ...]:
    from ..render.language import available_languages

    return tuple(available_languages(clinic.templates_dir))


def note(message: str) -> None:
    print(f"dischargedesk: note: {message}", file=sys.stderr)


_LEVEL_KEYS = ("levels", "level_count")


def apply_context(args: argparse.Namespace, data: dict[str, Any],
                  clinic: Any) -> dict[str, Any]:
    """Fill ``data`` from --patient-context where the command line gave nothing (the request
    file, if any, gives way to the record); check the chart options before any PDF is
    written. Call after the command-line options are in ``data``."""
    if getattr(args, "chart_format", None) and not _chart_outbox(args):
        raise RequestError("chart_format", "--chart-format needs --chart-outbox.")
    if args.patient_context is not None:
        from .context import ContextError, load_patient_context, required_missing

        ctx = load_patient_context(args.patient_context, mrn_system=_mrn_system(args),
                                   languages=_languages(clinic))
        for message in ctx.notes:
            note(message)
        cli_levels = args.levels is not None or args.level_count is not None
        for key, value in ctx.data.items():
            if key in _LEVEL_KEYS and cli_levels:
                continue
            if getattr(args, key, None) is None:
                data[key] = value
                if key == "levels":
                    data.pop("level_count", None)
        missing = required_missing(data)
        if missing:
            raise ContextError(f"The patient context does not give {', '.join(missing)}; "
                               "add it on the command line (see dischargedesk render --help).")
    if _chart_outbox(args):
        Education.from_args(args)  # bad initials: exit 2 before anything is written
        if not data.get("mrn"):
            raise RequestError("mrn", "Filing to the chart needs the MRN; give --mrn or a "
                               "patient context with the MRN.")
    return data


def file_to_chart(args: argparse.Namespace, data: dict[str, Any], pdf_paths: list[Path],
                  today: dt.date, clinic: Any) -> list[Path]:
    """Write the chart documents for the saved PDFs (nothing without --chart-outbox)."""
    outbox = _chart_outbox(args)
    if not outbox:
        return []
    from ..domain.request import HandoutRequest
    from .outbox import HandOff, documents_from_paths, write_chart_outbox

    request = HandoutRequest.from_mapping(data, today=today)
    hand_off = HandOff(request=request,
                       documents=documents_from_paths(request, pdf_paths, clinic.templates_dir),
                       education=Education.from_args(args), custodian=clinic.name,
                       mrn_system=_mrn_system(args))
    return write_chart_outbox(outbox, hand_off, args.chart_format or "fhir")


@dataclass(frozen=True)
class FormContext:
    """What the app's form needs: raw values, which fields came from the record (to mark
    them for checking), and notes to show."""

    values: dict[str, Any]
    from_record: tuple[str, ...]
    notes: tuple[str, ...]


def form_context(path: Path, *, mrn_system: str | None = None,
                 clinic_dir: Path | None = None) -> FormContext:
    """Read an EHR context file for the app (Qt-free): values in the form's shape."""
    from .context import load_patient_context

    ctx = load_patient_context(path, mrn_system=mrn_system,
                                               languages=_languages(_clinic(clinic_dir)))
    return FormContext(values=dict(ctx.data), from_record=ctx.from_record, notes=ctx.notes)


def app_context(args: argparse.Namespace) -> FormContext | int:
    """``dischargedesk --patient-context FILE``: read and check the context for the app;
    an exit code (2) with one line on stderr when it is unusable. The window then opens with
    the form filled and the record's fields marked for checking (docs/ehr.md)."""
    from .context import ContextError

    try:
        return form_context(args.app_patient_context,
                            mrn_system=_mrn_system(args, "app_mrn_system"),
                            clinic_dir=args.app_clinic)
    except ContextError as exc:
        print(f"dischargedesk: {exc}", file=sys.stderr)
        return exc.exit_code
