"""About / configuration: version, clinic in use and where it came from, every site value
with its source (site file, user settings, default). No patient data is shown here."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .._meta import APP_NAME, __version__
from ..clinic.source import ClinicSource
from ..resources import install_mode
from ..siteconfig import SiteConfig


class AboutDialog(QDialog):
    def __init__(self, config: SiteConfig, source: ClinicSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        facts = [
            f"{APP_NAME} {__version__} (Python {sys.version.split()[0]}, {install_mode()})",
            f"Clinic: {source.clinic.name}"
            + (f", version {source.version}" if source.version else ""),
            f"Clinic source: {source.source}",
        ]
        if source.banner:
            facts.append(f"Note: {source.banner}")
        facts += [f"Settings: {m}" for m in config.messages]
        intro = QLabel("\n".join(facts))
        intro.setObjectName("aboutFacts")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        rows = config.rows()
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("configTable")
        self.table.setAccessibleName("Configuration values and where they come from")
        self.table.setHorizontalHeaderLabels(["Setting", "Value", "Comes from"])
        for r, (key, value, origin) in enumerate(rows):
            for c, text in enumerate((key, value, origin)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 420)
