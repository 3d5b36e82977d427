"""Template checks: render every template for every combination before a patient sees it.

Used by ``dischargedesk templates check``, the template workspace and the site's
network-share validation. Qt-free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .clinic.profile import ClinicProfile
from .domain.request import HandoutRequest, is_english, remembering_texts
from .engine import BILINGUAL_NOTE, RenderMemo, build_document, prepare
from .errors import ClinicProfileError, DischargeDeskError, TemplateError
from .render.language import available_languages
from .render.templating import HANDOUT_KINDS, skipping_runaway

log = logging.getLogger("dischargedesk.checks")

LEVEL_PATTERNS: dict[str, dict[str, Any]] = {
    "1 level": {"levels": ["L2"]},
    "2 levels": {"levels": ["L1", "L2"]},
    "3+ levels": {"levels": ["L1", "L2", "L3"]},
    "thoracic": {"levels": ["T7", "T8"]},
    "skipped level": {"levels": ["T12", "L2"]},
    "count only": {"level_count": 2},
}
ANESTHESIA = ("local", "sedation", "general")
MAX_GRADE = 8.0
#: Spanish reading ease (Fernández-Huerta, 0-100, higher is easier): 80-90 is "fácil" (about
#: 6th grade), 70-80 "bastante fácil" (7th grade), 60-70 "normal" (8th-9th grade). A
#: section below MIN_SPANISH_EASE is harder than 7th grade: a warning, like MAX_GRADE.
MIN_SPANISH_EASE = 70.0
CHECK_DATE = dt.date(2026, 11, 25)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity + ': ' if self.severity == 'warning' else ''}" \
               f"{self.message}"


@dataclass(frozen=True)
class Grade:
    """A section's reading level: a grade (Flesch-Kincaid, Crawford), or for a language with
    no grade formula (Chinese, Korean, Vietnamese) the sentence-length proxy, where
    ``grade`` holds the mean length in ``unit``s per sentence."""

    file: str
    language: str
    title: str
    grade: float
    measure: str
    unit: str = ""  # "" for a grade; else "characters" or "words" (proxy)
    characters: float = 0.0  # proxy: mean characters per sentence
    longest: int = 0  # proxy: the longest sentence, in ``unit``s
    sentences: int = 0

    @property
    def proxy(self) -> bool:
        return bool(self.unit)

    def describe(self) -> str:
        if not self.proxy:
            return f"reading grade {self.grade:.1f} ({self.measure})"
        words = "" if self.unit == "characters" else f"{self.grade:.1f} words and "
        return (f"sentence length {words}{self.characters:.1f} characters per sentence, "
                f"longest {self.longest} {self.unit} ({self.measure})")


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    combinations: int = 0
    laid_out: int = 0  # distinct handout PDFs laid out by this check
    kept: int = 0  # and those whose results an earlier check had found (layoutcache.py)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, problem: Problem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)


def _problem(exc: Exception, where: str, runaway: set[str]) -> Problem | None:
    """The problem to list for a failed combination (None: already listed)."""
    if isinstance(exc, TemplateError):
        if exc.kind == "timeout":
            key = str(exc.path or exc.file)
            if key in runaway:
                return None
            runaway.add(key)
            return Problem(exc.file, None, exc.detail)
        return Problem(exc.file, exc.line, exc.detail)
    if isinstance(exc, ClinicProfileError) and exc.file:
        return Problem(exc.file, exc.line, exc.detail)
    if isinstance(exc, DischargeDeskError):
        return Problem(where, None, str(exc))
    log.error("template check failed: %s", type(exc).__name__)  # never the text (PHI)
    return Problem(where, None, f"this combination could not be checked "
                   f"({type(exc).__name__}); report this to your support team")


def sample_variants() -> list[dict[str, Any]]:
    """Two patients per combination: one with every option, one with none."""
    return [
        {"patient_name": "Check Sample", "date_of_birth": "1948-03-04"},
        {"patient_name": "Check Sample", "mrn": "CHK-1", "brace": True, "opioids": True,
         "medications": "Medicine one\nMedicine two", "blood_thinner": "Restart in 2 days",
         "physician": "Dr. Check", "follow_up_date": "2026-12-07", "follow_up_time": "09:30",
         "follow_up_with": "Dr. Check", "follow_up_where": "Clinic", "caregiver": "Care Giver"},
    ]


#: Languages with no reading-grade formula in textstat: the check reports sentence length
#: instead (docs/languages.md). Chinese is measured in Han characters (it is written
#: without spaces between words); Korean and Vietnamese in words (space-separated: Korean
#: eojeol, Vietnamese syllables) and characters. A section whose mean is above the limit
#: gets a warning, as a grade above 8 does.
PROXY_LIMITS: dict[str, tuple[str, float]] = {
    "zh": ("characters", 20.0),
    "ko": ("words", 12.0),
    "vi": ("words", 20.0),
}
PROXY_MEASURE = "reading proxy: no grade formula for this language"
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)(?=\s|$)")


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF \
        or 0x20000 <= cp <= 0x3FFFF


def split_sentences(items: Iterable[str]) -> list[str]:
    """Sentences of the items (one line, bullet or cell each): split after 。！？；!?; and
    after a full stop followed by a space ("4.5 kg" stays one number)."""
    out = []
    for item in items:
        out += [part.strip() for part in _SENTENCE_END.split(item) if part.strip()]
    return out


def sentence_length(items: Iterable[str], language: str) -> Grade | None:
    """The sentence-length proxy of text in a language listed in PROXY_LIMITS (None for
    another language, or text with no sentence to measure). Numbers, Latin letters (level
    names, units, typed names) and punctuation are not counted in Chinese, as in Chinese
    readability measures; in Korean and Vietnamese every letter and digit is."""
    primary = _primary(language)
    if primary not in PROXY_LIMITS:
        return None
    unit = PROXY_LIMITS[primary][0]
    chars: list[int] = []
    words: list[int] = []
    for sentence in split_sentences(items):
        if primary == "zh":
            n = sum(1 for ch in sentence if _is_han(ch))
        else:
            n = sum(1 for ch in sentence if unicodedata.category(ch)[0] in "LN")
        if n == 0:
            continue
        chars.append(n)
        words.append(sum(1 for w in sentence.split() if any(c.isalnum() for c in w)))
    if not chars:
        return None
    counts = chars if unit == "characters" else words
    return Grade("", language, "", sum(counts) / len(counts), PROXY_MEASURE, unit,
                 sum(chars) / len(chars), max(counts), len(chars))


def reading_grade(sentences: Iterable[str], language: str) -> tuple[float, str]:
    """Grade level of text with one sentence per item: Flesch-Kincaid for English;
    for Spanish, Crawford (a grade, held to MAX_GRADE like English) with the
    Fernández-Huerta reading ease beside it in the measure ("Crawford; Fernández-Huerta
    86")."""
    grade, measure, _ = reading_level(sentences, language)
    return grade, measure


def reading_level(sentences: Iterable[str],
                  language: str) -> tuple[float, str, float | None]:
    """(grade, measure, reading ease): the ease is Fernández-Huerta's score for Spanish
    (0-100, higher is easier; MIN_SPANISH_EASE), None for other languages. textstat's
    formulas and counts, computed by readability.py (the same numbers, without textstat's
    load of the whole pronunciation dictionary)."""
    from . import readability

    text = " ".join(s if s.rstrip()[-1:] in ".!?:" else s + "." for s in sentences if s.strip())
    if language == "es":
        grade = float(readability.crawford(text, "es"))
        ease = float(readability.fernandez_huerta(text, "es"))
        return grade, f"Crawford; Fernández-Huerta {ease:.0f}", ease
    return float(readability.flesch_kincaid_grade(text, "en_US")), "Flesch-Kincaid", None


def check_templates(clinic: ClinicProfile, *, languages: Iterable[str] | None = None,
                    build_pdfs: bool = True,
                    progress: Callable[[int, int], None] | None = None,
                    overrides: Mapping[str, str] | None = None,
                    grades: bool = True, reuse: bool = True,
                    only: str | None = None, workers: int | None = None,
                    cache: bool = True) -> CheckReport:
    """Render every combination; ``grades`` adds reading grades when textstat is installed
    (the ``check`` extra), and is skipped quietly where it is not (plain app installs).
    ``reuse`` renders each section template once per distinct set of the context values it
    reads (engine.RenderMemo); ``reuse=False`` renders every section of every combination
    (the same report: tests/test_check_reuse.py).

    ``only`` (a template path relative to the templates folder, "en/discharge/30-x.txt";
    the workspace's save) checks what that file can change in its own language: every
    combination of its language, of its handout only when it is a section template (a
    partial can be in either), graded only when it is a section. Bilingual print of other
    languages (the English text) is left to the full check.

    ``workers``: processes for the PDF step (1: this one; None: a pool when cores are idle,
    see :func:`_layout_step`) and, without PDFs and ``progress``, for the templates (two
    languages or more: half of them in a forked process, :func:`_pass_workers`); the report
    is the same either way.

    ``cache``: the layout step reads what earlier checks found for an output that has not
    changed since (layoutcache.py: keyed by the output, the logo, the program and its
    fonts) and lays out only the others; False lays out every output again."""
    report = CheckReport()
    kinds: tuple[str, ...] | None = None
    if only is not None:
        parts = only.replace("\\", "/").split("/")
        languages = parts[:1]
        if len(parts) == 3 and parts[1] in HANDOUT_KINDS:
            kinds = (parts[1],)
    if grades:
        try:
            import textstat  # noqa: F401
        except ImportError:
            grades = False
    langs = list(languages or available_languages(clinic.templates_dir))
    combos = combinations(clinic, langs)
    # the PDF step comes after the templates: the combinations to lay out, in order
    laid_out: list[tuple[Any, str, tuple[str, str, str, str], str]] = []
    numbered = list(enumerate(combos))
    shares = _shares(numbered, langs) if not build_pdfs and progress is None and \
        _pass_workers(workers, len(langs)) > 1 else [numbered]
    job = _PassJob(clinic, kinds, only, overrides, grades, reuse, build_pdfs)
    collect = _in_fork(job, shares[1]) if len(shares) > 1 else None
    events = _template_pass(job, shares[0] if collect else numbered, len(combos), progress,
                            laid_out)
    if collect is not None:
        found = collect()
        if found is None:  # (the second process failed: its share checked here)
            found = _template_pass(job, shares[1], len(combos), None, laid_out)
        # each combination is in one share: the events of both in the check's order
        events = sorted(events + found, key=lambda e: e[0])
    _replay(report, events)
    if laid_out:
        from . import layoutcache

        _layout_step(report, laid_out, workers,
                     cache=layoutcache.shared_cache() if cache else None)
    return report


def combinations(clinic: ClinicProfile, languages: list[str]) -> list[tuple[Any, ...]]:
    """(procedure, level pattern, anesthesia, language, large print, bilingual) of each
    combination a check renders, in its order."""
    combos = [(*c, False) for c in itertools.product(
        sorted(clinic.procedures), LEVEL_PATTERNS, ANESTHESIA, languages, (False, True))]
    # bilingual print of every other language (after its one-language cases, which its
    # page budget compares with), with the default anesthesia: the English text of each
    # section after the language's own
    return combos + [(proc, pattern, BILINGUAL_ANESTHESIA, lang, large, True)
                     for proc, pattern, anesthesia, lang, large, _ in combos
                     if anesthesia == BILINGUAL_ANESTHESIA and not is_english(lang)]


def _replay(report: CheckReport, events: list[Event]) -> None:
    """Adds the template pass's events (in the check's order) to the report: a problem
    once, a section's grade once (the first combination's that shows the section)."""
    graded: set[tuple[str, str]] = set()
    for _, what, value in events:
        if what == "combination":
            report.combinations += 1
        elif what == "problem":
            report.add(value)
        else:
            key, grade, warnings = value
            if key in graded:
                continue
            graded.add(key)
            if grade is not None:
                report.grades.append(grade)
            for problem in warnings:
                report.add(problem)


#: One thing the template pass found, at the index of its combination in the check:
#: (index, "combination", None), (index, "problem", Problem) or (index, "grade", (the
#: section's (source, language), its Grade or None, the warnings of the grade)).
Event = tuple[int, str, Any]


@dataclass(frozen=True)
class _PassJob:
    """What the template pass of a check needs besides its combinations."""

    clinic: ClinicProfile
    kinds: tuple[str, ...] | None
    only: str | None
    overrides: Mapping[str, str] | None
    grades: bool
    reuse: bool
    build_pdfs: bool


def _template_pass(job: _PassJob, combos: list[tuple[int, tuple[Any, ...]]], total: int,
                   progress: Callable[[int, int], None] | None,
                   laid_out: list[tuple[Any, str, tuple[str, str, str, str], str]]
                   ) -> list[Event]:
    """Prepare each sample request of ``combos`` (numbered in the check's order); its
    problems and the grades of sections seen here first, in order. The combinations to lay
    out are appended to ``laid_out`` (``job.build_pdfs``)."""
    kinds, only = job.kinds, job.only
    memo = RenderMemo() if job.reuse else None
    events: list[Event] = []
    graded: set[tuple[str, str]] = set()
    runaway: set[str] = set()  # files that hit the time limit: reported once, then skipped
    with remembering_texts():  # (the two sample patients' entries: cleaned once)
        for n, (proc, pattern, anesthesia, lang, large, bilingual) in combos:
            if progress:
                progress(n, total)
            for v, variant in enumerate(sample_variants()):
                data = {"procedure": proc, "anesthesia": anesthesia, "language": lang,
                        "large_print": large, "procedure_date": CHECK_DATE.isoformat(),
                        **({"bilingual": True} if bilingual else {}),
                        **LEVEL_PATTERNS[pattern], **variant}
                events.append((n, "combination", None))
                try:
                    with skipping_runaway(runaway):
                        request = HandoutRequest.from_mapping(data, today=CHECK_DATE)
                        prepared = prepare(request, job.clinic, kinds, overrides=job.overrides,
                                           memo=memo)
                        if job.build_pdfs and v == 1:
                            laid_out.append((prepared, pattern, (proc, pattern, anesthesia, lang),
                                             f"{lang}/{proc}"))
                except Exception as exc:  # noqa: BLE001 - a check lists every problem; it never crashes
                    problem = _problem(exc, f"{lang}/{proc}", runaway)
                    if problem is not None:
                        events.append((n, "problem", problem))
                    continue
                for layout in prepared.layouts:
                    for section in layout.sections:
                        slang = section.lang or lang  # (the English text of a bilingual print)
                        key = (section.source, slang)
                        if not job.grades or key in graded or v != 1 or \
                                section.source.endswith(BILINGUAL_NOTE) or \
                                (kinds and section.source.removeprefix("clinic ") != only):
                            continue
                        graded.add(key)
                        events.append((n, "grade", (key, *_grade(section, slang))))
    return events


def _grade(section: Any, lang: str) -> tuple[Grade | None, tuple[Problem, ...]]:
    """A section's reading grade (or sentence-length proxy; None: nothing to measure) and
    its warnings."""
    if _primary(lang) in PROXY_LIMITS:  # no grade formula: sentence length
        proxy = sentence_length(section.plain_sentences(), lang)
        if proxy is None:
            return None, ()
        found = replace(proxy, file=section.source, title=section.title)
        limit = PROXY_LIMITS[_primary(lang)][1]
        return found, tuple(
            [Problem(found.file, None, f"sentences average {found.grade:.1f} "
                     f"{found.unit} (a reading proxy), above {limit:g}; use shorter "
                     "sentences and everyday words", "warning")] if found.grade > limit else [])
    grade, measure, ease = reading_level(section.plain_sentences(), lang)
    warnings = []
    if grade > MAX_GRADE:
        warnings.append(Problem(section.source, None, f"reading grade {grade:.1f} "
                                f"({measure}) is above {MAX_GRADE:g}; use shorter "
                                "sentences and everyday words", "warning"))
    if ease is not None and ease < MIN_SPANISH_EASE:
        warnings.append(Problem(section.source, None, f"reading ease {ease:.0f} "
                                f"(Fernández-Huerta) is below "
                                f"{MIN_SPANISH_EASE:g}; use shorter sentences "
                                "and everyday words", "warning"))
    return Grade(section.source, lang, section.title, grade, measure), tuple(warnings)


def _pass_workers(workers: int | None, languages: int) -> int:
    """Processes for a template pass without PDFs: two when two cores are idle (``workers``
    None; or as asked), the check has two languages or more and this process can fork
    (a POSIX process with no other thread: a forked child starts with this process's
    imports, so it costs milliseconds, not the second a spawned one needs; a thread's lock
    would be copied held). Never in a frozen bundle."""
    import multiprocessing
    import threading

    if languages < 2 or getattr(sys, "frozen", False) or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(2, _idle_cores() if workers is None else workers)


def _shares(numbered: list[tuple[int, tuple[Any, ...]]],
            languages: list[str]) -> list[list[tuple[int, tuple[Any, ...]]]]:
    """The combinations in two shares of whole languages (each language's sections are
    rendered in one process), of about the same number of combinations: English and a
    bilingual print render the English sections in both."""
    sizes = {lang: sum(1 for _, c in numbered if c[3] == lang) for lang in languages}
    first: set[str] = set()
    total = 0
    for lang in sorted(languages, key=lambda x: -sizes[x]):
        if 2 * (total + sizes[lang]) <= sum(sizes.values()) or not first:
            first.add(lang)
            total += sizes[lang]
    return [[x for x in numbered if x[1][3] in first],
            [x for x in numbered if x[1][3] not in first]]


_FORKED: tuple[_PassJob, list[tuple[int, tuple[Any, ...]]]] | None = None


def _forked_pass() -> list[Event]:
    """The template pass of the forked process (:func:`_in_fork`)."""
    assert _FORKED is not None
    job, combos = _FORKED
    return _template_pass(job, combos, 0, None, [])


def _in_fork(job: _PassJob, combos: list[tuple[int, tuple[Any, ...]]]
             ) -> Callable[[], list[Event] | None] | None:
    """Starts the template pass of ``combos`` in a forked process; returns what waits for
    its events (which gives None if the process failed). None, and nothing started, when a
    process cannot be forked here. Either way the caller checks the combinations the
    process did not, for the same report."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # (the child has this process's clinic and combinations as its copy of _FORKED: a
    # clinic does not pickle; it returns problems and grades through a pipe of its own,
    # and nothing is read from a file or another program)
    global _FORKED
    if job.grades:  # (both processes grade English and Spanish text)
        from . import readability

        readability.load_dictionaries()
    _FORKED = (job, combos)
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_forked_pass)
    except Exception as exc:  # noqa: BLE001 - process mechanics
        log.warning("template check: no second process (%s)", type(exc).__name__)
        return None
    finally:  # (a forked pool starts its process at the first submit)
        _FORKED = None

    def collect() -> list[Event] | None:
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - process mechanics (problems are events)
            log.warning("template check: the second process failed (%s)", type(exc).__name__)
            return None
        finally:
            pool.shutdown()

    return collect


def _layout_step(report: CheckReport, laid_out: list[tuple[Any, str, tuple[str, str, str, str],
                                                           str]],
                 workers: int | None, split: bool = True, cache: Any = None) -> None:
    """Lay out and layout-check each distinct handout once (combinations whose handouts come
    out identical - same text, same page furniture - share it: anesthesia or the level
    pattern often change nothing, and often in one of the two handouts only), on a pool of
    processes when cores are idle, then list the problems of every combination in the
    check's order (the page budgets compare combinations with each other).

    ``split``: each handout is laid out in a PDF of its own (as ``render_handouts`` saves
    it), which prints the same pages as the PDF of both handouts (tests/test_check_reuse.py
    compares their text and positions over the en and es matrix); False lays out each
    combination's handouts together, the PDF a print of both makes.

    ``cache`` (a layoutcache.LayoutCache): results kept from earlier checks are read for
    the outputs they were found for, the others laid out and kept."""
    parts = [_parts(prepared, split) for prepared, *_ in laid_out]
    jobs: dict[str, tuple[Any, str]] = {}
    for found, (_, _, _, where) in zip(parts, laid_out, strict=True):
        for key, one in found:
            jobs.setdefault(key, (one, where))
    kept: dict[str, str | None] = {}  # output key -> its file in the layout cache
    results: dict[str, Any] = {}
    if cache is not None:
        for key, (one, where) in jobs.items():
            kept[key] = cache.key(check_key(one, where, key), (one.ident.logo,))
            earlier = _decoded(cache.get(kept[key]), one) if kept[key] else None
            if earlier is not None:
                results[key] = earlier
    todo = {key: job for key, job in jobs.items() if key not in results}
    if workers is None:
        workers = min(_idle_cores(), len(todo) // MIN_JOBS_PER_WORKER)
    new: dict[str, Any] | None = None
    if workers > 1 and not getattr(sys, "frozen", False):  # (a bundle re-runs the app)
        new = _in_pool(todo, workers)
    if new is None:
        new = {key: _lay_out(job) for key, job in todo.items()}
    results.update(new)
    report.laid_out += len(new)
    report.kept += len(results) - len(new)
    if cache is not None:
        for key, result in new.items():
            if kept.get(key) and not isinstance(result, Problem):  # (a failure: tried again)
                cache.put(kept[key], _encoded(result))
        if new:
            cache.prune()
    pages: dict[tuple[Any, ...], dict[str, int]] = {}
    for found, (prepared, pattern, combo, _) in zip(parts, laid_out, strict=True):
        laid = [results[key] for key, _ in found]
        failed = next((r for r in laid if isinstance(r, Problem)), None)
        if failed is not None:  # (as the PDF of both handouts fails with its first)
            report.add(failed)
            continue
        handouts = [h for r in laid for h in r]
        for problem in _layout_problems(handouts, prepared, pattern, pages, combo):
            report.add(problem)


#: A handout is laid out in a PDF of its own only when the text of the combination has at
#: most this many distinct characters outside ASCII. ReportLab gives each font's characters
#: 8-bit codes in the order a document first uses them, ASCII at its own codes and about
#: 160 others in the first subset; past that a text run is cut where its characters change
#: subset, and the PDF of one handout would cut other runs than the PDF of both (Chinese
#: and Korean: the same text at the same places, but in other pieces). Under this limit
#: (with room for the bullets and boxes the layout draws itself) every font's characters
#: fit its first subset in either PDF, so no run is ever cut.
ONE_SUBSET_CHARACTERS = 100


def _parts(prepared: Any, split: bool) -> list[tuple[str, Any]]:
    """(output key, prepared request) of each PDF to lay out for a combination: one per
    handout (``split``, when its runs cannot be cut differently: ONE_SUBSET_CHARACTERS),
    or one of all its handouts. (The distinct characters are taken first: the text is a
    repr of the whole request, ~15,000 characters, and the test per character was 4% of
    the English PDF step under the profiler.)"""
    if not split or len(prepared.layouts) < 2 or \
            sum(c > "~" for c in set(_printed(prepared))) > ONE_SUBSET_CHARACTERS:
        return [(output_key(prepared), prepared)]
    ones = [replace(prepared, layouts=(layout,)) for layout in prepared.layouts]
    return [(output_key(one), one) for one in ones]


#: The layout step uses a process pool when at least two cores are idle and each worker
#: gets this many distinct outputs (a spawned worker costs about a second to start).
MIN_JOBS_PER_WORKER = 6


def _in_pool(jobs: dict[str, tuple[Any, str]], workers: int) -> dict[str, Any] | None:
    """The results of ``jobs`` from ``workers`` spawned processes; None when a pool cannot
    run here (then the caller lays them out itself: the same results)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # (the pool passes the prepared handouts and the results between this process and its
    # own children; nothing is read from a file or another program)
    try:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            return dict(zip(jobs, pool.map(_lay_out, jobs.values()), strict=True))
    except Exception as exc:  # noqa: BLE001 - pool mechanics (layout failures are results)
        log.warning("template check: no process pool (%s); laying out here",
                    type(exc).__name__)
        return None


def _idle_cores() -> int:
    """Cores not busy over the last minute, to the nearest whole core (1 where the load is
    unknown). Rounded, not cut: a quiet 2-core machine shows a load of 0.1-0.4 (the shell,
    the check's own start), which is two idle cores; cut down it read as one, and the
    second process was never used (no-PDF check of the sample clinic on two idle cores:
    0.93 s one process, 0.61 s two)."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # (Windows has no load average)
        return 1
    return max(1, round((os.cpu_count() or 1) - load))


@dataclass(frozen=True)
class LaidOut:
    """What the check keeps of one laid-out handout: its kind, page count and layout
    problems (as found, before the check adds the case to their message)."""

    kind: str
    count: int
    problems: tuple[Problem, ...]


def _lay_out(job: tuple[Any, str]) -> tuple[LaidOut, ...] | Problem:
    """The layout-checked handouts of one output, or the Problem that stopped it (a pool
    worker's result: a problem pickles, an exception with keyword arguments may not)."""
    from .layout_checks import check_handouts

    prepared, where = job
    try:
        handouts = check_handouts(build_document(prepared, prepared.layouts), prepared)
    except Exception as exc:  # noqa: BLE001 - listed as the combination's problem
        # (a fresh set of runaway files: a problem is always listed here)
        return _problem(exc, where, set()) or Problem(where, None, str(type(exc).__name__))
    return tuple(LaidOut(h.kind, h.count, tuple(Problem(p.file, None, p.message, p.severity)
                                                for p in h.problems)) for h in handouts)


def _encoded(result: tuple[LaidOut, ...]) -> list[Any]:
    """A layout result as JSON values (the layout cache's payload)."""
    return [[h.kind, h.count, [[p.file, p.message, p.severity] for p in h.problems]]
            for h in result]


def _decoded(value: Any, prepared: Any) -> tuple[LaidOut, ...] | None:
    """The layout result of :func:`_encoded` for the handouts of ``prepared``, or None for
    anything not in exactly that shape or of other handouts (a file of another format:
    that output is laid out again)."""
    try:
        out = tuple(LaidOut(kind, count, tuple(Problem(file, None, message, severity)
                                               for file, message, severity in problems))
                    for kind, count, problems in value)
    except (TypeError, ValueError):
        return None
    ok = sorted(h.kind for h in out) == sorted(layout.kind for layout in prepared.layouts) \
        and all(isinstance(h.kind, str) and type(h.count) is int and h.count > 0 and
        all(isinstance(p.file, str) and isinstance(p.message, str) and
            p.severity in ("error", "warning") for p in h.problems) for h in out)
    return out if ok else None


def output_key(prepared: Any) -> str:
    """Equal for two prepared requests exactly when their PDFs are the same: everything
    :func:`build_document` reads (the documents, page identity, drawn blocks, print size,
    language, title and author). Every part is a frozen dataclass or plain value, so its
    repr holds all of its fields."""
    return hashlib.sha256(_printed(prepared).encode("utf-8", "surrogatepass")).hexdigest()


def check_key(prepared: Any, where: str, output: str | None = None) -> str:
    """Everything the layout step's result for an output is made from besides the program,
    its fonts and the logo's bytes (layoutcache.py): the PDF's inputs (its
    :func:`output_key`, ``output`` when the caller has it), the dates the layout checks read
    the printed dates against, and the name a failure is listed under."""
    pack = prepared.pack
    return repr((output or output_key(prepared), prepared.request.procedure_date,
                 pack.format_locale, sorted(pack.dates.items()), where))


def _printed(prepared: Any) -> str:
    """Everything the PDF of a prepared request is made from, as text (output_key)."""
    return repr((prepared.layouts, prepared.ident, prepared.extras,
                 prepared.request.large_print, prepared.request.procedure, prepared.pack.code,
                 prepared.author))


def _layout_problems(handouts: Any, prepared: Any, pattern: str,
                     pages: dict[tuple[Any, ...], dict[str, int]],
                     key: tuple[str, str, str, str]) -> list[Problem]:
    """The layout checks (layout_checks.py) on one rendered combination, named by section;
    the page budget applies to the standard case (1 or 2 levels, every option), large
    print to the same case in normal print, bilingual to the case in one language."""
    from .layout_checks import budget_problems

    found = [p for h in handouts for p in h.problems]
    counts = {h.kind: h.count for h in handouts}
    large, bilingual = prepared.request.large_print, prepared.request.bilingual
    pages[(*key, large, bilingual)] = counts
    found += budget_problems(counts, pages.get((*key, False, bilingual)) if large else None,
                             prepared.pack.code, pattern in STANDARD_PATTERNS,
                             pages.get((*key, large, False)) if bilingual else None)
    where = f" ({pattern}, {'large print' if large else 'normal print'}" \
        f"{', bilingual' if bilingual else ''})"
    return [Problem(p.file, None, p.message + where, p.severity) for p in found]


STANDARD_PATTERNS = ("1 level", "2 levels")
BILINGUAL_ANESTHESIA = "sedation"
