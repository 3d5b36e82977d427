"""Syntax colours for handout templates: Jinja tags, block markers and inline tags."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


# (pattern, format); colours have >= 4.5:1 contrast on white
RULES: list[tuple[re.Pattern[str], QTextCharFormat]] = [
    (re.compile(r"^\s*(#{1,2} .*)$"), _fmt("#0b4f6c", bold=True)),
    (re.compile(r"^\s*(- |\[ \] )"), _fmt("#5b3a00", bold=True)),
    (re.compile(r"^\s*(:::.*)$"), _fmt("#9a1b12", bold=True)),
    (re.compile(r"^\s*(@\w+)"), _fmt("#6a1b9a", bold=True)),
    (re.compile(r"</?[bi]>"), _fmt("#4d5562")),
    (re.compile(r"\{\{.*?\}\}"), _fmt("#0b5d1e", bold=True)),
    (re.compile(r"\{%.*?%\}"), _fmt("#1d4ed8", bold=True)),
    (re.compile(r"\{#.*?#\}"), _fmt("#555555", italic=True)),
]


class TemplateHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in RULES:
            for m in pattern.finditer(text):
                start, end = m.span(1) if m.groups() else m.span()
                self.setFormat(start, end - start, fmt)
