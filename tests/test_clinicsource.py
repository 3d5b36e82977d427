"""Which clinic to use: sample, explicit folder, network share with a last-known-good copy."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import pytest

from dischargedesk.clinic import source as clinicsource
from dischargedesk.clinic.source import Cache, check_clinic, resolve_clinic
from dischargedesk.errors import ClinicProfileError
from dischargedesk.resources import sample_clinic_dir
from dischargedesk.siteconfig import SITE_ENV, load_config, user_data_dir

DAY1 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
BAD_TEMPLATE = "# Your discharge summary\nHello {{ patient.nmae }}.\n"


def no_problems(clinic) -> list[str]:
    return []


@pytest.fixture
def share(tmp_path: Path) -> Path:
    """A clinic folder 'on the network' (version 2026-11), made from the sample clinic."""
    folder = tmp_path / "network" / "spine"
    shutil.copytree(sample_clinic_dir(), folder)
    set_version(folder, "2026-11")
    return folder


def set_version(folder: Path, version: str) -> None:
    toml = folder / "clinic.toml"
    text = toml.read_text(encoding="utf-8")
    lines = [f'version = "{version}"' if line.startswith("version =") else line
             for line in text.splitlines()]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_template(folder: Path, text: str, name: str = "10-summary.txt") -> Path:
    path = folder / "templates" / "en" / "discharge" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a site file with clinic_folder and return the loaded configuration."""
    site = tmp_path / "site.toml"
    monkeypatch.setenv(SITE_ENV, str(site))

    def make(folder: Path | None):
        site.write_text(f"clinic_folder = '{folder}'\n" if folder else "", encoding="utf-8")
        return load_config()

    return make


def at(when: dt.datetime):
    return lambda: when


def copies(share: Path) -> list[Path]:
    folder = Cache(user_data_dir() / clinicsource.CACHE_DIR).folder_for(share)
    return sorted(p for p in folder.iterdir() if p.is_dir())


def test_no_clinic_folder_uses_the_sample_clinic(configure):
    result = resolve_clinic(configure(None))
    assert result.kind == "sample" and result.banner is None
    assert result.clinic.name == "Riverbend Spine Center"
    assert result.source == "sample clinic (built in)"
    assert not (user_data_dir() / clinicsource.CACHE_DIR).exists()


def test_an_explicit_folder_is_used_as_it_is(configure, share: Path):
    result = resolve_clinic(configure(None), folder=share)
    assert result.kind == "folder" and result.clinic.folder == share
    assert result.version == "2026-11" and result.banner is None


@pytest.mark.full_check  # the whole check of the sample clinic, every run
def test_first_start_checks_and_copies_the_share(configure, share: Path):
    result = resolve_clinic(configure(share), now=at(DAY1))
    assert result.kind == "share" and result.banner is None
    assert result.version == "2026-11"
    # the app runs from the local copy, never from the share itself
    cache = user_data_dir() / clinicsource.CACHE_DIR
    assert result.clinic.folder is not None and result.clinic.folder.is_relative_to(cache)
    assert result.clinic.logo is not None and result.clinic.logo.is_relative_to(cache)
    assert (result.clinic.folder / "clinic.toml").read_bytes() == \
        (share / "clinic.toml").read_bytes()
    assert str(share) in result.source and "version 2026-11" in result.source
    assert len(copies(share)) == 1


def test_unreachable_share_without_a_copy_is_an_error(configure, tmp_path: Path):
    missing = tmp_path / "no-such-server" / "spine"
    with pytest.raises(ClinicProfileError, match="cannot be reached and there is no saved copy"):
        resolve_clinic(configure(missing))


def test_unreachable_share_uses_the_copy_with_a_banner(configure, share: Path):
    config = configure(share)
    resolve_clinic(config, validate=no_problems, now=at(DAY1))
    shutil.rmtree(share)  # the server is gone
    result = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert result.kind == "cache"
    assert result.version == "2026-11"
    local_day = DAY1.astimezone().strftime("%Y-%m-%d")
    assert result.banner == ("The clinic folder on the network cannot be reached; using the "
                             f"copy from {local_day}, version 2026-11.")
    assert result.clinic.name == "Riverbend Spine Center"


def test_failing_new_version_keeps_the_copy_and_says_so(configure, share: Path):
    config = configure(share)
    first = resolve_clinic(config, validate=no_problems, now=at(DAY1))
    assert first.kind == "share"
    set_version(share, "2026-12")
    add_template(share, BAD_TEMPLATE)
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache"
    assert result.version == "2026-11"  # the previous, checked version
    assert result.banner is not None and "version 2026-11" in result.banner
    assert "have a problem" in result.banner
    assert any("10-summary.txt" in p and "nmae" in p for p in result.problems)
    assert len(copies(share)) == 1  # the rejected copy was removed
    assert result.clinic.folder is not None
    assert not (result.clinic.folder / "templates").exists()


def test_failing_share_without_a_copy_is_an_error(configure, share: Path):
    add_template(share, BAD_TEMPLATE)
    with pytest.raises(ClinicProfileError, match=r"10-summary\.txt") as info:
        resolve_clinic(configure(share))
    assert "templates check" in str(info.value)


def test_broken_clinic_toml_on_the_share_keeps_the_copy(configure, share: Path):
    config = configure(share)
    resolve_clinic(config, validate=no_problems, now=at(DAY1))
    (share / "clinic.toml").write_text("[clinic]\nname = \n", encoding="utf-8")
    result = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert result.kind == "cache" and result.version == "2026-11"
    assert "clinic.toml" in result.problems[0]


def test_a_good_new_version_replaces_the_copy(configure, share: Path):
    config = configure(share)
    resolve_clinic(config, validate=no_problems, now=at(DAY1))
    old = copies(share)
    set_version(share, "2026-12")
    add_template(share, "# Your discharge summary\nHello {{ patient.name }}.\n")
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "share" and result.banner is None
    assert result.version == "2026-12"
    new = copies(share)
    assert len(new) == 1 and new != old
    assert result.clinic.templates_dir is not None
    assert (result.clinic.templates_dir / "en" / "discharge" / "10-summary.txt").is_file()
    # later, the share is unreachable: the new version is the one kept
    shutil.rmtree(share)
    later = resolve_clinic(config, validate=no_problems)
    assert later.kind == "cache" and later.version == "2026-12"
    assert DAY2.astimezone().strftime("%Y-%m-%d") in (later.banner or "")


def test_an_unchanged_share_is_not_checked_again(configure, share: Path):
    calls: list[str] = []

    def counting(clinic) -> list[str]:
        calls.append(clinic.version)
        return []

    config = configure(share)
    resolve_clinic(config, validate=counting, now=at(DAY1))
    second = resolve_clinic(config, validate=counting, now=at(DAY2))
    assert calls == ["2026-11"]
    assert second.kind == "share" and second.banner is None
    set_version(share, "2026-11b")
    resolve_clinic(config, validate=counting, now=at(DAY2))
    assert calls == ["2026-11", "2026-11b"]


def test_a_damaged_local_copy_is_taken_again(configure, share: Path):
    config = configure(share)
    first = resolve_clinic(config, validate=no_problems, now=at(DAY1))
    assert first.clinic.folder is not None
    (first.clinic.folder / "clinic.toml").unlink()
    again = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert again.kind == "share" and again.clinic.folder is not None
    assert (again.clinic.folder / "clinic.toml").is_file()


def test_a_share_that_hangs_counts_as_unreachable(configure, share: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    config = configure(share)
    resolve_clinic(config, validate=no_problems, now=at(DAY1))
    real = clinicsource._fingerprint

    def slow(folder: Path) -> str:
        time.sleep(0.5)
        return real(folder)

    monkeypatch.setattr(clinicsource, "_fingerprint", slow)
    start = time.monotonic()
    result = resolve_clinic(config, validate=no_problems, probe_timeout=0.05)
    assert time.monotonic() - start < 0.4
    assert result.kind == "cache" and "cannot be reached" in (result.banner or "")


def test_leftover_temp_folders_do_not_count(configure, share: Path):
    config = configure(share)
    resolve_clinic(config, validate=no_problems, now=at(DAY1))
    folder = Cache(user_data_dir() / clinicsource.CACHE_DIR).folder_for(share)
    (folder / ".incoming-crashed").mkdir()  # a start that died half-way through a copy
    shutil.rmtree(share)
    result = resolve_clinic(config, validate=no_problems)
    assert result.kind == "cache" and result.version == "2026-11"


def test_office_lock_and_hidden_files_are_not_copied(configure, share: Path):
    (share / "~$clinic.docx").write_text("lock", encoding="utf-8")
    (share / ".DS_Store").write_text("x", encoding="utf-8")
    result = resolve_clinic(configure(share), validate=no_problems)
    assert result.clinic.folder is not None
    assert sorted(p.name for p in result.clinic.folder.iterdir()) == ["clinic.toml", "logo.png"]


def test_broken_site_file_uses_the_last_copy(configure, share: Path, tmp_path: Path):
    resolve_clinic(configure(share), validate=no_problems, now=at(DAY1))
    (tmp_path / "site.toml").write_text("clinic_folder = '\n", encoding="utf-8")
    config = load_config()
    assert config.site_file_broken and config.clinic_folder is None
    result = resolve_clinic(config, validate=no_problems)
    assert result.kind == "cache" and result.version == "2026-11"
    assert result.banner is not None and result.banner.startswith(
        "The site settings cannot be read; using the clinic copy from")


def test_broken_site_file_without_a_copy_never_falls_back_to_the_sample(tmp_path: Path,
                                                                       monkeypatch):
    site = tmp_path / "site.toml"
    site.write_text("clinic_folder = '\n", encoding="utf-8")
    monkeypatch.setenv(SITE_ENV, str(site))
    with pytest.raises(ClinicProfileError, match="does not know which clinic folder"):
        resolve_clinic(load_config())


def test_a_user_clinic_folder_is_used_when_not_locked(share: Path, monkeypatch, tmp_path):
    monkeypatch.setenv(SITE_ENV, str(tmp_path / "absent.toml"))
    from dischargedesk.siteconfig import save_user_settings

    config = save_user_settings(load_config(), {"clinic_folder": share})
    result = resolve_clinic(config, validate=no_problems)
    assert result.kind == "share" and result.version == "2026-11"


def test_check_clinic_finds_template_errors(share: Path):
    from dischargedesk.clinic.profile import load_clinic

    assert check_clinic(load_clinic(share)) == []
    add_template(share, BAD_TEMPLATE)
    problems = check_clinic(load_clinic(share))
    assert problems and "nmae" in problems[0]


def test_check_clinic_works_without_textstat(share: Path, monkeypatch: pytest.MonkeyPatch):
    from dischargedesk.clinic.profile import load_clinic

    monkeypatch.setitem(sys.modules, "textstat", None)  # import textstat -> ImportError
    assert check_clinic(load_clinic(share)) == []
    add_template(share, BAD_TEMPLATE)
    problems = check_clinic(load_clinic(share))
    assert len(problems) == 1 and "10-summary.txt" in problems[0] and "nmae" in problems[0]
