"""Site configuration in the app: languages offered, locked output folder, idle clear,
About/configuration, the clinic-copy banner and the template workspace action."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.clinicsource import ClinicSource, resolve_clinic
from dischargedesk.domain.clinic import load_clinic
from dischargedesk.resources import sample_clinic_dir
from dischargedesk.siteconfig import load_config
from dischargedesk.ui.main_window import MainWindow
from dischargedesk.ui.settings import AppSettings

from .conftest import PATIENT, fill_minimal, wait_for_preview


def make_window(qtbot, tmp_path: Path, site: str, questions, clinic=None, source=None):
    site_file = tmp_path / "site.toml"
    site_file.write_text(site, encoding="utf-8")
    config = load_config(site_file=site_file, user_file=tmp_path / "user.toml")
    clinic = clinic or load_clinic(sample_clinic_dir())
    win = MainWindow(clinic, AppSettings(tmp_path / "s.ini"), config=config,
                     source=source or ClinicSource(clinic, "test", None, "", "folder"))
    win.choose_folder = questions.choose_folder
    win.confirm_discard = lambda q: True
    qtbot.addWidget(win)
    win.show()
    return win


def test_languages_offered_follow_the_site(qtbot, tmp_path, questions):
    win = make_window(qtbot, tmp_path, 'languages = ["en"]\n', questions)
    codes = [win.form.language.itemData(i) for i in range(win.form.language.count())]
    assert codes == ["en"]
    win.close()


def test_locked_output_folder_saves_without_asking(qtbot, tmp_path, questions):
    out = tmp_path / "ward-share"
    out.mkdir()
    win = make_window(qtbot, tmp_path, f'output_folder = "{out.as_posix()}"\n'
                      "lock_output_folder = true\n", questions)
    fill_minimal(qtbot, win)
    wait_for_preview(qtbot, win)
    win.now = lambda: __import__("datetime").datetime(2026, 12, 1, 14, 30)
    win.save_pdfs()
    assert questions.folder_calls == []  # never asked
    assert sorted(p.name for p in out.iterdir()) == [
        "discharge-instructions-kyphoplasty-2026-12-01-1430.pdf",
        "recovery-plan-kyphoplasty-2026-12-01-1430.pdf"]
    win.close()


def test_idle_clear_removes_patient_data(qtbot, tmp_path, questions):
    win = make_window(qtbot, tmp_path, "idle_clear_minutes = 5\n", questions)
    assert win.idle.active and win.idle.idle_ms == 5 * 60_000
    fill_minimal(qtbot, win)
    assert win.form.patient_name.text() == PATIENT
    win.idle.set_times(100, 50, 10)  # do not wait five real minutes (more: test_idle.py)
    win.idle.restart()
    qtbot.waitUntil(lambda: win.form.patient_name.text() == "", timeout=5000)
    assert not win.form.has_patient_data()
    assert "cleared after 5 minutes" in win.statusBar().currentMessage()
    win.close()


def test_about_shows_each_value_and_its_source(qtbot, tmp_path, questions):
    win = make_window(qtbot, tmp_path, "idle_clear_minutes = 7\nlock_templates = true\n",
                      questions)
    win.open_about()
    table = win.about.table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}
    assert rows["idle_clear_minutes"][0] == "7" and "site file" in rows["idle_clear_minutes"][1]
    assert rows["lock_templates"][0] in ("yes", "true", "True")
    assert rows["output_folder"][1] == "default"
    win.about.close()
    win.close()


def test_template_lock_makes_workspace_read_only(qtbot, tmp_path, questions):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    win = make_window(qtbot, tmp_path, "lock_templates = true\n", questions,
                      clinic=load_clinic(folder))
    win.open_workspace()
    ws = win.workspace
    assert ws.read_only and not ws.customize_button.isEnabled()
    assert ws.profile.save_button.isEnabled()  # the profile is not locked
    ws.close()
    win.close()


def test_unreachable_share_uses_checked_copy_with_banner(qtbot, tmp_path, questions):
    share = tmp_path / "share"
    shutil.copytree(sample_clinic_dir(), share)
    site = f'clinic_folder = "{share.as_posix()}"\n'
    site_file = tmp_path / "site.toml"
    site_file.write_text(site)
    config = load_config(site_file=site_file, user_file=tmp_path / "user.toml")
    cache = tmp_path / "cache"
    first = resolve_clinic(config, cache_root=cache)
    assert first.banner is None
    shutil.rmtree(share)  # the network drive is gone
    second = resolve_clinic(config, cache_root=cache)
    assert second.kind == "cache" and second.banner
    win = make_window(qtbot, tmp_path, site, questions, clinic=second.clinic, source=second)
    assert win.site_banner.isVisible() and "cannot be reached" in win.site_banner.text()
    win.close()


@pytest.mark.parametrize("site", ["lock_templates = maybe\n", "[[[ not toml\n"])
def test_broken_site_file_shows_message_and_keeps_running(qtbot, tmp_path, questions, site):
    win = make_window(qtbot, tmp_path, site, questions)
    assert win.site_banner.isVisible() and "site.toml" in win.site_banner.text()
    assert win.config.lock_templates  # fails closed
    win.close()
