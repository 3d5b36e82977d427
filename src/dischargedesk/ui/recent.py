"""This shift's printed and saved handout sets, kept in memory only, for a reprint.

Never written to disk (not to settings, logs or files). The window clears it at the idle
clear and at quit; "New patient" keeps it (a reprint for the patient before is the point).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain.request import HandoutRequest

MAX_ENTRIES = 20


def initials(name: str) -> str:
    """ "Ana María de la Cruz" -> "A.M.C." (particles in lower case are left out)."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    kept = [p for p in parts if not p[:1].islower()] or parts
    return "".join(f"{p[0].upper()}." for p in kept[:4])


@dataclass(frozen=True)
class RecentSet:
    """One printed or saved set: the request (to print it again) and how it was output."""

    request: HandoutRequest
    kinds: tuple[str, ...]
    when: dt.datetime
    how: str  # "printed" or "saved"
    procedure_name: str

    def label(self) -> str:
        who = initials(self.request.patient_name) or "?"
        return f"{who} · {self.procedure_name} · {self.when:%H:%M} ({self.how})"


class RecentHandouts:
    """Newest first; the same request output again moves to the top instead of repeating."""

    def __init__(self) -> None:
        self._sets: list[RecentSet] = []

    def add(self, entry: RecentSet) -> None:
        self._sets = [s for s in self._sets
                      if (s.request, s.kinds, s.how) != (entry.request, entry.kinds, entry.how)]
        self._sets.insert(0, entry)
        del self._sets[MAX_ENTRIES:]

    def entries(self) -> list[RecentSet]:
        return list(self._sets)

    def clear(self) -> None:
        self._sets.clear()

    def __len__(self) -> int:
        return len(self._sets)
