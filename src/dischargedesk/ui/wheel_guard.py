"""The mouse wheel never changes a value the nurse is not editing.

Qt lets the wheel change any combo box or spin box (dates, times, counts) under the
pointer, and even gives it focus first (``Qt.WheelFocus``): scrolling the form changed the
anesthesia, the physician and dates. One application-wide event filter, installed once by
:func:`dischargedesk.ui.main.application`, covers every window and dialog:

- such widgets take focus by Tab or click only (``StrongFocus``), never by the wheel;
- a wheel turn over one that does not have keyboard focus goes to the scroll area around
  it, which scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox)  # QAbstractSpinBox: spin, date and time edits

_state: dict[str, QObject] = {}


def _has_focus(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, GUARDED) and \
                isinstance(event, QWheelEvent):
            if not _has_focus(watched):
                self._pass_on(watched, event)
                return True
        elif kind == QEvent.Type.Polish and isinstance(watched, GUARDED) and \
                watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False

    @staticmethod
    def _pass_on(widget: QWidget, event: QWheelEvent) -> None:
        """To the scroll area around ``widget`` (Qt does not pass synthetic wheel events to
        parents by itself); without one, Qt offers a real event to the parents."""
        area = _scroll_area(widget)
        if area is None:
            event.ignore()
            return
        viewport = area.viewport()
        pos = widget.mapTo(viewport, event.position().toPoint())
        QApplication.sendEvent(viewport, QWheelEvent(
            QPointF(pos), event.globalPosition(), event.pixelDelta(), event.angleDelta(),
            event.buttons(), event.modifiers(), event.phase(), event.inverted(),
            event.source()))
        event.accept()  # handled: no second scroll by propagation


def install(app: QCoreApplication) -> WheelGuard:
    """Install the guard on ``app`` once per process; returns it."""
    guard = _state.get("guard")
    if not isinstance(guard, WheelGuard):
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
        _state["guard"] = guard
    return guard
