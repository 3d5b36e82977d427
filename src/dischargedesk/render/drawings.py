"""Drawings the program owns: the spine with the treated levels, and the portal QR code."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..domain.levels import TREATABLE_LEVELS
from .fonts import FONT, FONT_BOLD, face_for, runs, text_width
from .style import BONE, MUTED, OUTLINE, SPINE, TREATED
from .tagging import Marked


class SpineDrawing(Marked, Flowable):
    """T1-S1 drawn as stacked vertebrae, seen from the back; the treated levels in red,
    labelled. ``top_label`` ("Neck (C)") marks the top of the spine, above T1, so the
    drawing reads the right way up; ``scale`` is the height of one vertebra in type sizes
    (labels keep the type size whatever the scale)."""

    def __init__(self, levels: Sequence[str], size: float, top_label: str = "",
                 scale: float = SPINE.default_scale) -> None:
        super().__init__()
        self.levels = set(levels)
        self.size = size
        self.top_label = top_label
        self.unit = size * scale  # height of one vertebra + gap
        self.body_w = size * SPINE.body_w
        # room for two staggered labels of neighbouring levels, and for the top label
        self.label_w = max(size * SPINE.label_w,
                           text_width(top_label, FONT_BOLD, size) + size * SPINE.top_label_pad)
        self.top_h = size * SPINE.top_h if top_label else 0.0
        self.width = self.body_w + self.label_w + size * SPINE.right_pad
        self.height = self.unit * len(TREATABLE_LEVELS) + size * SPINE.bottom_pad + self.top_h

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        drawing = Drawing(self.width, self.height)
        s, unit = self.size, self.unit
        x0 = self.label_w
        if self.top_label:  # a short neck above T1, labelled
            mid = x0 + self.body_w / 2
            half = s * SPINE.neck_half_w
            drawing.add(Rect(mid - half, self.height - self.top_h, s * (2 * SPINE.neck_half_w),
                             self.top_h - s * SPINE.neck_gap, rx=s * SPINE.neck_radius,
                             ry=s * SPINE.neck_radius, fillColor=BONE, strokeColor=OUTLINE,
                             strokeWidth=SPINE.outline_pt))
            # run by run (a Chinese or Korean label prints in its own font)
            x = x0 - s * SPINE.top_label_x - text_width(self.top_label, FONT_BOLD, s)
            for fb, part in runs(self.top_label):
                face = face_for(FONT_BOLD, fb)
                drawing.add(String(x, self.height - s * SPINE.top_label_drop, part,
                                   fontName=face, fontSize=s, fillColor=MUTED))
                x += stringWidth(part, face, s)
        staggered = False
        for i, name in enumerate(TREATABLE_LEVELS):
            y = self.height - self.top_h - (i + 1) * unit
            treated = name in self.levels
            # lumbar vertebrae are a little wider; the sacrum is a wedge-like block
            widen = s * SPINE.lumbar_widen * (i - 11) if name.startswith("L") else 0
            w = self.body_w * (SPINE.thoracic_w if name.startswith("T") else SPINE.other_w) + widen
            x = x0 + (self.body_w - w) / 2
            drawing.add(Rect(x, y, w, unit * SPINE.vertebra_h, rx=s * SPINE.radius,
                             ry=s * SPINE.radius, fillColor=TREATED if treated else BONE,
                             strokeColor=OUTLINE, strokeWidth=SPINE.outline_pt))
            landmark = name in ("T1", "L1", "S1") and not any(
                n in self.levels for n in TREATABLE_LEVELS[max(0, i - 1): i + 2])
            # neighbouring treated levels are closer than a line of text: stagger their labels
            staggered = treated and not staggered and i > 0 and \
                TREATABLE_LEVELS[i - 1] in self.levels
            label_x = x0 - s * (SPINE.stagger_x if staggered else SPINE.label_x)
            if treated or landmark:
                drawing.add(String(label_x, y + unit * SPINE.label_rise, name, fontName=FONT_BOLD
                                   if treated else FONT, fontSize=s, fillColor=TREATED
                                   if treated else MUTED, textAnchor="end"))
            if treated:
                lead_y = y + unit * SPINE.leader_y
                drawing.add(Line(label_x + s * SPINE.leader_start, lead_y, x, lead_y,
                                 strokeColor=TREATED, strokeWidth=SPINE.leader_pt))
        drawing.drawOn(self.canv, 0, 0)


@lru_cache(maxsize=16)
def _qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's dark modules (computed once per portal address)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


class QrCode(Marked, Flowable):
    """The portal QR code drawn as one vector path (fast, sharp at any resolution)."""

    BORDER = 4  # quiet zone, in modules

    def __init__(self, url: str, side: float) -> None:
        super().__init__()
        self.modules = _qr_modules(url)
        self.width = self.height = side

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        n = len(self.modules) + 2 * self.BORDER
        box = self.width / n
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            y = self.height - (r + self.BORDER + 1) * box
            c = 0
            for dark, run in itertools.groupby(row):
                count = len(list(run))
                if dark:
                    path.rect((c + self.BORDER) * box, y, count * box, box)
                c += count
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)
