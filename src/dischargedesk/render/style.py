"""How the handouts look, as data: colours, paper and margins, type sizes, paragraph
styles, and the spacing and padding of every block the layout draws.

``pdf.py`` (the page furniture and blocks) and ``drawings.py`` (the spine and the QR code)
read their numbers from here; the layout logic (what stays together, when a page breaks)
stays in ``pdf.py``. Spacing is in type sizes (a fraction of the body size, so large print
scales with it) unless the name says points. Change a number here and every handout
follows; keep the text contrast at 4.5:1 or more on every background
(tests/test_accessibility.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

from .fonts import FONT, FONT_BOLD

# -- colours --------------------------------------------------------------------------------
TEXT = colors.HexColor("#1a1a1a")  # body text
HEADING = colors.HexColor("#0b4f6c")  # headings, the clinic name
RULE = colors.HexColor("#9aa5b1")  # header and footer rules, table lines
MUTED = colors.HexColor("#3f4752")  # secondary text: subtitle, footer notice, spine key
SHADE = colors.HexColor("#eef2f6")  # table header rows, diary date bands
TREATED = colors.HexColor("#b42318")  # treated levels on the spine drawing
BONE = colors.HexColor("#d0d5dd")  # untreated vertebrae
OUTLINE = colors.HexColor("#667085")  # vertebra outlines


class BoxColours(NamedTuple):
    background: colors.Color
    border: colors.Color


#: kind: (background, border) -- text stays TEXT, contrast > 12:1
BOX_STYLE = MappingProxyType({
    "911": BoxColours(colors.HexColor("#fde8e8"), colors.HexColor("#b42318")),
    "call": BoxColours(colors.HexColor("#fff1dc"), colors.HexColor("#b54708")),
    "watch": BoxColours(colors.HexColor("#e6f0fb"), colors.HexColor("#175cd3")),
    "note": BoxColours(colors.HexColor("#f2f4f7"), colors.HexColor("#475467")),
})

# -- paper ----------------------------------------------------------------------------------
PAPER = MappingProxyType({"Letter": LETTER, "A4": A4})
PAGE = LETTER  # the default paper (the clinic parameter ``paper`` chooses another)
MARGIN = 0.7 * inch
LARGE_MARGIN = 0.5 * inch  # large print: more room for 18 pt text (printers need ~0.25 in)


# -- type -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TypeScale:
    """Body sizes (points) and the other sizes and spaces as multiples of the body size.
    ``tight`` only reduces the space between blocks; type sizes never change."""

    body: float = 12.0
    large: float = 18.0
    leading: float = 1.3
    tight_leading: float = 1.18
    tight_gap: float = 0.55  # scale of the space between blocks in a tight layout
    tighter_gap: float = 0.35  # the last resort of a large-print summary (its lines are far apart)
    body_after: float = 0.5
    bullet_indent: float = 1.4  # text indent of a bullet line
    bullet_mark_indent: float = 0.3  # where the bullet mark sits
    bullet_after: float = 0.25
    h1_size: float = 1.4
    h1_leading: float = 1.75
    h1_before: float = 0.6
    h1_after: float = 0.4
    h2_size: float = 1.1
    h2_leading: float = 1.4
    h2_before: float = 0.4
    h2_after: float = 0.25
    title_size: float = 1.9
    title_leading: float = 2.3
    title_after: float = 0.2
    subtitle_after: float = 0.6
    caption_after: float = 0.2


TYPE = TypeScale()


# -- blocks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoxSpacing:
    """The tinted warning and note boxes (in type sizes; border widths in points)."""

    pad: float = 0.6  # top and right padding
    tight_pad: float = 0.45
    left_pad: float = 0.84  # room for the thick coloured edge
    bottom_pad: float = 0.4  # of ``pad``, under the last line
    edge: float = 0.35  # the thick coloured edge on the left
    border_pt: float = 0.8
    after: float = 0.6  # space under a box (times the layout's gap)


@dataclass(frozen=True)
class TableSpacing:
    """Tables: the calendar and medication tables, the diary, the signature lines."""

    top_pad: float = 0.3
    bottom_pad: float = 0.35
    rule_pt: float = 0.6  # lines between rows, the diary grid
    cell_pad_pt: float = 13.0  # cell padding (6 + 6) and a point to spare
    diary_row: float = 2.0  # a diary row's height (room to write), in type sizes
    diary_min_pad_pt: float = 3.0
    diary_band_top_pt: float = 1.0  # large print: the date band's padding
    diary_band_bottom_pt: float = 2.0
    diary_boxes: float = 1.7  # large print: the empty boxes under a date band
    diary_tail_days: int = 3  # the diary's last days print together (never one alone)
    signature_gap: float = 1.8  # room above each signature line
    signature_line_pt: float = 0.8
    signature_label_share: float = 0.45  # of the text width; the line takes the rest
    signature_before: float = 0.5


@dataclass(frozen=True)
class FigureSpacing:
    """The spine drawing, its key, and the QR code."""

    beside_gap: float = 0.5  # between text and a drawing beside it (right padding)
    beside_after: float = 0.4  # times the layout's gap
    spine_scale: float = 0.62  # height of one vertebra, in type sizes
    compact_spine_scale: float = 0.52
    # large print, by compactness (the last: the key in one paragraph beside the drawing)
    wide_scales: tuple[float, ...] = (0.55, 0.45, 0.38, 0.27)
    spine_min_width: float = 11.5  # the drawing's column, room for its caption
    spine_pad_bottom_pt: float = 2.0
    wide_key_after: float = 0.3
    wide_after: float = 0.5
    qr_side_pt: float = 12.0 * 7  # the code needs no more size in large print


@dataclass(frozen=True)
class SpineShape:
    """The spine drawing's proportions (in type sizes; line widths in points)."""

    default_scale: float = 0.74
    body_w: float = 2.8  # a vertebra's width
    label_w: float = 5.4  # room for two staggered labels of neighbouring levels
    top_label_pad: float = 0.6
    top_h: float = 1.6  # the neck above T1
    right_pad: float = 0.5
    bottom_pad: float = 0.5
    neck_half_w: float = 0.4
    neck_gap: float = 0.1
    neck_radius: float = 0.15
    top_label_x: float = 0.4
    top_label_drop: float = 0.95
    thoracic_w: float = 0.78  # of body_w
    other_w: float = 0.9
    lumbar_widen: float = 0.12  # per level below T12
    vertebra_h: float = 0.72  # of a unit (the rest is the gap)
    radius: float = 0.18
    outline_pt: float = 0.5
    label_x: float = 1.3  # labels end this far left of the vertebra column
    label_cap: float = 0.73  # a label's height above its baseline (capitals and digits)
    label_pitch: float = 0.95  # baseline to baseline of labels one above the other
    label_gap: float = 0.25  # under the top label
    leader_y: float = 0.36  # of a unit: where a leader meets its vertebra
    leader_start: float = 0.1
    leader_run: float = 0.35  # the level part of a leader, before it turns to its vertebra
    leader_pt: float = 1.2


@dataclass(frozen=True)
class PageFurniture:
    """Header and footer (in type sizes; rule width in points)."""

    header_h: float = 3.2
    large_header_h: float = 2.9
    logo_h: float = 2.4
    large_logo_h: float = 1.9  # large print: the type grows, the logo need not
    logo_max_share: float = 0.35  # of the text width
    logo_gap: float = 0.5  # between the logo and the clinic name
    name_drop: float = 1.0  # the clinic name's baseline under the top margin
    phone_drop: float = 2.3
    large_phone_drop: float = 2.15
    header_rule_rise: float = 0.4  # the rule's height above the header's bottom
    rule_pt: float = 0.8
    footer_line: float = 1.25  # line pitch of the footer
    footer_first_share: float = 0.78  # the first line shares its row with the page number
    footer_rule_rise: float = 0.9
    footer_text_drop: float = 0.4


@dataclass(frozen=True)
class CopySpacing:
    """The clinic's English text after each section of a bilingual handout: a rule, a
    label in the patient's language, then the English indented (in type sizes)."""

    indent: float = 0.0  # from the left margin (an indent cost bilingual print a page)
    before: float = 0.15  # space above the rule
    rule_pt: float = 0.8
    label_gap: float = 0.1  # between the rule and the label


BOX = BoxSpacing()
COPY = CopySpacing()
#: text of the English copy: a quieter grey than the patient's text, contrast 9.9:1 on
#: white (and over 7:1 on every box background); same type size, never smaller
COPY_TEXT = MUTED
TABLE = TableSpacing()
FIGURE = FigureSpacing()
SPINE = SpineShape()
FURNITURE = PageFurniture()


class Styles:
    """The paragraph styles of one print size. Type sizes never change (12 pt body, 18 pt
    large print); ``tight`` only reduces the space between blocks, for a one-page section
    that would not fit otherwise."""

    def __init__(self, large_print: bool, tight: bool = False,
                 word_wrap: str | None = None, tighter: bool = False,
                 english_copy: bool = False) -> None:
        t = TYPE
        size = t.large if large_print else t.body
        self.size, self.large, self.tight = size, large_print, tight
        self.word_wrap = word_wrap  # "CJK" for Chinese: lines break between characters
        self.margin = LARGE_MARGIN if large_print else MARGIN
        # scale of the space between blocks
        gap = (t.tighter_gap if tighter else t.tight_gap) if tight else 1.0
        lead = size * (t.tight_leading if tight else t.leading)
        self.gap = gap
        # allowWidows=0: a paragraph never leaves its last line alone at the top of a page
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead,
                                   textColor=COPY_TEXT if english_copy else TEXT,
                                   spaceAfter=size * t.body_after * gap,
                                   splitLongWords=1, allowWidows=0, allowOrphans=0,
                                   wordWrap=word_wrap)
        self.bullet = ParagraphStyle("bullet", parent=self.body,
                                     leftIndent=size * t.bullet_indent,
                                     bulletIndent=size * t.bullet_mark_indent,
                                     spaceAfter=size * t.bullet_after * gap,
                                     bulletFontName=FONT, bulletFontSize=size)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=FONT_BOLD,
                                 fontSize=size * t.h1_size, leading=size * t.h1_leading,
                                 textColor=HEADING, spaceBefore=size * t.h1_before * gap,
                                 spaceAfter=size * t.h1_after * gap)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=FONT_BOLD,
                                 fontSize=size * t.h2_size, leading=size * t.h2_leading,
                                 textColor=HEADING, spaceBefore=size * t.h2_before * gap,
                                 spaceAfter=size * t.h2_after * gap)
        self.box_h2 = ParagraphStyle("box_h2", parent=self.h2, textColor=TEXT, spaceBefore=0)
        if tight and large_print:  # box headings at body size (bold), still >= 18 pt
            self.box_h2 = ParagraphStyle("box_h2_tight", parent=self.box_h2, fontSize=size,
                                         leading=lead)
        self.title = ParagraphStyle("title", parent=self.h1, fontSize=size * t.title_size,
                                    leading=size * t.title_leading, spaceBefore=0,
                                    spaceAfter=size * t.title_after)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, textColor=MUTED,
                                       spaceAfter=size * t.subtitle_after * gap)
        #: the label over the English copy of a section ("英文原文 · English"): bold, body
        #: size (the layout keeps it with the text it introduces)
        self.copy_label = ParagraphStyle("copy_label", parent=self.body, fontName=FONT_BOLD,
                                         textColor=COPY_TEXT,
                                         spaceBefore=size * COPY.label_gap,
                                         spaceAfter=size * t.h2_after * gap)
        if english_copy:
            # the English copy reads as the second voice: grey text (body, bullets and
            # what inherits them), headings one step
            # smaller (h1 at h2 size, h2 at body size), in bold; sizes never below body
            self.h1 = ParagraphStyle("copy_h1", parent=self.h2, textColor=COPY_TEXT,
                                     spaceBefore=size * t.h1_before * gap)
            self.h2 = ParagraphStyle("copy_h2", parent=self.h2, textColor=COPY_TEXT,
                                     fontSize=size, leading=lead)
        self.cell = ParagraphStyle("cell", parent=self.body, spaceAfter=0)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=FONT_BOLD)
        self.caption = ParagraphStyle("caption", parent=self.body, alignment=TA_CENTER,
                                      spaceAfter=size * t.caption_after)
