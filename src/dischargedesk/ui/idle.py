"""Clear patient data after a period without use (site setting ``idle_clear_minutes``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.MouseMove, QEvent.Type.TouchBegin}


class IdleClear(QObject):
    """Calls ``on_idle`` once after ``minutes`` without keyboard, mouse or touch input."""

    def __init__(self, minutes: int, on_idle: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.minutes = minutes
        self.on_idle = on_idle
        self.timer = QTimer(self, singleShot=True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.timeout.connect(self._fire)
        if minutes > 0:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self.timer.start()

    @property
    def active(self) -> bool:
        return self.minutes > 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.active:
            self.timer.start()  # restart the countdown
        return False

    def _fire(self) -> None:
        self.on_idle()
