"""The one place that turns exceptions into dialogs (and log lines without patient data).

* :func:`show_error` shows a :class:`DischargeDeskError`: its message is already one plain
  sentence written for the nurse and holds no patient data.
* :func:`report_unexpected` shows a generic sentence for anything else and logs only the
  exception type: messages of other exceptions (ReportLab, Qt, the OS) can quote patient text.
* :func:`guarded` wraps a slot so that neither kind of exception escapes it.
* :func:`install_excepthook` is the last resort for anything that still escapes.

Dialogs are opened window-modal with ``open()`` (not ``exec()``), so they never block a
caller and tests can find them with :func:`open_message_boxes`.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..errors import DischargeDeskError

log = logging.getLogger("dischargedesk.ui")

TITLE = "Discharge Desk"
GENERIC = ("Something went wrong ({name}). Your entries are kept; try again, and if it "
           "happens again, tell your support team.")

F = TypeVar("F", bound=Callable[..., Any])

_parentless: set[QMessageBox] = set()  # Python would delete a parentless box at once


def show_message(parent: QWidget | None, text: str, *,
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.setAccessibleName("Problem")
    box.setAccessibleDescription(text)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a path; never markup
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                          else Qt.WindowModality.ApplicationModal)
    if parent is None:
        _parentless.add(box)
        box.finished.connect(lambda *_: _parentless.discard(box))
    box.open()
    return box


def show_error(parent: QWidget | None, exc: DischargeDeskError) -> QMessageBox:
    """A known problem: its own plain sentence."""
    return show_message(parent, str(exc))


def report_unexpected(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Log the type only (the message may hold patient data) and show a generic dialog."""
    name = type(exc).__name__
    log.error("unexpected error: %s", name)
    if QApplication.instance() is None:
        return None
    return show_message(parent, GENERIC.format(name=name), icon=QMessageBox.Icon.Critical)


def guarded(action: str) -> Callable[[F], F]:
    """Decorator for argument-less slots of a QWidget: no exception escapes the slot.

    ``action`` names the step in the log ("save failed: OutputError").
    """

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: QWidget, *_signal_args: Any) -> Any:
            try:
                return method(self)
            except DischargeDeskError as exc:
                log.warning("%s failed: %s", action, type(exc).__name__)
                show_error(self, exc)
            except Exception as exc:  # noqa: BLE001 - last resort of a slot: a dialog, never a crash
                log.error("%s failed unexpectedly", action)
                report_unexpected(self, exc)
            return None

        return wrapper  # type: ignore[return-value]

    return wrap


def open_message_boxes() -> list[QMessageBox]:
    """Message boxes currently shown (for tests and the selftest)."""
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def install_excepthook() -> None:
    """Last resort: an exception that escaped every slot shows the generic dialog."""

    def hook(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unhandled exception: %s", exc_type.__name__)
        if sys.stderr is not None:  # windowed builds have no stderr
            print(f"dischargedesk: unexpected error ({exc_type.__name__})", file=sys.stderr)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            parent = app.activeWindow()
            if isinstance(exc, DischargeDeskError):
                show_error(parent, exc)
            else:
                show_message(parent, GENERIC.format(name=exc_type.__name__),
                             icon=QMessageBox.Icon.Critical)

    sys.excepthook = hook
