"""The app's Save and print-to-PDF paths write tagged PDFs (PDF/UA-1): the files the window
writes pass the structure validator (tests/pdf_structure.py) and the ``pdfua`` checker."""

from __future__ import annotations

from pdfua import validate
from PySide6.QtCore import Qt

from dischargedesk.ui import printing

from .. import pdf_structure as ps
from ..test_pdf_tagging import PACK_ENGLISH
from .conftest import MEDICATION, fill_minimal, wait_for_preview


def _assert_tagged(path) -> None:
    data = path.read_bytes()
    assert not ps.check(data), ps.check(data)[:5]
    assert not validate(str(path)).findings
    assert ("    H1", "Discharge instructions", "") in ps.reading(data) or \
        ("    H1", "Your recovery plan", "") in ps.reading(data)


def test_saved_files_are_tagged(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    files = sorted(questions.folder.iterdir())
    assert len(files) == 2
    for path in files:
        _assert_tagged(path)


def test_print_to_file_is_tagged(qtbot, window, questions):
    fill_minimal(qtbot, window)
    wait_for_preview(qtbot, window)
    assert not ps.check(window.preview.pdf_bytes())  # the preview's PDF too
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert questions.printer_calls == 1
    _assert_tagged(questions.print_file)


def test_duplex_print_to_file_is_tagged(qtbot, window, questions, monkeypatch):
    fill_minimal(qtbot, window)
    qtbot.keyClicks(window.form.anesthesia, "L")  # local anesthesia: an odd discharge count
    wait_for_preview(qtbot, window)
    monkeypatch.setattr(printing, "wants_duplex", lambda printer: True)
    window.print_handouts()
    _assert_tagged(questions.print_file)


def test_saved_spanish_files_read_the_free_text_in_english(qtbot, window, questions):
    """A Spanish handout saved from the window: the medication line the nurse typed is a
    Span /Lang en (issue 13), in the saved files and in the preview's PDF, never read as
    Spanish; both checks pass."""
    form = window.form
    fill_minimal(qtbot, window)
    qtbot.keyClicks(form.medications, MEDICATION)
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form.language, Qt.Key.Key_Down)  # English -> Español
    assert form.language.currentData() == "es"
    wait_for_preview(qtbot, window)
    assert _english_spans(window.preview.pdf_bytes()) == {MEDICATION}
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    files = sorted(questions.folder.iterdir())
    assert len(files) == 2
    spans: set[str] = set()
    for path in files:
        data = path.read_bytes()
        assert not ps.check(data), ps.check(data)[:5]
        assert not validate(str(path)).findings
        spans |= _english_spans(data)
    assert spans == {MEDICATION}


def _english_spans(data: bytes) -> set[str]:
    """The typed text read in English (a Span /Lang en each), besides the English of the
    pack's own texts (the unreviewed notice's English half: tests/test_pdf_tagging)."""
    langs = ps.languages(data)
    assert langs.document == "es" and MEDICATION not in langs.native
    assert all(role == "Span" and lang == "en" for role, lang, _ in langs.runs)
    spans = {" ".join(text.split()) for _, _, text in langs.runs}
    assert spans & set(PACK_ENGLISH)  # the notice prints (the sample clinic's pack)
    return spans - set(PACK_ENGLISH)
