"""Site and user settings: every key, precedence, locks, broken files, locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargedesk import siteconfig
from dischargedesk.siteconfig import (
    BY_NAME,
    KEYS,
    SITE_ENV,
    SiteConfigError,
    load_config,
    save_user_settings,
    site_file_path,
    user_config_dir,
    user_data_dir,
    user_file_path,
)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The site file path (through the environment variable); not created yet."""
    path = tmp_path / "etc" / "site.toml"
    path.parent.mkdir()
    monkeypatch.setenv(SITE_ENV, str(path))
    return path


@pytest.fixture
def user() -> Path:
    path = user_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# one example per key: (TOML text, resolved value)
EXAMPLES = {
    "clinic_folder": ('"/srv/clinic"', Path("/srv/clinic")),
    "output_folder": ('"/data/handouts"', Path("/data/handouts")),
    "languages": ('["es", "en"]', ("es", "en")),
    "language": ('"es"', "es"),
    "lock_templates": ("true", True),
    "lock_clinic_profile": ("true", True),
    "lock_output_folder": ("true", True),
    "idle_clear_minutes": ("3", 3),
    "allow_site_config_override": ("true", True),
    "chart_outbox": ('"/srv/interface/outbox"', Path("/srv/interface/outbox")),
    "mrn_system": ('"urn:oid:2.16.840.1.113883.3.1"', "urn:oid:2.16.840.1.113883.3.1"),
    "archive": ('{ url = "sqlite:////srv/archive.db", key_file = "/etc/dd/archive.key" }',
                siteconfig.ArchiveSettings("sqlite:////srv/archive.db",
                                           Path("/etc/dd/archive.key"))),
}


def test_every_key_has_an_example():
    assert set(EXAMPLES) == {k.name for k in KEYS}


def test_defaults_without_any_file(site: Path):
    config = load_config()
    assert config.messages == ()
    assert not config.site_file_broken
    assert config.clinic_folder is None and config.output_folder is None
    assert config.languages == ()
    assert not (config.lock_templates or config.lock_clinic_profile or config.lock_output_folder)
    assert config.idle_clear_minutes == 10
    assert {config.source(k.name) for k in KEYS} == {"default"}
    assert config.editable("output_folder") and config.editable("clinic_folder")
    assert not config.editable("lock_templates")  # never a user's choice


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_key_from_the_site_file(site: Path, name: str):
    toml, expected = EXAMPLES[name]
    write(site, f"# deployed by IT\n{name} = {toml}\n")
    config = load_config()
    assert config.messages == ()
    assert config[name] == expected
    assert config.source(name) == f"site file {site}"
    assert not config.editable(name)


@pytest.mark.parametrize("name", [k.name for k in KEYS if k.user])
def test_every_user_key_from_the_user_file(site: Path, user: Path, name: str):
    toml, expected = EXAMPLES[name]
    write(user, f"{name} = {toml}\n")
    config = load_config()
    assert config.messages == ()
    assert config[name] == expected
    assert config.source(name) == f"user settings {user}"
    assert config.editable(name)


@pytest.mark.parametrize("name", [k.name for k in KEYS if not k.user])
def test_locks_cannot_be_set_by_the_user(site: Path, user: Path, name: str):
    """Locks, and the clinic's default handout language (a nurse's choice must never carry
    over to the next patient), come from the site file only."""
    write(user, f"{name} = {EXAMPLES[name][0]}\n")
    config = load_config()
    assert config[name] == BY_NAME[name].default
    assert len(config.messages) == 1
    assert str(user) in config.messages[0] and "line 1" in config.messages[0]
    assert "only be set in the site settings file" in config.messages[0]


def test_precedence_site_over_user_over_default(site: Path, user: Path):
    write(site, 'output_folder = "/site/out"\n')
    write(user, 'output_folder = "/user/out"\nidle_clear_minutes = 5\n')
    config = load_config()
    assert config.output_folder == Path("/site/out")
    assert config.source("output_folder") == f"site file {site}"
    assert config.idle_clear_minutes == 5
    assert config.source("idle_clear_minutes") == f"user settings {user}"
    assert config.languages == ()
    assert config.source("languages") == "default"


@pytest.mark.parametrize(("lock", "key", "user_value"), [
    ("lock_output_folder", "output_folder", '"/home/nurse/out"'),
    ("lock_clinic_profile", "clinic_folder", '"/home/nurse/my-clinic"'),
])
def test_a_lock_ignores_the_users_value(site: Path, user: Path, lock: str, key: str,
                                        user_value: str):
    write(user, f"{key} = {user_value}\n")
    assert load_config()[key] is not None  # without the lock the user's value counts
    write(site, f"{lock} = true\n")
    config = load_config()
    assert config[key] is None
    assert config.source(key) == "default"
    assert not config.editable(key)
    assert config.messages == ()


def test_lock_with_site_value(site: Path, user: Path):
    write(site, 'lock_output_folder = true\noutput_folder = "/srv/out"\n')
    write(user, 'output_folder = "/home/nurse/out"\n')
    config = load_config()
    assert config.output_folder == Path("/srv/out")
    assert not config.editable("output_folder")


def test_lock_templates_is_a_flag_for_the_ui(site: Path):
    write(site, "lock_templates = true\n")
    config = load_config()
    assert config.lock_templates is True
    assert config.editable("output_folder")  # other settings stay editable


def test_bad_toml_gives_one_sentence_and_safe_defaults(site: Path, user: Path):
    write(site, 'clinic_folder = "/srv/clinic"\nlock_templates = tru\n')
    write(user, "idle_clear_minutes = 4\n")
    config = load_config()
    assert config.site_file_broken
    (message,) = config.messages
    assert message.startswith(f"The site settings file {site}, line 2,")
    assert "not valid TOML" in message and message.endswith(".")
    assert message.count(". ") == 0  # one sentence
    assert config.clinic_folder is None  # nothing from a file that cannot be parsed
    # fail closed: every lock is on until the administrator fixes the file
    assert config.lock_templates and config.lock_clinic_profile and config.lock_output_folder
    assert "cannot be read" in config.source("lock_templates")
    assert config.idle_clear_minutes == 4  # the user's unlocked settings still count


@pytest.mark.parametrize(("text", "line", "name", "phrase"), [
    ("idle_clear_minutes = \"ten\"\n", 1, "idle_clear_minutes", "whole number"),
    ("\n\nidle_clear_minutes = -1\n", 3, "idle_clear_minutes", "whole number"),
    ("idle_clear_minutes = 100000\n", 1, "idle_clear_minutes", "whole number"),
    ("idle_clear_minutes = true\n", 1, "idle_clear_minutes", "whole number"),
    ("languages = \"en\"\n", 1, "languages", "list of language codes"),
    ("languages = [\"en\", 3]\n", 1, "languages", "list of language codes"),
    ("output_folder = 12\n", 1, "output_folder", "folder path"),
    ("output_folder = \"relative/folder\"\n", 1, "output_folder", "folder path"),
    ("[clinic_folder]\npath = \"/x\"\n", 1, "clinic_folder", "folder path"),
])
def test_wrong_type_names_file_line_and_uses_the_default(site: Path, text: str, line: int,
                                                         name: str, phrase: str):
    write(site, "lock_templates = true\n" + text)
    config = load_config()
    (message,) = config.messages
    assert f"{site}, line {line + 1}" in message and f"“{name}”" in message
    assert phrase in message and "default" in message
    key = siteconfig.BY_NAME[name]
    assert config[name] == key.default
    assert config.lock_templates is True  # the rest of the file still applies
    assert not config.site_file_broken


def test_a_lock_of_the_wrong_type_counts_as_locked(site: Path):
    write(site, 'lock_output_folder = "no"\n')
    config = load_config()
    assert config.lock_output_folder is True
    (message,) = config.messages
    assert "line 1" in message and "counts as true" in message


def test_unknown_key_is_reported_and_ignored(site: Path):
    write(site, 'idle_clear_minutes = 5\nidle_clear_minute = 1\npatient_name = "x"\n')
    config = load_config()
    assert config.idle_clear_minutes == 5
    first, second = config.messages
    assert "line 2" in first and "did you mean “idle_clear_minutes”" in first
    assert "line 3" in second and "not a known setting" in second and "known settings" in second


def test_broken_user_file_is_ignored(site: Path, user: Path):
    write(site, "idle_clear_minutes = 7\n")
    write(user, "output_folder = [\n")
    config = load_config()
    assert not config.site_file_broken
    (message,) = config.messages
    assert message.startswith(f"Your settings file {user}")
    assert config.idle_clear_minutes == 7 and not config.lock_output_folder


def test_unreadable_site_file_fails_closed(site: Path):
    site.mkdir()  # a folder where the file should be
    config = load_config()
    assert config.site_file_broken and config.lock_clinic_profile
    (message,) = config.messages
    assert "cannot be read" in message and str(site) in message


def test_not_utf8_site_file(site: Path):
    site.write_bytes(b'output_folder = "/caf\xe9"\n')
    config = load_config()
    assert config.site_file_broken
    assert "not UTF-8" in config.messages[0]


def test_paths_expand_home_and_variables(site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DD_SHARE", "/mnt/share")
    write(site, 'output_folder = "~/Handouts"\nclinic_folder = "${DD_SHARE}/clinic"\n')
    config = load_config()
    assert config.output_folder == Path(os.path.expanduser("~")) / "Handouts"
    assert config.clinic_folder == Path("/mnt/share/clinic")


def test_empty_path_means_not_set(site: Path, user: Path):
    write(user, 'output_folder = "/home/nurse/out"\n')
    write(site, 'output_folder = ""\n')
    assert load_config().output_folder is None


def test_unc_share_path_is_accepted(site: Path):
    write(site, "clinic_folder = '\\\\fileserver\\spine\\DischargeDesk'\n")
    config = load_config()
    assert config.messages == ()
    assert str(config.clinic_folder) == "\\\\fileserver\\spine\\DischargeDesk"


def test_environment_variable_points_to_the_site_file(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    path = write(tmp_path / "elsewhere.toml", "idle_clear_minutes = 2\n")
    monkeypatch.setenv(SITE_ENV, str(path))
    assert site_file_path() == path
    assert load_config().idle_clear_minutes == 2


def test_explicit_files_win_over_the_environment(tmp_path: Path, site: Path):
    write(site, "idle_clear_minutes = 2\n")
    other = write(tmp_path / "other.toml", "idle_clear_minutes = 3\n")
    assert load_config(site_file=other).idle_clear_minutes == 3


@pytest.mark.parametrize(("platform", "env", "site_path"), [
    ("linux", {"HOME": "/home/n"}, "/etc/dischargedesk/site.toml"),
    ("win32", {"ProgramData": "D:\\PD"}, "D:\\PD\\DischargeDesk\\site.toml"),
    ("win32", {}, "C:\\ProgramData\\DischargeDesk\\site.toml"),
    ("darwin", {"HOME": "/Users/n"}, "/Library/Application Support/DischargeDesk/site.toml"),
])
def test_site_file_location_per_platform(platform, env, site_path):
    assert str(site_file_path(env, platform)) == site_path


def test_user_folders_come_from_platformdirs():
    import platformdirs

    assert user_config_dir() == platformdirs.user_config_path("dischargedesk", False)
    assert user_data_dir() == Path(os.environ["XDG_DATA_HOME"]) / "dischargedesk"
    assert user_file_path().parent == user_config_dir()


def test_user_file_lives_in_the_redirected_config_home():
    assert user_file_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "dischargedesk" / "user.toml"


def test_save_user_settings_round_trip_keeps_comments(site: Path, user: Path):
    write(user, "# my settings\nidle_clear_minutes = 5\n")
    config = save_user_settings(load_config(), {"output_folder": Path("/home/n/out"),
                                                "languages": ["en", "es"]})
    assert config.output_folder == Path("/home/n/out") and config.languages == ("en", "es")
    assert config.idle_clear_minutes == 5
    text = user.read_text(encoding="utf-8")
    assert text.startswith("# my settings")
    config = save_user_settings(config, {"idle_clear_minutes": None})
    assert config.idle_clear_minutes == 10 and "idle_clear_minutes" not in user.read_text()
    assert not list(user.parent.glob("*.tmp"))  # no temp file left behind


def test_save_user_settings_creates_the_file(site: Path):
    config = save_user_settings(load_config(), {"idle_clear_minutes": 0})
    assert config.idle_clear_minutes == 0
    assert config.source("idle_clear_minutes").startswith("user settings")


@pytest.mark.parametrize(("site_text", "changes", "phrase"), [
    ("lock_output_folder = true\n", {"output_folder": "/x"}, "set by your administrator"),
    ('output_folder = "/srv"\n', {"output_folder": "/x"}, "set by your administrator"),
    ("", {"lock_templates": False}, "not a setting users can change"),
    ("", {"patient_name": "Maria"}, "not a setting users can change"),
    ("", {"idle_clear_minutes": "ten"}, "whole number"),
    ("", {"output_folder": "relative"}, "folder path"),
])
def test_save_user_settings_refuses(site: Path, user: Path, site_text: str, changes, phrase):
    write(site, site_text)
    with pytest.raises(SiteConfigError, match=phrase):
        save_user_settings(load_config(), changes)
    assert not user.exists()


def test_rows_for_the_about_view(site: Path, user: Path):
    write(site, 'clinic_folder = "/srv/clinic"\nlock_templates = true\n')
    write(user, 'languages = ["en"]\n')
    rows = {key: (value, source) for key, value, source in load_config().rows()}
    assert list(rows) == [k.name for k in KEYS]
    assert rows["clinic_folder"] == ("/srv/clinic", f"site file {site}")
    assert rows["lock_templates"] == ("yes", f"site file {site}")
    assert rows["languages"] == ("en", f"user settings {user}")
    assert rows["output_folder"] == ("not set", "default")


def test_siteconfig_is_qt_free():
    import subprocess
    import sys

    code = ("import sys, dischargedesk.siteconfig, dischargedesk.clinic.source; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- hostile and odd files (issue 11) ----------------------------------------------------------
def test_a_utf8_bom_is_accepted(site: Path, user: Path):
    site.write_bytes("\ufefflock_templates = true\nidle_clear_minutes = 3\n".encode())
    write(user, "")
    user.write_bytes(b"\xef\xbb\xbflanguages = [\"en\"]\n")
    config = load_config()
    assert config.messages == () and not config.site_file_broken
    assert config.lock_templates and config.idle_clear_minutes == 3
    assert config.languages == ("en",)


def test_saving_keeps_a_user_file_with_a_bom(site: Path, user: Path):
    user.write_bytes("\ufeff# mine\nlanguages = [\"es\"]\n".encode())
    config = save_user_settings(load_config(), {"idle_clear_minutes": 4})
    assert config.languages == ("es",) and config.idle_clear_minutes == 4
    assert "# mine" in user.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("text", "phrase"), [
    ("idle_clear_minutes = 5\nx = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("idle_clear_minutes = 5\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
     "nested too deeply"),
    ("idle_clear_minutes = 5\nlevel = " + "9" * 5000 + "\n", "number that is too long"),
])
def test_hostile_site_file_gives_a_plain_message_and_fails_closed(site: Path, text, phrase):
    write(site, text)
    config = load_config()
    assert config.site_file_broken and config.lock_clinic_profile and config.lock_templates
    (message,) = config.messages
    assert message.startswith(f"The site settings file {site}, line 2,")
    assert phrase in message and message.count(". ") == 0


def test_hostile_user_file_is_ignored_with_a_plain_message(site: Path, user: Path):
    write(site, "idle_clear_minutes = 7\n")
    write(user, "languages = " + "[" * 3000 + "]" * 3000 + "\n")
    config = load_config()
    assert not config.site_file_broken and config.idle_clear_minutes == 7
    (message,) = config.messages
    assert message.startswith(f"Your settings file {user}, line 1,") and "nested" in message


def test_a_huge_site_file_is_refused(site: Path):
    write(site, "# " + "x" * (siteconfig.MAX_FILE_BYTES + 10) + "\n")
    config = load_config()
    assert config.site_file_broken and "too large" in config.messages[0]


# -- the environment override ------------------------------------------------------------------
@pytest.fixture
def system_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The computer's own site file (the one the administrator deploys)."""
    path = tmp_path / "programdata" / "site.toml"
    path.parent.mkdir()
    monkeypatch.setattr(siteconfig, "system_site_file", lambda *args, **kwargs: path)
    return path


@pytest.mark.parametrize("target", ["/dev/null", "elsewhere.toml"])
def test_environment_cannot_replace_a_site_file_that_does_not_allow_it(
        system_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str):
    write(system_site, "lock_clinic_profile = true\nlock_templates = true\n")
    if target != "/dev/null":
        target = str(write(tmp_path / target, "lock_clinic_profile = false\n"))
    monkeypatch.setenv(SITE_ENV, target)
    assert site_file_path() == system_site
    config = load_config()
    assert config.site_file == system_site
    assert config.lock_clinic_profile and config.lock_templates
    assert any(SITE_ENV in m and "ignored" in m for m in config.messages)


def test_environment_override_when_the_site_file_allows_it(system_site: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    write(system_site, "allow_site_config_override = true\nlock_templates = true\n")
    other = write(tmp_path / "test-site.toml", "idle_clear_minutes = 2\n")
    monkeypatch.setenv(SITE_ENV, str(other))
    config = load_config()
    assert config.site_file == other and config.idle_clear_minutes == 2
    assert config.messages == ()


def test_environment_override_without_a_site_file(system_site: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    other = write(tmp_path / "test-site.toml", "idle_clear_minutes = 2\n")
    monkeypatch.setenv(SITE_ENV, str(other))
    assert load_config().idle_clear_minutes == 2  # nothing is locked on this computer


def test_a_broken_site_file_does_not_allow_the_override(system_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    write(system_site, "allow_site_config_override = true\n[[[\n")
    monkeypatch.setenv(SITE_ENV, str(write(tmp_path / "o.toml", "")))
    config = load_config()
    assert config.site_file == system_site and config.site_file_broken
    assert config.lock_clinic_profile


def test_the_user_file_cannot_allow_the_override(site: Path, user: Path):
    write(user, "allow_site_config_override = true\n")
    config = load_config()
    assert config["allow_site_config_override"] is False
    assert "site settings file" in config.messages[0]


_PIECES = ["[", "]", "{", "}", "a = ", "lock_templates = ", "true", "1" * 5000, '"', "'",
           "'''", '"""', "\\", "#", "\n", ",", "=", ".", "\ufeff", "é", "\x00", "[[x]]\n"]


@settings(deadline=None, max_examples=60)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(0, 4000),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_any_site_file_gives_a_config_never_an_exception(tmp_path_factory, pieces, depth,
                                                         encoding):
    path = tmp_path_factory.mktemp("fuzz") / "site.toml"
    text = "lock_templates = true\n" + "x = " + "[" * depth + "".join(pieces) + "]" * depth
    path.write_bytes(text.encode(encoding, errors="replace"))
    config = load_config(site_file=path, user_file=path.with_name("user.toml"))
    assert all(isinstance(m, str) and "\n" not in m for m in config.messages)
    assert config.lock_templates  # set, or failed closed
