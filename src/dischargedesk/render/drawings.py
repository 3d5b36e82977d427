"""Drawings the program owns: the spine with the treated levels, and the portal QR code."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import itertools
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab.graphics.shapes import Drawing, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..domain.levels import TREATABLE_LEVELS
from . import usercache
from .fonts import FONT, FONT_BOLD, face_for, runs, text_width
from .style import BONE, MUTED, OUTLINE, SPINE, TREATED
from .tagging import Marked


@dataclass(frozen=True)
class SpineLabel:
    """A level's name beside the drawing: baseline ``y`` (from the drawing's bottom), right
    edge ``right``; ``target`` is the height of its vertebra's middle (the leader's end)."""

    name: str
    treated: bool
    y: float
    right: float
    target: float
    width: float
    cap: float  # height of the name above its baseline

    @property
    def box(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 of the printed name."""
        return self.right - self.width, self.y, self.right, self.y + self.cap


def spread(wanted: Sequence[float], pitch: float, top: float) -> list[float]:
    """Baselines as near ``wanted`` (top to bottom, descending) as they can be while each is
    at least ``pitch`` below the one above and none above ``top``: labels that would
    overlap move apart as a group, centred on where they want to be."""
    clusters: list[tuple[int, int, float]] = []  # first label, count, its baseline
    for i, want in enumerate(wanted):
        clusters.append((i, 1, want))
        while len(clusters) > 1:
            (a, na, ya), (_, nb, yb) = clusters[-2], clusters[-1]
            if yb <= ya - pitch * na + 1e-9:
                break
            n = na + nb
            mean = sum(wanted[a + k] + pitch * k for k in range(n)) / n
            clusters[-2:] = [(a, n, mean)]
    out: list[float] = []
    for _first, count, y in clusters:
        for k in range(count):
            out.append(y - pitch * k)
    for k, y in enumerate(out):  # under the top, and never closer than ``pitch``
        out[k] = min(y, top if k == 0 else out[k - 1] - pitch)
    return out


class SpineDrawing(Marked, Flowable):
    """T1-S1 drawn as stacked vertebrae, seen from the back; the treated levels in red,
    labelled. ``top_label`` ("Neck (C)") marks the top of the spine, above T1, so the
    drawing reads the right way up; ``scale`` is the height of one vertebra in type sizes
    (labels keep the type size whatever the scale). The labels stand in one column left of
    the spine, never over each other: where neighbouring levels are closer than a line of
    text, their names move apart and a leader line joins each name to its vertebra."""

    def __init__(self, levels: Sequence[str], size: float, top_label: str = "",
                 scale: float = SPINE.default_scale) -> None:
        super().__init__()
        self.levels = set(levels)
        self.size = size
        self.top_label = top_label
        self.unit = size * scale  # height of one vertebra + gap
        self.body_w = size * SPINE.body_w
        # room for the labels and their leaders, and for the top label
        self.label_w = max(size * SPINE.label_w,
                           text_width(top_label, FONT_BOLD, size) + size * SPINE.top_label_pad)
        self.top_h = size * SPINE.top_h if top_label else 0.0
        self.width = self.body_w + self.label_w + size * SPINE.right_pad
        self.spine_h = self.unit * len(TREATABLE_LEVELS) + self.top_h
        self.lift = 0.0  # room added under the spine when the labels reach lower than it
        self.labels = self._layout_labels()
        self.height = self.spine_h + size * SPINE.bottom_pad + self.lift

    def _vertebra_y(self, i: int) -> float:
        """Bottom of vertebra ``i`` (0 = T1), from the drawing's bottom."""
        return self.lift + self.size * SPINE.bottom_pad + self.spine_h - self.top_h - \
            (i + 1) * self.unit

    def _layout_labels(self) -> list[SpineLabel]:
        s = self.size
        cap = s * SPINE.label_cap
        names = []
        for i, name in enumerate(TREATABLE_LEVELS):
            treated = name in self.levels
            landmark = name in ("T1", "L1", "S1") and not any(
                n in self.levels for n in TREATABLE_LEVELS[max(0, i - 1): i + 2])
            if treated or landmark:
                names.append((i, name, treated))
        if not names:
            return []
        bottom_pad = s * SPINE.bottom_pad

        def wanted(i: int) -> float:
            return bottom_pad + self.spine_h - self.top_h - (i + 1) * self.unit + \
                self.unit * SPINE.leader_y - cap / 2

        # the top label ("Neck (C)") sits above T1, left of the neck: names stay under it
        top = bottom_pad + self.spine_h - (s * SPINE.top_label_drop + s * SPINE.label_gap
                                           + cap if self.top_label else cap)
        pitch = s * SPINE.label_pitch
        ys = spread([wanted(i) for i, _, _ in names], pitch, top)
        # a landmark (T1, L1, S1) only where it can stand beside its own vertebra
        keep = [n for n, y in zip(names, ys, strict=True)
                if n[2] or abs(y - wanted(n[0])) < pitch * 0.5]
        if len(keep) < len(names):
            names = keep
            ys = spread([wanted(i) for i, _, _ in names], pitch, top)
        if min(ys) < 0:  # too many names for the height: each run of levels by its ends
            names = [n for n in names if not n[2] or not (
                0 < n[0] < len(TREATABLE_LEVELS) - 1
                and TREATABLE_LEVELS[n[0] - 1] in self.levels
                and TREATABLE_LEVELS[n[0] + 1] in self.levels)]
            ys = spread([wanted(i) for i, _, _ in names], pitch, top)
        self.lift = max(0.0, -min(ys))  # names never below the drawing's bottom
        right = self.label_w - s * SPINE.label_x
        out = []
        for (i, name, treated), y in zip(names, ys, strict=True):
            font = FONT_BOLD if treated else FONT
            out.append(SpineLabel(name, treated, y + self.lift, right,
                                  wanted(i) + cap / 2 + self.lift,
                                  stringWidth(name, font, s), cap))
        return out

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
        left_edge: dict[str, float] = {}
        for i, name in enumerate(TREATABLE_LEVELS):
            y = self._vertebra_y(i)
            treated = name in self.levels
            # lumbar vertebrae are a little wider; the sacrum is a wedge-like block
            widen = s * SPINE.lumbar_widen * (i - 11) if name.startswith("L") else 0
            w = self.body_w * (SPINE.thoracic_w if name.startswith("T") else SPINE.other_w) + widen
            x = x0 + (self.body_w - w) / 2
            left_edge[name] = x
            drawing.add(Rect(x, y, w, unit * SPINE.vertebra_h, rx=s * SPINE.radius,
                             ry=s * SPINE.radius, fillColor=TREATED if treated else BONE,
                             strokeColor=OUTLINE, strokeWidth=SPINE.outline_pt))
        for label in self.labels:
            drawing.add(String(label.right, label.y, label.name,
                               fontName=FONT_BOLD if label.treated else FONT, fontSize=s,
                               fillColor=TREATED if label.treated else MUTED,
                               textAnchor="end"))
            if label.treated:  # a leader from the name to its vertebra
                start = label.right + s * SPINE.leader_start
                drawing.add(PolyLine([start, label.y + label.cap / 2,
                                      start + s * SPINE.leader_run, label.y + label.cap / 2,
                                      left_edge[label.name], label.target],
                                     strokeColor=TREATED, strokeWidth=SPINE.leader_pt))
        drawing.drawOn(self.canv, 0, 0)


_QR_MODULE = "dischargedesk.render._rl_qrencoder"
_qr_lock = threading.Lock()


def _qr_source() -> Path:
    return Path(reportlab.__file__).parent / "graphics" / "barcode" / "qrencoder.py"


def _qrencoder() -> Any:
    """ReportLab's QR encoder (reportlab/graphics/barcode/qrencoder.py, which imports only
    ``re`` and ``itertools``), loaded from its file under a private name: importing it as
    ``reportlab.graphics.barcode.qrencoder`` first runs the barcode package, which imports
    every barcode widget (about 20 ms of each cold command) that is never drawn here."""
    with _qr_lock:
        module = sys.modules.get(_QR_MODULE)
        if module is None:
            path = _qr_source()
            spec = importlib.util.spec_from_file_location(_QR_MODULE, path)
            if not path.is_file() or spec is None or spec.loader is None:
                # a bundle without ReportLab's sources (PyInstaller): the ordinary import
                from reportlab.graphics.barcode import qrencoder
                return qrencoder
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[_QR_MODULE] = module
        return module


@lru_cache(maxsize=16)
def _qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's dark modules: computed once per portal address and kept in the user
    cache folder (ReportLab's encoder tries all eight masks in Python: about 15 ms of each
    cold command). See :func:`_qr_cache_path` for what is stored."""
    path = _qr_cache_path(url)
    modules = _qr_read(path) if path is not None else None
    if modules is None:
        modules = _qr_encode(url)
        if path is not None:
            usercache.write_verified(path, _QR_MAGIC, _qr_payload(modules))
    return modules


def _qr_encode(url: str) -> tuple[tuple[bool, ...], ...]:
    qrencoder = _qrencoder()
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


_QR_MAGIC = b"DDQR1\n"


def _qr_cache_path(url: str) -> Path | None:
    """``<user cache>/qr/<key>.qr``, or None when the template cache is switched off
    (``DISCHARGEDESK_NO_TEMPLATE_CACHE``). What is stored is the module matrix of the
    clinic's portal address (clinic settings, never patient data), as rows of 0 and 1 with
    their SHA-256. The key is the SHA-256 of the address, the error-correction level, the
    ReportLab version and the encoder's source, so another address or encoder is another
    file; a file that fails its digest or shape check is ignored and written again."""
    if not usercache.enabled():
        return None
    digest = hashlib.sha256(b"M\0" + url.encode("utf-8", "surrogatepass") + b"\0" +
                            reportlab.Version.encode())
    with contextlib.suppress(OSError):  # a bundle without sources: the version still counts
        digest.update(_qr_source().read_bytes())  # not loaded: a cached code needs no encoder
    return usercache.root() / "qr" / f"{digest.hexdigest()[:32]}.qr"


def _qr_payload(modules: Sequence[Sequence[bool]]) -> bytes:
    return b"\n".join(bytes(48 + m for m in row) for row in modules)


def _qr_read(path: Path) -> tuple[tuple[bool, ...], ...] | None:
    body = usercache.read_verified(path, _QR_MAGIC)
    if body is None:
        return None
    rows = body.split(b"\n")
    n = len(rows)
    if not (21 <= n <= 177 and (n - 17) % 4 == 0) or any(
            len(r) != n or r.strip(b"01") for r in rows):
        return None
    return tuple(tuple(c == 49 for c in row) for row in rows)


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
