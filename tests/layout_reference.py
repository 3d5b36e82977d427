"""The layout checks' first PDF reader, kept as the reference: pypdf's text extraction with a
visitor (what dischargedesk.layout_checks used before pdftext.py walked the content streams
itself). The runs it reports become lines with the same code (layout_checks.add_run).

tests/test_layout_reader.py proves that both readers give the same text runs, rules and
findings. pypdf is a test dependency only; nothing under src/ imports it.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from dischargedesk.layout_checks import Page, add_run
from dischargedesk.render.fonts import register_fonts


def read_pages(pdf: bytes) -> list[Page]:
    """Text runs and horizontal rules of every page, in drawing order."""
    register_fonts()
    reader = PdfReader(io.BytesIO(pdf))
    pages: list[Page] = []
    for n, pg in enumerate(reader.pages):
        box = pg.mediabox
        page = Page(n, float(box.width), float(box.height))
        start: list[float] = []

        def text(t: str, cm: list[float], tm: list[float], font: dict | None, size: float,
                 page: Page = page) -> None:
            add_run(page, t, cm, tm, str((font or {}).get("/BaseFont", "")), size)

        def operand(op: bytes, args: list, cm: list[float], tm: list[float],
                    page: Page = page, start: list[float] = start) -> None:
            if op == b"m" and len(args) == 2:
                start[:] = [float(args[0]) + cm[4], float(args[1]) + cm[5]]
            elif op == b"l" and len(args) == 2 and start:
                x1, y1 = float(args[0]) + cm[4], float(args[1]) + cm[5]
                if abs(y1 - start[1]) < 0.01:
                    page.rules.append((min(start[0], x1), max(start[0], x1), y1))

        pg.extract_text(visitor_text=text, visitor_operand_before=operand)
        pages.append(page)
    return pages
