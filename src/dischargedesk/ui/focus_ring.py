"""A clear keyboard focus ring (2 px, orange) drawn around whichever input has focus.

Fusion marks focus with a thin 1 px line that is easy to miss; restyling every widget with
a style sheet would change how they all look. This overlay follows
``QApplication.focusChanged`` instead and leaves the widgets alone.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

RING_COLOUR = QColor("#c25400")  # 4.6:1 on white, 4.0:1 on the grey window
MARGIN = 3
WIDTH = 2.0


class FocusRing(QWidget):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._target: QWidget | None = None
        self._watched: list[QWidget] = []
        self.hide()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)

    def target(self) -> QWidget | None:
        return self._target

    def _wanted(self, widget: QWidget | None) -> QWidget | None:
        if widget is None or widget.window() is not self.window():
            return None
        parent = widget.parentWidget()
        if isinstance(parent, QComboBox):  # the line edit of an editable combo box
            widget = parent
        if widget.objectName() == "vertebra":
            return None  # the spine buttons draw their own ring
        return widget if widget.parentWidget() is not None else None

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if not shiboken6.isValid(self):  # our window is gone; the app signal outlived it
            return
        for watched in self._watched:
            if shiboken6.isValid(watched):
                watched.removeEventFilter(self)
        self._watched = []
        self._target = self._wanted(new)
        if self._target is None:
            self.hide()
            return
        host = self._host(self._target)
        chain: list[QWidget] = []
        w: QWidget | None = self._target
        while w is not None and w is not host:
            chain.append(w)
            w = w.parentWidget()
        for watched in chain:  # a row moving (an error label appears) moves the ring too
            watched.installEventFilter(self)
        self._watched = chain
        if self.parentWidget() is not host:
            self.setParent(host)
        self._follow()

    def _ring_rect(self, target: QWidget, host: QWidget) -> QRect:
        top_left = target.mapTo(host, QPoint(0, 0))
        return QRect(top_left, target.size()).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def _host(self, target: QWidget) -> QWidget:
        """The nearest ancestor with room for the ring around ``target``."""
        host = target.parentWidget() or self.window()
        while not host.rect().contains(self._ring_rect(target, host)) and \
                host is not self.window():
            parent = host.parentWidget()
            if parent is None:
                break
            host = parent
        return host

    def _follow(self) -> None:
        target, host = self._target, self.parentWidget()
        if target is None or host is None or not target.isVisible():
            self.hide()
            return
        self.setGeometry(self._ring_rect(target, host))
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show,
                            QEvent.Type.Hide):
            self._follow()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(RING_COLOUR, WIDTH))
        inset = WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                4, 4)
        painter.end()
