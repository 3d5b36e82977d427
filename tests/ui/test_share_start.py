"""A start that never blocks (issue 17.3): the window opens on the last good local copy while
the clinic share is compared, copied and checked off the GUI thread, and switches when a new
version passes. A version that fails keeps the window on the last good copy; with no copy
at all the form stays closed until the first check ends. Nothing typed is lost."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from dischargedesk.clinic.folder import export_starter
from dischargedesk.clinic.source import resolve_clinic, start_clinic
from dischargedesk.siteconfig import load_config
from dischargedesk.ui.main import open_window
from dischargedesk.ui.main_window import CHECKING_VERSION
from dischargedesk.ui.settings import AppSettings

from .conftest import PATIENT, WAIT_MS, fill_minimal, wait_for_preview

# The end of a whole clinic check (every language, both handouts, the PDF step): 20-45 s on
# a loaded 2-core machine since there are seven languages.
CHECK_WAIT_MS = 120_000

OLD_PHONE, NEW_PHONE = "(555) 010-2000", "(555) 010-4242"


class Share:
    """A clinic folder "on the network" whose new versions are checked behind a gate the
    test opens (the check of a slow share, held as long as the test wants). ``check`` is the
    real check_clinic, run once per clinic content in the test run (tests/conftest.py)."""

    def __init__(self, tmp_path: Path, check) -> None:
        self.check = check
        self.folder = tmp_path / "server" / "spine"
        export_starter(self.folder)
        self.toml = self.folder / "clinic.toml"
        self.cache = tmp_path / "cache"
        site = tmp_path / "site.toml"
        site.write_text(f'clinic_folder = "{self.folder.as_posix()}"\n', encoding="utf-8")
        self.config = load_config(site_file=site, user_file=tmp_path / "user.toml")
        self.settings = AppSettings(tmp_path / "s.ini")
        self.gate = threading.Event()
        self.checks: list[str] = []

    def publish(self, version: str, phone: str) -> None:
        lines = self.toml.read_text(encoding="utf-8").splitlines()
        lines = [f'version = "{version}"' if line.startswith("version =") else
                 f'phone = "{phone}"' if line.startswith("phone =") else line
                 for line in lines]
        self.toml.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def first_copy(self) -> None:
        """A start that already happened: the current share content is the local copy."""
        assert resolve_clinic(self.config, cache_root=self.cache).kind == "share"

    def gated_check(self, clinic):
        self.checks.append(threading.current_thread().name)
        assert self.gate.wait(30)
        return self.check(clinic)

    def open(self, qtbot):
        start = start_clinic(self.config, cache_root=self.cache, validate=self.gated_check)
        t0 = time.perf_counter()
        win = open_window(start, self.settings, self.config)
        win.confirm_discard = lambda q: True
        qtbot.addWidget(win)
        win.show()
        opened = time.perf_counter() - t0
        return win, opened


def type_patient(qtbot, win) -> None:
    fill_minimal(qtbot, win)
    win.form.caregiver.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.form.caregiver, timeout=5000)
    qtbot.keyClicks(QApplication.focusWidget(), "Ota Vance")


@pytest.mark.full_check  # the whole check of the sample clinic, every run
def test_new_version_is_checked_off_the_gui_thread_and_the_window_switches(qtbot, tmp_path,
        checked_once):
    share = Share(tmp_path, checked_once)
    share.publish("2026-12-a", OLD_PHONE)
    share.first_copy()
    share.publish("2026-12-b", NEW_PHONE)
    win, _ = share.open(qtbot)
    # the window is up on the last good copy while the new version's check is held
    assert win.clinic.version == "2026-12-a" and not win.waiting
    qtbot.waitUntil(lambda: CHECKING_VERSION in win.site_banner.text(), timeout=WAIT_MS)
    assert win.site_banner.isVisible()
    # (the banner goes up when the background job starts; it copies the share first)
    qtbot.waitUntil(lambda: bool(share.checks), timeout=WAIT_MS)
    assert threading.main_thread().name not in share.checks
    type_patient(qtbot, win)
    wait_for_preview(qtbot, win, contains=OLD_PHONE)
    assert win.print_action.isEnabled()  # the nurse can print from the last good copy

    share.gate.set()
    qtbot.waitUntil(lambda: win.clinic.version == "2026-12-b", timeout=CHECK_WAIT_MS)
    assert win.source.kind == "share" and not win.site_banner.isVisible()
    text = wait_for_preview(qtbot, win, contains=NEW_PHONE)
    assert OLD_PHONE not in text
    # nothing the nurse typed was lost in the switch
    assert win.form.patient_name.text() == PATIENT
    assert win.form.caregiver.text() == "Ota Vance"
    assert "Ota Vance" in text
    win.close()


def test_a_failed_check_keeps_the_window_on_the_last_good_copy(qtbot, tmp_path,
        checked_once):
    share = Share(tmp_path, checked_once)
    share.publish("2026-12-a", OLD_PHONE)
    share.first_copy()
    share.publish("2026-12-b", NEW_PHONE)
    summary = share.folder / "templates" / "en" / "discharge" / "10-summary.txt"
    summary.write_text(summary.read_text(encoding="utf-8") + "\n{{ patient.nmae }}\n",
                       encoding="utf-8")
    win, _ = share.open(qtbot)
    type_patient(qtbot, win)
    share.gate.set()
    qtbot.waitUntil(lambda: "have a problem" in win.site_banner.text(), timeout=CHECK_WAIT_MS)
    assert win.clinic.version == "2026-12-a" and win.source.kind == "cache"
    assert "version 2026-12-a" in win.site_banner.text()
    text = wait_for_preview(qtbot, win, contains=OLD_PHONE)
    assert NEW_PHONE not in text
    assert win.form.patient_name.text() == PATIENT and "Ota Vance" in text
    assert win.print_action.isEnabled()
    win.close()


def test_no_copy_yet_opens_with_the_form_closed_until_the_first_check(qtbot, tmp_path,
        checked_once):
    share = Share(tmp_path, checked_once)
    share.publish("2026-12-b", NEW_PHONE)
    win, _ = share.open(qtbot)
    assert win.waiting and not win.form.isEnabled()
    assert not win.print_action.isEnabled() and not win.save_action.isEnabled()
    assert not win.templates_action.isEnabled()
    assert win.preview.page_count() == 0  # nothing rendered with a stand-in clinic
    qtbot.waitUntil(lambda: CHECKING_VERSION in win.site_banner.text(), timeout=WAIT_MS)
    assert "The form opens when the check ends" in win.site_banner.text()
    share.gate.set()
    qtbot.waitUntil(lambda: win.form.isEnabled(), timeout=CHECK_WAIT_MS)
    assert win.clinic.version == "2026-12-b" and not win.site_banner.isVisible()
    type_patient(qtbot, win)
    wait_for_preview(qtbot, win, contains=NEW_PHONE)
    win.close()


def test_no_copy_and_a_broken_share_keeps_the_form_closed_and_says_why(qtbot, tmp_path,
        checked_once):
    share = Share(tmp_path, checked_once)
    (share.folder / "clinic.toml").write_text("[clinic\nname = 'x'\n", encoding="utf-8")
    share.gate.set()
    win, _ = share.open(qtbot)
    qtbot.waitUntil(lambda: "ask your administrator" in win.site_banner.text(),
                    timeout=WAIT_MS)
    assert win.waiting and not win.form.isEnabled() and not win.print_action.isEnabled()
    assert "ask your administrator" in win.status_label.text()
    assert win.preview.page_count() == 0
    win.close()
