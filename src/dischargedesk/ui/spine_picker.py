"""The spine picker: a compact grid of toggle buttons, one per treatable level, grouped by
region (thoracic T1-T12 in two rows of six, lumbar L1-L5, sacral S1), top of the spine first.

Keyboard: Tab enters the picker on the current level (one tab stop for the whole spine),
Up/Down (or Left/Right) move one level along the spine, Home/End jump to T1/S1, Space
toggles, Tab leaves. The selection reads as text ("T12 and L1") next to the spine.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..domain.levels import TREATABLE_LEVELS, spine_order
from ..render.language import list_text
from .notify import Notifier

REGIONS = (("Thoracic", "T"), ("Lumbar", "L"), ("Sacral", "S"))
PER_ROW = 6
_REGION_NAMES = {"T": "thoracic", "L": "lumbar", "S": "sacral"}

_STYLE = """
QPushButton#vertebra {
    min-width: 2.2em; padding: 2px 3px; border: 1px solid #6b7785; border-radius: 7px;
    background: #eef1f4; color: #1c2530;
}
QPushButton#vertebra:hover { background: #dde4ec; }
QPushButton#vertebra:checked {
    background: #1f5fa8; color: white; border-color: #15477f; font-weight: bold;
}
QPushButton#vertebra:focus { border: 2px solid #c25400; }
QPushButton#vertebra:disabled { background: #f5f5f5; color: #8a8a8a; border-color: #c4c4c4; }
"""


class SpinePicker(QWidget):
    """Toggle buttons T1-T12, L1-L5, S1. Emits ``changed`` when the selection changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.changed = Notifier()
        self.setObjectName("spinePicker")
        self.setAccessibleName("Levels treated")
        self.setStyleSheet(_STYLE)
        self._buttons: dict[str, QPushButton] = {}
        self._current = TREATABLE_LEVELS.index("L1")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(3)
        grid.setVerticalSpacing(3)
        row = 0
        for region, prefix in REGIONS:
            names = [n for n in TREATABLE_LEVELS if n.startswith(prefix)]
            rows = (len(names) + PER_ROW - 1) // PER_ROW
            label = QLabel(region)
            label.setObjectName("spineRegion")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setStyleSheet("color: #4a5561; padding-top: 3px; padding-right: 4px;")
            grid.addWidget(label, row, 0, rows, 1)
            for i, name in enumerate(names):
                grid.addWidget(self._make_button(name), row + i // PER_ROW, 1 + i % PER_ROW)
            row += rows
        grid.setColumnStretch(PER_ROW + 1, 1)
        self._update_focus_policies()

    def _make_button(self, name: str) -> QPushButton:
        button = QPushButton(name)
        button.setObjectName("vertebra")
        button.setProperty("level", name)
        button.setCheckable(True)
        button.setAutoDefault(False)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        button.setAccessibleName(name)
        button.setAccessibleDescription(
            f"Level {name}, {_REGION_NAMES[name[0]]} spine; press Space to select or clear, "
            "arrow keys to move")
        button.setToolTip(f"{name}: click to select or clear")
        button.toggled.connect(self._on_toggled)
        button.installEventFilter(self)
        self._buttons[name] = button
        return button

    # -- public API --------------------------------------------------------------------------
    def button(self, name: str) -> QPushButton:
        return self._buttons[name]

    def buttons(self) -> list[QPushButton]:
        return [self._buttons[n] for n in TREATABLE_LEVELS]

    def current_button(self) -> QPushButton:
        """The level that takes focus when the picker is entered by keyboard."""
        return self._buttons[TREATABLE_LEVELS[self._current]]

    def levels(self) -> list[str]:
        return [n for n in TREATABLE_LEVELS if self._buttons[n].isChecked()]

    def set_levels(self, names: Iterable[str]) -> None:
        wanted = set(spine_order(names))
        changed = False
        for name, button in self._buttons.items():
            if button.isChecked() != (name in wanted):
                button.blockSignals(True)
                button.setChecked(name in wanted)
                button.blockSignals(False)
                changed = True
        if changed:
            self._on_toggled()

    def clear(self) -> None:
        self.set_levels([])

    def selection_text(self) -> str:
        names = self.levels()
        return list_text(names, "en") if names else "none selected"

    # -- internals ---------------------------------------------------------------------------
    def _on_toggled(self, *_: object) -> None:
        self.setAccessibleDescription(f"Selected: {self.selection_text()}")
        self.changed.emit()

    def _update_focus_policies(self) -> None:
        # A "roving" tab stop: only the current level is in the Tab chain.
        for i, name in enumerate(TREATABLE_LEVELS):
            self._buttons[name].setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if i == self._current else Qt.FocusPolicy.ClickFocus)

    def _move_to(self, index: int) -> None:
        self._current = max(0, min(len(TREATABLE_LEVELS) - 1, index))
        self._update_focus_policies()
        self.current_button().setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QPushButton) and watched.property("level"):
            if event.type() == QEvent.Type.FocusIn:
                index = TREATABLE_LEVELS.index(str(watched.property("level")))
                if index != self._current:
                    self._current = index
                    self._update_focus_policies()
            elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1,
                        Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
                if step is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                    self._move_to(self._current + step)
                    return True
                if event.key() == Qt.Key.Key_Home:
                    self._move_to(0)
                    return True
                if event.key() == Qt.Key.Key_End:
                    self._move_to(len(TREATABLE_LEVELS) - 1)
                    return True
        return super().eventFilter(watched, event)
