"""The template workspace driven with real widgets: customize, edit, preview, check, revert."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dischargedesk.clinic.profile import load_clinic
from dischargedesk.resources import sample_clinic_dir
from dischargedesk.ui.workspace import TemplateWorkspace

from ..conftest import pdf_text

NAME = "en/discharge/30-wound-care.txt"


class Answers:
    """Stands in for the workspace's one question ("discard?") and records it."""

    def __init__(self) -> None:
        self.answer = True
        self.asked: list[str] = []

    def __call__(self, question: str) -> bool:
        self.asked.append(question)
        return self.answer


@pytest.fixture
def workspace(qtbot, tmp_path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    ws = TemplateWorkspace(load_clinic(folder))
    ws.confirm_discard = Answers()
    qtbot.addWidget(ws)
    ws.show()
    yield ws
    ws.confirm_discard = lambda question: True
    ws.close()


def type_lines(qtbot, widget, *lines: str) -> None:
    """Type like a person: keyClicks cannot type a newline, so press Return."""
    for line in lines:
        qtbot.keyClicks(widget, line)
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def preview_text(ws) -> str:
    return pdf_text(ws.preview.pdf_bytes())


def test_customize_edit_check_save_revert(qtbot, workspace):
    ws = workspace
    ws.select(NAME)
    assert ws.current == NAME
    assert ws.editor.isReadOnly() and ws.customize_button.isEnabled()
    qtbot.mouseClick(ws.customize_button, Qt.MouseButton.LeftButton)
    assert ws.is_customized(NAME) and not ws.editor.isReadOnly()

    # a typo: reported with its line, click jumps to it, the preview says it is stale
    with qtbot.waitSignal(ws.checked, timeout=30_000,
                          check_params_cb=lambda r: not r.ok):
        ws.editor.selectAll()
        type_lines(qtbot, ws.editor, "# Pain and ice", "- Sore? {{ patient.nmae }}")
    problems = [ws.results.item(i).text() for i in range(ws.results.count())]
    assert any(p.startswith(f"clinic {NAME}:2: unknown variable") for p in problems), problems
    assert ws.preview.banner_kind() == "failed"
    first = ws.results.item(0)
    ws.jump_to_result(first)
    assert ws.editor.textCursor().blockNumber() == 1

    # fix it: the preview shows the unsaved text
    with qtbot.waitSignal(ws.previewed, timeout=30_000, check_params_cb=bool):
        ws.editor.selectAll()
        type_lines(qtbot, ws.editor, "# Pain and ice", "- Ice helps a lot.")
    assert "Ice helps a lot." in preview_text(ws)
    assert ws.save_button.isEnabled()
    qtbot.mouseClick(ws.save_button, Qt.MouseButton.LeftButton)
    saved = (ws.clinic.folder / "templates" / NAME).read_text()
    assert "Ice helps a lot." in saved and not ws.save_button.isEnabled()

    qtbot.mouseClick(ws.revert_button, Qt.MouseButton.LeftButton)
    assert not ws.is_customized(NAME)
    assert "Ice helps a lot." not in ws.editor.toPlainText()


def test_profile_editor_saves_and_refuses(qtbot, workspace):
    ed = workspace.profile
    ed.fields["phone"].setText("(555) 010-7777")
    ed.params["fever_threshold_f"].setValue(101.0)
    with qtbot.waitSignal(ed.saved, timeout=5000):
        qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    clinic = load_clinic(workspace.clinic.folder)
    assert clinic.phone == "(555) 010-7777" and clinic.parameters["fever_threshold_f"] == 101.0
    ed.fields["portal_url"].setText("javascript:alert(1)")
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert "https://" in ed.message.text()
    assert load_clinic(workspace.clinic.folder).portal_url.startswith("https://")


def test_read_only_mode(qtbot, tmp_path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    ws = TemplateWorkspace(load_clinic(folder), read_only=True)
    qtbot.addWidget(ws)
    ws.select(NAME)
    assert not ws.customize_button.isEnabled() and not ws.revert_button.isEnabled()
    assert ws.editor.isReadOnly() and not ws.profile.save_button.isEnabled()
    assert "Read-only" in ws.banner.text()
    ws.close()


def test_sample_clinic_is_read_only(qtbot, sample_clinic):
    ws = TemplateWorkspace(sample_clinic)
    qtbot.addWidget(ws)
    assert ws.read_only and "sample clinic" in ws.banner.text()
    ws.close()


def customized_editor(qtbot, ws):
    ws.select(NAME)
    qtbot.mouseClick(ws.customize_button, Qt.MouseButton.LeftButton)
    assert ws.is_customized(NAME) and not ws.editor.isReadOnly()
    ws.editor.setFocus()
    return ws.clinic.folder / "templates" / NAME


@pytest.mark.parametrize("bad_line", [
    "- Sore? {{ patient.nmae }}",
    "{% for a in range(9999) %}{% for b in range(9999) %}{% set z = a %}{% endfor %}"
    "{% endfor %}",
    "{% include 'partials/nowhere.txt' %}",
    "@{{ patient.name }}",
])
def test_save_refuses_a_failing_template_and_keeps_the_text(qtbot, workspace, bad_line):
    import time

    ws = workspace
    path = customized_editor(qtbot, ws)
    before = path.read_text(encoding="utf-8")
    ws.editor.selectAll()
    type_lines(qtbot, QApplication.focusWidget(), "# Pain and ice", bad_line)
    start = time.monotonic()
    qtbot.mouseClick(ws.save_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - start < 20
    assert path.read_text(encoding="utf-8") == before  # the nurse's window never sees it
    assert bad_line in ws.editor.toPlainText() and ws.dirty
    assert ws.save_message.text().startswith("Not saved")
    problems = [ws.results.item(i).text() for i in range(ws.results.count())]
    assert any(p.startswith(f"clinic {NAME}") for p in problems), problems
    assert all("Check Sample" not in p for p in problems)


def test_save_of_a_passing_edit_is_not_blocked_by_another_broken_file(qtbot, workspace):
    ws = workspace
    other = ws.clinic.folder / "templates" / "en/discharge/30-wound-care.txt"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text("# Wound\n{{ oops }}\n", encoding="utf-8")
    path = customized_editor(qtbot, ws)
    ws.editor.selectAll()
    type_lines(qtbot, QApplication.focusWidget(), "# Pain and ice", "- Ice helps.")
    qtbot.mouseClick(ws.save_button, Qt.MouseButton.LeftButton)
    assert "Ice helps." in path.read_text(encoding="utf-8")
    assert ws.save_message.text().startswith("Saved")


def test_unsaved_marker_and_questions_before_losing_edits(qtbot, workspace):
    ws = workspace
    path = customized_editor(qtbot, ws)
    tab_text = ws.tabs.tabText(0)
    assert not ws.isWindowModified() and "*" not in tab_text
    qtbot.keyClicks(QApplication.focusWidget(), "More ice. ")
    assert ws.isWindowModified() and ws.tabs.tabText(0).endswith("*")

    answers = ws.confirm_discard
    answers.answer = False
    ws.close()  # asks, and stays open with the text
    assert len(answers.asked) == 1 and "unsaved" in answers.asked[0]
    assert ws.isVisible() and "More ice." in ws.editor.toPlainText()

    qtbot.mouseClick(ws.revert_button, Qt.MouseButton.LeftButton)  # asks, keeps the copy
    assert len(answers.asked) == 2 and ws.is_customized(NAME)
    assert "More ice." in ws.editor.toPlainText()

    ws.select("en/discharge/10-summary.txt")  # asks, stays on the edited template
    assert len(answers.asked) == 3 and ws.current == NAME
    assert "More ice." in ws.editor.toPlainText()

    answers.answer = True
    qtbot.mouseClick(ws.revert_button, Qt.MouseButton.LeftButton)
    assert not ws.is_customized(NAME) and not path.exists()
    assert not ws.isWindowModified() and "*" not in ws.tabs.tabText(0)


def test_profile_saved_in_workspace_reaches_the_main_window_at_once(qtbot, tmp_path):
    from dischargedesk.ui.main_window import MainWindow
    from dischargedesk.ui.settings import AppSettings

    from .conftest import fill_minimal, wait_for_preview

    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    win = MainWindow(load_clinic(folder), AppSettings(tmp_path / "s.ini"))
    win.confirm_discard = lambda question: True
    qtbot.addWidget(win)
    win.show()
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win, contains="(555) 010-2000")

    win.open_workspace()
    ed = win.workspace.profile
    phone = ed.fields["phone"]
    win.workspace.tabs.setCurrentWidget(ed)
    win.workspace.activateWindow()
    phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is phone, timeout=5000)
    phone.selectAll()
    qtbot.keyClicks(QApplication.focusWidget(), "(555) 010-7777")
    assert phone.text() == "(555) 010-7777"
    with qtbot.waitSignal(ed.saved, timeout=5000):
        qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    win.workspace.close()

    text = wait_for_preview(qtbot, win, contains="(555) 010-7777")
    assert "(555) 010-2000" not in text
    assert win.session.clinic.phone == "(555) 010-7777"
    win.close()


def test_save_checks_the_edited_file_then_every_language_in_the_background(qtbot, workspace,
                                                                          monkeypatch):
    """Issue 17.2: the save waits only for the check of what the edited file can change
    (its language and handout); every language is checked after it on a worker thread,
    while the window keeps working."""
    import threading

    from PySide6.QtCore import QTimer

    import dischargedesk.ui.workspace.dialog as dialog

    ws = workspace
    path = customized_editor(qtbot, ws)
    calls: list[tuple[str | None, object, str]] = []
    real = dialog.check_templates
    release = threading.Event()

    def recording(clinic, **kwargs):
        calls.append((kwargs.get("only"), kwargs.get("languages"),
                      threading.current_thread().name))
        if kwargs.get("only") is None and kwargs.get("languages") is None:
            assert release.wait(60)  # the full check waits until the test lets it go
        return real(clinic, **kwargs)

    monkeypatch.setattr(dialog, "check_templates", recording)
    try:
        ws.editor.selectAll()
        type_lines(qtbot, QApplication.focusWidget(), "# Pain and ice", "- Ice helps.")
        ws.timer.stop()
        qtbot.mouseClick(ws.save_button, Qt.MouseButton.LeftButton)
        assert "Ice helps." in path.read_text(encoding="utf-8")
        save_checks = [c for c in calls if c[0] == NAME]
        assert save_checks and all(c[1] is None and c[2] == threading.main_thread().name
                                   for c in save_checks)
        # the full check runs (held) on its worker; the GUI thread is free meanwhile
        qtbot.waitUntil(lambda: any(c[0] is None for c in calls), timeout=10_000)
        assert [c[2] for c in calls if c[0] is None] == ["workspace-full-check"]
        assert ws.save_message.text().startswith("Saved: the check passed. Checking")
        fired: list[bool] = []
        QTimer.singleShot(0, lambda: fired.append(True))
        qtbot.waitUntil(lambda: bool(fired), timeout=5000)
        with qtbot.waitSignal(ws.fully_checked, timeout=120_000) as blocker:
            release.set()
    finally:
        release.set()
    report = blocker.args[0]
    assert report.ok and report.combinations > 1000  # every language and bilingual print
    assert ws.save_message.text() == "Saved: the check passed. Every language checked."


def test_only_checks_what_one_file_can_change(sample_clinic):
    from dischargedesk.checks import check_templates

    full = check_templates(sample_clinic, languages=["en"], build_pdfs=False)
    one = check_templates(sample_clinic, build_pdfs=False, only=NAME)
    assert one.combinations == full.combinations  # every combination of its language
    assert [g.file for g in one.grades] == [NAME]
    assert [g for g in full.grades if g.file == NAME] == one.grades
    partial = check_templates(sample_clinic, build_pdfs=False, only="es/partials/watch.txt",
                              grades=False)
    assert partial.ok and partial.combinations > full.combinations  # es and bilingual es
