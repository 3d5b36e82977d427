"""Document model -> PDF bytes with ReportLab platypus.

Layout lives here (fonts, sizes, colours, header and footer, the spine drawing, tables);
the words come from the templates. Output is deterministic (``invariant``) so the same
request and version give byte-identical PDFs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Indenter,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import _listWrapOn

from .._meta import APP_NAME, __version__
from . import document as d
from . import tagging
from .document import escape
from .drawings import QrCode, SpineDrawing
from .fonts import (
    FONT,
    FONT_BOLD,
    FallbackFragments,
    OneLineCJK,
    draw_text,
    fit_lines,
    register_fonts,
    text_width,
    word_wrap_for,
)
from .style import (
    BOX,
    BOX_STYLE,
    COPY,
    COPY_TEXT,
    FIGURE,
    FURNITURE,
    HEADING,
    MUTED,
    PAGE,
    PAPER,
    RULE,
    SHADE,
    TABLE,
    TEXT,
    TREATED,
    Styles,
)
from .tagging import Table  # ReportLab's, with rules and backgrounds as artifacts

_KEY_BREAK = re.compile(r"(?<=[.,;])\s+")  # the spine key prints one idea a line
MIN_FILL = 0.40  # a page is at least this full before a forced page break
TIER_KINDS = ("911", "call", "watch")  # warning tiers: each box, and a run of them, stays whole


@dataclass(frozen=True)
class PageIdentity:
    """What every page shows: clinic header, patient identifiers, handout name."""

    clinic_name: str
    clinic_phone_line: str
    logo: Path | None
    patient_lines: tuple[str, ...]  # e.g. ("Patient: Ana Diaz", "Date of birth: ... · MRN: ...")
    page_label: str  # "Page {page} of {pages}"
    notice: str = ""  # e.g. the sample-content notice, printed under the identifiers
    clinic_phone_bare: str = ""  # the numbers without labels (what the checks look for)
    clinic_phone_short: str = ""  # short labels ("Day: ... · Night: ..."), when the long is long
    clinic_phones: tuple[str, ...] = ()  # each labelled number, one a line when none fits


@dataclass(frozen=True)
class HandoutLayout:
    kind: str
    title: str
    subtitle: str
    notices: tuple[str, ...]  # escaped paragraph text shown in a note box under the title
    sections: tuple[d.Section, ...]


@dataclass(frozen=True)
class Extras:
    """Data the program-drawn blocks need (spine, QR, signatures, diary)."""

    levels: tuple[str, ...]
    level_count: int
    spine_caption: str
    portal_url: str
    signature_labels: tuple[str, ...]
    diary_header: tuple[str, ...]
    diary_days: tuple[str, ...]
    spine_key: tuple[str, ...] = ()  # top label ("Neck (C)"), then lines under the caption
    spine_legend: str = ""  # short caption ("Treated") when space is tight; levels are labelled
    qr_caption: str = ""  # printed under the QR code: what it opens and the address
    spine_alt: str = ""  # the drawing's description for screen readers (/Alt)
    qr_alt: str = ""  # the QR code's: where it leads
    spine_alt_lang: str = ""  # the language of those, when not the handout's
    paper: str = "Letter"  # clinic parameter ``paper``: Letter or A4


class _Para(tagging.Marked, OneLineCJK, FallbackFragments, RLParagraph):
    """A paragraph that remembers its line breaks for the last width it was wrapped at:
    the layout measures pieces before placing them, and ReportLab wraps table cells more
    than once; the height of a paragraph depends only on its width. Runs in a script DejaVu
    Sans lacks print in a fallback font (fonts.FallbackFragments); the nurse's free text (the
    model's free-text runs) is tagged as a Span in its own language (tagging.run_markup)."""

    def __init__(self, text: str | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(tagging.run_markup(text) if text else text, *args, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # keyed by id too (the halves of a split paragraph start as copies of it); a
        # split that gives up drops blPara, and then the lines are broken again
        key = (availWidth, id(self))
        if self.__dict__.get("_dd_key") == key and "blPara" in self.__dict__:
            return self.width, self.height
        w, h = super().wrap(availWidth, availHeight)
        self._dd_key = key
        return w, h


class _Rule(Flowable):
    """A thin horizontal rule across the frame (an artifact in the tagged PDF)."""

    def __init__(self, colour: Any, thickness: float, space_before: float) -> None:
        super().__init__()
        self.colour, self.thickness = colour, thickness
        self.spaceBefore = space_before

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.thickness

    def draw(self) -> None:
        tags = tagging.tags_of(self.canv)
        if tags is not None:
            with tags.artifact(self.canv):
                self._line()
        else:
            self._line()

    def _line(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)
        self.canv.restoreState()


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """Table style that never falls back to Helvetica (empty cells still set a font)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


# -- page furniture -------------------------------------------------------------------------
class _NumberedCanvas(tagging.TaggingCanvas, Canvas):
    """Defers page furniture to save time so the footer can say "Page N of M" per handout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dd_pages: list[dict[str, Any]] = []
        self._dd_furniture: tuple[str, Callable[[Canvas, int, int], None]] | None = None
        self.page_totals: dict[str, int] = {}

    def showPage(self) -> None:
        self._dd_pages.append(dict(self.__dict__))
        self.tag_next_page()
        self._startPage()

    def save(self) -> None:
        totals: dict[str, int] = {}
        for state in self._dd_pages:
            kind = state["_dd_furniture"][0]
            totals[kind] = totals.get(kind, 0) + 1
        seen: dict[str, int] = {}
        for state in self._dd_pages:
            self.__dict__.update(state)
            kind, draw = self._dd_furniture  # type: ignore[misc]
            seen[kind] = seen.get(kind, 0) + 1
            with self.pagination():
                draw(self, seen[kind], totals[kind])
            super().showPage()
        super().save()
        self.page_totals = totals  # after the loop: restoring page states resets attributes


def _fit_lines(text: str, font: str, size: float, width: float) -> list[str]:
    return fit_lines(text, font, size, width)  # per-run widths, breaks between CJK characters


class _LogoReader(ImageReader):
    """ReportLab's image reader for the clinic logo (a PNG or JPEG: the clinic profile
    refuses anything else), with Pillow opening the file by its path: ReportLab hands Pillow
    the bytes without a file name, and Pillow then first imports five format plugins (BMP,
    GIF, JPEG, PPM, PNG: about 10 ms of each cold command) instead of the one the file
    name says. The pixels are decoded here, which also closes the file."""

    def _read_image(self, fp: Any) -> Any:
        from PIL import Image

        image = Image.open(self.fileName, formats=("PNG", "JPEG"))
        image.load()
        return image

class _Furniture:
    def __init__(self, ident: PageIdentity, styles: Styles, kind: str,
                 page: tuple[float, float] = PAGE) -> None:
        self.ident, self.styles, self.kind, self.page = ident, styles, kind, page
        self.size = styles.size
        self.margin = styles.margin
        self.width = page[0] - 2 * self.margin
        self.footer_lines = self._footer_lines()
        self.notice_lines = len(_fit_lines(ident.notice, FONT, self.size, self.width)) \
            if ident.notice else 0
        self._logo: ImageReader | None = None
        self.logo_w = 0.0
        if ident.logo is not None:  # read once per handout, not once per page
            self._logo = _LogoReader(str(ident.logo))
            iw, ih = self._logo.getSize()
            self.logo_w = min(iw * self._logo_h / ih,
                              self.width * FURNITURE.logo_max_share)
        self.name_lines, self.phone_lines = self._header_lines()

    def _header_lines(self) -> tuple[list[str], list[str]]:
        """The clinic name and phones, right of the logo, never cut: a long name wraps;
        labelled phones that do not fit one line take their short labels, then one line
        per number (a number is never split from its label)."""
        size = self.size
        avail = self.width - (self.logo_w + size * FURNITURE.logo_gap if self.logo_w else 0)
        names = _fit_lines(self.ident.clinic_name, FONT_BOLD, size, avail)

        def fits(text: str) -> bool:
            return text_width(text, FONT, size) <= avail

        ident = self.ident
        for line in (ident.clinic_phone_line, ident.clinic_phone_short):
            if line and fits(line):
                return names, [line]
        phones: list[str] = []
        parts = ident.clinic_phones or (ident.clinic_phone_line,)
        if ident.clinic_phone_short:
            parts = tuple(ident.clinic_phone_short.split(" · "))
        for part in parts:
            phones.extend(_fit_lines(part, FONT, size, avail))
        return names, phones

    def _footer_lines(self) -> list[str]:
        """Compact footer: the first identifier shares its row with the page number; the
        others fill the full width, wrapped between identifiers (" · ") rather than inside
        one where they can be."""
        lines: list[str] = []
        w = self.width
        for text in self.ident.patient_lines:
            if not text:
                continue
            if lines:
                row = ""
                for item in text.split(" · "):
                    joined = f"{row} · {item}" if row else item
                    if text_width(joined, FONT, self.size) <= w:
                        row = joined
                        continue
                    if row:
                        lines.append(row)
                    *full, row = _fit_lines(item, FONT, self.size, w)
                    lines.extend(full)
                if row:
                    lines.append(row)
                continue
            # room left of the page number (as wide as "Page 99 of 99" can be)
            label = text_width(self.ident.page_label.format(page=99, pages=99), FONT,
                                self.size) + self.size
            first = _fit_lines(text, FONT, self.size,
                               min(w * FURNITURE.footer_first_share, w - label))
            lines.append(first[0])
            if len(first) > 1:
                rest = " ".join(first[1:])
                lines.extend(_fit_lines(rest, FONT, self.size, w))
        if self.ident.notice:
            lines.extend(_fit_lines(self.ident.notice, FONT, self.size, w))
        return lines

    @property
    def header_height(self) -> float:
        """Two lines (name, phones) at the standard height; each further line adds one."""
        extra = len(self.name_lines) + len(self.phone_lines) - 2
        base = FURNITURE.large_header_h if self.styles.large else FURNITURE.header_h
        return self.size * (base + max(0, extra) * self._header_pitch)

    @property
    def _logo_h(self) -> float:
        return self.size * (FURNITURE.large_logo_h if self.styles.large else FURNITURE.logo_h)

    @property
    def _header_pitch(self) -> float:
        f = FURNITURE
        return (f.large_phone_drop if self.styles.large else f.phone_drop) - f.name_drop

    @property
    def footer_height(self) -> float:
        return self.size * FURNITURE.footer_line * len(self.footer_lines) + self.size

    def on_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas._dd_furniture = (self.kind, self.draw)  # type: ignore[attr-defined]

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        h = self.page[1]
        size = self.size
        top = h - self.margin
        canvas.saveState()
        if self._logo is not None:
            lh = self._logo_h
            canvas.drawImage(self._logo, self.margin, top - lh, width=self.logo_w, height=lh,
                             mask="auto", preserveAspectRatio=True, anchor="w")
        right = self.margin + self.width
        pitch = size * self._header_pitch
        y = top - size * FURNITURE.name_drop
        canvas.setFillColor(HEADING)
        canvas.setFont(FONT_BOLD, size)
        for line in self.name_lines:
            draw_text(canvas, right, y, line, FONT_BOLD, size, "right")
            y -= pitch
        canvas.setFillColor(TEXT)
        canvas.setFont(FONT, size)
        for line in self.phone_lines:
            draw_text(canvas, right, y, line, FONT, size, "right")
            y -= pitch
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(FURNITURE.rule_pt)
        rule_y = top - self.header_height + size * FURNITURE.header_rule_rise
        canvas.line(self.margin, rule_y, self.margin + self.width, rule_y)
        # footer
        y = self.margin + self.footer_height - size
        rule_y = y + size * FURNITURE.footer_rule_rise
        canvas.line(self.margin, rule_y, self.margin + self.width, rule_y)
        canvas.setFont(FONT, size)
        for i, line in enumerate(self.footer_lines):
            if i >= len(self.footer_lines) - self.notice_lines:
                canvas.setFillColor(MUTED)
            draw_text(canvas, self.margin, y - size * FURNITURE.footer_text_drop
                      - i * size * FURNITURE.footer_line, line, FONT, size)
        canvas.setFillColor(TEXT)
        draw_text(canvas, self.margin + self.width, y - size * FURNITURE.footer_text_drop,
                  self.ident.page_label.format(page=page, pages=pages), FONT, size, "right")
        canvas.restoreState()


# -- blocks ----------------------------------------------------------------------------------
def _trial_pages(flows: Sequence[Flowable], width: float, first: float,
                 frame_h: float) -> int:
    """Pages the flowables take, laid out for real (keep-together groups, page breaks and
    all) in frames of the handout's size: the first with the room left under the title."""
    doc = BaseDocTemplate(io.BytesIO(), pagesize=(width, frame_h), leftMargin=0,
                          rightMargin=0, topMargin=0, bottomMargin=0)
    pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    doc.addPageTemplates([
        PageTemplate(id="first", frames=[Frame(0, frame_h - first, width, first, **pad)],
                     autoNextPageTemplate="rest"),
        PageTemplate(id="rest", frames=[Frame(0, 0, width, frame_h, **pad)])])
    # only the page count is read: the trial's PDF is not written (ReportLab's own trial
    # passes, multiBuild, do the same)
    doc._doSave = 0
    story = [f for f in flows if not isinstance(f, PageBreak)]
    try:
        doc.build(story)
    except LayoutError:  # a piece taller than a page: it does not fit
        return 99
    return int(doc.page)


def _stack_height(flows: Sequence[Flowable], width: float) -> float:
    """Height of flowables stacked in a frame (as platypus lays them out)."""
    return float(_listWrapOn(_unkept(flows), width, None)[1]) if flows else 0.0


def _top_space(flows: Sequence[Flowable]) -> float:
    """The space the frame leaves above the first of ``flows`` after a conditional break."""
    kept = _unkept(flows[:1])
    return float(kept[0].getSpaceBefore()) if kept else 0.0


def _gap(above: Sequence[Flowable], below: Sequence[Flowable]) -> float:
    """The space between two stacked pieces: the frame merges the first one's space after
    with the second one's space before (the larger of the two)."""
    last, first = _unkept(above[-1:]), _unkept(below[:1])
    return max(float(last[-1].getSpaceAfter()) if last else 0.0,
               float(first[0].getSpaceBefore()) if first else 0.0)


def _unkept(flows: Sequence[Flowable]) -> list[Flowable]:
    """The content of KeepTogether groups (whose own wrap() reports a huge height)."""
    out: list[Flowable] = []
    for f in flows:
        if isinstance(f, KeepTogether):
            out.extend(_unkept(f._content))
        elif not isinstance(f, CondPageBreak | PageBreak):  # (incl. @pagebreak)
            out.append(f)
    return out


def _keep(flows: Sequence[Flowable]) -> Flowable:
    """One piece that moves to the next page whole; a piece taller than a page still
    splits (ReportLab lays it out from the top of a fresh page). Groups are flattened:
    a KeepTogether inside another one reports a huge height and always breaks."""
    return KeepTogether(_unkept(flows))


class _EndsTogether(KeepTogether):
    """A table that may continue over pages and the piece printed after it (the QR code
    after the diary): that piece never stands alone at the top of a page. When the table
    fits on the page but the piece does not, the table's last rows (kept together by
    NOSPLIT) move to the next page with it."""

    def __init__(self, table: Table, after: Sequence[Flowable]) -> None:
        super().__init__([table, *after])
        self._table, self._after = table, list(after)

    def split(self, aW: float, aH: float) -> list[Flowable]:
        table_h = self._table.wrap(aW, aH)[1]
        if table_h + _stack_height(self._after, aW) <= aH:
            return [self._table, *self._after]
        parts = self._table.split(aW, min(aH, table_h - 1))
        if len(parts) != 2:  # nothing of it fits here: all of it on the next page
            return []
        return [parts[0], _EndsTogether(parts[1], self._after)]


def is_tier(block: d.Block) -> bool:
    """A warning box: call 911, call the clinic, or watch closely."""
    return isinstance(block, d.Box) and block.kind in TIER_KINDS


class _PageBreakIfFilled(CondPageBreak):
    """``@pagebreak``: a new page, unless the page so far is less than MIN_FILL full (a
    few lines left over from the page before would otherwise sit alone on a page)."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availHeight <= self.height:
            f = self._doctemplateAttr("frame")
            if f:
                from reportlab.platypus.doctemplate import FrameBreak
                f.add_generated_content(FrameBreak)
        return 0, 0


@dataclass
class _Unit:
    """A run of flowables and how much of it must stay with a heading above it."""

    flows: list[Flowable]
    lead: float  # height that must follow a heading on the same page
    lines: int  # text lines in ``lead`` (a heading wants at least 2 below it)
    heading: bool = False
    intro: d.Paragraph | None = None  # a paragraph unit's block (it may join a checklist)
    # a unit kept in one piece: how it may split when it cannot move with its heading
    loose: tuple[list[Flowable], float] | None = None
    tiers: bool = False  # warning tiers


class _Builder:
    def __init__(self, styles: Styles, extras: Extras, width: float, frame_h: float,
                 tags: tagging.Tags | None = None) -> None:
        self.st, self.extras, self.width, self.frame_h = styles, extras, width, frame_h
        self.tags = tags or tagging.Tags("")  # each flowable's structure role
        self.first_room = frame_h  # the one-page section's room on its first page
        self.spine_after_text = False  # large print: the drawing right under the text
        #: the English text's builder: the patient's (the signature block after the
        #: English checklist is in the patient's language, style and line breaking)
        self.own: _Builder | None = None

    def inline(self, block: d.Block, in_box: bool = False) -> list[Flowable]:
        st, tags, lang = self.st, self.tags, tagging.lang_of(block)
        if isinstance(block, d.Heading):
            style = (st.box_h2 if in_box else st.h2) if block.level == 2 else st.h1
            return [tags.heading(_Para(block.text, style), block.level, lang)]
        if isinstance(block, d.Paragraph):
            return [tags.leaf(_Para(block.text, st.body), "P", lang=lang)]
        if isinstance(block, d.Bullet):
            return [tags.item(_Para(block.text, st.bullet, bulletText="•"), "•", lang)]
        if isinstance(block, d.Checkbox):
            return [tags.item(_Para(block.text, st.bullet, bulletText="☐"), "☐", lang)]
        if isinstance(block, d.Table):
            return [self.table(block)]
        if isinstance(block, d.Box):
            return [self.box(block)]
        raise TypeError(type(block).__name__)

    def table(self, block: d.Table) -> Table:
        st = self.st
        rows = [[_Para(c, st.cell_head if r == 0 else st.cell) for c in row]
                for r, row in enumerate(block.rows)]
        ncols = len(block.rows[0])
        if ncols == 2:  # e.g. the calendar: dates on one line where the page allows
            longest = max(text_width(d.plain_text(r[0]), FONT_BOLD if i == 0 else FONT,
                                      st.size) for i, r in enumerate(block.rows))
            longest += TABLE.cell_pad_pt
            first = min(longest, self.width * 0.5)
        else:
            first = self.width / ncols
        widths = [first] + [(self.width - first) / (ncols - 1)] * (ncols - 1) if ncols > 1 \
            else [self.width]
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), TABLE.rule_pt, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("TOPPADDING", (0, 0), (-1, -1), st.size * TABLE.top_pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), st.size * TABLE.bottom_pad),
        ]))
        return self.tags.table(t, head_rows=1)

    def box(self, block: d.Box) -> Flowable:
        """A tinted box with a thick coloured edge, kept whole on one page (one table row
        per block, so a box taller than a page can still continue on the next)."""
        bg, border = BOX_STYLE[block.kind]
        with self.tags.group("Sect", tagging.lang_of(block)):  # a heading announces its tier
            rows = [[f] for b in block.blocks for f in self.inline(b, in_box=True)]
        t = Table(rows or [[""]], colWidths=[self.width], hAlign="LEFT")
        pad = self.st.size * (BOX.tight_pad if self.st.tight else BOX.pad)
        t.setStyle(_table_style([
            ("BACKGROUND", (0, 0), (-1, -1), bg),
            ("LINEBEFORE", (0, 0), (0, -1), self.st.size * BOX.edge, border),
            ("BOX", (0, 0), (-1, -1), BOX.border_pt, border),
            ("LEFTPADDING", (0, 0), (-1, -1), self.st.size * BOX.left_pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, 0), pad),
            ("BOTTOMPADDING", (0, -1), (-1, -1), pad * BOX.bottom_pad),
        ]))
        # spaceAfter (unlike a Spacer) is dropped at the bottom of a page, so a box that
        # just fits never pushes an empty line onto the next page
        t.spaceAfter = self.st.size * BOX.after * self.st.gap
        return KeepTogether([t])

    def _diary_widths(self, header: Sequence[str],
                      first_column: Sequence[str]) -> tuple[list[float], bool]:
        """Column widths where no word breaks and the date stays on one line. When the
        page is too narrow for both (large print), the answer is False: the diary then
        prints each date on its own band above that day's boxes."""
        pad = TABLE.cell_pad_pt
        size = self.st.size

        def longest_word(text: str, font: str) -> float:
            return max(text_width(w, font, size) for w in text.split()) + pad

        first = max(max(text_width(x, FONT, size) for x in first_column),
                    text_width(header[0], FONT_BOLD, size)) + pad
        need = [longest_word(h, FONT_BOLD) for h in header[1:]]
        if first + sum(need) <= self.width:
            spare = self.width - first - sum(need)
            return [first] + [w + spare / len(need) for w in need], True
        spare = max(0.0, self.width - sum(need))
        return [w + spare / len(need) for w in need], False

    # -- sections ---------------------------------------------------------------------------
    def section(self, section: d.Section, avail: float | None = None) -> list[Flowable]:
        if section.english_copy:
            return self._english_copy(section)
        with self.tags.group("Sect", tagging.lang_of(section)):
            return self._section(section, avail)

    def _english_copy(self, section: d.Section) -> list[Flowable]:
        """The clinic's English text of a section (bilingual print), set apart from the
        patient's text before it: a rule, the label in the patient's language ("英文原文
        · English"), then the English (indented by COPY.indent) in grey with quieter
        headings, at the same type size (st.english_copy styles), broken at spaces. In
        large print its blocks take the tight spacing (Styles ``tight``: less space between
        blocks and in the warning boxes, never a smaller type): the copy is for staff and
        family to check against, and at full spacing the English warning tiers of a
        large-print Korean recovery plan spilled onto a page of their own (15 pages against
        7 in one language). Normal print keeps its spacing: tight, the Chinese and Korean
        copies left pages under 40% full before the pieces kept whole."""
        st = self.st
        indent = st.size * COPY.indent
        english = _Builder(Styles(st.large, tight=st.tight or st.large, english_copy=True),
                           self.extras, self.width - indent, self.frame_h, self.tags)
        english.own = self
        rule = _Rule(COPY_TEXT, COPY.rule_pt, st.size * COPY.before * st.gap)
        label = self.tags.leaf(_Para(section.english_copy, st.copy_label), "P")
        head: list[Flowable] = [rule, label]
        with self.tags.group("Sect", tagging.lang_of(section)):
            flows = english._section(section)
            if flows and isinstance(flows[0], KeepTogether) and \
                    _stack_height([*head, flows[0]], english.width) > self.frame_h * 0.99:
                # the first piece fits a page, but not with the rule and label joined to
                # it (a checklist would split through its signatures): lay the copy out
                # for the room under them
                english.frame_h = self.frame_h - _stack_height(head, english.width)
                flows = english._section(section)
        # the rule and the label never end a page: they join the first piece (a kept
        # group, or the room a heading asks for before it)
        if flows and isinstance(flows[0], KeepTogether):
            flows[0]._content[:0] = head
            head = []
        elif flows and isinstance(flows[0], CondPageBreak):
            room = label.wrap(english.width, self.frame_h)[1] + label.getSpaceBefore() + \
                label.getSpaceAfter() + rule.thickness + rule.spaceBefore
            flows[0].height += room
            head, flows = [flows[0], *head], flows[1:]
        elif flows:
            head, flows = [KeepTogether([*head, flows[0]])], flows[1:]
        return [Indenter(left=indent), *head, *flows, Indenter(left=-indent)]

    def _section(self, section: d.Section, avail: float | None = None) -> list[Flowable]:
        """The section's flowables with its keep-together groups. A section that ends with
        ``@pagebreak`` is a page of its own (the one-page summary): when it would not fit
        on one page (two in large print), it is laid out again with tighter spacing and
        a smaller drawing beside the text; type sizes never change."""
        blocks = section.blocks
        if not (blocks and blocks[-1] == d.Directive("pagebreak")):
            return self._flows(blocks)
        room = (avail if avail is not None else self.frame_h) + \
            (self.frame_h if self.st.large else 0.0)
        self.first_room = avail if avail is not None else self.frame_h
        flows = self._flows(blocks)
        if _stack_height(flows, self.width) <= room * 0.97 and not self.st.large:
            return flows
        tight = _Builder(Styles(self.st.large, tight=True, word_wrap=self.st.word_wrap),
                         self.extras, self.width, self.frame_h, self.tags)
        if self.st.large:
            # large print: pages 1-2, laid out for real. The drawing after the warning
            # boxes, else right under the text (when the boxes fill page 2), at normal
            # then tighter spacing
            # (a trial leaves its flowables changed: the chosen layout is made afresh)
            tighter = _Builder(Styles(True, tight=True, word_wrap=self.st.word_wrap,
                                      tighter=True), self.extras, self.width, self.frame_h,
                               self.tags)
            for builder, compact in ((self, 0), (tight, 0), (tight, 1), (tight, 2),
                                     (tight, 3), (tighter, 3)):
                for after_text in (False, True):
                    builder.spine_after_text = after_text
                    try:
                        # (a point or two to spare: the trial frames are not the page's)
                        if _trial_pages(builder._flows(blocks, compact=compact), self.width,
                                        self.first_room - self.st.size * 0.25,
                                        self.frame_h - self.st.size * 0.25) <= 2:
                            return builder._flows(blocks, compact=compact)
                    finally:
                        builder.spine_after_text = False
            return self._flows(blocks)
        # 1: smaller drawing, key in one paragraph; 2: short caption; 3: caption and key
        # under the text and the drawing, on full-width lines
        for level in (1, 2, 3):
            flows = tight._flows(blocks, compact=level)
            if _stack_height(flows, self.width) <= room * 0.97:
                break
        return flows

    def _flows(self, blocks: Sequence[d.Block], compact: int = 0) -> list[Flowable]:
        units = self._units(blocks, compact)
        out: list[Flowable] = []
        # the room a heading asks for is measured as the frame will place the pieces: the
        # heading's space above it, then each piece with the merged space between two
        # (the larger of one's space after and the next one's before), and a hair to
        # spare. A flat type size per gap asked for two lines too many and left a fifth of
        # page 1 empty under the Spanish recovery calendar.
        spare = self.st.size * 0.25
        n = 0
        while n < len(units):
            unit = units[n]
            n += 1
            if not unit.heading:
                out.extend(unit.flows)
                continue
            # a heading, the short lines under it, and a piece kept whole: all one piece;
            # when they cannot fit on one page together, the piece splits its loose way
            j = n
            while j < len(units) and j - n < 2 and units[j].intro is not None and \
                    units[j].lines < 2:
                j += 1
            if j < len(units) and (units[j].loose is not None or units[j].tiers):
                group = [f for u in units[n - 1: j + 1] for f in u.flows]
                if units[j].loose is not None and \
                        _stack_height(group, self.width) <= self.frame_h * 0.98:
                    out.append(_keep(group))
                    n = j + 1
                    continue
                loose, lead = units[j].loose or (units[j].flows, units[j].lead)
                head = [f for u in units[n - 1: j] for f in u.flows]
                need = _top_space(head) + _stack_height(head, self.width) + \
                    _gap(head, loose) + lead + spare
                if units[j].tiers:  # warning tiers that cannot all fit on one page: from
                    # a fresh page, unless this one is still mostly empty
                    need = self.frame_h * (1 - MIN_FILL)
                out.append(CondPageBreak(need))
                out += head + loose
                n = j + 1
                continue
            # otherwise keep the heading with at least its first two lines
            top = _top_space(unit.flows) + unit.lead + spare
            need, lines, prev = top, 0, unit.flows
            for nxt in units[n:]:
                need += _gap(prev, nxt.flows) + nxt.lead
                lines += nxt.lines
                prev = nxt.flows
                if lines >= 2 or (not nxt.heading and nxt.lines == 0):
                    break
            if need > self.frame_h * 0.9:  # a whole group taller than a page
                need = top + _gap(unit.flows, units[n].flows if n < len(units) else []) + \
                    self.st.body.leading * 2
            out.append(CondPageBreak(need))
            out.extend(unit.flows)
        return out

    def _units(self, blocks: Sequence[d.Block], compact: int) -> list[_Unit]:
        st, width = self.st, self.width
        units: list[_Unit] = []
        deferred: _Unit | None = None
        text_end = 0
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if isinstance(block, d.Heading):
                flows = self.inline(block)
                units.append(_Unit(flows, _stack_height(flows, width), 0, heading=True))
                i += 1
            elif isinstance(block, d.Box) and block.kind in TIER_KINDS:
                j, group = self._tier_run(blocks, i)
                flows = [f for b in group for f in self.inline(b)]
                h = _stack_height(flows, width)
                first = _stack_height(flows[:1], width)
                if h <= self.frame_h:  # the tiers of a page stay together as one piece
                    units.append(_Unit([_keep(flows)], h, 3, loose=(flows, first),
                                       tiers=True))
                else:  # each tier box stays whole
                    units.append(_Unit(flows, first, 3, tiers=True))
                i = j
            elif isinstance(block, d.Bullet | d.Checkbox):
                j = i
                while j < len(blocks) and isinstance(blocks[j], type(block)):
                    j += 1
                if isinstance(block, d.Checkbox):
                    # the checklist stays with its signature block (and the lines between),
                    # and with the lines that introduce it
                    k = j
                    while k < len(blocks) and isinstance(blocks[k], d.Paragraph):
                        k += 1
                    if k < len(blocks) and blocks[k] == d.Directive("signatures"):
                        intro: list[d.Block] = []
                        while units and not units[-1].heading and units[-1].intro is not None:
                            intro.insert(0, units.pop().intro)  # type: ignore[arg-type]
                        units.append(self._checklist(intro, blocks[i:j], blocks[j:k]))
                        i = k + 1
                        continue
                units.append(self._list(blocks[i:j]))
                i = j
            elif isinstance(block, d.Directive) and block.name == "spine":
                j = i + 1
                while j < len(blocks) and isinstance(blocks[j], d.Paragraph | d.Bullet):
                    j += 1
                spine_units = self._spine_with(blocks[i + 1: j], compact)
                if self.st.large:  # large print: the drawing after the rest of the section
                    deferred = spine_units.pop()
                units.extend(spine_units)
                text_end = len(units)
                i = j
            elif isinstance(block, d.Directive):
                flows = self.directive(block.name)
                if block.name == "qr" and flows and units and units[-1].intro is not None:
                    # the line that introduces the code stays with it
                    flows = [_keep([*units.pop().flows, *flows])]
                elif block.name == "qr" and flows and units and \
                        blocks[i - 1] == d.Directive("diary"):
                    # the code right after the diary ends the diary's last page with it
                    table, *rest = units[-1].flows
                    units[-1].flows = [_EndsTogether(table, [*rest, *flows])]
                    i += 1
                    continue
                lead = _stack_height(flows, width)
                if block.name == "diary":  # a table that may continue: its first rows
                    lead = min(lead, st.body.leading * 3.5)
                units.append(_Unit(flows, lead, 2))
                i += 1
            elif isinstance(block, d.Paragraph):
                flows = self.inline(block)
                p = flows[0]
                h = _stack_height(flows, width)
                n_lines = max(1, round((h - p.getSpaceAfter()) / st.body.leading))
                # no line alone at the top or bottom of a page: up to 3 lines move whole
                lead = h if n_lines <= 3 else st.body.leading * 2
                units.append(_Unit(flows, lead, min(n_lines, 2),
                                   intro=block))
                i += 1
            else:
                flows = self.inline(block)
                # a table: about its header row and first row
                lead = min(_stack_height(flows, width), st.body.leading * 3.5)
                units.append(_Unit(flows, lead, 2))
                i += 1
        if deferred is not None:
            at = len(units) - 1 if blocks[-1] == d.Directive("pagebreak") else len(units)
            if self.spine_after_text:
                at = text_end
            units.insert(at, deferred)
        return units

    def _tier_run(self, blocks: Sequence[d.Block], i: int) -> tuple[int, list[d.Block]]:
        """Warning boxes one after another (with short lines between them, like the lung
        line on the summary): the tiers are read together, so they print together."""
        group = [blocks[i]]
        j = i + 1
        while j < len(blocks):
            b = blocks[j]
            if isinstance(b, d.Box) and b.kind in TIER_KINDS:
                group.append(b)
                j += 1
            elif isinstance(b, d.Paragraph) and j + 1 < len(blocks) and \
                    is_tier(blocks[j + 1]):
                group += [b, blocks[j + 1]]
                j += 2
            else:
                break
        return j, group

    def _list(self, items: Sequence[d.Block]) -> _Unit:
        """Bullets: a short list stays whole; a long one keeps its first two and its last
        two bullets together, so no bullet stands alone at the top or bottom of a page."""
        flows = [f for b in items for f in self.inline(b)]
        first = _stack_height(flows[:2], self.width)
        if len(flows) <= 4:
            return _Unit([_keep(flows)], _stack_height(flows, self.width), 2,
                         loose=(flows, first))
        kept = [_keep(flows[:2]), *flows[2:-2], _keep(flows[-2:])]
        return _Unit(kept, first, 2)

    def _checklist(self, intro: Sequence[d.Block], items: Sequence[d.Block],
                   between: Sequence[d.Block]) -> _Unit:
        flows = [f for b in (*intro, *items, *between) for f in self.inline(b)]
        flows += self.directive("signatures")
        h = _stack_height(flows, self.width)
        # split (taller than a page, or with its heading): at least the last two items
        # stay with the signatures
        tail = len(between) + 4  # two items, the lines between, the spacer and the table
        loose = [*flows[:-tail], _keep(flows[-tail:])]
        lead = _stack_height(flows[:len(intro) + 1], self.width)
        if h <= self.frame_h * 0.99:
            return _Unit([_keep(flows)], h, 3, loose=(loose, lead))
        return _Unit(loose, lead, 2)

    def _spine_with(self, following: Sequence[d.Block], compact: int) -> list[_Unit]:
        """The drawing floats right of the paragraphs and bullets that follow it. In large
        print (or when the text is too tall to sit beside it) the text comes first, then
        the drawing with its key beside it, as one piece."""
        # (the drawing is made first: it comes first in reading order, as in the template)
        if not self.st.large:
            spine = self.spine(compact)
            flows = [f for b in following for f in self.inline(b)]
            spine_w = spine.wrap(self.width, 1e6)[0]
            left_w = self.width - spine_w - self.st.size
            left_h = sum(f.wrap(left_w, 1e6)[1] + f.getSpaceAfter() for f in flows)
            if left_h < self.frame_h * 0.75:
                t = self.beside(flows, spine)
                piece: list[Flowable] = [t]
                if compact >= 3:  # the caption and key on full-width lines under both
                    e = self.extras
                    swatch = f'<font color="{TREATED.hexval().replace("0x", "#")}">■</font> '
                    key = " ".join((e.spine_caption + ".", *e.spine_key[1:]))
                    piece = [_keep([t, self.tags.leaf(_Para(swatch + escape(key).replace(
                        " = ", "\u00a0=\u00a0"), ParagraphStyle(
                        "key_wide", parent=self.st.body, textColor=MUTED)), "P",
                        actual=key)])]
                return [_Unit(piece, _stack_height(piece, self.width), 2)]
        units = [self._list(following)] if following else []
        wide = self.spine_wide(FIGURE.wide_scales[min(compact, 3)], one_key_line=compact >= 3)
        units.append(_Unit([wide], _stack_height([wide], self.width), 2))
        return units

    def beside(self, left: list[Flowable], right: Flowable) -> Flowable:
        """Text on the left, a drawing on the right (a two-column borderless table)."""
        right_w = right.wrap(self.width, 1e6)[0]
        t = Table([[left or "", right]], colWidths=[self.width - right_w - self.st.size,
                                                    right_w + self.st.size], hAlign="LEFT")
        t.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, -1), self.st.size * FIGURE.beside_gap),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
        t.spaceAfter = self.st.size * FIGURE.beside_after * self.st.gap
        return t

    def _spine_key(self, style: ParagraphStyle, compact: int = 0) -> list[Flowable]:
        """The caption with a red swatch (red = treated) and the key under it, one idea a
        line ("Seen from the back." / "T = chest"). Where space is tight the key is one
        paragraph (level 1), and the caption short when the drawing labels the levels
        (level 2)."""
        e = self.extras
        swatch = f'<font color="{TREATED.hexval().replace("0x", "#")}">■</font> '
        caption = e.spine_legend if compact >= 2 and e.levels and e.spine_legend \
            else e.spine_caption
        out: list[Flowable] = [self.tags.leaf(_Para(swatch + escape(caption), style), "P",
                                              actual=caption)]
        key_style = ParagraphStyle("key_line", parent=style, textColor=MUTED,
                                   spaceAfter=0, alignment=TA_LEFT)
        for text in e.spine_key[1:]:
            parts = _KEY_BREAK.split(text.strip())
            if compact:
                parts = [text.strip()]
            # "T = chest" never breaks
            out += [self.tags.leaf(_Para(escape(part).replace(" = ", "\u00a0=\u00a0"),
                                         key_style), "P") for part in parts]
        return out

    def spine(self, compact: int = 0) -> Flowable:
        """Drawing over caption and key, one piece (beside the text on the summary)."""
        e = self.extras
        top = e.spine_key[0] if e.spine_key else ""
        drawing = self._figure(SpineDrawing(e.levels, self.st.size, top_label=top,
                                            scale=FIGURE.compact_spine_scale if compact
                                            else FIGURE.spine_scale))
        width = max(drawing.width, self.st.size * (0 if compact >= 3 else FIGURE.spine_min_width))
        rows = [[drawing]]
        if compact < 3:
            rows += [[f] for f in self._spine_key(self.st.caption, compact)]
        return Table(rows, colWidths=[width],
                     style=_table_style([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                         ("TOPPADDING", (0, 0), (-1, -1), 0),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1),
                                          FIGURE.spine_pad_bottom_pt)]))

    def _figure(self, drawing: SpineDrawing) -> SpineDrawing:
        e = self.extras
        return self.tags.leaf(drawing, "Figure", alt=e.spine_alt, lang=e.spine_alt_lang)

    def spine_wide(self, scale: float = FIGURE.wide_scales[0],
                   one_key_line: bool = False) -> Flowable:
        """Large print: the drawing on the left, its caption and key on the right."""
        e = self.extras
        top = e.spine_key[0] if e.spine_key else ""
        drawing = self._figure(SpineDrawing(e.levels, self.st.size, top_label=top,
                                            scale=scale))
        left = ParagraphStyle("key_wide", parent=self.st.body,
                              spaceAfter=self.st.size * FIGURE.wide_key_after)
        key = self._spine_key(left, 1 if one_key_line else 0)
        t = Table([[drawing, key]], colWidths=[drawing.width + self.st.size,
                                               self.width - drawing.width - self.st.size],
                  hAlign="LEFT")
        t.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        t.spaceAfter = self.st.size * FIGURE.wide_after
        return _keep([t])

    def diary(self) -> list[Flowable]:
        """One row a day. Rows grow with their text, so nothing runs into the next row or
        the footer; the padding gives each empty box room to write in."""
        st, e = self.st, self.extras
        head = [_Para(escape(h), st.cell_head) for h in e.diary_header]
        widths, one_row = self._diary_widths(e.diary_header, [*e.diary_days, "Wed, Dec 30"])
        pad = max(TABLE.diary_min_pad_pt, (st.size * TABLE.diary_row - st.cell.leading) / 2)
        shade = SHADE
        cmds: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), TABLE.rule_pt, RULE),
                                       ("BACKGROUND", (0, 0), (-1, 0), shade),
                                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        rows: list[list[Any]]
        if one_row:
            rows = [head] + [[_Para(escape(day), st.cell)] + [""] * (len(head) - 1)
                             for day in e.diary_days]
            cmds += [("TOPPADDING", (0, 1), (-1, -1), pad),
                     ("BOTTOMPADDING", (0, 1), (-1, -1), pad)]
        else:  # large print: the date on a band of its own, its boxes under it
            n = len(head) - 1
            rows = [[head[0]] + [""] * (n - 1), head[1:]]  # the "Day" band, then the boxes
            heights: list[float | None] = [None, None]
            cmds += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 1), (-1, 1), shade)]
            for k, day in enumerate(e.diary_days):
                r = 2 + 2 * k
                rows.append([_Para(escape(day), st.cell_head)] +
                            [""] * (len(head) - 2))
                rows.append([""] * (len(head) - 1))
                heights += [None, st.size * TABLE.diary_boxes]  # empty boxes: room to write
                cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), shade),
                         ("NOSPLIT", (0, r), (-1, r + 1)),
                         ("TOPPADDING", (0, r), (-1, r), TABLE.diary_band_top_pt),
                         ("BOTTOMPADDING", (0, r), (-1, r), TABLE.diary_band_bottom_pt)]
        # the last days stay together: a diary continued on a new page never leaves its
        # last day (and the QR code after it) alone there
        tail = min(TABLE.diary_tail_days, len(e.diary_days))
        if tail > 1:
            cmds.append(("NOSPLIT", (0, len(rows) - (tail if one_row else 2 * tail)),
                         (-1, -1)))
        t = Table(rows, colWidths=widths, repeatRows=1 if one_row else 2, hAlign="LEFT",
                  rowHeights=None if one_row else heights)
        t.setStyle(_table_style(cmds))
        if one_row:
            self.tags.table(t, head_rows=1, head_cols=1)
        else:
            self.tags.table(t, head_rows=2, band_rows=range(2, len(rows), 2))
        return [t, Spacer(1, st.size)]

    def directive(self, name: str) -> list[Flowable]:
        st, e = self.st, self.extras
        if name == "pagebreak":
            # (a margin over MIN_FILL: drawings reach lower than their lowest text line)
            return [_PageBreakIfFilled(self.frame_h * (1 - MIN_FILL - 0.05))]
        if name == "spine":
            return [_keep([self.spine()])]
        if name == "qr":
            if not e.portal_url:
                return []
            # the code needs no more size in large print; its address sits beside it
            side = FIGURE.qr_side_pt
            code = self.tags.leaf(QrCode(e.portal_url, side), "Figure", alt=e.qr_alt,
                                  lang=e.spine_alt_lang)
            if not e.qr_caption:
                return [_keep([code])]
            t = Table([[code, self.tags.leaf(_Para(escape(e.qr_caption), st.body), "P")]],
                      colWidths=[side + st.size, self.width - side - st.size], hAlign="LEFT")
            t.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
            return [_keep([t])]
        if name == "signatures" and self.own is not None:  # after the English checklist
            with self.tags.group("Div", self.tags.language):
                return self.own.directive(name)
        if name == "signatures":
            rows = [[_Para(escape(label), st.cell), ""] for label in e.signature_labels]
            share = TABLE.signature_label_share
            t = Table(rows, colWidths=[self.width * share, self.width * (1 - share)],
                      hAlign="LEFT")
            t.setStyle(_table_style([
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), st.size * TABLE.signature_gap),
                ("LINEBELOW", (1, 0), (1, -1), TABLE.signature_line_pt, TEXT)]))
            return [Spacer(1, st.size * TABLE.signature_before), self.tags.table(t, head_cols=1)]
        if name == "diary":
            return self.diary()
        raise ValueError(name)


BLANK = "blank"


def _blank_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas._dd_furniture = (BLANK, lambda c, page, pages: None)  # type: ignore[attr-defined]


def build_pdf(handouts: Sequence[HandoutLayout], *, ident: PageIdentity, extras: Extras,
              large_print: bool, title: str, language: str, author: str,
              duplex: bool = False) -> bytes:
    """Lay out one or more handouts into one PDF. Page numbers restart for each handout.

    ``duplex``: every handout but the last is padded with an empty page to an even page
    count, so that a double-sided print never puts the next handout on the back of the
    previous one (each handout stays a separate set of sheets).
    """
    pdf, pages = _build_once(handouts, ident, extras, large_print, title, language, author,
                             pad=frozenset())
    if duplex and len(handouts) > 1:
        pad = frozenset(h.kind for h in handouts[:-1] if pages.get(h.kind, 0) % 2)
        if pad:
            pdf, _ = _build_once(handouts, ident, extras, large_print, title, language,
                                 author, pad=pad)
    return pdf


def _build_once(handouts: Sequence[HandoutLayout], ident: PageIdentity, extras: Extras,
                large_print: bool, title: str, language: str, author: str,
                pad: frozenset[str]) -> tuple[bytes, dict[str, int]]:
    register_fonts()
    styles = Styles(large_print, word_wrap=word_wrap_for(language))
    page = PAPER.get(extras.paper, PAGE)
    margin = styles.margin
    width = page[0] - 2 * margin
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=margin, title=title, author=author, subject=title,
        creator=f"{APP_NAME} {__version__}", keywords=[], invariant=1, lang=language,
        displayDocTitle=1, initialFontName=FONT, initialFontSize=styles.size,
        pageCompression=1,
    )
    templates = []
    for h in handouts:
        furniture = _Furniture(ident, styles, h.kind, page)
        frame = Frame(margin, margin + furniture.footer_height, width,
                      page[1] - 2 * margin - furniture.header_height - furniture.footer_height,
                      id=f"{h.kind}-body", leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0)
        templates.append(PageTemplate(id=h.kind, frames=[frame], onPage=furniture.on_page))
    templates.append(PageTemplate(id=BLANK, frames=[Frame(margin, margin, width,
                                                          page[1] - 2 * margin, id=BLANK)],
                                  onPage=_blank_page))
    doc.addPageTemplates(templates)
    frame_h = templates[0].frames[0].height
    tags = tagging.Tags(language)
    builder = _Builder(styles, extras, width, frame_h, tags)
    # large print: a subtitle over notice boxes, and the boxes, take the tighter spacing
    # (type sizes stay), leaving page 1 to the summary (its text and drawing) and page 2
    # to its tiers
    head_st = Styles(True, tight=True, word_wrap=styles.word_wrap, tighter=True) \
        if large_print else styles
    head_builder = _Builder(head_st, extras, width, frame_h, tags) if large_print else builder
    story: list[Flowable] = []
    for n, h in enumerate(handouts):
        if n:
            story += [NextPageTemplate(h.kind), PageBreak()]
        with tags.group("Part"):  # one a handout
            head: list[Flowable] = [tags.heading(_Para(escape(h.title), styles.title), 0),
                                    tags.leaf(_Para(h.subtitle, (head_st if h.notices
                                                                 else styles).subtitle), "P")]
            for notice in h.notices:
                head.append(head_builder.box(d.Box("note", (d.Paragraph(notice),))))
            story += head
            # (and the space under its last piece: the first section starts below that)
            used = _stack_height(head, width) + head[-1].getSpaceAfter()
            for s_no, section in enumerate(h.sections):  # the first shares page 1 with title
                story.extend(builder.section(section, frame_h - used if s_no == 0 else None))
        if h.kind in pad:  # an empty back page, without header or footer
            story += [NextPageTemplate(BLANK), PageBreak(), Spacer(1, 1)]
    canvases: list[_NumberedCanvas] = []

    def canvasmaker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvases.append(_NumberedCanvas(*args, **kwargs))
        canvases[-1]._dd_tags, canvases[-1]._dd_title = tags, title
        return canvases[-1]

    doc.build(story, canvasmaker=canvasmaker)
    return buf.getvalue(), canvases[-1].page_totals
