"""The preview pane: the real handout PDF in a QPdfView, page navigation, zoom and a banner
that says whenever the pages shown do not match the form."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .notify import Notifier

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0

# banner kind -> (background, text colour); text contrast >= 7:1
_BANNER_STYLES = {
    "updating": ("#e6effa", "#0f2f57"),
    "invalid": ("#fff1c2", "#4d3300"),
    "failed": ("#fde4e4", "#7a1111"),
}


def notice_label(text: str, object_name: str) -> QLabel:
    """A plain-text notice strip (hidden when empty), in the preview's "invalid" colours."""
    bg, fg = _BANNER_STYLES["invalid"]
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setAccessibleName("Notice")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(f"background:{bg}; color:{fg}; padding:6px;")
    label.setVisible(bool(text))
    return label


class PreviewPane(QWidget):
    """Shows PDF bytes. ``loaded(pages)`` is emitted once a PDF is in the view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = Notifier()
        self.setObjectName("previewPane")
        self._pdf = b""
        self._buffer: QBuffer | None = None
        self._doc = QPdfDocument(self)

        self.banner = QLabel()
        self.banner.setObjectName("previewBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setAccessibleName("Preview status")
        self.banner.hide()

        self.handout_note = QLabel()
        self.handout_note.setObjectName("handoutNote")
        self.handout_note.setTextFormat(Qt.TextFormat.PlainText)
        self.handout_note.setAccessibleName("Handout language and print size")

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setAccessibleName("Handout preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self._doc)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setMinimumWidth(280)

        self.prev_action = self._action("Previous page", "go-previous", "Previous",
                                        QKeySequence.StandardKey.MoveToPreviousPage,
                                        self.previous_page, local=True)
        self.next_action = self._action("Next page", "go-next", "Next",
                                        QKeySequence.StandardKey.MoveToNextPage,
                                        self.next_page, local=True)
        self.fit_action = self._action("Fit width", "zoom-fit-best", "Fit width",
                                       QKeySequence("Ctrl+0"), self.fit_width)
        self.zoom_out_action = self._action("Zoom out", "zoom-out", "\u2212",
                                            QKeySequence.StandardKey.ZoomOut, self.zoom_out)
        self.zoom_in_action = self._action("Zoom in", "zoom-in", "+",
                                           QKeySequence.StandardKey.ZoomIn, self.zoom_in)
        self.page_label = QLabel("No pages")
        self.page_label.setObjectName("pageLabel")
        self.page_label.setAccessibleName("Page number")
        self.page_label.setMinimumWidth(self.page_label.fontMetrics().horizontalAdvance(
            "Page 00 of 00") + 8)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QToolButton] = {}
        for name, action in (("prev", self.prev_action), ("next", self.next_action)):
            bar.addWidget(self._button(name, action))
        bar.insertWidget(1, self.page_label)
        bar.addStretch(1)
        for name, action in (("zoom_out", self.zoom_out_action), ("fit", self.fit_action),
                             ("zoom_in", self.zoom_in_action)):
            bar.addWidget(self._button(name, action))

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(self.handout_note)
        box.addWidget(self.banner)
        box.addWidget(self.view, 1)
        box.addLayout(bar)

        self.view.pageNavigator().currentPageChanged.connect(self._update_nav)
        self._update_nav()

    def _action(self, name: str, icon: str, text: str, keys: QKeySequence |
                QKeySequence.StandardKey, slot: object, *, local: bool = False) -> QAction:
        action = QAction(QIcon.fromTheme(icon), text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        # page keys only while the preview has focus (the form uses them too)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut if local
                                  else Qt.ShortcutContext.WindowShortcut)
        keys_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{name} ({keys_text})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _button(self, name: str, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"preview_{name}")
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAccessibleName(action.objectName())  # "Zoom in", not "+"
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance("Previous") // 3 + 24)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.buttons[name] = button
        return button

    # -- content -----------------------------------------------------------------------------
    def show_pdf(self, pdf: bytes) -> bool:
        """Put ``pdf`` in the view, keeping the page the nurse was looking at."""
        page = self.view.pageNavigator().currentPage()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        doc = QPdfDocument(self)
        doc.load(buffer)  # synchronous for a buffer that holds the whole file
        if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() == 0:
            doc.deleteLater()
            buffer.deleteLater()
            return False
        old_doc, old_buffer = self._doc, self._buffer
        self.view.setDocument(doc)
        self._doc, self._buffer, self._pdf = doc, buffer, pdf
        old_doc.deleteLater()
        if old_buffer is not None:
            old_buffer.deleteLater()
        self._jump(min(page, doc.pageCount() - 1))
        self._update_nav()
        self.loaded.emit(doc.pageCount())
        return True

    def clear(self) -> None:
        """Show no pages (a new patient: the last patient's pages must go)."""
        old_doc, old_buffer = self._doc, self._buffer
        self._doc, self._buffer, self._pdf = QPdfDocument(self), None, b""
        self.view.setDocument(self._doc)
        old_doc.deleteLater()
        if old_buffer is not None:
            old_buffer.deleteLater()
        self._update_nav()

    def pdf_bytes(self) -> bytes:
        return self._pdf

    def document(self) -> QPdfDocument:
        return self._doc

    def page_count(self) -> int:
        return self._doc.pageCount() if self._pdf else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    # -- banner ------------------------------------------------------------------------------
    def set_banner(self, kind: str | None, text: str = "") -> None:
        """``kind``: None (pages match the form), "updating", "invalid" or "failed"."""
        if kind is None:
            self.banner.hide()
            self.banner.setProperty("kind", "")
            return
        bg, fg = _BANNER_STYLES[kind]
        self.banner.setProperty("kind", kind)
        self.banner.setStyleSheet(f"QLabel#previewBanner {{ background: {bg}; color: {fg}; "
                                  "padding: 6px 8px; border-radius: 4px; font-weight: bold; }")
        self.banner.setText(text)
        self.banner.setAccessibleDescription(text)
        self.banner.show()

    def set_handout_note(self, text: str, unusual: bool) -> None:
        """Which language and print size the pages are in ("Spanish handouts, large print");
        highlighted when it is not the clinic's default."""
        bg, fg = _BANNER_STYLES["invalid"] if unusual else ("transparent", "#1c2530")
        weight = "bold" if unusual else "normal"
        self.handout_note.setStyleSheet(f"QLabel#handoutNote {{ background: {bg}; color: {fg}; "
                                        f"padding: 3px 8px; font-weight: {weight}; }}")
        self.handout_note.setText(text)
        self.handout_note.setAccessibleDescription(text)

    def banner_kind(self) -> str | None:
        return str(self.banner.property("kind") or "") or None if self.banner.isVisible() \
            else None

    # -- navigation and zoom -----------------------------------------------------------------
    def _jump(self, page: int) -> None:
        if self.page_count():
            page = max(0, min(self.page_count() - 1, page))
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    def previous_page(self) -> None:
        self._jump(self.current_page() - 1)

    def next_page(self) -> None:
        self._jump(self.current_page() + 1)

    def _update_nav(self, *_: object) -> None:
        count = self.page_count()
        page = self.current_page()
        self.page_label.setText(f"Page {page + 1} of {count}" if count else "No pages")
        self.prev_action.setEnabled(count > 0 and page > 0)
        self.next_action.setEnabled(count > 0 and page < count - 1)
        for action in (self.fit_action, self.zoom_in_action, self.zoom_out_action):
            action.setEnabled(count > 0)

    def effective_zoom(self) -> float:
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or not self.page_count():
            return self.view.zoomFactor()
        page_width = self._doc.pagePointSize(0).width() / 72 * self.logicalDpiX()
        usable = self.view.viewport().width() - 2 * self.view.documentMargins().left()
        return max(ZOOM_MIN, usable / page_width) if page_width else 1.0

    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(ZOOM_MAX, factor)))

    def zoom_in(self) -> None:
        self._set_zoom(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.effective_zoom() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
