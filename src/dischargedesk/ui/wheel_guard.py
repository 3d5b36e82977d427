"""The mouse wheel never changes a value the nurse is not editing.

Qt lets the wheel change any combo box or spin box (dates, times, counts) under the
pointer, and even gives it focus first (``Qt.WheelFocus``): scrolling the form changed the
anesthesia, the physician and dates. One application-wide event filter, installed once by
:func:`dischargedesk.ui.main.application`, covers every window and dialog:

- such widgets take focus by Tab or click only (``StrongFocus``), never by the wheel;
- a wheel turn over one that does not have keyboard focus is passed on to its parents, so
  the scroll area around it scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)  # QAbstractSpinBox: spin, date and time edits

_state: dict[str, QObject] = {}


def _has_focus(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, GUARDED):
            if not _has_focus(watched):
                event.ignore()  # not ours: Qt offers the event to the parents
                return True
        elif kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def install(app: QCoreApplication) -> WheelGuard:
    """Install the guard on ``app`` once per process; returns it."""
    guard = _state.get("guard")
    if not isinstance(guard, WheelGuard):
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
        _state["guard"] = guard
    return guard
