"""Vertebral levels: names, spine order, and the facts that change the handout."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

#: Levels a request may name, top to bottom. Vertebral augmentation is T1-L5; S1 is sacroplasty.
TREATABLE_LEVELS: tuple[str, ...] = (
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    "S1",
)
_ORDER = {name: i for i, name in enumerate(TREATABLE_LEVELS)}
_LEVEL_RE = re.compile(r"^\s*([TtLlSs])\s*(\d{1,2})\s*$")

MAX_LEVEL_COUNT = 10


def parse_level(text: str) -> str | None:
    """Return the canonical name ("T12") of a level, or None if it is not treatable."""
    m = _LEVEL_RE.match(text)
    if not m:
        return None
    name = f"{m.group(1).upper()}{int(m.group(2))}"
    return name if name in _ORDER else None


def repeated(levels: Iterable[str]) -> list[str]:
    """Canonical names given more than once, in spine order (a repeat is usually a typo for
    another level, so a request refuses it instead of merging)."""
    seen: set[str] = set()
    twice: set[str] = set()
    for name in levels:
        (twice if name in seen else seen).add(name)
    return sorted(twice, key=_ORDER.__getitem__)


def spine_order(levels: Iterable[str]) -> list[str]:
    """Canonical names, without duplicates, top of the spine first."""
    return sorted(set(levels), key=_ORDER.__getitem__)


def is_thoracic(level: str) -> bool:
    return level.startswith("T")


def gaps(levels: Iterable[str]) -> list[str]:
    """Untreated levels that lie between treated ones (they break again more often)."""
    idx = sorted(_ORDER[lv] for lv in levels)
    out: list[str] = []
    for a, b in pairwise(idx):
        out.extend(TREATABLE_LEVELS[a + 1 : b])
    return out


@dataclass(frozen=True)
class LevelFacts:
    """What the treated levels mean for the handout."""

    names: tuple[str, ...]  # empty when only a count was recorded
    count: int

    @property
    def known(self) -> bool:
        return bool(self.names)

    @property
    def thoracic(self) -> bool:
        return any(is_thoracic(n) for n in self.names)

    @property
    def three_or_more(self) -> bool:
        return self.count >= 3

    @property
    def lung_risk(self) -> bool:
        """Cement embolism risk is higher with 3+ levels or any thoracic level. Levels not
        recorded (count only) could be thoracic: they count as the higher-risk case."""
        return self.three_or_more or self.thoracic or not self.known

    @property
    def gaps(self) -> list[str]:
        return gaps(self.names)


_RANGE_RE = re.compile(r"\s*[-\u2013\u2014]\s*|\s+(?:to|through)\s+", re.IGNORECASE)


def level_tokens(text: str) -> list[str]:
    """Split typed levels into single names: "T12 L1", "T12, L1", and ranges such as "T11-L1"
    (every level from T11 to L1). A piece that is not a level, or a range with such an end,
    is returned as typed, for the caller to report."""
    out: list[str] = []
    for piece in re.split(r"[,;\s]+", _RANGE_RE.sub("-", text.strip())):
        if not piece:
            continue
        ends = piece.split("-")
        if len(ends) == 2 and all(ends):
            first, last = parse_level(ends[0]), parse_level(ends[1])
            if first is not None and last is not None:
                a, b = sorted((_ORDER[first], _ORDER[last]))
                out.extend(TREATABLE_LEVELS[a : b + 1])
                continue
        out.append(piece)
    return out


def format_levels(names: Iterable[str]) -> str:
    """Canonical typed form, top of the spine first: "T12 L1"."""
    return " ".join(spine_order(names))
