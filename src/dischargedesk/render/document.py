"""The document model, and the parser from rendered template text to it.

Templates own the words, Python owns the layout: the parser accepts only the small block
syntax of docs/templates.md and the inline tags ``<b>`` and ``<i>``. Anything else that
looks like markup is refused, so a template cannot add images, links or fonts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities for ReportLab's paragraph markup (what
    ``xml.sax.saxutils.escape`` does, without its import of ``urllib.request``, ``http`` and
    ``ssl``: about 40 ms of every cold command)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

#: The nurse's free text (typed in English) in inline text: from the context through the
#: templates (render/templating.py) and, in a translated handout, into the document model,
#: where each printed value is one run between these two Unicode noncharacters (never in
#: typed text: domain/textclean.py drops them; a template cannot write them). The PDF
#: builder prints the run as typed and tags it as a Span with /Lang en inside its
#: paragraph (render/tagging.py). An English handout has no runs: the marks are removed.
FREE_START, FREE_END = "\ufdd0", "\ufdd1"
FREE_CHARS = FREE_START + FREE_END
FREE_LANG = "en"  # the language the nurse types free text in (field table: untranslated)
#: A run of inline text in another language than the text around it, named by its BCP 47
#: code: ``LANG_START + code + LANG_SEP + text + LANG_END`` (:func:`lang_run`). The engine
#: makes them for the pack texts a translated handout prints in English (the English half
#: of the unreviewed notice and of the English-copy label, a label a clinic's pack lacks and
#: the English pack gives); the PDF builder tags each as a Span with that /Lang, like the
#: free text. Noncharacters as well: typed text never has them, templates cannot write them.
LANG_START, LANG_SEP, LANG_END = "\ufdd2", "\ufdd3", "\ufdd4"
RUN_CHARS = FREE_CHARS + LANG_START + LANG_SEP + LANG_END
_LANG_RUN_RE = re.compile(f"{LANG_START}[^{LANG_SEP}]*{LANG_SEP}|{LANG_END}")

BOX_KINDS = ("911", "call", "watch", "note")
DIRECTIVES = ("spine", "qr", "signatures", "diary", "pagebreak")
INLINE_TAGS = ("b", "i")

_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\s*>")
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_BARE_AMP_RE = re.compile(r"&(?!#[0-9]{1,7};|#x[0-9a-fA-F]{1,6};|[a-zA-Z]{2,8};)")


class MarkupProblem(ValueError):
    """Rendered template text that the document format does not allow.

    ``str()`` quotes the rendered text (for the template author's tests); ``category`` is a
    fixed text that never does, for messages that may be shown beside patient data.
    """

    def __init__(self, message: str, snippet: str, category: str = "") -> None:
        super().__init__(message)
        self.snippet = snippet
        self.category = category or message


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    lang: str = ""  # its language when not the handout's (tagged as /Lang in the PDF)


@dataclass(frozen=True)
class Bullet:
    text: str


@dataclass(frozen=True)
class Checkbox:
    text: str


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Directive:
    name: str


@dataclass(frozen=True)
class Box:
    kind: str
    blocks: tuple[Block, ...]


Block = Heading | Paragraph | Bullet | Checkbox | Table | Directive | Box


@dataclass
class Section:
    source: str  # template display name, for messages and reading-level reports
    blocks: list[Block] = field(default_factory=list)
    #: BCP 47 code of the section's text ("es"; "en" for the English text of a bilingual
    #: handout), for the tagged PDF's /Lang of its structure elements. "" means the
    #: handout's language (the document's /Lang).
    lang: str = ""
    #: For the clinic's English text of a section in a bilingual handout: the label over
    #: it, in the patient's language ("英文原文 · English"), inline markup whose English is
    #: a run (``lang_run``); the layout sets it apart.
    english_copy: str = ""

    @property
    def title(self) -> str:
        for b in self.blocks:
            if isinstance(b, Heading):
                return plain_text(b.text)
        return self.source

    def plain_sentences(self) -> list[str]:
        """The section's words, one sentence per line/bullet/cell, markup removed."""
        out: list[str] = []

        def walk(blocks: tuple[Block, ...] | list[Block]) -> None:
            for b in blocks:
                if isinstance(b, Box):
                    walk(b.blocks)
                elif isinstance(b, Table):
                    out.extend(plain_text(c) for row in b.rows for c in row if c.strip())
                elif isinstance(b, Directive):
                    continue
                else:
                    out.append(plain_text(b.text))

        walk(self.blocks)
        return [s for s in out if s]


def _spaceless(ch: str) -> bool:
    """Han, kana and full-width punctuation: scripts written without spaces between words
    (Hangul is written with spaces, so it is not one of them)."""
    cp = ord(ch)
    return (0x3000 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF
            or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFF60 or 0x20000 <= cp <= 0x3FFFF)


def join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one text: a space between them, except where a line
    break falls between Chinese or Japanese characters ("缝针。" + "医生…"), where a space
    would print as a gap in the middle of the text."""
    out = lines[0] if lines else ""
    for line in lines[1:]:
        gap = "" if out and line and (_spaceless(out[-1]) or _spaceless(line[0])) else " "
        out += gap + line
    return out


def lang_run(markup: str, lang: str) -> str:
    """Inline text (markup) read in ``lang``: one run of the document model."""
    return f"{LANG_START}{lang}{LANG_SEP}{markup}{LANG_END}" if markup and lang else markup


def plain_text(text: str) -> str:
    text = _TAG_RE.sub("", text)
    if FREE_START in text or FREE_END in text:
        text = text.replace(FREE_START, "").replace(FREE_END, "")
    if LANG_START in text or LANG_END in text:
        text = _LANG_RUN_RE.sub("", text)
    return html.unescape(text).strip()


def free_runs(text: str) -> str:
    """Inline text with its free-text marks as runs that never nest or overlap: a run
    inside a run is part of it; an end with no start (a value whose start a filter cut)
    starts the run at the beginning of the text, a start with no end ends it at the end.
    Text without marks comes back as it is."""
    if FREE_START not in text and FREE_END not in text:
        return text
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == FREE_START:
            depth += 1
            if depth > 1:
                continue
        elif ch == FREE_END:
            if depth == 0:  # (runs before it join this one)
                out = [FREE_START, *(c for c in out if c not in FREE_CHARS)]
                depth = 1
            depth -= 1
            if depth:
                continue
        out.append(ch)
    if depth:
        out.append(FREE_END)
    return "".join(out).replace(FREE_START + FREE_END, "")


def check_inline(text: str) -> str:
    """Validate inline markup; return text ready for a ReportLab Paragraph (free-text
    runs made well-formed: :func:`free_runs`)."""
    stack: list[str] = []
    for m in _TAG_RE.finditer(text):
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if tag not in INLINE_TAGS:
            raise MarkupProblem(f"the tag <{tag}> is not allowed (only <b> and <i>)", m.group(0),
                                "a tag that is not allowed (only <b> and <i>)")
        if closing:
            if not stack or stack.pop() != tag:
                raise MarkupProblem(f"</{tag}> does not close an open <{tag}>", m.group(0),
                                    "a closing tag that does not close an open tag")
        else:
            stack.append(tag)
    if stack:
        raise MarkupProblem(f"<{stack[-1]}> is opened but not closed on the same line",
                            f"<{stack[-1]}>", "a tag is opened but not closed on the same line")
    rest = _TAG_RE.sub("", text)
    if "<" in rest or ">" in rest:
        where = rest.index("<") if "<" in rest else rest.index(">")
        raise MarkupProblem("a < or > that is not an allowed tag; write &lt; or &gt; for the "
                            "signs", rest[max(0, where - 10): where + 20])
    for m in _ENTITY_RE.finditer(text):
        ent = m.group(0)
        if html.unescape(ent) == ent:
            raise MarkupProblem(f"unknown character name {ent}", ent,
                                "an unknown character name (&...;)")
        if ent.startswith("&#") and not _printable_codepoint(ent):
            raise MarkupProblem(f"{ent} is not a printable character", ent,
                                "a character number (&#...;) that is not printable")
    return free_runs(_BARE_AMP_RE.sub("&amp;", text))


def _printable_codepoint(entity: str) -> bool:
    try:
        cp = int(entity[3:-1], 16) if entity[2] in "xX" else int(entity[2:-1])
    except ValueError:
        return False
    return 0x20 <= cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF


def parse_section(text: str, source: str, lang: str = "") -> Section:
    """Parse rendered template text into blocks. Raises MarkupProblem."""
    section = Section(source, lang=lang)
    target: list[Block] = section.blocks
    box: tuple[str, list[Block]] | None = None
    para: list[str] = []
    rows: list[tuple[str, ...]] = []

    def flush() -> None:
        if para:
            target.append(Paragraph(check_inline(join_lines(para))))
            para.clear()
        if rows:
            width = max(len(r) for r in rows)
            target.append(Table(tuple(r + ("",) * (width - len(r)) for r in rows)))
            rows.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith(":::"):
            flush()
            kind = line[3:].strip()
            if not kind:
                if box is None:
                    raise MarkupProblem("':::' closes a box, but no box is open", line)
                section.blocks.append(Box(box[0], tuple(box[1])))
                box, target = None, section.blocks
                continue
            if kind not in BOX_KINDS:
                raise MarkupProblem(f"unknown box '::: {kind}' (use one of: "
                                    f"{', '.join(BOX_KINDS)})", line,
                                    f"an unknown box (use one of: {', '.join(BOX_KINDS)})")
            if box is not None:
                raise MarkupProblem("a box cannot start inside another box", line)
            box = (kind, [])
            target = box[1]
            continue
        if line.startswith("|"):
            if para:
                flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows.append(tuple(check_inline(c) for c in cells))
            continue
        if rows:
            flush()
        if line.startswith("@"):
            flush()
            name = line[1:].strip()
            if name not in DIRECTIVES:
                raise MarkupProblem(f"unknown block '@{name}' (use one of: "
                                    f"{', '.join('@' + d for d in DIRECTIVES)})", line,
                                    "an unknown '@' block (use one of: "
                                    f"{', '.join('@' + d for d in DIRECTIVES)})")
            if box is not None:
                raise MarkupProblem(f"'@{name}' cannot be inside a box", line,
                                    "an '@' block cannot be inside a box")
            target.append(Directive(name))
        elif line.startswith("## "):
            flush()
            target.append(Heading(check_inline(line[3:].strip()), 2))
        elif line.startswith("# "):
            flush()
            if box is not None:
                raise MarkupProblem("a '# ' section title cannot be inside a box; use '## '",
                                    line)
            target.append(Heading(check_inline(line[2:].strip()), 1))
        elif line.startswith("- "):
            flush()
            target.append(Bullet(check_inline(line[2:].strip())))
        elif line.startswith("[ ]"):
            flush()
            target.append(Checkbox(check_inline(line[3:].strip())))
        else:
            para.append(line)
    flush()
    if box is not None:
        raise MarkupProblem(f"the box '::: {box[0]}' is not closed with ':::'", "::: " + box[0],
                            "a box is not closed with ':::'")
    return section
