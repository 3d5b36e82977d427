"""Layout checks, measured from the printed PDF (text positions read back by pdftext.py).

The document model says what should be printed; these checks read where it *was* printed:
the one-page summary on page 1, the page budget, how full each page is, warning tiers and
the teach-back checklist kept whole, headings kept with their first lines, no bullet alone
on a page, nothing under the footer rule, no text printed over other text, dates on one
line and in calendar order.

Used by ``templates check`` (checks.py, with the section named) and by the test suite over
the combination matrix. Never called by a render: a render stays fast. Qt-free.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .pdftext import read_pdf
from .render import document as d
from .render.fonts import FONT, FONT_BOLD, register_fonts, text_width
from .render.language import day_text, sentence_start
from .render.pdf import TIER_KINDS, PageIdentity, is_tier

if TYPE_CHECKING:
    from .engine import Prepared

MIN_FILL = 0.40  # every page but the last of a handout is at least this full
#: Page budget of the standard case (1-2 levels, every option, normal print), in pages
#: (Letter or A4), and the most large print may take compared with normal print.
BUDGET = {"discharge": 4, "recovery": 4}
LARGE_PRINT_FACTOR = 2.5
#: Bilingual print (each section, then its English) takes at most this many times the
#: pages of the same case in the patient's language alone (the drawings, signatures and
#: diary print once, so it is usually less).
BILINGUAL_FACTOR = 2.0
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Line:
    """One run of text as drawn: page (0-based in the PDF), baseline start, size."""

    page: int
    x: float
    y: float
    size: float
    text: str
    width: float
    offset: float = 0.0  # how far this run starts after the line's start

    @property
    def top(self) -> float:
        return self.y + self.size * 0.76

    @property
    def bottom(self) -> float:
        return self.y - self.size * 0.24


@dataclass
class Page:
    index: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y
    header_rule: float = 0.0
    footer_rule: float = 0.0
    body: list[Line] = field(default_factory=list)
    label: tuple[int, int] | None = None  # "Page n of m"
    label_lines: list[Line] = field(default_factory=list)  # its runs


@dataclass(frozen=True)
class LayoutProblem:
    file: str  # the section's template (or the handout) the problem is in
    message: str
    severity: str = "error"  # or "warning": allowed, but worth a look


@dataclass
class HandoutPages:
    kind: str
    pages: list[Page]
    problems: list[LayoutProblem] = field(default_factory=list)
    kept_starts: set[int] = field(default_factory=set)  # pages opening with a kept piece
    opens: dict[int, str] = field(default_factory=dict)  # page -> section printed first on it

    @property
    def count(self) -> int:
        return len(self.pages)


# -- reading the PDF -------------------------------------------------------------------------
def read_pages(pdf: bytes) -> list[Page]:
    """Text runs and horizontal rules of every page, in drawing order (pdftext.py walks
    the content streams; tests/layout_reference.py is the pypdf reader it replaced)."""
    register_fonts()
    pages: list[Page] = []
    for n, pt in enumerate(read_pdf(pdf)):
        page = Page(n, pt.width, pt.height, rules=pt.rules)
        for text, cm, tm, base, size in pt.runs:
            add_run(page, text, cm, tm, base, size)
        pages.append(page)
    return pages


def add_run(page: Page, t: str, cm: list[float], tm: list[float], base: str,
            size: float) -> None:
    """One run of text as the PDF reader reports it (where it started, in which font)."""
    t = t.replace("\n", "")
    if not t.strip():
        return
    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    last = page.lines[-1] if page.lines else None
    if last is not None and last.y == y and abs(last.x - last.offset - x) < 0.01:
        # a second run on the same line (bold, then regular; or a run in another script's
        # font): a run is reported where its line started, not moved by the width of the
        # run before it (compared with a tolerance: a third run's x is a sum)
        offset = last.offset + last.width
        x += offset
    else:
        offset = 0.0
    real = size * ((tm[3] * cm[3]) or 1.0)
    # per run, as printed: Chinese and Korean runs in their own fonts
    w = text_width(t, FONT_BOLD if "Bold" in base else FONT, real)
    page.lines.append(Line(page.index, x, y, real, t, w, offset))


def _furniture(pages: list[Page], label_re: re.Pattern[str]) -> None:
    """Find each page's header and footer rules and its "Page n of m" label."""
    for page in pages:
        found = _find_label(page.lines, label_re)
        label = found[0][0] if found else None
        if found:
            page.label_lines, m = found
            page.label = (int(m.group("page")), int(m.group("pages")))
        wide = [r for r in page.rules if r[1] - r[0] > page.width * 0.6]
        page.header_rule = max((r[2] for r in wide), default=page.height)
        above_label = [r[2] for r in wide if label is None or r[2] > label.top]
        page.footer_rule = min(above_label, default=0.0)
        page.body = [ln for ln in page.lines
                     if ln.bottom > page.footer_rule - 0.5 and ln.top < page.header_rule + 0.5]


def _find_label(lines: list[Line],
                label_re: re.Pattern[str]) -> tuple[list[Line], re.Match[str]] | None:
    """The runs of the page label and its match. A label in more than one font ("第 1 页，
    共 4 页": the digits in DejaVu) or font subset is several runs on one baseline, so
    runs drawn one after another on the same baseline are read together."""
    for i, first in enumerate(lines):
        text = ""
        for j in range(i, len(lines)):
            if lines[j].y != first.y:
                break
            text += lines[j].text
            m = label_re.fullmatch(text.strip())
            if m:
                return lines[i:j + 1], m
    return None


def _label_regex(page_label: str) -> re.Pattern[str]:
    """The page label as a pattern with groups "page" and "pages", in the order the
    language writes them ("Page {page} of {pages}", "{pages}쪽 중 {page}쪽"), spaces optional."""
    parts = re.split(r"\{(page|pages)\}", page_label)  # text, name, text, name, text
    # spaces may be missing from the text read back (a space inside a Chinese run)
    return re.compile("".join(f"(?P<{p}>\\d+)" if i % 2 else
                              r"\s*".join(re.escape(w) for w in p.split(" "))
                              for i, p in enumerate(parts)))


Reader = Callable[[bytes], list[Page]]


def split_handouts(pdf: bytes, prepared: Prepared,
                   read: Reader | None = None) -> list[HandoutPages]:
    """The PDF's pages, grouped per handout by the footer's page numbers (read with
    ``read``, by default :func:`read_pages`)."""
    pages = (read or read_pages)(pdf)
    _furniture(pages, _label_regex(prepared.ident.page_label))
    out: list[HandoutPages] = []
    kinds = [h.kind for h in prepared.layouts]
    for page in pages:
        if page.label is None:  # an empty back page (duplex)
            continue
        if page.label[0] == 1 or not out:
            out.append(HandoutPages(kinds[min(len(out), len(kinds) - 1)], []))
        out[-1].pages.append(page)
    return out


# -- locating the model's text in the printed text -------------------------------------------
def _squash(text: str) -> str:
    return _WS.sub("", text)


class _Stream:
    """The body text of a handout's pages in drawing order, without spaces, so text that
    wrapped over lines (or pages) is found whole."""

    def __init__(self, pages: Sequence[Page]) -> None:
        self.lines: list[Line] = [ln for p in pages for ln in p.body]
        chunks, owner = [], []
        for i, ln in enumerate(self.lines):
            t = _squash(ln.text)
            chunks.append(t)
            owner.extend([i] * len(t))
        self.text = "".join(chunks)
        self.owner = owner
        self.cursor = 0

    def find(self, text: str, advance: bool = True) -> tuple[int, int] | None:
        """First and last line index of ``text`` after the cursor (which moves past it,
        unless ``advance`` is False: a drawing prints after the text beside it)."""
        needle = _squash(text)
        if not needle:
            return None
        at = self.text.find(needle, self.cursor)
        if at < 0:
            return None
        if advance:
            self.cursor = at + len(needle)
        return self.owner[at], self.owner[at + len(needle) - 1]


@dataclass
class _Placed:
    block: d.Block
    first: int  # line indexes in the stream
    last: int
    parts: list[tuple[int, int]] = field(default_factory=list)  # (first, last) per part


def _block_texts(block: d.Block, prepared: Prepared) -> list[str]:
    e = prepared.extras
    if isinstance(block, d.Box):
        return [t for b in block.blocks for t in _block_texts(b, prepared)]
    if isinstance(block, d.Table):
        return [d.plain_text(c) for row in block.rows for c in row if c.strip()]
    if isinstance(block, d.Directive):
        if block.name == "signatures":
            return list(e.signature_labels)
        if block.name == "diary":
            return list(e.diary_header) + list(e.diary_days)
        if block.name == "qr" and e.portal_url and e.qr_caption:
            return [e.qr_caption]
        if block.name == "spine" and e.spine_key:  # the top label, then the caption
            return [e.spine_key[0], e.spine_caption]
        return []
    return [d.plain_text(block.text)]


def _place(section: d.Section, stream: _Stream, prepared: Prepared,
           problems: list[LayoutProblem]) -> list[_Placed]:
    placed: list[_Placed] = []
    for block in section.blocks:
        texts = _block_texts(block, prepared)
        if not texts:
            continue
        parts = []
        drawing = block == d.Directive("spine")
        for t in texts:
            found = stream.find(t, advance=not drawing)
            if found is None and drawing and t == prepared.extras.spine_caption and \
                    prepared.extras.levels and prepared.extras.spine_legend:
                # where space is tight the layout prints the short caption ("Treated")
                # and the drawing labels each level
                found = stream.find(prepared.extras.spine_legend, advance=False)
            if found is None:
                problems.append(LayoutProblem(section.source, "some text of this section is "
                                              f"not on the printed page: “{t[:40]}”"))
                continue
            parts.append(found)
        if parts:
            placed.append(_Placed(block, parts[0][0], parts[-1][1], parts))
    return placed


# -- the checks ------------------------------------------------------------------------------
def check_handouts(pdf: bytes, prepared: Prepared,
                   read: Reader | None = None) -> list[HandoutPages]:
    """Every layout check on one rendered PDF (one or several handouts); ``read`` is the
    PDF reader (tests compare the pypdf reference with :func:`read_pages`)."""
    handouts = split_handouts(pdf, prepared, read)
    by_kind = {h.kind: h for h in prepared.layouts}
    for hp in handouts:
        layout = by_kind[hp.kind]
        probs = hp.problems
        stream = _Stream(hp.pages)
        body_h = hp.pages[0].header_rule - hp.pages[0].footer_rule if hp.pages else 1.0
        large = prepared.request.large_print
        for s_no, section in enumerate(layout.sections):
            placed = _place(section, stream, prepared, probs)
            if placed:
                _check_section(section, placed, stream.lines, large, body_h, probs,
                               first=s_no == 0)
                hp.kept_starts |= _kept_starts(placed, stream.lines)
                for pl in placed:
                    hp.opens.setdefault(stream.lines[pl.first].page, section.source)
        _check_pages(hp, prepared, probs)
        _check_dates(layout, hp, prepared, probs)
    return handouts


def _kept_starts(placed: list[_Placed], lines: list[Line]) -> set[int]:
    """Pages that open with a piece that stays whole (warning tiers, the checklist with
    its signatures, or the part of a checklist that must stay with them)."""
    spans = [(run[0].first, run[-1].last) for kind, run in _runs(placed) if kind != "list"]
    spans += [(p.first, p.last) for p in placed if isinstance(p.block, d.Box)]
    out = set()
    for first, last in spans:
        # at the top of its page, or under a heading and a line or two there
        before = {round(ln.y) for ln in lines[max(0, first - 8):first]
                  if ln.page == lines[first].page and round(ln.y) != round(lines[first].y)}
        if len(before) < 4:
            out.add(lines[first].page)
        out.update(lines[i].page for i in range(first + 1, last + 1)
                   if lines[i].page != lines[i - 1].page)
    return out


def _page(lines: list[Line], i: int) -> int:
    return lines[i].page


def _height(lines: list[Line], first: int, last: int) -> float:
    """Printed height of lines first..last, summed over the pages they sit on."""
    total, start = 0.0, first
    for i in range(first, last + 1):
        if i == last or lines[i + 1].page != lines[i].page:
            total += lines[start].top - min(ln.bottom for ln in lines[start:i + 1])
            start = i + 1
    return total


def _check_section(section: d.Section, placed: list[_Placed], lines: list[Line],
                   large: bool, body_h: float, probs: list[LayoutProblem], first: bool) -> None:
    src = section.source

    def add(msg: str) -> None:
        probs.append(LayoutProblem(src, msg))

    blocks = section.blocks
    # a one-page section (it ends with @pagebreak): the summary
    if blocks and blocks[-1] == d.Directive("pagebreak"):
        # the drawing may print after the text that follows it (large print): the span
        # runs from the earliest to the latest page of any piece
        start = min(_page(lines, p.first) for p in placed)
        span = max(_page(lines, p.last) for p in placed) - start + 1
        allowed = 2 if large else 1
        if span > allowed or (first and start != lines[0].page):
            add(f"this one-page section takes {span} pages (at most {allowed}); shorten it")
    for n, p in enumerate(placed):
        b = p.block
        # each warning tier in one piece; the drawing with its caption
        if isinstance(b, d.Box) and _page(lines, p.first) != _page(lines, p.last):
            add(f"the '::: {b.kind}' box is split over two pages")
        if b == d.Directive("spine") and _page(lines, p.first) != _page(lines, p.last):
            add("the spine drawing and its caption are on different pages")
        # a heading keeps its first two lines
        after = [q for q in placed[n + 1:] if q.block != d.Directive("spine")]
        if isinstance(b, d.Heading) and after:
            nxt = after[0]
            want = min(nxt.first + 1, nxt.last)
            if _page(lines, want) != _page(lines, p.last):
                add(f"the heading “{d.plain_text(b.text)[:40]}” is at the bottom of a page, "
                    "away from the lines under it")
        # a paragraph or bullet never leaves one line alone on a page
        if isinstance(b, d.Paragraph | d.Bullet | d.Checkbox) and p.last > p.first:
            pages = [lines[i].page for i in range(p.first, p.last + 1)]
            if pages[0] != pages[-1] and (pages.count(pages[0]) < 2 or
                                          pages.count(pages[-1]) < 2):
                add("a line of a paragraph stands alone on a page (widow)")
    # runs: bullets, warning tiers, the checklist with its signatures
    runs = _runs(placed)
    for kind, run in runs:
        first_p, last_p = _page(lines, run[0].first), _page(lines, run[-1].last)
        if kind == "list" and len(run) >= 3 and (
                _page(lines, run[-1].first) != _page(lines, run[-2].last)
                or _page(lines, run[0].last) != _page(lines, run[1].first)):
            add("a bullet stands alone at the top or bottom of a page")
        if first_p == last_p or kind == "list":
            continue
        # the signature block's writing space is not text: allow for it
        room = body_h * (0.7 if kind == "checklist" else 0.85)
        # a piece moves with its heading (and the line under it): do both fit on a page?
        at = placed.index(run[0])
        start = run[0].first
        for prev in reversed(placed[max(0, at - 2):at]):
            if isinstance(prev.block, d.Heading | d.Paragraph):
                start = prev.first
                if isinstance(prev.block, d.Heading):
                    break
            else:
                break
        fits = _height(lines, start, run[-1].last) < room
        if kind == "tiers" and fits:
            add("the warning boxes are split over two pages; they fit on one")
        if kind == "checklist":
            last_item = run[-2] if len(run) > 1 else run[-1]
            if _page(lines, last_item.first) != last_p:
                add("the signature block is on another page than its checklist")
            elif fits:
                add("the checklist and its signature block are split over two pages; they "
                    "fit on one")


def _runs(placed: list[_Placed]) -> list[tuple[str, list[_Placed]]]:
    runs: list[tuple[str, list[_Placed]]] = []
    i = 0
    while i < len(placed):
        b = placed[i].block
        j = i + 1
        if isinstance(b, d.Bullet):
            while j < len(placed) and isinstance(placed[j].block, d.Bullet):
                j += 1
            runs.append(("list", placed[i:j]))
        elif isinstance(b, d.Box) and b.kind in TIER_KINDS:
            while j < len(placed):
                nb = placed[j].block
                if isinstance(nb, d.Box) and nb.kind in TIER_KINDS:
                    j += 1
                elif isinstance(nb, d.Paragraph) and j + 1 < len(placed) and \
                        is_tier(placed[j + 1].block):
                    j += 2
                else:
                    break
            if j - i > 1:
                runs.append(("tiers", placed[i:j]))
        elif isinstance(b, d.Checkbox):
            while j < len(placed) and isinstance(placed[j].block, d.Checkbox | d.Paragraph):
                j += 1
            if j < len(placed) and placed[j].block == d.Directive("signatures"):
                j += 1
                runs.append(("checklist", placed[i:j]))
        i = max(j, i + 1)
    return runs


def _check_pages(hp: HandoutPages, prepared: Prepared, probs: list[LayoutProblem]) -> None:
    ident = prepared.ident
    furniture = [_squash(t) for t in (ident.clinic_name, ident.clinic_phone_line,
                                      ident.clinic_phone_bare, ident.clinic_phone_short,
                                      *ident.clinic_phones, *ident.patient_lines,
                                      ident.notice) if t]
    label_re = _label_regex(ident.page_label)
    where = f"{prepared.pack.code}/{hp.kind}"
    for n, page in enumerate(hp.pages, 1):
        cut = _header_cut(page, ident)
        if cut:
            probs.append(LayoutProblem(where, f"page {n}: the header does not show {cut} "
                                       "whole (a line is cut)"))
        # nothing but the footer under the footer rule (and the header above the header's)
        # body and label runs are runs of page.lines: known by identity (an equality test
        # of every run against every other was a third of this function's time)
        inside = {id(ln) for ln in page.body} | {id(ln) for ln in page.label_lines}
        for ln in page.lines:
            if id(ln) in inside or label_re.fullmatch(ln.text.strip()):
                continue
            t = _squash(ln.text)
            if not any(t in f for f in furniture):
                probs.append(LayoutProblem(where, f"page {n}: text is printed over the header "
                                           "or under the footer rule"))
                break
        # no text over other text
        if _overlapping(page.body):
            probs.append(LayoutProblem(where, f"page {n}: text is printed over other text"))
        # every page but the last is at least MIN_FILL full
        if n < len(hp.pages) and page.body:
            fill = (page.header_rule - min(ln.bottom for ln in page.body)) / \
                (page.header_rule - page.footer_rule)
            nxt = hp.opens.get(hp.pages[n].index, where)  # what moved to the next page
            if fill < MIN_FILL and hp.pages[n].index in hp.kept_starts:
                probs.append(LayoutProblem(nxt, f"page {n} is only {fill:.0%} full: the "
                                           "warning boxes or the checklist that follow stay "
                                           "in one piece; shorten the text before them",
                                           "warning"))
            elif fill < MIN_FILL:
                probs.append(LayoutProblem(nxt, f"page {n} is only {fill:.0%} full (at "
                                           f"least {MIN_FILL:.0%} on all but the last page); "
                                           "this section starts the next page"))
    # the diary's dates each on one line
    rows: dict[tuple[int, float], list[Line]] = {}  # runs of one line (one font each)
    for p in hp.pages:
        for ln in p.body:
            rows.setdefault((p.index, round(ln.y, 1)), []).append(ln)
    lines = {ln.text.strip() for p in hp.pages for ln in p.body} | {
        "".join(ln.text for ln in sorted(row, key=lambda r: r.x)).strip()
        for row in rows.values()}
    for day in prepared.extras.diary_days if hp.kind == "recovery" else ():
        if not any(day in t for t in lines):
            probs.append(LayoutProblem(where, f"the diary date “{day}” does not fit on one "
                                       "line"))
            break
    if hp.kind == "recovery":
        _check_diary_end(hp, prepared, where, probs)


def _check_diary_end(hp: HandoutPages, prepared: Prepared, where: str,
                     probs: list[LayoutProblem]) -> None:
    """A diary continued from an earlier page ends with at least two of its days (never one
    row alone with the QR code), and the QR code never stands alone on the last page."""
    days = set(prepared.extras.diary_days)
    per_page = [sum(1 for ln in p.body if ln.text.strip() in days) for p in hp.pages]
    with_days = [n for n, count in enumerate(per_page) if count]
    if len(with_days) > 1 and per_page[with_days[-1]] < 2:
        probs.append(LayoutProblem(where, f"page {with_days[-1] + 1}: the diary ends with "
                                   "one day alone on its page"))
    caption = _squash(prepared.extras.qr_caption) if prepared.extras.qr_caption else ""
    last = hp.pages[-1].body if hp.pages else []
    if caption and last and len(hp.pages) > 1 and \
            caption.startswith(_squash(" ".join(ln.text for ln in last))):
        probs.append(LayoutProblem(where, f"page {len(hp.pages)}: the QR code stands alone on "
                                   "the last page"))


def _header_cut(page: Page, ident: PageIdentity) -> str:
    """What of the clinic name and phone numbers the page header does not print whole
    (read from the text above the header rule), or ""."""
    head = [ln for ln in page.lines if ln.bottom >= page.header_rule - 0.5]
    if any(ln.x < -0.5 or ln.x + ln.width > page.width + 0.5 for ln in head):
        return "its lines inside the page"
    text = "".join(_squash(ln.text) for ln in sorted(head, key=lambda ln: (-ln.y, ln.x)))
    name = _squash(ident.clinic_name)
    if name and name not in text:
        return "the clinic name"
    for phone in ident.clinic_phone_bare.split(" · "):
        if _squash(phone) and _squash(phone) not in text:
            return f"the phone number {phone}"
    return ""


def _overlapping(body: list[Line]) -> bool:
    """Two runs of text whose boxes overlap (by more than a third of the type size)."""
    lines = sorted(body, key=lambda ln: -ln.y)
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if b.top < a.bottom:
                break  # this one and all after it are lower than a
            overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
            if overlap > 0.3 * min(a.size, b.size) and a.x < b.x + b.width - 0.5 and \
                    b.x < a.x + a.width - 0.5:
                return True
    return False


def _date_parser(prepared: Prepared) -> dict[str, dt.date]:
    start = prepared.request.procedure_date
    lang = prepared.pack.format_locale
    # the day form, and the calendar's own shorter form where a pack has one
    forms = {prepared.pack.dates.get("day"), prepared.pack.dates.get("calendar",
                                                                   prepared.pack.dates.get("day"))}
    out = {}
    for n in range(-7, 400):  # inside a sentence and as a calendar row starts it
        when = start + dt.timedelta(days=n)
        for form in forms:
            text = day_text(when, lang, form)
            out[_squash(text)] = out[_squash(sentence_start(text))] = when
    return out


def _check_dates(layout: object, hp: HandoutPages, prepared: Prepared,
                 probs: list[LayoutProblem]) -> None:
    """Calendar tables (first column all dates) print their dates in calendar order."""
    dates = _date_parser(prepared)
    stream = _Stream(hp.pages)
    for section in getattr(layout, "sections", ()):
        for block in section.blocks:
            if not isinstance(block, d.Table) or len(block.rows) < 3:
                continue
            cells = [_squash(d.plain_text(r[0])) for r in block.rows[1:]]
            if not all(c in dates for c in cells):
                continue
            printed: list[tuple[int, dt.date]] = []
            for c in cells:
                at = stream.text.find(c, stream.cursor)
                if at >= 0:
                    printed.append((at, dates[c]))
            order = [day for _, day in sorted(printed)]
            if order != sorted(order):
                probs.append(LayoutProblem(section.source, "the dates of the calendar are not "
                                           "in calendar order"))


def budget_problems(counts: dict[str, int], normal_counts: dict[str, int] | None,
                    language: str, standard: bool,
                    single_counts: dict[str, int] | None = None) -> list[LayoutProblem]:
    """Page budget: the standard case fits BUDGET; large print takes at most
    LARGE_PRINT_FACTOR times the pages of the same case in normal print. A bilingual
    print (``single_counts``: the same case in the patient's language alone) takes at most
    BILINGUAL_FACTOR times those pages; the standard budget is for one language."""
    out = []
    for kind, n in (single_counts or {}).items():
        if kind in counts and counts[kind] > BILINGUAL_FACTOR * n:
            out.append(LayoutProblem(f"{language}/{kind}", f"{counts[kind]} pages in "
                                     f"bilingual print, more than {BILINGUAL_FACTOR:g} times "
                                     f"the {n} in one language"))
    for kind, n in counts.items():
        if standard and normal_counts is None and single_counts is None and \
                n > BUDGET.get(kind, n):
            out.append(LayoutProblem(f"{language}/{kind}", f"{n} pages in the standard case "
                                     f"(at most {BUDGET[kind]}); remove repetition"))
        if normal_counts and kind in normal_counts and \
                n > LARGE_PRINT_FACTOR * normal_counts[kind]:
            out.append(LayoutProblem(f"{language}/{kind}", f"{n} pages in large print, more "
                                     f"than {LARGE_PRINT_FACTOR:g} times the "
                                     f"{normal_counts[kind]} of normal print"))
    return out


def problems_of(handouts: Iterable[HandoutPages]) -> list[LayoutProblem]:
    return [p for h in handouts for p in h.problems]
