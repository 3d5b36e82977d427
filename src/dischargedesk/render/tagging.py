"""Tagged PDF (PDF/UA-1): the structure tree and the marked content that feeds it.

One place for the whole mechanism:

* **Building.** The layout builder (render/pdf.py) gives each flowable it makes from the
  document model its structure role: ``tags.leaf(flowable, "P")``, ``tags.item(flowable)``
  for a bullet or check-box line, ``with tags.group("Sect"):`` around a section or a warning
  box, ``tags.table(table, head_rows=1)`` for a data table, ``Figure`` leaves with their
  ``/Alt``. Nodes form a tree in the order they are made, which is the document model's
  order; layouts that are tried and dropped leave nodes that never get content, and those
  are left out of the written tree.
* **Drawing.** A tagged flowable (``Marked``) brackets what it draws in marked content with
  a fresh MCID on the current page: each text object of a text leaf (so a list item's bullet
  is its ``Lbl`` and the rest its ``LBody``), the whole drawing of a figure. Page furniture
  (header, footer), table rules, backgrounds and empty cells are ``/Artifact``; nothing drawn
  inside an artifact is tagged. A canvas without tags (the layout's trial documents) draws
  plain content.
* **Writing.** At save time ``TaggingCanvas`` writes the tree into ReportLab's own PDF
  objects: StructTreeRoot, the structure elements, ParentTree and ``/StructParents`` and
  ``/Tabs /S`` on every page, ``/MarkInfo``, and XMP metadata (``dc:title``,
  ``pdfuaid:part`` 1, dates from the document's fixed time stamp). Writing inside ReportLab
  costs no second parse of the file, and object numbers follow creation order, so the same
  request still gives the same bytes. (A pikepdf post-step, the workflow of pikepdf issue
  #461, was measured first: opening and saving one handout took about 6 ms and adding 300
  structure elements 10-20 ms more, against a 45 ms budget for both handouts.)

Headings keep the model's levels (handout title 0, ``#`` 1, ``##`` 2) and become H1-H6 in
reading order so that no level is ever skipped (a ``##`` box heading on the summary page,
whose section has no ``#`` heading, is an H2 under the H1 title).

Languages: a node may carry ``lang``; ``/Lang`` is written on an element whose language
differs from its parent's (the document's language at the root). A document-model
Section or block with a ``lang`` attribute passes it on (see ``lang_of``). A run of
inline text in another language (the nurse's free text in a translated handout: the
document model's free-text marks, render/document.py) is a ``Span`` with its ``/Lang``
inside its paragraph: ``run_markup`` turns the marks into zero-width ``onDraw`` callbacks
that ReportLab calls in order as it writes the paragraph's text object; each leaves a mark
in the object's code, and when the text object is drawn (``Tags.mark_runs``) its text
before, inside and after each run gets marked content of its own (the paragraph's, the
Span's, the paragraph's again), all inside the text object, in reading order. A run that
continues on the next page (a split paragraph) stays one Span. Pack texts printed in
English in a translated handout (the English half of the unreviewed notice, a label the
English pack gives) are runs of the document model as well (``document.lang_run``, made by
the engine), tagged the same way with their own language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFObject,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.platypus import Flowable
from reportlab.platypus import Table as _RLTable

from .document import (
    FREE_END,
    FREE_LANG,
    FREE_START,
    LANG_END,
    LANG_SEP,
    LANG_START,
    escape,  # (xml.sax.saxutils' escape imports urllib, http and ssl)
)

#: Only standard structure types are used (no RoleMap); these hold elements, not content.
CONTAINERS = frozenset({"Document", "Part", "Sect", "Div", "L", "LI", "Table", "TR"})
PAGINATION = "/Artifact <</Type /Pagination>> BDC"
LAYOUT = "/Artifact <</Type /Layout>> BDC"


def lang_of(obj: object) -> str:
    """The language a document-model object declares (``lang``), or "" (the document's)."""
    value = getattr(obj, "lang", "")
    return value if isinstance(value, str) else ""


@dataclass(eq=False, slots=True)
class Node:
    """One structure element. ``kids`` are child nodes (containers) or marked-content
    references ``(page index, MCID)`` (leaves), in reading order."""

    role: str
    parent: Node | None = None
    kids: list[Node | tuple[int, int]] = field(default_factory=list)
    level: int = -1  # headings: 0 handout title, 1 "#", 2 "##" (-1: not a heading)
    alt: str = ""
    actual: str = ""  # /ActualText: what is read instead of the drawn text (a swatch)
    lang: str = ""
    title: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)  # /A (O /Table): Scope, ColSpan
    list_kind: str = ""  # L: the label of its items ("•", "☐"); consecutive items join
    run: Node | None = None  # a text leaf: its Span still open (continued on the next page)

    def add(self, child: Node) -> Node:
        child.parent = self
        self.kids.append(child)
        return child

    def label_body(self) -> tuple[Node, Node]:
        """A list item's Lbl and LBody (made when the item is first drawn: layouts that
        are tried and dropped make many items that never are)."""
        if not self.kids:
            self.add(Node("Lbl"))
            self.add(Node("LBody"))
        lbl, body = self.kids
        assert isinstance(lbl, Node) and isinstance(body, Node)
        return lbl, body

    def nodes(self) -> list[Node]:
        return [k for k in self.kids if isinstance(k, Node)]

    def has_content(self) -> bool:
        return any(not isinstance(k, Node) or k.has_content() for k in self.kids)


class Tags:
    """The structure tree of one PDF, and the marked-content bookkeeping while it draws."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.root = Node("Document")
        self._stack = [self.root]
        self.page = 0  # index of the page being drawn
        self.targets: dict[int, list[Node]] = {}  # page -> the node of each MCID
        self._active: list[Node] = []  # text leaf being drawn: nodes for its text objects
        self.artifact_depth = 0

    # -- building (called by the layout builder) ---------------------------------------------
    @property
    def current(self) -> Node:
        return self._stack[-1]

    @contextmanager
    def group(self, role: str, lang: str = "", title: str = "") -> Iterator[Node]:
        """Everything tagged inside the block becomes a child of a new ``role`` element."""
        node = self.current.add(Node(role, lang=lang, title=title))
        self._stack.append(node)
        try:
            yield node
        finally:
            self._stack.pop()

    def leaf(self, flowable: Flowable, role: str, *, level: int = -1, alt: str = "",
             lang: str = "", actual: str = "") -> Flowable:
        """Tag ``flowable`` as a ``role`` element under the current group. ``actual`` is
        the text a screen reader reads instead of what is drawn (/ActualText): a paragraph
        that starts with a colour swatch ("■", decoration) reads as its words alone."""
        flowable._dd_tag = self.current.add(Node(role, level=level, alt=alt, lang=lang,
                                                 actual=actual))
        return flowable

    def heading(self, flowable: Flowable, level: int, lang: str = "") -> Flowable:
        return self.leaf(flowable, "H", level=level, lang=lang)

    def item(self, flowable: Flowable, label: str, lang: str = "") -> Flowable:
        """A bullet or check-box line: LI (Lbl = the bullet, LBody = the text), in the list
        (L) right before it under the current group, or a new one."""
        parent = self.current
        last = parent.kids[-1] if parent.kids else None
        if isinstance(last, Node) and last.role == "L" and last.list_kind == label:
            lst = last
        else:
            lst = parent.add(Node("L", list_kind=label))
        flowable._dd_tag = lst.add(Node("LI", lang=lang))  # Lbl, LBody: label_body()
        return flowable

    def table(self, table: _RLTable, head_rows: int = 0, head_cols: int = 0,
              band_rows: Sequence[int] = ()) -> _RLTable:
        """Make ``table`` a data table: Table > TR > TH/TD under the current group, each
        cell's flowables paragraphs (P) of their cell. Header rows get ``Scope Column``,
        header columns and the rows in ``band_rows`` (a date over its boxes) ``Scope Row``;
        spans (the table's SPAN commands) ``ColSpan``/
        ``RowSpan``, and the cells they cover no element."""
        rows = table._cellvalues
        nrows, ncols = len(rows), len(rows[0]) if rows else 0
        covered: set[tuple[int, int]] = set()
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        for cmd in getattr(table, "_spanCmds", ()):
            (c0, r0), (c1, r1) = cmd[1], cmd[2]
            c0, c1 = sorted((c0 % ncols, c1 % ncols))
            r0, r1 = sorted((r0 % nrows, r1 % nrows))
            spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        covered -= set(spans)
        node = self.current.add(Node("Table"))
        for r, row in enumerate(rows):
            tr = node.add(Node("TR"))
            for c, value in enumerate(row):
                if (r, c) in covered:
                    continue
                head = r < head_rows or c < head_cols or r in band_rows
                cell = tr.add(Node("TH" if head else "TD"))
                if head:
                    cell.attrs["Scope"] = "Column" if r < head_rows else "Row"
                rs, cs = spans.get((r, c), (1, 1))
                if rs > 1:
                    cell.attrs["RowSpan"] = rs
                if cs > 1:
                    cell.attrs["ColSpan"] = cs
                for f in value if isinstance(value, list | tuple) else [value]:
                    if isinstance(f, Flowable) and "_dd_tag" not in f.__dict__:
                        f._dd_tag = cell.add(Node("P"))
        table._dd_rows = list(range(nrows))
        return table

    # -- drawing (called by flowables and the canvas) ----------------------------------------
    def begin(self, canvas: Any, node: Node) -> None:
        """Open marked content for ``node`` with the next MCID of the current page."""
        canvas._code.append(self._open(node))

    def _open(self, node: Node) -> str:
        """The operator opening marked content for ``node`` with the next MCID of the
        current page (the MCID is given to ``node``)."""
        mcids = self.targets.setdefault(self.page, [])
        node.kids.append((self.page, len(mcids)))
        tag = "H" if node.level >= 0 else node.role
        mcids.append(node)
        return f"/{tag} <</MCID {len(mcids) - 1}>> BDC"

    def mark_runs(self, code: list[str], node: Node) -> list[str] | None:
        """The code of a text object of the text leaf ``node`` with marked content inside
        it: the leaf's text, and a Span child of ``node`` for each run in another language
        (between the run marks the callbacks left, see ``run_markup``); pieces that show
        no text (positioning, fonts) stay unmarked. None when the object has no run."""
        if node.run is None and not any(isinstance(c, _RunMark) for c in code):
            return None
        out = code[:1]  # "BT"
        current = node.run or node
        piece: list[str] = []

        def flush() -> None:
            if any(_SHOWS_TEXT.search(c) for c in piece):
                if current is not node and current.parent is None:
                    node.add(current)  # a Span is made when it first shows text
                out.append(self._open(current))
                out.extend(piece)
                out.append("EMC")
            else:
                out.extend(piece)
            piece.clear()

        for c in code[1:]:
            if not isinstance(c, _RunMark):
                piece.append(c)
            elif c.lang and current is node:
                flush()
                current = Node("Span", lang=c.lang)
            elif not c.lang and current is not node:
                flush()
                current = node
        flush()
        node.run = current if current is not node else None
        return out

    @contextmanager
    def artifact(self, canvas: Any, kind: str = LAYOUT) -> Iterator[None]:
        canvas._code.append(kind)
        self.artifact_depth += 1
        try:
            yield
        finally:
            self.artifact_depth -= 1
            canvas._code.append("EMC")

    def text_target(self) -> Node | None:
        """The node of a text object drawn now: the active text leaf's (for a list item
        its Lbl first, then its LBody), or None (not tagged here)."""
        active = self._active
        if not active or self.artifact_depth:
            return None
        return active.pop(0) if len(active) > 1 else active[0]

    def draw_text_leaf(self, nodes: list[Node], draw: Any, *args: Any) -> None:
        """Draw a text leaf: each text object it draws is marked for ``nodes``."""
        saved, self._active = self._active, nodes
        try:
            draw(*args)
        finally:
            self._active = saved

    # -- writing ------------------------------------------------------------------------------
    def kept(self) -> Node:
        """The tree without nodes that got no content (layouts tried and dropped); a data
        table with content keeps all its rows and cells (empty cells are part of it)."""
        def keep(node: Node) -> bool:
            if node.role == "Table" or node.role not in CONTAINERS:
                return node.has_content()
            node.kids = [k for k in node.kids if not isinstance(k, Node) or keep(k)]
            return bool(node.kids)

        keep(self.root)
        return self.root

    def write(self, doc: PDFDocument, title: str) -> None:
        """Write the structure tree and the document-level entries into ``doc``. The
        elements are written as ready bytes (several hundred small dictionaries: formatting
        them as ReportLab objects would cost more than the tagging itself)."""
        pages = list(doc.Pages.pages)
        numbers = doc.idToObjectNumberAndVersion

        def ref(obj: Any) -> bytes:
            return b"%d 0 R" % numbers[doc.Reference(obj).name][0]

        def text(value: str) -> bytes:
            return bytes(pdf_format(PDFString(value), doc))

        page_refs = [ref(p) for p in pages]
        for i, page in enumerate(pages):
            # (PDFPage writes only the keys it lists)
            page.__NoDefault__ = [*type(page).__NoDefault__, "Tabs", "StructParents"]
            page.Tabs = PDFName("S")
            if self.targets.get(i):
                page.StructParents = i
        root = self.kept()
        tree = _Raw()
        tree_ref = ref(tree)
        refs: dict[int, bytes] = {}
        headings = _heading_levels(root)

        def emit(node: Node, parent_ref: bytes, parent_lang: str) -> bytes:
            elem = _Raw()
            own = refs[id(node)] = ref(elem)
            role = f"H{headings[id(node)]}" if node.level >= 0 else node.role
            out = [b"<< /Type /StructElem /S /", role.encode(), b" /P ", parent_ref]
            lang = node.lang or parent_lang
            if lang != parent_lang:
                out += [b" /Lang ", text(lang)]
            if node.alt:
                out += [b" /Alt ", text(node.alt)]
            if node.actual:
                out += [b" /ActualText ", text(node.actual)]
            if node.title:
                out += [b" /T ", text(node.title)]
            if node.attrs:
                out.append(b" /A << /O /Table")
                for key, value in node.attrs.items():
                    shown = f"/{value}" if isinstance(value, str) else str(value)
                    out.append(f" /{key} {shown}".encode())
                out.append(b" >>")
            first_page = next((k[0] for k in node.kids if not isinstance(k, Node)), None)
            if first_page is not None:
                out += [b" /Pg ", page_refs[first_page]]
            kids: list[bytes] = []
            for k in node.kids:
                if isinstance(k, Node):
                    kids.append(emit(k, own, lang))
                else:
                    page, mcid = k
                    kids.append(b"%d" % mcid if page == first_page else
                                b"<< /Type /MCR /Pg %s /MCID %d >>" % (page_refs[page], mcid))
            out += [b" /K ", kids[0] if len(kids) == 1 else b"[" + b" ".join(kids) + b"]",
                    b" >>"]
            elem.data = b"".join(out)
            return own

        doc_ref = emit(root, tree_ref, self.language)
        nums = b" ".join(b"%d [%s]" % (page, b" ".join(refs[id(n)] for n in nodes))
                         for page, nodes in sorted(self.targets.items()))
        tree.data = (b"<< /Type /StructTreeRoot /K %s /ParentTree << /Nums [%s] >> "
                     b"/ParentTreeNextKey %d >>" % (doc_ref, nums, len(pages)))
        cat = doc.Catalog
        cat.StructTreeRoot = tree
        cat.MarkInfo = PDFDictionary({"Marked": "true"})
        cat.Metadata = _Xmp(_xmp(doc, title, self.language))


class _Raw(PDFObject):
    """A PDF object written as it is (bytes made by ``Tags.write``)."""

    data = b""

    def format(self, document: PDFDocument) -> bytes:
        return self.data


def _heading_levels(root: Node) -> dict[int, int]:
    """H1-H6 for every heading, in reading order. The handout title is H1; in each section
    the highest heading it has is H2 (a summary page whose boxes have "##" headings and no
    "#" gets H2 boxes, all alike), deeper ones follow the model's levels, and no heading is
    ever more than one level below the heading before it."""
    out: dict[int, int] = {}
    prev = 0

    def headings(node: Node) -> list[Node]:
        own = [node] if node.level >= 0 else []
        return own + [h for k in node.nodes() for h in headings(k)]

    def place(found: list[Node]) -> None:
        nonlocal prev
        shift = min(h.level for h in found if h.level > 0) - 1 \
            if any(h.level > 0 for h in found) else 0
        for h in found:
            wanted = 1 if h.level == 0 else h.level - shift + 1
            out[id(h)] = prev = max(1, min(wanted, prev + 1, 6))

    for part in root.nodes():
        prev = 0
        for child in part.nodes() if part.role == "Part" else [part]:
            place(headings(child))
    return out


class _Xmp(PDFStream):
    """The XMP packet, unfiltered (readers and validators look for it as plain text)."""

    def __init__(self, content: bytes) -> None:
        super().__init__(PDFDictionary({"Type": PDFName("Metadata"),
                                        "Subtype": PDFName("XML")}), content)

    def format(self, document: PDFDocument) -> bytes:
        d = PDFDictionary(dict(self.dictionary.dict))
        content = document.encrypt.encode(self.content)
        d["Length"] = len(content)
        return bytes(pdf_format(d, document)) + b"\nstream\n" + content + b"\nendstream\n"


def _xmp(doc: PDFDocument, title: str, language: str) -> bytes:
    """dc:title (the PDF title, never patient data), the language, producer and dates of the
    Info dictionary (ReportLab's fixed time stamp: the same request, the same bytes), and
    the PDF/UA-1 identification."""
    ts = doc._timeStamp
    y, mo, d, h, mi, s = ts.YMDhms
    date = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{ts.dhh:+03d}:{ts.dmm:02d}"
    info = doc.info
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language>
<pdf:Producer>{escape(str(info.producer))}</pdf:Producer>
<xmp:CreatorTool>{escape(str(info.creator))}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return text.encode("utf-8")


# -- the drawing side --------------------------------------------------------------------------
def tags_of(canvas: Any) -> Tags | None:
    tags = getattr(canvas, "_dd_tags", None)
    return tags if isinstance(tags, Tags) else None


#: The paragraph callback (ReportLab ``<onDraw>``) that marks where a run in another
#: language starts (its label: the language) and ends (label "/").
RUN_CALLBACK = "dd_run"
_RUN_START = f'<onDraw name="{RUN_CALLBACK}" label="{FREE_LANG}"/>'
_RUN_END = f'<onDraw name="{RUN_CALLBACK}" label="/"/>'
_SHOWS_TEXT = re.compile(r"T[jJ]\b")  # a text object's code that shows text (Tj, TJ)


_LANG_RUN_START = re.compile(f"{LANG_START}([A-Za-z0-9-]*){LANG_SEP}")


def run_markup(text: str) -> str:
    """Paragraph markup with the document model's runs (free text, text in another
    language: render/document.py) as run callbacks (text without runs comes back as it
    is)."""
    if FREE_START in text or FREE_END in text:
        text = text.replace(FREE_START, _RUN_START).replace(FREE_END, _RUN_END)
    if LANG_START in text or LANG_END in text:
        text = _LANG_RUN_START.sub(
            lambda m: f'<onDraw name="{RUN_CALLBACK}" label="{m.group(1)}"/>', text)
        text = text.replace(LANG_END, _RUN_END)
    return text


class _RunMark(str):
    """A place in a text object's code where a run starts (``lang``) or ends (""); it
    prints as nothing."""

    lang = ""


def _run_mark(canvas: Any, kind: str, label: str | None) -> None:
    """The run callback: a mark in the code of the text object being written, when that
    text is tagged (a text leaf being drawn, not inside an artifact)."""
    tags = tags_of(canvas)
    if tags is None or not tags._active or tags.artifact_depth:
        return
    mark = _RunMark("")
    mark.lang = "" if label == "/" else str(label or "")
    canvas._curr_tx_info["tx"]._code.append(mark)


_TEXT_LEAVES = frozenset({"P", "H", "Lbl", "LBody", "TD", "TH", "Caption", "Span"})


class Marked(Flowable):
    """Mixin for flowables the builder tags: brackets their drawing in marked content.
    Text leaves (P, H, LI) mark each text object they draw; other leaves (Figure) their
    whole drawing. The halves of a split paragraph stay one element."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        if RUN_CALLBACK not in canvas._namedCB:  # any canvas: trial layouts' too
            canvas.setNamedCB(RUN_CALLBACK, _run_mark)
        tags = tags_of(canvas)
        node: Node | None = self.__dict__.get("_dd_tag")
        if tags is None or node is None or tags.artifact_depth:
            super().drawOn(canvas, x, y, _sW)
            return
        draw = super().drawOn
        if node.role == "LI":
            lbl, body = node.label_body()
            tags.draw_text_leaf([lbl, body] if getattr(self, "bulletText", None) else [body],
                                draw, canvas, x, y, _sW)
        elif node.role in _TEXT_LEAVES:
            tags.draw_text_leaf([node], draw, canvas, x, y, _sW)
        else:
            tags.begin(canvas, node)
            super().drawOn(canvas, x, y, _sW)
            canvas._code.append("EMC")

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts: list[Flowable] = super().split(availWidth, availHeight)
        tag = self.__dict__.get("_dd_tag")
        if tag is not None:
            for p in parts:
                p._dd_tag = tag
        return parts


class TaggingCanvas:
    """Canvas mixin: text objects of the active text leaf get marked content; page
    furniture is an artifact; at save the structure tree is written."""

    _dd_tags: Tags | None = None
    _dd_title: str = ""

    def drawText(self, aTextObject: Any) -> None:
        tags = self._dd_tags
        node = tags.text_target() if tags is not None else None
        if tags is None or node is None:
            super().drawText(aTextObject)  # type: ignore[misc]
            return
        code = tags.mark_runs(aTextObject._code, node)
        if code is not None:  # runs in another language: marked content inside the object
            aTextObject._code = code
            super().drawText(aTextObject)  # type: ignore[misc]
            return
        tags.begin(self, node)
        super().drawText(aTextObject)  # type: ignore[misc]
        self._code.append("EMC")  # type: ignore[attr-defined]

    def tag_next_page(self) -> None:
        if self._dd_tags is not None:
            self._dd_tags.page += 1

    @contextmanager
    def pagination(self) -> Iterator[None]:
        """Header and footer: an artifact of pagination."""
        if self._dd_tags is None:
            yield
            return
        with self._dd_tags.artifact(self, PAGINATION):
            yield

    def save(self) -> None:
        if self._dd_tags is not None:
            self._dd_tags.write(self._doc, self._dd_title)  # type: ignore[attr-defined]
        super().save()  # type: ignore[misc]


class Table(_RLTable):
    """ReportLab's Table with its rules, backgrounds and empty cells as artifacts. A data
    table (``Tags.table``) has its cells in the structure tree; rows repeated at the top of
    a continued table are artifacts (their cells were read on the page before)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._renderCB = self._dd_render
        self._dd_open = False

    def _dd_render(self, table: _RLTable, event: str, *args: Any) -> None:
        tags = tags_of(self.canv)
        if tags is None or (tags.artifact_depth and not self._dd_open):
            return
        if event in ("startBG", "startLines"):
            self._dd_begin_artifact(tags)
        elif event in ("endBG", "endLines", "endCell"):
            self._dd_end_artifact(tags)
        elif event == "startCell":
            row, _col, value = args[0], args[1], args[2]
            rows = self.__dict__.get("_dd_rows")
            repeated = rows is not None and row < len(rows) and rows[row] is None
            empty = isinstance(value, str) and not value.strip()
            if repeated or empty or (isinstance(value, str) and rows is None):
                self._dd_begin_artifact(tags)

    def _dd_begin_artifact(self, tags: Tags) -> None:
        self.canv._code.append(LAYOUT)
        tags.artifact_depth += 1
        self._dd_open = True

    def _dd_end_artifact(self, tags: Tags) -> None:
        if self._dd_open:
            tags.artifact_depth -= 1
            self.canv._code.append("EMC")
            self._dd_open = False

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts: list[Flowable] = super().split(availWidth, availHeight)
        rows: list[int | None] | None = self.__dict__.get("_dd_rows")
        if rows is None or len(parts) != 2:
            return parts
        first, rest = parts
        n = len(first._cellvalues)
        repeat = rest.repeatRows if isinstance(rest.repeatRows, int) else len(rest.repeatRows)
        first._dd_rows = rows[:n]
        rest._dd_rows = [None] * repeat + rows[n:]
        if len(rest._dd_rows) != len(rest._cellvalues):  # a split this does not follow
            rest._dd_rows = [None] * len(rest._cellvalues)
        return parts
