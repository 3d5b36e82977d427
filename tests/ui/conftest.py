"""UI fixtures: a real main window with the sample clinic and settings in a temp file.

The questions the window asks (folder, printer, "discard?", "save instead?", which printers
are installed) are replaced on the instance by recorders, so no test waits on a modal dialog.
``choose_printer`` answers like the dialog's "Print to File" (a PDF-mode QPrinter).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox

# One unmistakable token per free-text field: it may appear in page text only.
TOKEN = "Zembrowski"
PATIENT = f"Quilla {TOKEN}"
MRN = "ZMB-88231"
MEDICATION = f"{TOKEN}ol 5 mg: 1 tablet every 6 hours if needed"
CAREGIVER = f"Ota {TOKEN}"
WAIT_MS = 20_000  # generous: the machine may be busy; waits end as soon as possible


class Questions:
    """Stands in for the window's dialogs and records what was asked."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder: Path | None = tmp_path / "out"
        self.folder.mkdir()
        self.folder_calls: list[Path | None] = []
        self.printer_calls = 0
        self.print_file = tmp_path / "printed.pdf"
        self.accept_print = True
        self.discard_answer = True
        self.discard_calls: list[str] = []
        self.printers = ["Test printer"]  # what the system reports as installed
        self.save_instead = True
        self.offers: list[str] = []

    def choose_folder(self, start: Path | None) -> Path | None:
        self.folder_calls.append(start)
        return self.folder

    def choose_printer(self, printer: QPrinter, pages: int) -> bool:
        self.printer_calls += 1
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.print_file))
        return self.accept_print

    def confirm_discard(self, question: str) -> bool:
        self.discard_calls.append(question)
        return self.discard_answer

    def printer_names(self) -> list[str]:
        return list(self.printers)

    def offer_save(self, sentence: str) -> bool:
        self.offers.append(sentence)
        return self.save_instead


@pytest.fixture(scope="session", autouse=True)
def _dischargedesk_app(qapp: Any) -> Any:
    """The app as run() sets it up (names for QStandardPaths, the refcount guard)."""
    from dischargedesk.ui.main import application

    return application()


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings" / "DischargeDesk.ini"


@pytest.fixture
def questions(tmp_path: Path) -> Questions:
    return Questions(tmp_path)


@pytest.fixture
def window(qtbot: Any, sample_clinic: Any, settings_file: Path,
           questions: Questions) -> Iterator[Any]:
    from dischargedesk.ui.main import application
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    application()
    win = MainWindow(sample_clinic, AppSettings(settings_file))
    win.choose_folder = questions.choose_folder
    win.choose_printer = questions.choose_printer
    win.confirm_discard = questions.confirm_discard
    win.printer_names = questions.printer_names
    win.offer_save = questions.offer_save
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    close_message_boxes()
    win.confirm_discard = lambda question: True
    win.close()


def close_message_boxes() -> list[str]:
    """Close every open message box; returns their texts."""
    texts = []
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            texts.append(box.text())
            box.close()
    return texts


def click_check(qtbot: Any, box: Any) -> None:
    """Click a checkbox on its box (a wide QCheckBox ignores clicks right of its text)."""
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def message_texts() -> list[str]:
    return [w.text() for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def fill_minimal(qtbot: Any, win: Any, *, name: str = PATIENT, mrn: str = MRN,
                 levels: tuple[str, ...] = ("T12", "L1")) -> None:
    """Type the fields a valid request needs (real key and mouse events)."""
    form = win.form
    qtbot.keyClicks(form.patient_name, name)
    qtbot.keyClicks(form.mrn, mrn)
    for level in levels:
        qtbot.mouseClick(form.levels.picker.button(level), Qt.MouseButton.LeftButton)


def wait_for_preview(qtbot: Any, win: Any, contains: str | None = None) -> str:
    """Wait until the preview matches the form; returns the previewed PDF's text."""
    from ..conftest import pdf_text

    qtbot.waitUntil(lambda: win.preview.page_count() > 0
                    and win.preview.banner_kind() is None
                    and win.session.request is not None
                    and win.session.shown == win.session.request, timeout=WAIT_MS)
    text = pdf_text(win.preview.pdf_bytes())
    if contains is not None:
        assert contains in text
    return text


def pdf_page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/ui drives real Qt widgets: mark it ``gui`` (``-m "not gui"`` runs
    the rest, as scripts/test-without-qt.sh does for the engine)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
