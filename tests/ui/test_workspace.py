"""The template workspace driven with real widgets: customize, edit, preview, check, revert."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from dischargedesk.domain.clinic import load_clinic
from dischargedesk.resources import sample_clinic_dir
from dischargedesk.ui.workspace import TemplateWorkspace

from ..conftest import pdf_text

NAME = "en/discharge/30-wound-care.txt"


@pytest.fixture
def workspace(qtbot, tmp_path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    ws = TemplateWorkspace(load_clinic(folder))
    qtbot.addWidget(ws)
    ws.show()
    yield ws
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
