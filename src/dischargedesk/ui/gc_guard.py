"""Python's cyclic garbage collector runs on the GUI thread only.

The collector runs on whichever thread happens to allocate past the threshold. When that is
a render worker (ui/background.py) and the garbage holds a Qt object's wrapper (a dialog, a
timer, a signal connection closed over a cycle), Qt deletes the object on the wrong thread
and the process crashes: CI saw a segmentation fault "Garbage-collecting" inside a
ReportLab parse on a render worker while a workspace test waited for the preview.

So the app turns automatic collection off and collects from a timer on the GUI thread,
generation by generation with the interpreter's own thresholds (as pyqtgraph's
GarbageCollector does). Reference counting still frees everything that is not in a cycle at
once, on any thread; only cycles wait up to one tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QTimer

INTERVAL_MS = 500

_state: dict[str, QTimer] = {}


def collect_if_due() -> None:
    """Collect the oldest generation whose count passed its threshold (GUI thread)."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


def install(app: QCoreApplication) -> None:
    """Once per process: automatic collection off, the GUI thread's timer on."""
    if "timer" in _state:
        return
    gc.disable()
    timer = QTimer(app)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(collect_if_due)
    timer.start()
    _state["timer"] = timer


def installed() -> bool:
    return "timer" in _state and not gc.isenabled()
