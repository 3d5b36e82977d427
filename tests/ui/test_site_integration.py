"""Site configuration in the app: languages offered, locked output folder, idle clear,
About/configuration, the clinic-copy banner and the template workspace action."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.clinic.profile import load_clinic
from dischargedesk.clinic.source import ClinicSource, resolve_clinic
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


@pytest.mark.full_check  # the whole check of the sample clinic, every run
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


@pytest.mark.parametrize("site", ["lock_templates = maybe\n", "[[[ not toml\n",
                                  "x = " + "[" * 3000 + "]" * 3000 + "\n",
                                  "idle_clear_minutes = " + "9" * 5000 + "\n"])
def test_broken_site_file_shows_message_and_keeps_running(qtbot, tmp_path, questions, site):
    win = make_window(qtbot, tmp_path, site, questions)
    assert win.site_banner.isVisible() and "site.toml" in win.site_banner.text()
    assert win.config.lock_templates  # fails closed
    win.close()


def test_the_settings_ini_cannot_choose_the_clinic(qtbot, tmp_path):
    """One settings store: a clinic/folder key typed into the QSettings INI is not honoured
    (it bypassed lock_clinic_profile) and is removed; QSettings keeps window layout only."""
    from dischargedesk.ui.main import load_profile

    other = tmp_path / "my-clinic"
    shutil.copytree(sample_clinic_dir(), other)
    ini = tmp_path / "s.ini"
    ini.write_text(f"[clinic]\nfolder={other.as_posix()}\n", encoding="utf-8")
    config = load_config(site_file=tmp_path / "none.toml", user_file=tmp_path / "u.toml")
    settings = AppSettings(ini)
    source = load_profile(None, settings, config)
    assert source.kind == "sample"
    settings.sync()
    assert "folder" not in ini.read_text(encoding="utf-8")


def test_the_app_refuses_a_clinic_option_when_locked(qtbot, tmp_path):
    from dischargedesk.clinic.source import ClinicLockedError
    from dischargedesk.ui.main import load_profile

    site_file = tmp_path / "site.toml"
    site_file.write_text("lock_clinic_profile = true\n", encoding="utf-8")
    config = load_config(site_file=site_file, user_file=tmp_path / "u.toml")
    with pytest.raises(ClinicLockedError, match="lock_clinic_profile"):
        load_profile(sample_clinic_dir(), AppSettings(tmp_path / "s.ini"), config)


def test_a_share_copy_is_never_edited_in_the_workspace(qtbot, tmp_path, questions):
    """The local copy of a share is verified by hash at every start; templates are edited on
    the share (then checked and copied), never in the copy."""
    share = tmp_path / "share"
    shutil.copytree(sample_clinic_dir(), share)
    site = f'clinic_folder = "{share.as_posix()}"\n'
    site_file = tmp_path / "site.toml"
    site_file.write_text(site, encoding="utf-8")
    config = load_config(site_file=site_file, user_file=tmp_path / "user.toml")
    source = resolve_clinic(config, cache_root=tmp_path / "cache")
    win = make_window(qtbot, tmp_path, site, questions, clinic=source.clinic, source=source)
    win.open_workspace()
    ws = win.workspace
    assert ws.read_only and not ws.customize_button.isEnabled()
    assert not ws.profile.save_button.isEnabled()
    ws.close()
    win.close()


def test_preferences_live_in_the_user_settings_file(qtbot, tmp_path):
    """One settings store: the output folder goes to siteconfig's user file (where the
    site's locks apply); the QSettings INI keeps window layout only, and no handout language
    is remembered anywhere (it is chosen per patient)."""
    ini = tmp_path / "s.ini"
    ini.write_text("[output]\nfolder=/srv/elsewhere\n[handout]\nlanguage=es\n", encoding="utf-8")
    settings = AppSettings(ini)
    assert settings.output_folder is None and not hasattr(settings, "language")
    out = tmp_path / "handouts"
    settings.output_folder = out
    settings.sync()
    config = load_config()
    assert config.output_folder == out and config["language"] is None
    assert "user settings" in config.source("output_folder")
    text = ini.read_text(encoding="utf-8")
    assert "output" not in text and "handout" not in text
    assert AppSettings(ini).output_folder == out


def test_the_site_language_is_the_default_for_every_patient(qtbot, tmp_path, monkeypatch,
                                                            sample_clinic, questions):
    """Issue 10: the handout language resets to the clinic's default (site `language`) at
    start and for each new patient; a user file cannot set it."""
    from dischargedesk.siteconfig import SITE_ENV

    site = tmp_path / "site.toml"
    site.write_text('language = "es"\n', encoding="utf-8")
    monkeypatch.setenv(SITE_ENV, str(site))
    config = load_config()
    assert config["language"] == "es"
    win = MainWindow(sample_clinic, AppSettings(tmp_path / "s.ini"), config=config)
    qtbot.addWidget(win)
    win.confirm_discard = lambda question: True
    assert win.form.language.currentData() == "es"
    win.form.set_language("en")
    win.new_patient()
    assert win.form.language.currentData() == "es"
    win.close()


def test_share_trial_good_bad_broken_logo_removed(qtbot, tmp_path, questions):
    """The new-user trial of issue 11: an administrator publishes a good version, then one
    with a template error, then one with a broken logo, then removes the share. Each start
    shows the banner (from the second on) and prints from the last good copy."""
    from dischargedesk.clinic.folder import export_starter
    from dischargedesk.ui.main import load_profile

    share = tmp_path / "server" / "spine"
    export_starter(share)
    toml = share / "clinic.toml"

    def publish(version: str) -> None:
        text = toml.read_text(encoding="utf-8")
        text = "\n".join('name = "Harbor Spine Institute"' if line.startswith("name =") else
                         f'version = "{version}"' if line.startswith("version =") else line
                         for line in text.splitlines())
        toml.write_text(text + "\n", encoding="utf-8")

    site = f'clinic_folder = "{share.as_posix()}"\nlock_templates = true\n'
    summary = share / "templates" / "en" / "discharge" / "10-summary.txt"
    good_summary = summary.read_text(encoding="utf-8")
    logo = share / "logo.png"
    good_logo = logo.read_bytes()

    def start(expect_banner: str | None) -> None:
        site_file = tmp_path / "site.toml"
        site_file.write_text(site, encoding="utf-8")
        config = load_config(site_file=site_file, user_file=tmp_path / "user.toml")
        source = load_profile(None, AppSettings(tmp_path / "s.ini"), config)
        assert source.version == "2026-12-a"
        win = make_window(qtbot, tmp_path, site, questions, clinic=source.clinic,
                          source=source)
        if expect_banner is None:
            assert not win.site_banner.isVisible()
        else:
            assert win.site_banner.isVisible() and expect_banner in win.site_banner.text()
            assert "version 2026-12-a" in win.site_banner.text()
        fill_minimal(qtbot, win)
        text = wait_for_preview(qtbot, win)
        assert "Harbor Spine Institute" in text and "Riverbend Spine" not in text
        win.close()

    publish("2026-12-a")
    start(None)
    publish("2026-12-b")
    summary.write_text(good_summary + "\n{{ patient.nmae }}\n", encoding="utf-8")
    start("have a problem")
    publish("2026-12-c")
    summary.write_text(good_summary, encoding="utf-8")
    logo.write_bytes(good_logo[:3000])  # half-copied image
    start("have a problem")
    logo.write_bytes(good_logo)
    shutil.rmtree(share.parent)  # the server is gone
    start("cannot be reached")
