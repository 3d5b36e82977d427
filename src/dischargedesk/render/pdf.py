"""Document model -> PDF bytes with ReportLab platypus.

Layout lives here (fonts, sizes, colours, header and footer, the spine drawing, tables);
the words come from the templates. Output is deterministic (``invariant``) so the same
request and version give byte-identical PDFs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph

from .. import APP_NAME, __version__
from . import document as d
from .drawings import MUTED, QrCode, SpineDrawing
from .fonts import FONT, FONT_BOLD, register_fonts

TEXT = colors.HexColor("#1a1a1a")
HEADING = colors.HexColor("#0b4f6c")
RULE = colors.HexColor("#9aa5b1")
BOX_STYLE = {  # kind: (background, border) -- text stays TEXT, contrast > 12:1
    "911": (colors.HexColor("#fde8e8"), colors.HexColor("#b42318")),
    "call": (colors.HexColor("#fff1dc"), colors.HexColor("#b54708")),
    "watch": (colors.HexColor("#e6f0fb"), colors.HexColor("#175cd3")),
    "note": (colors.HexColor("#f2f4f7"), colors.HexColor("#475467")),
}
PAGE = LETTER
MARGIN = 0.7 * inch


@dataclass(frozen=True)
class PageIdentity:
    """What every page shows: clinic header, patient identifiers, handout name."""

    clinic_name: str
    clinic_phone_line: str
    logo: Path | None
    patient_lines: tuple[str, ...]  # e.g. ("Patient: Ana Diaz", "Date of birth: ... · MRN: ...")
    page_label: str  # "Page {page} of {pages}"
    notice: str = ""  # e.g. the sample-content notice, printed under the identifiers


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


class Styles:
    def __init__(self, large_print: bool) -> None:
        size = 18.0 if large_print else 12.0
        self.size = size
        lead = size * 1.3
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead,
                                   textColor=TEXT, spaceAfter=size * 0.5, splitLongWords=1)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=size * 1.4,
                                     bulletIndent=size * 0.3, spaceAfter=size * 0.25,
                                     bulletFontName=FONT, bulletFontSize=size)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=FONT_BOLD,
                                 fontSize=size * 1.4, leading=size * 1.75, textColor=HEADING,
                                 spaceBefore=size * 0.6, spaceAfter=size * 0.4)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=FONT_BOLD,
                                 fontSize=size * 1.1, leading=size * 1.4, textColor=HEADING,
                                 spaceBefore=size * 0.4, spaceAfter=size * 0.25)
        self.box_h2 = ParagraphStyle("box_h2", parent=self.h2, textColor=TEXT, spaceBefore=0)
        self.title = ParagraphStyle("title", parent=self.h1, fontSize=size * 1.9,
                                    leading=size * 2.3, spaceBefore=0, spaceAfter=size * 0.2)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, textColor=MUTED,
                                       spaceAfter=size * 0.6)
        self.cell = ParagraphStyle("cell", parent=self.body, spaceAfter=0)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=FONT_BOLD)
        self.caption = ParagraphStyle("caption", parent=self.body, alignment=TA_CENTER)


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """Table style that never falls back to Helvetica (empty cells still set a font)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


# -- page furniture -------------------------------------------------------------------------
class _NumberedCanvas(Canvas):
    """Defers page furniture to save time so the footer can say "Page N of M" per handout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dd_pages: list[dict[str, Any]] = []
        self._dd_furniture: tuple[str, Callable[[Canvas, int, int], None]] | None = None
        self.page_totals: dict[str, int] = {}

    def showPage(self) -> None:
        self._dd_pages.append(dict(self.__dict__))
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
            draw(self, seen[kind], totals[kind])
            super().showPage()
        super().save()
        self.page_totals = totals  # after the loop: restoring page states resets attributes


def _fit_lines(text: str, font: str, size: float, width: float) -> list[str]:
    return simpleSplit(text, font, size, width) or [""]


class _Furniture:
    def __init__(self, ident: PageIdentity, styles: Styles, kind: str) -> None:
        self.ident, self.styles, self.kind = ident, styles, kind
        self.size = styles.size
        self.width = PAGE[0] - 2 * MARGIN
        self.footer_lines = self._footer_lines()
        self.notice_lines = len(_fit_lines(ident.notice, FONT, self.size, self.width)) \
            if ident.notice else 0

    def _footer_lines(self) -> list[str]:
        lines: list[str] = []
        for text in self.ident.patient_lines:
            lines.extend(_fit_lines(text, FONT, self.size, self.width * 0.78))
        if self.ident.notice:
            lines.extend(_fit_lines(self.ident.notice, FONT, self.size, self.width))
        return lines

    @property
    def header_height(self) -> float:
        return self.size * 3.2

    @property
    def footer_height(self) -> float:
        return self.size * 1.25 * len(self.footer_lines) + self.size

    def on_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas._dd_furniture = (self.kind, self.draw)  # type: ignore[attr-defined]

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        h = PAGE[1]
        size = self.size
        top = h - MARGIN
        canvas.saveState()
        x = MARGIN
        if self.ident.logo is not None:
            img = ImageReader(str(self.ident.logo))
            iw, ih = img.getSize()
            lh = size * 2.4
            lw = min(iw * lh / ih, self.width * 0.35)
            canvas.drawImage(img, MARGIN, top - lh, width=lw, height=lh, mask="auto",
                             preserveAspectRatio=True, anchor="w")
            x = MARGIN + lw + size
        canvas.setFillColor(HEADING)
        canvas.setFont(FONT_BOLD, size)
        avail = MARGIN + self.width - x
        name = _fit_lines(self.ident.clinic_name, FONT_BOLD, size, avail)[0]
        canvas.drawRightString(MARGIN + self.width, top - size, name)
        canvas.setFillColor(TEXT)
        canvas.setFont(FONT, size)
        phone = _fit_lines(self.ident.clinic_phone_line, FONT, size, avail)[0]
        canvas.drawRightString(MARGIN + self.width, top - size * 2.3, phone)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - self.header_height + size * 0.4, MARGIN + self.width,
                    top - self.header_height + size * 0.4)
        # footer
        y = MARGIN + self.footer_height - size
        canvas.line(MARGIN, y + size * 0.9, MARGIN + self.width, y + size * 0.9)
        canvas.setFont(FONT, size)
        for i, line in enumerate(self.footer_lines):
            if i >= len(self.footer_lines) - self.notice_lines:
                canvas.setFillColor(MUTED)
            canvas.drawString(MARGIN, y - size * 0.4 - i * size * 1.25, line)
        canvas.setFillColor(TEXT)
        canvas.drawRightString(MARGIN + self.width, y - size * 0.4,
                               self.ident.page_label.format(page=page, pages=pages))
        canvas.restoreState()


# -- blocks ----------------------------------------------------------------------------------
class _Builder:
    def __init__(self, styles: Styles, extras: Extras, width: float, frame_h: float) -> None:
        self.st, self.extras, self.width, self.frame_h = styles, extras, width, frame_h

    def inline(self, block: d.Block, in_box: bool = False) -> list[Flowable]:
        st = self.st
        if isinstance(block, d.Heading):
            style = (st.box_h2 if in_box else st.h2) if block.level == 2 else st.h1
            return [RLParagraph(block.text, style)]
        if isinstance(block, d.Paragraph):
            return [RLParagraph(block.text, st.body)]
        if isinstance(block, d.Bullet):
            return [RLParagraph(block.text, st.bullet, bulletText="•")]
        if isinstance(block, d.Checkbox):
            return [RLParagraph(block.text, st.bullet, bulletText="☐")]
        if isinstance(block, d.Table):
            return [self.table(block)]
        if isinstance(block, d.Box):
            return [self.box(block)]
        raise TypeError(type(block).__name__)

    def table(self, block: d.Table) -> Table:
        st = self.st
        rows = [[RLParagraph(c, st.cell_head if r == 0 else st.cell) for c in row]
                for r, row in enumerate(block.rows)]
        ncols = len(block.rows[0])
        if ncols == 2:  # e.g. the calendar: dates on one line where the page allows
            longest = max(stringWidth(d.plain_text(r[0]), FONT_BOLD if i == 0 else FONT,
                                      st.size) for i, r in enumerate(block.rows)) + 13
            first = min(longest, self.width * 0.45)
        else:
            first = self.width / ncols
        widths = [first] + [(self.width - first) / (ncols - 1)] * (ncols - 1) if ncols > 1 \
            else [self.width]
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
            ("TOPPADDING", (0, 0), (-1, -1), st.size * 0.3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), st.size * 0.35),
        ]))
        return t

    def box(self, block: d.Box) -> Flowable:
        """A tinted box with a thick coloured edge; one table row per block so a long box
        can continue on the next page."""
        bg, border = BOX_STYLE[block.kind]
        rows = [[f] for b in block.blocks for f in self.inline(b, in_box=True)]
        t = Table(rows or [[""]], colWidths=[self.width], hAlign="LEFT")
        pad = self.st.size * 0.6
        t.setStyle(_table_style([
            ("BACKGROUND", (0, 0), (-1, -1), bg),
            ("LINEBEFORE", (0, 0), (0, -1), self.st.size * 0.35, border),
            ("BOX", (0, 0), (-1, -1), 0.8, border),
            ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.4),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, 0), pad),
            ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.4),
        ]))
        # spaceAfter (unlike a Spacer) is dropped at the bottom of a page, so a box that
        # just fits never pushes an empty line onto the next page
        t.spaceAfter = self.st.size * 0.6
        # short boxes stay in one piece; long ones may continue on the next page
        return KeepTogether([t], maxHeight=self.frame_h * 0.6)

    def _word_fit_widths(self, header: Sequence[str], first_column: Sequence[str]) -> list[float]:
        """Column widths where no word has to break. The first column gets room for whole
        labels when the page allows (it wraps between words in large print)."""
        pad = 13.0  # cell padding (6 + 6) and a point to spare
        size = self.st.size

        def longest_word(text: str, font: str) -> float:
            return max(stringWidth(w, font, size) for w in text.split()) + pad

        need = [max(longest_word(x, FONT) for x in first_column)]
        need += [longest_word(h, FONT_BOLD) for h in header[1:]]
        full_first = max(stringWidth(x, FONT, size) for x in first_column) + pad
        spare = max(0.0, self.width - sum(need))
        grow = min(spare, full_first - need[0])
        need[0] += grow
        spare -= grow
        return [need[0]] + [w + spare / (len(need) - 1) for w in need[1:]]

    def section(self, section: d.Section) -> list[Flowable]:
        out: list[Flowable] = []
        blocks = section.blocks
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if isinstance(block, d.Directive):
                if block.name == "spine":
                    # the drawing floats right of the paragraphs and bullets that follow it
                    j = i + 1
                    while j < len(blocks) and isinstance(blocks[j], d.Paragraph | d.Bullet):
                        j += 1
                    following: list[Flowable] = []
                    for b in blocks[i + 1: j]:
                        following.extend(self.inline(b))
                    spine = self.spine()
                    left_w = self.width - spine.wrap(self.width, 1e6)[0] - self.st.size
                    left_h = sum(f.wrap(left_w, 1e6)[1] + f.getSpaceAfter() for f in following)
                    if left_h < self.frame_h * 0.75:
                        out.append(self.beside(following, spine))
                    else:  # too tall to sit beside the drawing (large print): stack them
                        out += [spine, Spacer(1, self.st.size * 0.5), *following]
                    i = j
                    continue
                out.extend(self.directive(block.name))
            else:
                flow = self.inline(block)
                if isinstance(block, d.Heading):
                    # keep a heading with what follows it
                    out.append(CondPageBreak(self.st.size * (9 if block.level == 1 else 6)))
                out.extend(flow)
            i += 1
        return out

    def beside(self, left: list[Flowable], right: Flowable) -> Flowable:
        """Text on the left, a drawing on the right (a two-column borderless table)."""
        right_w = right.wrap(self.width, 1e6)[0]
        t = Table([[left or "", right]], colWidths=[self.width - right_w - self.st.size,
                                                    right_w + self.st.size], hAlign="LEFT")
        t.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, -1), self.st.size * 0.5),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
        return t

    def spine(self) -> Flowable:
        e = self.extras
        caption = RLParagraph(escape(e.spine_caption), self.st.caption)
        drawing = SpineDrawing(e.levels, self.st.size)
        return Table([[drawing], [caption]], colWidths=[max(drawing.width,
                                                               self.st.size * 11)],
                     style=_table_style([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                       ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))

    def directive(self, name: str) -> list[Flowable]:
        st, e = self.st, self.extras
        if name == "pagebreak":
            return [PageBreak()]
        if name == "qr":
            if not e.portal_url:
                return []
            return [QrCode(e.portal_url, st.size * 7), Spacer(1, st.size * 0.5)]
        if name == "signatures":
            rows = [[RLParagraph(escape(label), st.cell), ""] for label in e.signature_labels]
            t = Table(rows, colWidths=[self.width * 0.45, self.width * 0.55], hAlign="LEFT")
            t.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                     ("TOPPADDING", (0, 0), (-1, -1), st.size * 1.8),
                                     ("LINEBELOW", (1, 0), (1, -1), 0.8, TEXT)]))
            return [KeepTogether([Spacer(1, st.size * 0.5), t])]
        if name == "diary":
            head = [RLParagraph(escape(h), st.cell_head) for h in e.diary_header]
            rows = [head] + [[RLParagraph(escape(day), st.cell)] + [""] * (len(head) - 1)
                             for day in e.diary_days]
            t = Table(rows, colWidths=self._word_fit_widths(e.diary_header,
                                                            [*e.diary_days, "Wed, Dec 30"]),
                      rowHeights=[None] + [st.size * 2.0] * len(e.diary_days),
                      repeatRows=1, hAlign="LEFT")
            t.setStyle(_table_style([
                ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]))
            return [t, Spacer(1, st.size)]
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
    styles = Styles(large_print)
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title, author=author, subject=title,
        creator=f"{APP_NAME} {__version__}", keywords=[], invariant=1, lang=language,
        displayDocTitle=1, initialFontName=FONT, initialFontSize=styles.size,
        pageCompression=1,
    )
    templates = []
    for h in handouts:
        furniture = _Furniture(ident, styles, h.kind)
        frame = Frame(MARGIN, MARGIN + furniture.footer_height, PAGE[0] - 2 * MARGIN,
                      PAGE[1] - 2 * MARGIN - furniture.header_height - furniture.footer_height,
                      id=f"{h.kind}-body", leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0)
        templates.append(PageTemplate(id=h.kind, frames=[frame], onPage=furniture.on_page))
    templates.append(PageTemplate(id=BLANK, frames=[Frame(MARGIN, MARGIN, PAGE[0] - 2 * MARGIN,
                                                          PAGE[1] - 2 * MARGIN, id=BLANK)],
                                  onPage=_blank_page))
    doc.addPageTemplates(templates)
    width = PAGE[0] - 2 * MARGIN
    builder = _Builder(styles, extras, width, templates[0].frames[0].height)
    story: list[Flowable] = []
    for n, h in enumerate(handouts):
        if n:
            story += [NextPageTemplate(h.kind), PageBreak()]
        story.append(RLParagraph(escape(h.title), styles.title))
        story.append(RLParagraph(h.subtitle, styles.subtitle))
        for notice in h.notices:
            story.append(builder.box(d.Box("note", (d.Paragraph(notice),))))
        for section in h.sections:
            story.extend(builder.section(section))
        if h.kind in pad:  # an empty back page, without header or footer
            story += [NextPageTemplate(BLANK), PageBreak(), Spacer(1, 1)]
    canvases: list[_NumberedCanvas] = []

    def canvasmaker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvases.append(_NumberedCanvas(*args, **kwargs))
        return canvases[-1]

    doc.build(story, canvasmaker=canvasmaker)
    return buf.getvalue(), canvases[-1].page_totals


