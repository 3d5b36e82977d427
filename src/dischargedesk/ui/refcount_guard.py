"""Keep a PySide6 reference-count bug from aborting the app on Python 3.11.

Observed with the PySide6 6.12.0 abi3 wheels on CPython 3.11: every call of a Qt method that
returns nothing (``label.setText``, ``timer.start``, ``app.processEvents`` ...) gives back
``None`` without a new reference, and ``Signal.emit()`` does the same with ``True``. From
Python 3.12 on these objects are immortal, so nothing happens there; on 3.11 the count
falls by one per call and, when it reaches zero, the interpreter aborts with
"Fatal Python error: none_dealloc" (the app has about 18,000 references to None after
start-up: a few hours of typing). A 20,000-call loop of ``QLabel.setText`` reproduces it.

The guard probes for the leak once; if present, it adds references to ``None``, ``True``
and ``False`` (``Py_IncRef``, never given back, which is what the leaked ones should have
been) and tops them up every second, so the count can never reach zero, not even while the
interpreter shuts down (a list holding them would be freed then and abort the exit).
No memory cost. The real fix is Python >= 3.12 for the app or a PySide6 build without the
bug; see the project notes.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger("dischargedesk.ui")

TARGET = 200_000  # references kept available for each singleton
CHECK_MS = 1000
_state: dict[str, object] = {}
_added = {"count": 0}
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


def leaks_singletons() -> bool:
    """True if void Qt calls drop references to None on this interpreter."""
    if sys.version_info >= (3, 12):
        return False  # None, True and False are immortal
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(50):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 25


def top_up() -> None:
    for obj in (None, True, False):
        missing = TARGET - sys.getrefcount(obj)
        if missing > TARGET // 2:
            for _ in range(missing):
                _incref(obj)
            _added["count"] += missing


def install(app: QCoreApplication) -> bool:
    """Start the guard once per process; returns True if this Python needs it."""
    if "timer" in _state:
        return True
    if not leaks_singletons():
        return False
    top_up()
    timer = QTimer(app)
    timer.setObjectName("refcountGuard")
    timer.timeout.connect(top_up)
    timer.start(CHECK_MS)
    _state["timer"] = timer
    return True


def active() -> bool:
    return "timer" in _state


def references_added() -> int:
    return _added["count"]
