"""Clear patient data after a period without use (site setting ``idle_clear_minutes``).

The nurse is warned first: for the last minute a banner counts down ("Clearing this patient
in 60 s - move the mouse or press a key to keep working"), and any keyboard, mouse or touch
input cancels it and starts the idle time again. When nothing on screen would be lost
(``needs_warning`` says False) the countdown runs without the banner.

At the end :func:`close_dialogs` closes every modal dialog (message boxes, file and print
dialogs): an open Save dialog must not keep the previous patient's request for the next
person to confirm. The window also discards the answer of any question that was open across
a clear (see ``MainWindow.patient_epoch``), for dialogs that cannot be closed from here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from .preview import notice_label

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.MouseMove, QEvent.Type.TouchBegin}
WARNING_MS = 60_000
TICK_MS = 1000


def countdown_text(seconds: int) -> str:
    return (f"Clearing this patient in {seconds} s - move the mouse or press a key to keep "
            "working.")


def close_dialogs() -> int:
    """Reject every visible modal dialog; returns how many were closed."""
    closed = 0
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible() and (
                widget.isModal() or widget.windowModality() != Qt.WindowModality.NonModal):
            widget.reject()
            closed += 1
    return closed


class IdleClear(QObject):
    """Calls ``on_idle`` once after ``minutes`` without keyboard, mouse or touch input,
    with a visible countdown (``banner``) during the last ``warning_ms``."""

    def __init__(self, minutes: int, on_idle: Callable[[], None],
                 parent: QObject | None = None,
                 needs_warning: Callable[[], bool] = lambda: True) -> None:
        super().__init__(parent)
        self.minutes = minutes
        self.on_idle = on_idle
        self.needs_warning = needs_warning
        self.banner: QLabel = notice_label("", "idleBanner")
        self.banner.setAccessibleName("Idle warning")
        self.quiet = QTimer(self, singleShot=True)  # idle time before the countdown
        self.quiet.timeout.connect(self._start_countdown)
        self.tick = QTimer(self)
        self.tick.setInterval(TICK_MS)
        self.tick.timeout.connect(self._on_tick)
        self.left_ms = 0
        self.set_times(max(1, minutes) * 60_000, WARNING_MS)
        if minutes > 0:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self.restart()

    @property
    def active(self) -> bool:
        return self.minutes > 0

    @property
    def counting_down(self) -> bool:
        return self.tick.isActive()

    def set_times(self, idle_ms: int, warning_ms: int, tick_ms: int = TICK_MS) -> None:
        """Total idle time and the countdown at its end (tests use short ones)."""
        self.idle_ms = idle_ms
        self.warning_ms = min(warning_ms, idle_ms)
        self.tick.setInterval(tick_ms)
        self.quiet.setInterval(self.idle_ms - self.warning_ms)

    def restart(self) -> None:
        """Input: cancel a countdown and start the idle time again."""
        if not self.active:
            return
        self.tick.stop()
        self.banner.hide()
        self.quiet.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.active:
            self.restart()
        return False

    def _start_countdown(self) -> None:
        self.left_ms = self.warning_ms
        if self.needs_warning():
            self._show_left()
            self.banner.show()
        self.tick.start()

    def _on_tick(self) -> None:
        self.left_ms -= self.tick.interval()
        if self.left_ms > 0:
            self._show_left()
            return
        self.tick.stop()
        self.banner.hide()
        self.on_idle()
        self.quiet.start()  # the next idle period

    def _show_left(self) -> None:
        self.banner.setText(countdown_text(max(1, round(self.left_ms / 1000))))

    def stop(self) -> None:
        self.quiet.stop()
        self.tick.stop()
        self.banner.hide()
