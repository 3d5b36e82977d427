"""TrueType faces as ReportLab parses them, kept in the user cache folder (``fonts/``), so a
new process does not parse the same font file again.

ReportLab's ``TTFontFace`` reads a font's names, metrics, character map, widths and glyph
positions in Python: about 12-25 ms of CPU for each DejaVu face of every cold command
(about 0.3 s for Droid Sans Fallback); loading the same attributes back is one ``marshal``
(about 3 ms).

What is stored: the attributes the parser set on the face, from the font file alone (never
any text, let alone patient data). Not stored: the file's bytes (read from the font file,
which is hashed for the key anyway) and the scale function (rebuilt from ``unitsPerEm``).

Keyed by the SHA-256 of the font file's bytes, the ReportLab version and the source of its
``ttfonts.py``, the Python version and :data:`FORMAT`: a font with any byte changed is
another file. A file is ``MAGIC``, the SHA-256 of its payload and the payload; one that fails
the digest is ignored, the font parsed and the file written again.

Self-checking: a face is written only when the font rebuilt from the payload equals the font
just parsed (:func:`same_font`: every attribute with its type, the name strings, the scale),
so a ReportLab that sets something this module cannot rebuild is parsed every time, never
cached wrong. ``DISCHARGEDESK_NO_TEMPLATE_CACHE`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
import threading
from collections.abc import Callable
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from . import usercache

FORMAT = b"2"
MAGIC = b"DDTTF1\n"
TABLE_MAGIC = b"DDTTT1\n"
_NOT_STORED = frozenset({"_ttf_data", "_pdfScale", "filename"})
#: kept apart in the payload and unmarshalled on first use (:class:`CachedFace`): ReportLab
#: reads the glyph-to-characters map only to shape text (which these fonts never are); it
#: was a third of a Nanum Gothic face's load (17,191 lists: ~5 ms CPU per face)
LAZY = frozenset({"glyphToChar"})
_lazy_lock = threading.Lock()


class CachedFace(TTFontFace):
    """A face rebuilt from the cache: a ``TTFontFace`` with the same attributes, those of
    :data:`LAZY` unmarshalled when first read (under a lock: one object for every thread)."""

    _lazy: dict[str, bytes]

    def __getattr__(self, name: str) -> Any:  # only for an attribute not set (yet)
        lazy = self.__dict__.get("_lazy")
        if lazy is None or name not in LAZY:
            raise AttributeError(name)
        with _lazy_lock:
            if name in lazy:
                setattr(self, name, marshal.loads(lazy.pop(name)))
        return self.__dict__[name]

    def loaded(self) -> dict[str, Any]:
        """Every attribute, the lazy ones read: what the parsed face holds."""
        for name in list(self.__dict__.get("_lazy", ())):
            getattr(self, name)
        return {k: v for k, v in vars(self).items() if k != "_lazy"}


def load_ttfont(name: str, path: Path) -> TTFont:
    """``TTFont(name, str(path))``, from the cache when this file was parsed before."""
    data = path.read_bytes()
    key = _file_key(data) if usercache.enabled() else None
    where = _cache_file(data, key=key) if key is not None else None
    if where is not None and key is not None:
        payload = usercache.read_verified(where, MAGIC)
        if payload is not None:
            font = _rebuilt(name, path, data, payload)
            if font is not None:
                _face_keys[font.face] = key  # its bytes: font_table needs no second hash
                return font
    font = TTFont(name, str(path))
    if where is not None and key is not None:
        if font.face._ttf_data == data:
            _face_keys[font.face] = key
        payload = _payload(font.face)
        if payload is not None:
            rebuilt = _rebuilt(name, path, data, payload)
            if rebuilt is not None and same_font(rebuilt, font):
                usercache.write_verified(where, MAGIC, payload)
    return font


@cache
def _tag() -> bytes:
    """What a parsed face depends on besides the font file."""
    digest = hashlib.sha256(FORMAT + b"\0" + reportlab.Version.encode() + b"\0" +
                            f"{sys.version_info[:2]} {marshal.version}".encode())
    with contextlib.suppress(OSError):  # a bundle without sources: the version still counts
        digest.update(Path(ttfonts.__file__).read_bytes())
    return digest.digest()


def _cache_file(data: bytes, kind: str = "", key: str | None = None) -> Path:
    key = key or _file_key(data)
    if kind:  # a table computed from the font: keyed by the font's key and its kind
        key = hashlib.sha256(f"{key}\0{kind}".encode()).hexdigest()
    return usercache.root() / "fonts" / f"{key[:32]}.{'tab' if kind else 'face'}"


def _file_key(data: bytes) -> str:
    digest = hashlib.sha256(_tag())
    digest.update(data)  # not _tag() + data: a 4.6 MB copy costs more than its hash
    return digest.hexdigest()


#: the key of each loaded face's font file (hashed once: 4.6 MB for a Nanum Gothic face)
_face_keys: WeakKeyDictionary[TTFontFace, str] = WeakKeyDictionary()


def font_table(face: TTFontFace, kind: str, make: Callable[[], bytes]) -> bytes:
    """``make()``: bytes computed from a face's font file alone (never from any text),
    kept in the cache folder beside the parsed faces, keyed like them (the file's SHA-256,
    ReportLab, Python, :data:`FORMAT`) and by ``kind``, which names what ``make`` computes
    and its version: change the computation, change ``kind``."""
    if not usercache.enabled():
        return make()
    data = face._ttf_data
    key = _face_keys.get(face)
    if key is None:
        key = _face_keys[face] = _file_key(data)
    where = _cache_file(data, kind, key)
    found = usercache.read_verified(where, TABLE_MAGIC)
    if found is None:
        found = make()
        usercache.write_verified(where, TABLE_MAGIC, found)
    return found


def _payload(face: TTFontFace) -> bytes | None:
    state, names, lazy = {}, {}, {}
    try:
        for key, value in vars(face).items():
            if key in _NOT_STORED:
                continue
            if type(value) is TTFNameBytes:
                names[key] = value.ustr
            elif key in LAZY:
                lazy[key] = marshal.dumps(value)
            else:
                state[key] = value
        return marshal.dumps((state, names, lazy))
    except ValueError:  # something marshal cannot hold: never cached
        return None


def _rebuilt(name: str, path: Path, data: bytes, payload: bytes) -> TTFont | None:
    try:
        state, names, lazy = marshal.loads(payload)
        face = CachedFace.__new__(CachedFace)
        face.__dict__.update(state)
        face._lazy = dict(lazy)
        for key, ustr in names.items():
            setattr(face, key, TTFNameBytes(ustr.encode("utf-8"), "utf-8"))
        face._ttf_data = data
        face.filename = str(path)
        face._pdfScale = _scale(face.unitsPerEm)
    except (EOFError, ValueError, TypeError, AttributeError, ZeroDivisionError):
        return None
    # what TTFont.__init__ sets around its face (same_font proves it before a file is kept)
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in ttfonts.unShapedFontGlob)
    return font


def _scale(units_per_em: int) -> Any:
    """The face's font-units-to-1000 scale, as TTFontFile.extractInfo makes it."""
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult


def same_font(a: TTFont, b: TTFont) -> bool:
    """Whether two fonts hold the same state: every attribute of the font and its face equal
    and of the same type (names with their text), the same scale; an unused font's
    per-document state is empty in both."""
    fa, fb = dict(vars(a)), dict(vars(b))
    face_a, face_b = fa.pop("face"), fb.pop("face")
    enc_a, enc_b = fa.pop("encoding"), fb.pop("encoding")
    docs_a, docs_b = fa.pop("state"), fb.pop("state")
    if type(a) is not type(b) or not _same_vars(fa, fb) or len(docs_a) or len(docs_b):
        return False
    if type(enc_a) is not type(enc_b) or vars(enc_a) != vars(enc_b):
        return False
    if _face_type(face_a) is not _face_type(face_b):
        return False
    va, vb = _face_vars(face_a), _face_vars(face_b)
    scale_a, scale_b = va.pop("_pdfScale", None), vb.pop("_pdfScale", None)
    if not _same_vars(va, vb) or scale_a is None or scale_b is None:
        return False
    return all(scale_a(x) == scale_b(x) for x in (0, 1, -1, 7, 999, 1000, 2048, -1234, 0.5))


def _face_type(face: Any) -> type:
    """A face's class, :class:`CachedFace` counting as the ``TTFontFace`` it derives from."""
    return TTFontFace if type(face) is CachedFace else type(face)


def _face_vars(face: Any) -> dict[str, Any]:
    return face.loaded() if isinstance(face, CachedFace) else dict(vars(face))


def _same_vars(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        type(a[k]) is type(b[k]) and a[k] == b[k]
        and getattr(a[k], "ustr", None) == getattr(b[k], "ustr", None) for k in a)
