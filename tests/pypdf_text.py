"""pypdf's ``PdfReader(...).pages[i].extract_text()``, read about four times faster by the
engine's own reader of its PDFs (``dischargedesk.pdftext``, which reproduces pypdf's text
state machine to report the same runs; tests/test_layout_reader.py proves the runs agree).

pypdf's page text is every piece its text visitor reports, in order: ``pdftext`` reports the
same pieces but leaves out those that are only whitespace (the layout checks do not need
them) and the line end pypdf adds before an image (``Do``). :func:`page_texts` keeps both, so
the text is pypdf's, character for character; tests/test_pypdf_text.py proves it on every
language, print size, bilingual print, hostile text and the duplex blank page. A PDF this
reader does not read (form XObjects, other font types) is read by pypdf itself.
"""

from __future__ import annotations

import io
from typing import Any

from dischargedesk import pdftext


class _AllText(pdftext._Walk):
    """pdftext's walk of one page, keeping every piece of text pypdf's output gets."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pieces: list[str] = []
        self.page.runs = self.pieces  # type: ignore[assignment]  # the page's text pieces

    def _visit(self, text: str) -> None:
        self.pieces.append(text)

    def _handlers(self) -> dict[bytes, Any]:
        handlers = super()._handlers()
        do = handlers[b"Do"]

        def do_with_line_end(a: list[Any]) -> None:
            # pypdf: output += text, then "\n" unless the output is empty or ends with one
            last = self.text[-1:] or self.last_out
            do(a)
            if last not in ("", "\n"):
                self.pieces.append("\n")

        handlers[b"Do"] = do_with_line_end
        return handlers


def page_texts(pdf: bytes) -> list[str]:
    """``[page.extract_text() or "" for page in PdfReader(pdf).pages]``, faster."""
    try:
        pages = pdftext.read_pdf(pdf, walk=_AllText)
    except pdftext.PdfReadError:
        return pypdf_page_texts(pdf)
    return ["".join(page.runs) for page in pages]  # type: ignore[arg-type]


def pypdf_page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
