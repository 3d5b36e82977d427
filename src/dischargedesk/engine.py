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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from reportlab.platypus.doctemplate import LayoutError

from ._meta import __version__
from .clinic.profile import ClinicProfile
from .domain.request import HANDOUTS, LABELS, HandoutRequest, is_english
from .errors import DischargeDeskError, RenderError, RequestError, TemplateError
from .render import document as d
from .render.context import build_context
from .render.document import escape
from .render.fonts import describe_characters, missing_characters
from .render.language import (
    LanguagePack,
    available_languages,
    diary_day_text,
    english_half,
    load_pack,
    pack_roots,
    sentence_start,
)
from .render.pdf import Extras, HandoutLayout, PageIdentity, build_pdf
from .render.templating import (
    HandoutEnvironment,
    SectionSource,
    recording_reads,
    render_section,
    section_sources,
)
from .resources import templates_dir
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
def _environment(roots: tuple[Path, ...], clinic_root: Path | None, language: str,
                 overlay: tuple[tuple[str, str, Path], ...] = ()) -> HandoutEnvironment:
    """One environment (and its compiled templates) per folder, language and unsaved text,
    so a check of an edit compiles each template once, not once per combination."""
    sources = {name: (text, path) for name, text, path in overlay}
    return HandoutEnvironment(list(roots), clinic_root, language, sources)


def file_name(kind: str, procedure: str) -> str:
    stem = {"discharge": "discharge-instructions", "recovery": "recovery-plan"}[kind]
    return f"{stem}-{procedure}.pdf"


def document_title(pack: LanguagePack, kinds: Sequence[str], procedure: str) -> str:
    """PDF title (shown in the viewer's title bar and print queue): no patient data."""
    names = " + ".join(pack.handouts[k] for k in kinds)
    return f"{names} - {pack.procedures.get(procedure, procedure)}"


def check_request_against(request: HandoutRequest, clinic: ClinicProfile,
                          memo: RenderMemo | None = None) -> LanguagePack:
    """Rules that depend on the clinic (procedures, languages) and on the font."""
    if request.procedure not in clinic.procedures:
        raise RequestError("procedure", f"Procedure must be one of: "
                           f"{', '.join(sorted(clinic.procedures))}.")
    try:
        pack = load_pack(request.language, _templates_of(clinic, memo))
    except KeyError:
        langs = ", ".join(available_languages(clinic.templates_dir))
        raise RequestError("language", f"Language must be one of: {langs}.") from None
    for field, value in request.text_values().items():
        missing = _once(memo, ("missing", value), partial(missing_characters, value))
        if missing:
            raise RequestError(field, f"{LABELS[field]} has characters the handout fonts "
                               f"cannot print: {describe_characters(missing)}. Type them "
                               "another way or leave them out.")
    return pack


def prepare(request: HandoutRequest, clinic: ClinicProfile,
            kinds: Sequence[str] | None = None,
            overrides: Mapping[str, str] | None = None,
            memo: RenderMemo | None = None) -> Prepared:
    """Validate against the clinic, render the templates and parse them into documents.

    ``overrides`` maps template paths relative to the templates folder
    ("en/discharge/30-wound-care.txt") to unsaved text of the clinic's copy (template workspace).
    ``memo`` (template checks) renders each section once per distinct input it reads.
    """
    pin_reportlab_settings()
    pack = check_request_against(request, clinic, memo)
    kinds = tuple(kinds or request.handouts)
    shared = memo.contexts if memo is not None else None
    context = build_context(request, clinic, pack, shared)
    clinic_root = _templates_of(clinic, memo)
    roots = tuple(pack_roots(clinic_root))
    # the nurse's free text is printed as typed: in a handout of another language each
    # line of it is followed by the pack's marker (templating.resolve_free_text)
    marker = "" if is_english(pack.code) else _label(pack, "free_text_marker")
    own = _Renderer(roots, clinic_root, pack.code, overrides, context, marker, memo)
    english = None
    if request.bilingual:
        en_pack = load_pack("en", clinic_root)
        english = _Renderer(roots, clinic_root, en_pack.code, overrides,
                            build_context(request, clinic, en_pack, shared), "", memo)
    layouts = []
    for kind in kinds:
        sections = own.sections(kind)
        if not sections:
            raise TemplateError(f"{pack.code}/{kind}", None, "this handout has no section "
                                "templates")
        notices, later = [], ""
        if english is not None:
            # the note says once why English follows: under the title, unless page 1 is
            # the one-page summary's (then it opens the English text, on page 2)
            note = _label_markup(pack, "bilingual_note")
            summary = sections[0].blocks[-1:] == [d.Directive("pagebreak")]
            sections = _bilingual(sections, english.sections(kind),
                                  note if summary else "", pack.code, kind,
                                  _label_markup(pack, "english_copy"))
            if not summary:
                later = note
        review = clinic.translation_reviews.get(pack.code)
        if pack.needs_review and review is None and pack.unreviewed_notice:
            # the discharge instructions open with the one-page summary: there the notice
            # is one line (a pack's `unreviewed_short` label); the recovery plan prints it
            # in full
            short = pack.labels.get("unreviewed_short")
            notices.append(_label_markup(pack, "unreviewed_short", short)
                           if kind == "discharge" and isinstance(short, str) and short
                           else _label_markup(pack, "unreviewed_notice",
                                              pack.unreviewed_notice))
        if later:
            notices.append(later)
        subtitle = " · ".join(escape(x) for x in (
            context["procedure"]["name"], context["levels"]["text"],
            context["dates"]["procedure"]))
        layouts.append(HandoutLayout(kind, pack.handouts[kind], subtitle, tuple(notices),
                                     tuple(sections)))

    ids = []
    if request.date_of_birth:
        ids.append(pack.labelled("date_of_birth", context["patient"]["date_of_birth"]))
    if request.mrn:
        ids.append(pack.labelled("mrn", request.mrn))
    notice = ""
    # large print: the short form, one line of the compact footer
    if _once(memo, ("sample", id(clinic)), lambda: clinic.is_sample, keep=clinic):
        short = pack.labels.get("sample_notice_short") if request.large_print else None
        notice = short if isinstance(short, str) and short else pack.label("sample_notice")
    ident = PageIdentity(
        clinic_name=clinic.name,
        clinic_phone_line=_phone_line(pack, clinic),
        clinic_phone_bare=_phone_line(pack, clinic, labelled=False),
        clinic_phone_short=_phone_line(pack, clinic, suffix="_short")
        if "phone_day_short" in pack.labels else "",
        clinic_phones=tuple(_phone_line(pack, clinic).split(" · ")),
        logo=clinic.logo,
        patient_lines=(pack.labelled("patient", request.patient_name), " · ".join(ids)),
        page_label=pack.label("page", page="{page}", pages="{pages}"),
        notice=notice,
    )
    facts = request.level_facts
    extras = Extras(
        levels=facts.names,
        level_count=facts.count,
        spine_caption=_spine_caption(pack, facts.known, facts.count, context["levels"]["text"]),
        portal_url=clinic.portal_url,
        signature_labels=tuple(pack.label(k) for k in (
            "signature_patient", "signature_nurse", "signature_datetime", "interpreter")),
        diary_header=tuple(pack.label(k) for k in (
            "diary_day", "diary_pain", "diary_walking", "diary_bowel", "diary_temperature")),
        diary_days=_once(memo, ("diary", id(clinic), id(pack), request.procedure_date,
                                context["follow_up"]["scheduled"]),
                         partial(_diary_days, request.procedure_date, context, clinic, pack),
                         keep=(clinic, pack)),
        spine_key=(_label(pack, "spine_top"), _label(pack, "spine_key")),
        spine_legend=pack.label("treated"),
        qr_caption=_label(pack, "qr_caption", portal=clinic.portal_name or _label(
            pack, "qr_portal"), address=_short_address(clinic.portal_url))
        if clinic.portal_url else "",
        paper=str(clinic.parameters.get("paper", "Letter")),
        # what a screen reader says for the drawings (/Alt); a clinic's pack without these
        # labels gets the English ones, tagged as English
        spine_alt=_label(pack, "spine_alt", levels=_spine_caption(
            pack, facts.known, 0, context["levels"]["text"])),
        qr_alt=_label(pack, "qr_alt", portal=clinic.portal_name or _label(pack, "qr_portal"),
                      address=_short_address(clinic.portal_url)) if clinic.portal_url else "",
        spine_alt_lang=_label_language(pack, "spine_alt"),
    )
    return Prepared(request, pack, context, tuple(layouts), ident, extras, clinic.name,
                    clinic.version)


def _once(memo: RenderMemo | None, key: tuple[Any, ...], make: Callable[[], Any],
          keep: object = None) -> Any:
    """``make()``: made afresh, or once per key for a whole template check (``memo``)."""
    return make() if memo is None else memo.once(key, make, keep)


def _templates_of(clinic: ClinicProfile, memo: RenderMemo | None) -> Path | None:
    """The clinic's templates folder (looked up on disk once per check)."""
    return _once(memo, ("templates", id(clinic)), lambda: clinic.templates_dir, keep=clinic)


class _Absent:
    def __repr__(self) -> str:  # never the repr of a context value (plain data only)
        return "<absent>"


_ABSENT = _Absent()


class RenderMemo:
    """Rendered and parsed section templates, shared by the prepares of one template check.

    A template's output (or its error) is a function of the template files and of the
    values of the context names it looks up (templating.RecordingContext records them), so
    a section is rendered once per distinct set of those values; each later request that
    agrees on all of them gets a copy of the first result. Keys hold the values' reprs
    (plain data: equal reprs are equal values). Lives for one check: templates are
    assumed not to change on disk during it. Never written to disk."""

    def __init__(self) -> None:
        #: section key -> (the names one render read, their values' reprs -> the result)
        self._done: dict[tuple[Any, ...], dict[tuple[str, ...], dict[
            tuple[str, ...], d.Section | TemplateError]]] = {}
        self._sources: dict[tuple[Any, ...], list[SectionSource]] = {}
        self._context: Mapping[str, Any] | None = None  # the context _reprs describe
        self._reprs: dict[str, str] = {}
        self._by_id: dict[int, tuple[object, str]] = {}  # (see _repr)
        #: the context's parts made from the clinic, language and dates (build_context)
        self.contexts: dict[tuple[Any, ...], Any] = {}
        self._once: dict[tuple[Any, ...], tuple[object, Any]] = {}
        self.renders = 0  # templates actually rendered
        self.reused = 0  # sections answered from the memo

    def once(self, key: tuple[Any, ...], make: Callable[[], Any], keep: object = None) -> Any:
        """``make()``, made once per key for the whole check: facts of its clinic, packs and
        dates (a key holding an object's id keeps the object too, so the id stays its)."""
        if key not in self._once:
            self._once[key] = (keep, make())
        return self._once[key][1]

    def sources(self, roots: tuple[Path, ...], code: str, kind: str,
                clinic_root: Path | None) -> list[SectionSource]:
        key = (roots, code, kind, clinic_root)
        if key not in self._sources:
            self._sources[key] = section_sources(list(roots), code, kind, clinic_root)
        return self._sources[key]

    def section(self, key: tuple[Any, ...], context: Mapping[str, Any],
                make: Callable[[], d.Section]) -> d.Section:
        # (the key is hashed once: its source's paths are hashed afresh each time)
        known = self._done.setdefault(key, {})
        for names, results in known.items():
            found = results.get(self._values(context, names))
            if found is not None:
                self.reused += 1
                if isinstance(found, TemplateError):
                    raise TemplateError(found.file, found.line, found.detail,
                                        path=found.path, kind=found.kind)
                return replace(found, blocks=list(found.blocks))
        self.renders += 1
        with recording_reads() as read:
            try:
                result: d.Section | TemplateError = make()
            except TemplateError as exc:
                if exc.kind == "timeout":  # the clock, not the values: never remembered
                    raise
                result = exc
        names = tuple(sorted(read))
        known.setdefault(names, {})[self._values(context, names)] = result
        if isinstance(result, TemplateError):
            raise result
        return replace(result, blocks=list(result.blocks))

    def _values(self, context: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
        """The reprs of the values of ``names`` (each taken once per context: the sections
        of one prepare read the same few names; and once per object for the check: the
        clinic, language and date parts every context of a language shares)."""
        if context is not self._context:
            self._context, self._reprs = context, {}
        reprs = self._reprs
        out = []
        for name in names:
            text = reprs.get(name)
            if text is None:
                text = reprs[name] = self._repr(context.get(name, _ABSENT))
            out.append(text)
        return tuple(out)

    def _repr(self, value: Any) -> str:
        """``repr(value)``; a dict or list that another context held before gets the text
        taken then. The object is kept with its text, so its id is never another object's
        during the check; and no value changes once in a context: the sandbox cannot
        change one (ImmutableSandboxedEnvironment), and nothing after build_context
        writes to one (a test changes a shared part in place and sees the memo fooled)."""
        if not isinstance(value, dict | list):
            return repr(value)
        kept = self._by_id.get(id(value))
        if kept is None:
            kept = self._by_id[id(value)] = (value, repr(value))
        return kept[1]


class _Renderer:
    """Renders and parses the section templates of one language (the handout's, or the
    English of a bilingual print) with its context and free-text marker."""

    def __init__(self, roots: tuple[Path, ...], clinic_root: Path | None, code: str,
                 overrides: Mapping[str, str] | None, context: dict[str, Any],
                 marker: str, memo: RenderMemo | None = None) -> None:
        overlay = _overlay(overrides, clinic_root, code)
        self.env = _environment(roots, clinic_root, code, tuple(sorted(
            (k, text, path) for k, (text, path) in overlay.items())))
        self.roots, self.clinic_root, self.code = roots, clinic_root, code
        self.context, self.marker, self.memo = context, marker, memo

    def sections(self, kind: str) -> list[d.Section]:
        memo = self.memo
        if memo is None:
            return [self._section(source) for source in section_sources(
                list(self.roots), self.code, kind, self.clinic_root)]
        return [memo.section((self.env, source, self.marker), self.context,
                             partial(self._section, source))
                for source in memo.sources(self.roots, self.code, kind, self.clinic_root)]

    def _section(self, source: SectionSource) -> d.Section:
        env = self.env
        try:
            text = render_section(env, source, self.context, self.marker)
        except TemplateError as exc:
            log.info("template error file=%s line=%s", exc.file, exc.line)
            raise
        try:
            section = d.parse_section(text, source.display, lang=self.code)
        except d.MarkupProblem as exc:
            raise TemplateError(source.display, _line_in_source(source.path, exc.snippet),
                                "markup the handout format does not allow: "
                                f"{exc.category}",
                                path=source.path) from None
        missing = missing_characters("\n".join(section.plain_sentences()))
        if missing:
            # Name only characters the templates' own text holds: others were made from
            # an entry by a filter (e.g. |upper), and naming them would quote the entry.
            written = "".join(env.sources.values())
            named = [c for c in missing if c in written]
            what = describe_characters(named) if named else \
                "characters a filter made from an entry (for example |upper)"
            raise TemplateError(source.display, None, "the template has characters the "
                                f"handout font cannot print: {what}", path=source.path)
        return section


#: Blocks the English text of a bilingual handout leaves out: the drawings, the QR code,
#: the signature lines and the diary print once, in the patient's language; a page break
#: (the summary's) would put the English summary on a page of its own.
BILINGUAL_SKIPPED = frozenset(d.DIRECTIVES)
BILINGUAL_NOTE = " (bilingual note)"  # the source name of the note's section
SIGNATURES, DIARY = d.Directive("signatures"), d.Directive("diary")


def _bilingual(own: list[d.Section], english: list[d.Section], note: str, code: str,
               kind: str, label: str = "English") -> list[d.Section]:
    """Each section in the patient's language, then the clinic's English text of the same
    template (same file name), tagged ``lang="en"``. The one-page summary keeps page 1 in
    the patient's language; its English follows on the next page. A section the
    English handout has no template for prints in the patient's language only. ``note``
    (escaped; "" when the handout prints it under its title) opens the first English text.
    Each English text carries ``label`` (the pack's ``english_copy``), printed over it.

    Two blocks that print once end their section after the English, so that the English
    text never stands alone on a page after them (docs/languages.md, "Bilingual print"):

    * the signature block follows the English checklist (the teach-back, read in both
      languages, is signed once, under both; it stays on the page of the English
      checklist's last items);
    * the diary (a table that fills most of a page) follows the English text of its
      section: the diary's heading and instruction, their English, then the diary's rows
      (and anything after them).
    """
    by_name = {s.source.split("/", 1)[-1]: s for s in english}
    out: list[d.Section] = []
    noted = not note
    # the warning tiers' own section (the page to keep in view) prints last, in both
    # languages: each copy stays whole, and two of them in the middle left parts of pages
    # empty before and after them
    own = [s for s in own if not _tiers_only(s)] + [s for s in own if _tiers_only(s)]
    for section in own:
        twin = by_name.get(section.source.split("/", 1)[-1])
        blocks = [b for b in (twin.blocks if twin is not None else [])
                  if not (isinstance(b, d.Directive) and b.name in BILINGUAL_SKIPPED)]
        if twin is None or not any(not isinstance(b, d.Directive) for b in blocks):
            out.append(section)
            continue
        later: d.Section | None = None
        if section.blocks[-1:] == [SIGNATURES]:
            section = replace(section, blocks=section.blocks[:-1])
            blocks.append(SIGNATURES)
        elif DIARY in section.blocks[1:]:
            at = section.blocks.index(DIARY)
            later = replace(section, blocks=section.blocks[at:])
            section = replace(section, blocks=section.blocks[:at])
        out.append(section)
        if not noted:
            out.append(d.Section(f"{code}/{kind}{BILINGUAL_NOTE}",
                                 [d.Box("note", (d.Paragraph(note),))], lang=code))
            noted = True
        out.append(d.Section(twin.source, blocks, lang=twin.lang or "en",
                             english_copy=label))
        if later is not None:
            out.append(later)
    return out


def _tiers_only(section: d.Section) -> bool:
    """A section of warning tiers under a heading and a line or two (When to get help)."""
    boxes = [b for b in section.blocks if isinstance(b, d.Box)]
    return bool(boxes) and all(b.kind in ("911", "call", "watch") for b in boxes) and all(
        isinstance(b, d.Box | d.Heading | d.Paragraph) for b in section.blocks)


#: With more levels than this, the caption counts them (the drawing and the subtitle name
#: them): a caption of 10 names takes 3 lines beside the drawing and pushes the summary
#: off page 1.
CAPTION_NAMES_MAX = 3


def _spine_caption(pack: LanguagePack, known: bool, count: int, levels_text: str) -> str:
    if not known:
        return f"{pack.label('not_recorded')} ({levels_text})"
    if count > CAPTION_NAMES_MAX:
        return pack.label("levels_count", count=count)
    return pack.labelled("treated", levels_text)


def _phone_line(pack: LanguagePack, clinic: ClinicProfile, labelled: bool = True,
                suffix: str = "") -> str:
    """Header phones with their labels ("Daytime: ... · Nights and weekends: ..."), or
    their short labels (``suffix="_short"``: "Day: ... · Night: ...", for a header where
    the long line does not fit); a clinic's older language pack without the labels prints
    the bare numbers. The header never cuts a line (render/pdf.py wraps it)."""
    def with_label(key: str, phone: str) -> str:
        label = pack.labels.get(key + suffix) if labelled else None
        return f"{label}{pack.colon}{phone}" if isinstance(label, str) and label else phone

    parts = [with_label("phone_day", clinic.phone)]
    if clinic.after_hours_phone:
        parts.append(with_label("phone_night", clinic.after_hours_phone))
    return " · ".join(parts)
def _label(pack: LanguagePack, key: str, **values: object) -> str:
    """A label of the pack; a clinic's older pack.toml without a newer label gets the
    built-in one of its language (or the English one)."""
    for candidate in (pack, *_builtin_packs(pack.code)):
        if key in candidate.labels:
            return candidate.label(key, **values)
    raise KeyError(key)


def _label_markup(pack: LanguagePack, key: str, text: str | None = None) -> str:
    """Paragraph markup (escaped) of the pack's label ``key`` (or of ``text``, the pack's
    own ``key``) with the English a translated handout prints in it as a run of the
    document model read in English (document.lang_run): the whole label when a clinic's
    pack lacks it and the English pack gives it, else the English half of a bilingual text
    (language.BILINGUAL_TEXTS: the unreviewed notice, the English-copy label)."""
    lang = ""
    if text is None:
        text, lang = _label(pack, key), _label_language(pack, key)
    if is_english(pack.code):
        return escape(text)
    if lang:
        return d.lang_run(escape(text), lang)
    own, english = english_half(key, text)
    return escape(own) + d.lang_run(escape(english), "en")


def _label_language(pack: LanguagePack, key: str) -> str:
    """The language ``_label`` takes ``key`` in, when it is not the pack's own ("")."""
    for candidate in (pack, *_builtin_packs(pack.code)):
        if key in candidate.labels:
            return "" if candidate.code == pack.code else candidate.code
    return ""


def _builtin_packs(code: str) -> tuple[LanguagePack, ...]:
    """The app's own pack of ``code`` and the English one."""
    return _builtin_packs_in(code, templates_dir())


@lru_cache(maxsize=64)
def _builtin_packs_in(code: str, root: Path) -> tuple[LanguagePack, ...]:
    """Keyed by the built-in templates folder, which a reprint points at the archived
    snapshot's copy (resources.templates_dir); its files are never edited while the app
    runs."""
    packs = []
    for lang in dict.fromkeys((code, "en")):
        try:
            packs.append(load_pack(lang, None))
        except KeyError:
            continue
    return tuple(packs)


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
                pack: LanguagePack) -> tuple[str, ...]:
    fu = context["follow_up"]
    days = int(clinic.parameters["follow_up_days"]) if not fu["scheduled"] else None
    end = start + dt.timedelta(days=days) if days is not None else None
    if end is None:
        end = start + dt.timedelta(days=MAX_DIARY_DAYS)
    n = max(1, min(MAX_DIARY_DAYS, (end - start).days))
    return tuple(sentence_start(diary_day_text(start + dt.timedelta(days=i), pack.format_locale,
                                               pack.dates.get("diary")))
                 for i in range(1, n + 1))


def _line_in_source(path: Path, snippet: str) -> int | None:
    try:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if snippet and snippet.strip() in line:
                return no
    except OSError:
        return None
    return None


def build_document(prepared: Prepared, layouts: Sequence[HandoutLayout],
                   duplex: bool = False) -> bytes:
    """The PDF of prepared handouts (one or more layouts), checked; templates check and
    tests use it to lay out once what they already prepared."""
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
    return build_document(prepared, prepared.layouts, duplex)


def render_handouts(request: HandoutRequest, clinic: ClinicProfile) -> list[RenderedHandout]:
    """One PDF per selected handout, with file names and titles free of patient data."""
    prepared = prepare(request, clinic)
    out = []
    for layout in prepared.layouts:
        pdf = build_document(prepared, [layout])
        out.append(RenderedHandout(
            kind=layout.kind,
            title=document_title(prepared.pack, [layout.kind], request.procedure),
            file_name=file_name(layout.kind, request.procedure),
            pdf=pdf,
        ))
    return out


# -- what the form offers (the UI asks the engine; it never reads packs itself) -----------------

FALLBACK_HANDOUT_NAMES = {"discharge": "Discharge instructions", "recovery": "Recovery plan"}


@dataclass(frozen=True)
class FormChoices:
    """What the clinic offers: procedures and languages (code, shown name), physicians."""

    procedures: tuple[tuple[str, str], ...]
    physicians: tuple[str, ...]
    languages: tuple[tuple[str, str], ...]
    handouts: tuple[tuple[str, str], ...]


def _pack_or_none(code: str, clinic: ClinicProfile) -> LanguagePack | None:
    try:
        return load_pack(code, clinic.templates_dir)
    except (KeyError, DischargeDeskError):
        return None


def form_choices(clinic: ClinicProfile, offered: tuple[str, ...] = ()) -> FormChoices:
    """Display names come from the English language pack (the form is in English); each
    language shows in its own name and in English ("中文（简体） Chinese, Simplified").
    ``offered`` (site setting ``languages``) limits the languages; empty offers all."""
    pack = _pack_or_none("en", clinic)
    names = dict(pack.procedures) if pack else {}
    procedures = tuple((pid, names.get(pid, pid.replace("-", " ").capitalize()))
                       for pid in clinic.procedures)
    languages = []
    for code in available_languages(clinic.templates_dir):
        if offered and code not in offered:
            continue
        lp = _pack_or_none(code, clinic)
        languages.append((code, lp.display_name if lp else code))
    handout_names = dict(pack.handouts) if pack else {}
    handouts = tuple((k, handout_names.get(k, FALLBACK_HANDOUT_NAMES[k])) for k in HANDOUTS)
    return FormChoices(procedures, tuple(clinic.physicians), tuple(languages), handouts)
