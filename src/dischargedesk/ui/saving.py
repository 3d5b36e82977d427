"""Saving the handouts as PDF files: one file per handout, never overwriting silently.

File names come from the engine and hold no patient data. The app adds the date and minute
of the save (read from the clock here, in the UI, never in the engine):
``discharge-instructions-kyphoplasty-2026-12-01-1430.pdf``. Only when a name is taken
(the same minute again) does every file of the batch get the same "-2", "-3"... suffix, so
the pair stays recognisable. (The CLI's ``render`` keeps the engine's plain names.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from .. import engine, output
from ..clinic.profile import ClinicProfile
from ..domain.request import HandoutRequest
from ..errors import OutputError

MAX_SUFFIX = 999


def free_names(folder: Path, names: Sequence[str]) -> list[str]:
    """``names`` unchanged if none exists in ``folder``, else all with the lowest free suffix."""
    for n in range(1, MAX_SUFFIX + 1):
        candidate = list(names) if n == 1 else [
            f"{Path(name).stem}-{n}{Path(name).suffix}" for name in names]
        try:
            taken = any((folder / name).exists() for name in candidate)
        except OSError:
            taken = False  # the write itself will explain what is wrong with the folder
        if not taken:
            return candidate
    raise OutputError(f"The folder {folder} already holds {MAX_SUFFIX} copies of these "
                      "handouts; choose another folder or tidy this one.")


def stamped(name: str, when: dt.datetime) -> str:
    """``discharge-instructions-kyphoplasty.pdf`` -> ``...-kyphoplasty-2026-12-01-1430.pdf``."""
    path = Path(name)
    return f"{path.stem}-{when:%Y-%m-%d-%H%M}{path.suffix}"


def save_handouts(request: HandoutRequest, clinic: ClinicProfile, folder: Path,
                  when: dt.datetime | None = None) -> list[Path]:
    """Render each handout and write them all (or none) into ``folder``; with ``when`` the
    names carry that date and minute."""
    handouts = engine.render_handouts(request, clinic)
    plain = [h.file_name for h in handouts]
    names = free_names(folder, [stamped(n, when) for n in plain] if when else plain)
    return output.write_files_atomic(folder, [(name, h.pdf) for name, h in
                                              zip(names, handouts, strict=True)])
