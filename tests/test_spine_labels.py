"""The spine drawing's level names never print over each other, nor over the top label,
nor outside the drawing, whatever the levels, type size and scale: measured from the
printed PDF (pdfminer character boxes). Where neighbouring names would not fit, a run of
treated levels is named by its ends."""

from __future__ import annotations

import io
import itertools

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextContainer
from reportlab.pdfgen.canvas import Canvas

from dischargedesk.domain.levels import TREATABLE_LEVELS
from dischargedesk.render.drawings import SpineDrawing, spread
from dischargedesk.render.fonts import register_fonts

TEN = ["T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2"]
LEVELS = {"ten": TEN, "t6-t7-t9": ["T6", "T7", "T9"], "two": ["T12", "L1"],
          "all": list(TREATABLE_LEVELS), "alternate": list(TREATABLE_LEVELS[::2])}


def _words(pdf: bytes) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each run of characters on one baseline, with its box (x0, y0, x1, y1)."""
    out = []
    for page in extract_pages(io.BytesIO(pdf)):
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                chars = [c for c in getattr(line, "_objs", []) if isinstance(c, LTChar)
                         and c.get_text().strip()]
                word: list[LTChar] = []
                for c in [*chars, None]:
                    if c is not None and word and abs(c.y0 - word[-1].y0) < 0.5 and \
                            c.x0 - word[-1].x1 < c.size * 0.3:
                        word.append(c)
                        continue
                    if word:
                        # the glyphs' own height: capitals and digits, no descenders
                        y0 = word[0].matrix[5]  # the baseline
                        box = (word[0].x0, y0, word[-1].x1, y0 + word[0].size * 0.73)
                        out.append(("".join(w.get_text() for w in word), box))
                    word = [c] if c is not None else []
    return out


@pytest.mark.parametrize(("name", "size", "scale"), list(itertools.product(
    LEVELS, (12.0, 18.0), (0.74, 0.62, 0.52, 0.38, 0.3))))
def test_spine_labels_never_overlap(name, size, scale):
    register_fonts()
    drawing = SpineDrawing(LEVELS[name], size, top_label="Neck (C)", scale=scale)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(drawing.width + 40, drawing.height + 40))
    drawing.wrapOn(canvas, 1e6, 1e6)
    drawing.drawOn(canvas, 20, 20)
    canvas.save()
    words = _words(buf.getvalue())
    names = [w for w, _ in words]
    treated = set(LEVELS[name])
    for i, level in enumerate(TREATABLE_LEVELS):
        inner = 0 < i < len(TREATABLE_LEVELS) - 1 and \
            {TREATABLE_LEVELS[i - 1], TREATABLE_LEVELS[i + 1]} <= treated
        # every treated level is named, or (where the names would not fit) each run of
        # treated levels by its first and last
        if level in treated and not inner:
            assert level in names, (level, names)
    for (a, ba), (b, bb) in itertools.combinations(words, 2):
        overlap_x = min(ba[2], bb[2]) - max(ba[0], bb[0])
        overlap_y = min(ba[3], bb[3]) - max(ba[1], bb[1])
        assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, ba, b, bb)
    for w, (x0, y0, x1, y1) in words:  # inside the drawing
        assert x0 >= 19.5 and x1 <= 20.5 + drawing.width, w
        assert y0 >= 19.5 and y1 <= 20.5 + drawing.height, w


def test_spread_keeps_order_pitch_and_top():
    ys = spread([100, 99, 98, 97, 50], pitch=10, top=102)
    assert ys == sorted(ys, reverse=True)
    assert all(a - b >= 10 - 1e-9 for a, b in itertools.pairwise(ys))
    assert ys[0] <= 102
    assert ys[-1] == 50  # a label with room stays where it wants to be
    assert spread([80, 70], pitch=5, top=100) == [80, 70]
