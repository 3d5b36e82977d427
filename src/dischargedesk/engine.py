"""The engine: request + clinic profile -> handout PDFs. Pure, Qt-free, no clock, no globals.

    >>> from dischargedesk.engine import render_handouts
    >>> handouts = render_handouts(request, clinic)      # one PDF per handout
    >>> pdf = render_pdf(request, clinic)                 # all selected handouts in one PDF

Every failure is a :class:`~dischargedesk.errors.DischargeDeskError` whose message is safe
to show (no patient data).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_skeleton
from reportlab.platypus.doctemplate import LayoutError

from . import __version__
from .domain.clinic import ClinicProfile
from .domain.request import LABELS, HandoutRequest
from .errors import DischargeDeskError, RenderError, RequestError, TemplateError
from .render import document as d
from .render.context import build_context
from .render.fonts import describe_characters, missing_characters
from .render.language import LanguagePack, available_languages, load_pack, pack_roots
from .render.pdf import Extras, HandoutLayout, PageIdentity, build_pdf
from .render.templating import HandoutEnvironment, render_section, section_sources
from .resources import sample_clinic_dir
from .rlsafety import pin_reportlab_settings

MAX_DIARY_DAYS = 14
log = logging.getLogger("dischargedesk.engine")


@dataclass(frozen=True)
class RenderedHandout:
    kind: str  # "discharge" or "recovery"
    title: str  # shown to people; never contains patient data
    file_name: str  # never contains patient data
    pdf: bytes


@dataclass(frozen=True)
class Prepared:
    """Everything between the request and the PDF: useful to checks and tests."""

    request: HandoutRequest
    pack: LanguagePack
    context: dict[str, Any]
    layouts: tuple[HandoutLayout, ...]
    ident: PageIdentity
    extras: Extras
    author: str
    clinic_version: str = ""


@lru_cache(maxsize=16)
def _environment(roots: tuple[Path, ...], clinic_root: Path | None,
                 language: str) -> HandoutEnvironment:
    return HandoutEnvironment(list(roots), clinic_root, language)


def file_name(kind: str, procedure: str) -> str:
    stem = {"discharge": "discharge-instructions", "recovery": "recovery-plan"}[kind]
    return f"{stem}-{procedure}.pdf"


def document_title(pack: LanguagePack, kinds: Sequence[str], procedure: str) -> str:
    """PDF title (shown in the viewer's title bar and print queue): no patient data."""
    names = " + ".join(pack.handouts[k] for k in kinds)
    return f"{names} - {pack.procedures.get(procedure, procedure)}"


def check_request_against(request: HandoutRequest, clinic: ClinicProfile) -> LanguagePack:
    """Rules that depend on the clinic (procedures, languages) and on the font."""
    if request.procedure not in clinic.procedures:
        raise RequestError("procedure", f"Procedure must be one of: "
                           f"{', '.join(sorted(clinic.procedures))}.")
    try:
        pack = load_pack(request.language, clinic.templates_dir)
    except KeyError:
        langs = ", ".join(available_languages(clinic.templates_dir))
        raise RequestError("language", f"Language must be one of: {langs}.") from None
    for field, value in request.text_values().items():
        missing = missing_characters(value)
        if missing:
            raise RequestError(field, f"{LABELS[field]} has characters the handout font "
                               f"cannot print: {describe_characters(missing)}. Type them "
                               "another way or leave them out.")
    return pack


def prepare(request: HandoutRequest, clinic: ClinicProfile,
            kinds: Sequence[str] | None = None,
            overrides: Mapping[str, str] | None = None) -> Prepared:
    """Validate against the clinic, render the templates and parse them into documents.

    ``overrides`` maps template paths relative to the templates folder
    ("en/discharge/40-pain.txt") to unsaved text of the clinic's copy (template workspace).
    """
    pin_reportlab_settings()
    pack = check_request_against(request, clinic)
    kinds = tuple(kinds or request.handouts)
    context = build_context(request, clinic, pack)
    clinic_root = clinic.templates_dir
    roots = tuple(pack_roots(clinic_root))
    overlay = _overlay(overrides, clinic_root, pack.code)
    env = HandoutEnvironment(list(roots), clinic_root, pack.code, overlay) if overlay \
        else _environment(roots, clinic_root, pack.code)
    layouts = []
    for kind in kinds:
        sections = []
        for source in section_sources(list(roots), pack.code, kind, clinic_root):
            try:
                text = render_section(env, source, context)
            except TemplateError as exc:
                log.info("template error file=%s line=%s", exc.file, exc.line)
                raise
            try:
                section = d.parse_section(text, source.display)
            except d.MarkupProblem as exc:
                raise TemplateError(source.display, _line_in_source(source.path, exc.snippet),
                                    f"markup the handout format does not allow: {exc}",
                                    path=source.path) from None
            missing = missing_characters("\n".join(section.plain_sentences()))
            if missing:
                raise TemplateError(source.display, None, "the template has characters the "
                                    f"handout font cannot print: {describe_characters(missing)}",
                                    path=source.path)
            sections.append(section)
        if not sections:
            raise TemplateError(f"{pack.code}/{kind}", None, "this handout has no section "
                                "templates")
        notices = []
        review = clinic.translation_reviews.get(pack.code)
        if pack.needs_review and review is None and pack.unreviewed_notice:
            notices.append(escape(pack.unreviewed_notice))
        subtitle = " · ".join(escape(x) for x in (
            context["procedure"]["name"], context["levels"]["text"],
            context["dates"]["procedure"]))
        layouts.append(HandoutLayout(kind, pack.handouts[kind], subtitle, tuple(notices),
                                     tuple(sections)))

    ids = []
    if request.date_of_birth:
        ids.append(f"{pack.label('date_of_birth')}: {context['patient']['date_of_birth']}")
    if request.mrn:
        ids.append(f"{pack.label('mrn')}: {request.mrn}")
    phones = clinic.phone + (f" · {clinic.after_hours_phone}" if clinic.after_hours_phone
                             else "")
    is_sample = clinic.folder is not None and clinic.folder.resolve() == \
        sample_clinic_dir().resolve()
    ident = PageIdentity(
        clinic_name=clinic.name,
        clinic_phone_line=phones,
        logo=clinic.logo,
        patient_lines=(f"{pack.label('patient')}: {request.patient_name}", " · ".join(ids)),
        page_label=pack.label("page", page="{page}", pages="{pages}"),
        notice=pack.label("sample_notice") if is_sample else "",
    )
    facts = request.level_facts
    extras = Extras(
        levels=facts.names,
        level_count=facts.count,
        spine_caption=(f"{pack.label('treated')}: {context['levels']['text']}" if facts.known
                       else f"{pack.label('not_recorded')} ({context['levels']['text']})"),
        portal_url=clinic.portal_url,
        signature_labels=tuple(pack.label(k) for k in (
            "signature_patient", "signature_nurse", "signature_datetime", "interpreter")),
        diary_header=tuple(pack.label(k) for k in (
            "diary_day", "diary_pain", "diary_walking", "diary_bowel", "diary_temperature")),
        diary_days=_diary_days(request.procedure_date, context, clinic,
                                pack.format_locale),
        spine_key=(_label(pack, "spine_top"), _label(pack, "spine_key")),
        spine_legend=pack.label("treated"),
        qr_caption=_label(pack, "qr_caption", portal=clinic.portal_name or _label(
            pack, "qr_portal"), address=_short_address(clinic.portal_url))
        if clinic.portal_url else "",
        paper=str(clinic.parameters.get("paper", "Letter")),
    )
    return Prepared(request, pack, context, tuple(layouts), ident, extras, clinic.name,
                    clinic.version)


def _label(pack: LanguagePack, key: str, **values: object) -> str:
    """A label of the pack; a clinic's older pack.toml without a newer label gets the
    built-in one of its language (or the English one)."""
    for candidate in (pack, *_builtin_packs(pack.code)):
        if key in candidate.labels:
            return candidate.label(key, **values)
    raise KeyError(key)


def _builtin_packs(code: str) -> list[LanguagePack]:
    packs = []
    for lang in dict.fromkeys((code, "en")):
        try:
            packs.append(load_pack(lang, None))
        except KeyError:
            continue
    return packs


def _short_address(url: str) -> str:
    """"https://portal.example.org/" -> "portal.example.org" (what a person types)."""
    return url.split("://", 1)[-1].rstrip("/")


def _overlay(overrides: Mapping[str, str] | None, clinic_root: Path | None,
             language: str) -> dict[str, tuple[str, Path]]:
    if not overrides or clinic_root is None:
        return {}
    prefix = f"{language}/"
    return {name[len(prefix):]: (text, clinic_root / name)
            for name, text in overrides.items() if name.startswith(prefix)}


def _diary_days(start: dt.date, context: dict[str, Any], clinic: ClinicProfile,
                lang: str) -> tuple[str, ...]:
    fu = context["follow_up"]
    days = int(clinic.parameters["follow_up_days"]) if not fu["scheduled"] else None
    end = start + dt.timedelta(days=days) if days is not None else None
    if end is None:
        end = start + dt.timedelta(days=MAX_DIARY_DAYS)
    n = max(1, min(MAX_DIARY_DAYS, (end - start).days))
    return tuple(format_skeleton("MMMEd", start + dt.timedelta(days=i), locale=lang)
                 for i in range(1, n + 1))


def _line_in_source(path: Path, snippet: str) -> int | None:
    try:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if snippet and snippet.strip() in line:
                return no
    except OSError:
        return None
    return None


def _build(prepared: Prepared, layouts: Sequence[HandoutLayout], duplex: bool = False) -> bytes:
    kinds = [h.kind for h in layouts]
    try:
        pdf = build_pdf(layouts, ident=prepared.ident, extras=prepared.extras,
                         large_print=prepared.request.large_print,
                         title=document_title(prepared.pack, kinds, prepared.request.procedure),
                         language=prepared.pack.code, author=prepared.author,
                         duplex=duplex)
        # Events carry only non-patient facts: what, which templates, which version.
        log.info("rendered handouts=%s procedure=%s language=%s large_print=%s clinic=%s "
                 "version=%s app=%s bytes=%d", ",".join(kinds), prepared.request.procedure,
                 prepared.pack.code, prepared.request.large_print, prepared.author,
                 prepared.clinic_version or "-", __version__, len(pdf))
        return pdf
    except DischargeDeskError as exc:
        log.warning("render failed: %s", type(exc).__name__)
        raise
    except (LayoutError, ValueError, TypeError, AttributeError, AssertionError, OSError,
            IndexError, KeyError) as exc:
        # ReportLab messages quote paragraph text (patient data): keep only the type.
        log.error("layout failed: %s", type(exc).__name__)
        raise RenderError("The handout could not be laid out "
                          f"({type(exc).__name__}); shorten the longest entries and try "
                          "again, or report this to your support team.") from None


def render_pdf(request: HandoutRequest, clinic: ClinicProfile,
               kinds: Sequence[str] | None = None,
               overrides: Mapping[str, str] | None = None, duplex: bool = False) -> bytes:
    """All selected handouts in one PDF (for preview and one print job). ``duplex`` pads
    each handout but the last to an even page count with an empty page."""
    prepared = prepare(request, clinic, kinds, overrides)
    return _build(prepared, prepared.layouts, duplex)


def render_handouts(request: HandoutRequest, clinic: ClinicProfile) -> list[RenderedHandout]:
    """One PDF per selected handout, with file names and titles free of patient data."""
    prepared = prepare(request, clinic)
    out = []
    for layout in prepared.layouts:
        pdf = _build(prepared, [layout])
        out.append(RenderedHandout(
            kind=layout.kind,
            title=document_title(prepared.pack, [layout.kind], request.procedure),
            file_name=file_name(layout.kind, request.procedure),
            pdf=pdf,
        ))
    return out
