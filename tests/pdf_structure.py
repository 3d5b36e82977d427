"""A validator of tagged PDFs for the tests (independent of the code that writes the tags).

``check(pdf)`` returns the problems it finds (an empty list for a good file):

* document: /MarkInfo Marked true, /Lang, DisplayDocTitle, XMP with dc:title (the Info
  title) and pdfuaid:part 1, a StructTreeRoot with a ParentTree; ``/Tabs /S`` on every page;
* content: marked content balanced on every page, no MCID inside another; every operator
  that shows text (Tj TJ ' ") or paints (paths, images, shadings) lies in an /Artifact or in
  marked content whose MCID the structure tree references, on that page;
* the tree: every MCID of the content in exactly one element and in the ParentTree (the
  entry pointing back at that element), no MCID in the tree missing from the content; /P
  parents right; only standard types (Table > TR > TH/TD, L > LI > Lbl/LBody, TH with a
  /Scope); headings never skip a level (the first is H1); every Figure has /Alt; no
  decoration (a geometric shape such as the colour swatch "■") read aloud: it is an
  Artifact or its element has /ActualText (which ``reading`` reads in its place);
* fonts: every font embedded, no base-14 font named anywhere in the file; the codes of
  every text operator are cut by the font's own encoding (one byte for a simple font, two
  for a Type0 font with Identity-H, else the ToUnicode codespace ranges), each decodes
  (ToUnicode) and maps to a glyph other than glyph 0 in the embedded font program (simple
  TrueType: the subset's cmap; CIDFontType2: /CIDToGIDMap); no private-use character
  (it would need /ActualText).

``reading(pdf)`` is the structure tree in reading order: (role, text, alt) for every element
with content, as a screen reader meets them. ``languages(pdf)`` says which text is read in
which language: each element whose /Lang differs from the language around it, with its
text (and its text page by page: a Span a page break splits), and all the text read in the
document's /Lang.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf

TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}
BASE14 = ("Helvetica", "Times-", "Times-Roman", "Courier", "Symbol", "ZapfDingbats")
STANDARD = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "Warichu", "Figure", "Formula",
    "Form"})
#: Geometric shapes and dingbats: decoration when drawn in the text of an element.
DECORATION = re.compile("[\u25a0-\u25ff\u2700-\u27bf\u2b1b-\u2b55]")
PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
           "LI": {"L"}, "Lbl": {"LI"}, "LBody": {"LI"}}


@dataclass
class Element:
    role: str
    obj: pikepdf.Object
    parent: Element | None
    kids: list[Element | tuple[int, int]] = field(default_factory=list)
    alt: str = ""
    lang: str = ""
    actual: str | None = None  # /ActualText: read instead of the element's content


@dataclass
class Page:
    mcid_text: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class Font:
    """What the validator needs of one font resource, read from the PDF alone: how many
    bytes a code takes (1 for a simple font, 2 for a Type0 font with Identity-H/V, else the
    ToUnicode CMap's codespace ranges), code -> text (ToUnicode), and code -> glyph id in
    the embedded font program (simple TrueType: the subset's own cmap; CIDFontType2: CID =
    code, then /CIDToGIDMap), so that glyph 0 is seen whatever the code width."""

    base: str
    unicode: dict[int, str] = field(default_factory=dict)
    widths: tuple[tuple[int, int, int], ...] = ((1, 0, 0xFF),)  # (bytes, low, high)
    gid: dict[int, int] | None = None  # None: glyph ids not known (no program read)
    identity_gid: bool = False  # Type0 with /CIDToGIDMap /Identity: gid = code

    def codes(self, data: bytes) -> list[int]:
        """``data`` cut into codes by the font's codespace (PDF 32000-1 9.7.6.2)."""
        out, i = [], 0
        while i < len(data):
            for n, lo, hi in self.widths:
                if i + n <= len(data) and lo <= int.from_bytes(data[i:i + n], "big") <= hi:
                    break
            else:
                n = self.widths[0][0]
            out.append(int.from_bytes(data[i:i + n], "big"))
            i += n
        return out

    def glyph(self, code: int) -> int | None:
        if self.identity_gid:
            return code
        return None if self.gid is None else self.gid.get(code, 0)


def _cmap_text(raw: bytes) -> tuple[dict[int, str], list[tuple[int, int, int]]]:
    """A ToUnicode CMap: code -> text (bfchar, bfrange) and its codespace ranges."""
    out: dict[int, str] = {}
    data = raw.decode("latin-1")
    spaces = [(len(a) // 2, int(a, 16), int(b, 16)) for block in
              re.findall(r"begincodespacerange(.*?)endcodespacerange", data, re.S)
              for a, b in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)]
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for a, b, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                    block):
            first = bytes.fromhex(dst).decode("utf-16-be", "replace")
            for i, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                out[code] = first[:-1] + chr(ord(first[-1]) + i)
    return out, spaces


def _program_gids(desc: pikepdf.Object | None) -> dict[int, int] | None:
    """A simple TrueType font's code -> glyph id, from its embedded subset's cmap."""
    if desc is None or "/FontFile2" not in desc:
        return None
    from fontTools.ttLib import TTFont

    tt = TTFont(io.BytesIO(bytes(desc.FontFile2.read_bytes())))
    table = tt["cmap"]
    cmap = table.getcmap(3, 0) or table.getcmap(1, 0) or table.getcmap(3, 1)
    if cmap is None:
        return {}
    order = {g: i for i, g in enumerate(tt.getGlyphOrder())}
    return {code: order.get(g, 0) for code, g in cmap.cmap.items()}


def font_of(font: pikepdf.Object, known: dict[tuple[int, int], Font]) -> Font:
    """The font resource ``font`` (``known``: the fonts of this file read so far)."""
    key = font.objgen
    if key != (0, 0) and key in known:
        return known[key]
    info = Font(str(font.get("/BaseFont", "")))
    spaces: list[tuple[int, int, int]] = []
    if "/ToUnicode" in font:
        info.unicode, spaces = _cmap_text(bytes(font.ToUnicode.read_bytes()))
    if font.get("/Subtype") == "/Type0":
        enc = str(font.get("/Encoding", ""))
        if enc in ("/Identity-H", "/Identity-V"):
            info.widths = ((2, 0, 0xFFFF),)
        elif spaces:
            info.widths = tuple(sorted(spaces))
        else:
            info.widths = ((2, 0, 0xFFFF),)
        cid = font.DescendantFonts[0]
        m = cid.get("/CIDToGIDMap", pikepdf.Name.Identity)
        if isinstance(m, pikepdf.Stream):
            raw = bytes(m.read_bytes())
            info.gid = {i // 2: int.from_bytes(raw[i:i + 2], "big")
                        for i in range(0, len(raw) - 1, 2)}
        elif cid.get("/Subtype") == "/CIDFontType2":
            info.identity_gid = True
    else:
        info.gid = _program_gids(font.get("/FontDescriptor"))
    if key != (0, 0):
        known[key] = info
    return info


def _page_content(index: int, page: pikepdf.Page, mcids: Page,
                  known: dict[tuple[int, int], Font]) -> None:
    fonts: dict[str, Font] = {}
    res = page.obj.get("/Resources", pikepdf.Dictionary())
    for name, font_obj in res.get("/Font", pikepdf.Dictionary()).items():
        fonts[name] = font_of(font_obj, known)
    stack: list[tuple[str, int | None]] = []
    font: Font | None = None
    name_of_font = ""
    shown: dict[str, set[str]] = {}  # font resource -> characters shown with it
    where = f"page {index + 1}"
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and \
                    "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                if any(m is not None for _, m in stack):
                    mcids.problems.append(f"{where}: MCID {mcid} inside another MCID")
                if mcid in mcids.mcid_text:
                    mcids.problems.append(f"{where}: MCID {mcid} used twice")
                mcids.mcid_text[mcid] = ""
            stack.append((tag, mcid))
        elif name == "EMC":
            if not stack:
                mcids.problems.append(f"{where}: EMC without BDC")
            else:
                stack.pop()
        elif name == "Tf":
            name_of_font = str(operands[0])
            font = fonts.get(name_of_font)
        elif name in TEXT_OPS or name in PAINT_OPS:
            artifact = any(tag == "/Artifact" for tag, _ in stack)
            mcid = next((m for _, m in reversed(stack) if m is not None), None)
            if not artifact and mcid is None:
                mcids.problems.append(f"{where}: '{name}' outside marked content")
                continue
            if name not in TEXT_OPS:
                continue
            strings: list[bytes] = []
            for o in operands:
                if isinstance(o, pikepdf.Array):
                    strings += [bytes(x) for x in o if isinstance(x, pikepdf.String)]
                elif isinstance(o, pikepdf.String):
                    strings.append(bytes(o))
            if font is None:
                mcids.problems.append(f"{where}: text shown with no font selected")
                continue
            codes = [c for raw in strings for c in font.codes(raw)]
            missing = sorted({c for c in codes if c not in font.unicode})
            if missing:
                mcids.problems.append(f"{where}: codes {missing} of {font.base} have no "
                                      "ToUnicode entry")
            zero = sorted({font.unicode.get(c, hex(c)) for c in codes
                           if font.glyph(c) == 0})
            if zero:
                mcids.problems.append(f"{where}: {zero} shown as glyph 0 in {font.base}")
            text = "".join(font.unicode.get(c, "") for c in codes)
            shown.setdefault(name_of_font, set()).update(text)
            if not artifact and mcid is not None:
                mcids.mcid_text[mcid] += text
        elif name in ("T*", "Td", "TD", "Tm") and stack and stack[-1][1] is not None:
            mcids.mcid_text[stack[-1][1]] += " "  # a new line: words do not run together
        elif name == "ET" and stack and stack[-1][1] is not None:
            mcids.mcid_text[stack[-1][1]] += " "
    if stack:
        mcids.problems.append(f"{where}: {len(stack)} marked-content sequence(s) not closed")
    for used in shown.values():
        pua = sorted(c for c in used if 0xE000 <= ord(c) <= 0xF8FF)
        if pua:
            mcids.problems.append(f"{where}: private-use characters {pua} without ActualText")


def _tree(pdf: pikepdf.Pdf, pages: dict[tuple[int, int], int],
          problems: list[str]) -> Element | None:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        problems.append("no StructTreeRoot")
        return None
    top = Element("StructTreeRoot", root, None)

    def walk(obj: pikepdf.Object, parent: Element) -> None:
        for kid in (obj.K if isinstance(obj.get("/K"), pikepdf.Array) else [obj.get("/K")]) \
                if "/K" in obj else []:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                parent.kids.append((pages[kid.Pg.objgen], int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary):
                role = str(kid.S)[1:]
                el = Element(role, kid, parent, alt=str(kid.get("/Alt", "")),
                             lang=str(kid.get("/Lang", "")),
                             actual=str(kid.ActualText) if "/ActualText" in kid else None)
                if parent.obj.objgen != kid.P.objgen:
                    problems.append(f"{role}: /P is not its parent")
                parent.kids.append(el)
                walk(kid, el)
            else:
                pg = obj.get("/Pg")
                if pg is None:
                    problems.append(f"{parent.role}: MCID {kid} without /Pg")
                    continue
                parent.kids.append((pages[pg.objgen], int(kid)))

    walk(root, top)
    return top


def _elements(el: Element) -> list[Element]:
    out = [el]
    for k in el.kids:
        if isinstance(k, Element):
            out += _elements(k)
    return out


def check(data: bytes) -> list[str]:
    """Every problem the validator finds (see the module docstring)."""
    return analyse(data)[0]


@dataclass
class Languages:
    """Which text a screen reader reads in which language (``/Lang``, PDF 32000-1 14.9.2)."""

    document: str  # the catalog's /Lang
    #: (role, /Lang, text) of each element whose /Lang differs from the language it is in
    #: (the document's, or its nearest ancestor's with a /Lang), in reading order
    runs: list[tuple[str, str, str]] = field(default_factory=list)
    native: str = ""  # all the tree's text read in the document's language
    #: for each of ``runs``: its text on each page it is drawn on (page index -> text)
    pages: list[dict[int, str]] = field(default_factory=list)


@dataclass
class Report:
    problems: list[str]
    reading: list[tuple[str, str, str]]
    languages: Languages


def analyse(data: bytes) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The problems, and the tree in reading order (``reading``), from one parse."""
    report = full_report(data)
    return report.problems, report.reading


def languages(data: bytes) -> Languages:
    return full_report(data).languages


def full_report(data: bytes) -> Report:
    """The problems, the tree in reading order and its languages, from one parse."""
    problems: list[str] = []
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
        problems.append("MarkInfo Marked is not true")
    if not str(root.get("/Lang", "")):
        problems.append("no document /Lang")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        problems.append("DisplayDocTitle is not true")
    title = str(pdf.docinfo.get("/Title", ""))
    xmp = root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in root else ""
    if "<pdfuaid:part>1</pdfuaid:part>" not in xmp:
        problems.append("XMP has no pdfuaid:part 1")
    from xml.sax.saxutils import escape

    if not title or f">{escape(title)}</rdf:li>" not in xmp:
        problems.append("XMP dc:title is not the document title")
    raw = data.decode("latin-1")
    for name in BASE14:
        if f"/BaseFont /{name}" in raw or f"/{name}" in raw.replace("/" + name + "+", ""):
            problems.append(f"base-14 font {name} named in the file")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            if obj.get("/Subtype") == "/Type0":
                continue
            fd = obj.get("/FontDescriptor")
            if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2",
                                                       "/FontFile3")):
                problems.append(f"font {obj.get('/BaseFont')} is not embedded")

    page_index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    content: dict[int, Page] = {}
    known: dict[tuple[int, int], Font] = {}
    for i, page in enumerate(pdf.pages):
        if page.obj.get("/Tabs") != "/S":
            problems.append(f"page {i + 1}: /Tabs is not /S")
        content[i] = Page()
        _page_content(i, page, content[i], known)
        problems += content[i].problems

    top = _tree(pdf, {k: v for k, v in ((g, page_index[g]) for g in page_index)},
                problems)  # type: ignore[arg-type]
    doc_lang = str(root.get("/Lang", ""))
    if top is None:
        return Report(problems, [], Languages(doc_lang))
    owner: dict[tuple[int, int], Element] = {}
    for el in _elements(top)[1:]:
        if el.role not in STANDARD:
            problems.append(f"non-standard structure type {el.role}")
        if el.role in PARENTS and (el.parent is None or el.parent.role not in PARENTS[el.role]):
            problems.append(f"{el.role} inside {el.parent.role if el.parent else '-'}")
        if el.role == "TH" and "/Scope" not in el.obj.get("/A", {}):
            problems.append("TH without /Scope")
        if el.role == "Figure" and not el.alt.strip():
            problems.append("Figure without /Alt")
        for k in el.kids:
            if isinstance(k, tuple):
                if k in owner:
                    problems.append(f"page {k[0] + 1} MCID {k[1]} in two elements")
                owner[k] = el
    found = {(p, m) for p, page in content.items() for m in page.mcid_text}
    for k in sorted(found - set(owner)):
        problems.append(f"page {k[0] + 1}: MCID {k[1]} is not in the structure tree")
    for k in sorted(set(owner) - found):
        problems.append(f"page {k[0] + 1}: the tree names MCID {k[1]}, the page has none")

    # ParentTree: each page's array names the element of each of its MCIDs
    nums = root.StructTreeRoot.ParentTree.get("/Nums", pikepdf.Array())
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for i, page in enumerate(pdf.pages):
        mcids = {m for p, m in found if p == i}
        if not mcids:
            continue
        if "/StructParents" not in page.obj:
            problems.append(f"page {i + 1}: no /StructParents")
            continue
        entry = parent_tree.get(int(page.obj.StructParents))
        if entry is None:
            problems.append(f"page {i + 1}: not in the ParentTree")
            continue
        for m in mcids:
            el = owner.get((i, m))
            if m >= len(entry) or el is None or entry[m].objgen != el.obj.objgen:
                problems.append(f"page {i + 1}: ParentTree entry of MCID {m} is wrong")

    # decoration read aloud: a geometric shape or dingbat (a colour swatch "■") in the text
    # of an element, with no /ActualText in its place (list labels "☐" "•" are meant)
    for el in _elements(top)[1:]:
        if el.role == "Lbl" or not any(isinstance(k, tuple) for k in el.kids):
            continue
        shapes = sorted({c for c in _text(el, content) if DECORATION.match(c)})
        if shapes:
            problems.append(f"{el.role}: decoration {shapes} is read aloud "
                            f"({_text(el, content)[:40]!r})")

    # headings nest: never more than one level deeper than the heading before
    prev = 0
    for el in _elements(top):
        m = re.fullmatch(r"H([1-6])", el.role)
        if m:
            level = int(m.group(1))
            if level > prev + 1:
                problems.append(f"heading level skipped: H{prev} then H{level} "
                                f"({_text(el, content)[:40]!r})")
            prev = level
    return Report(problems, _reading(top, content), _languages(top, content, doc_lang))


def _languages(top: Element, content: dict[int, Page], doc_lang: str) -> Languages:
    out = Languages(doc_lang)
    native: list[str] = []

    def walk(el: Element, lang: str) -> None:
        own = el.lang or lang
        if own != lang:
            out.runs.append((el.role, own, _text(el, content)))
            out.pages.append(_page_texts(el, content))
        if el.actual is not None:
            if own == doc_lang:
                native.append(el.actual)
            return
        for k in el.kids:
            if isinstance(k, Element):
                walk(k, own)
            elif own == doc_lang:
                native.append(content[k[0]].mcid_text.get(k[1], ""))

    walk(top, doc_lang)
    out.native = " ".join(" ".join(native).split())
    return out


def _page_texts(el: Element, content: dict[int, Page]) -> dict[int, str]:
    """The content of ``el`` and its descendants, page by page (whitespace folded)."""
    out: dict[int, list[str]] = {}

    def walk(e: Element) -> None:
        for k in e.kids:
            if isinstance(k, Element):
                walk(k)
            else:
                out.setdefault(k[0], []).append(content[k[0]].mcid_text.get(k[1], ""))

    walk(el)
    return {p: " ".join(" ".join(t).split()) for p, t in sorted(out.items())}


def _text(el: Element, content: dict[int, Page]) -> str:
    """What a screen reader reads for ``el``: its /ActualText, else its content."""
    if el.actual is not None:
        return " ".join(el.actual.split())
    parts = []
    for k in el.kids:
        if isinstance(k, tuple):
            parts.append(content[k[0]].mcid_text.get(k[1], ""))
        else:
            parts.append(_text(k, content))
    return " ".join(" ".join(parts).split())


def reading(data: bytes) -> list[tuple[str, str, str]]:
    """(role, text, alt) of every element in reading order, the role indented by depth; the
    text is the element's own content ("" for a container: Sect, L, Table, TR...)."""
    return analyse(data)[1]


def _reading(top: Element, content: dict[int, Page]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []

    def walk(el: Element, depth: int) -> None:
        own = any(isinstance(k, tuple) for k in el.kids)
        text = _text(el, content) if own else ""
        label = el.role + (f" lang={el.lang}" if el.lang else "")
        out.append(("  " * depth + label, text, el.alt))
        for k in el.kids:
            if isinstance(k, Element):
                walk(k, depth + 1)

    for k in top.kids:
        if isinstance(k, Element):
            walk(k, 0)
    return out


def tree_text(data: bytes) -> str:
    """All text the structure tree holds, in reading order, whitespace folded."""
    return " ".join(t for _, t, _ in reading(data) if t)
