"""The network share is untrusted: links, special files, odd names, slow servers, bad versions,
a second window and an edited local copy must never reach a handout (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dischargedesk.clinic import source as clinicsource
from dischargedesk.clinic.source import Cache, resolve_clinic
from dischargedesk.errors import ClinicProfileError
from dischargedesk.siteconfig import user_data_dir

from .test_clinicsource import (  # noqa: F401 - fixtures
    DAY1,
    DAY2,
    add_template,
    at,
    configure,
    no_problems,
    set_version,
    share,
)

SECRET = "Quarterly payroll of the ward, do not print"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX links, FIFOs and names")


def cache_folder(folder: Path) -> Path:
    return Cache(user_data_dir() / clinicsource.CACHE_DIR).folder_for(folder)


def all_cached_text(folder: Path) -> str:
    root = cache_folder(folder)
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def first_good_copy(configure, share):  # noqa: F811
    config = configure(share)
    first = resolve_clinic(config, validate=no_problems, now=at(DAY1))
    assert first.kind == "share" and first.version == "2026-11"
    set_version(share, "2026-12")
    return config


# -- links and special files -------------------------------------------------------------------
@posix_only
def test_a_file_link_on_the_share_is_refused_not_followed(configure, share, tmp_path):  # noqa: F811
    secret = tmp_path / "local" / "payroll.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    config = first_good_copy(configure, share)
    partials = share / "templates" / "en" / "partials"
    partials.mkdir(parents=True)
    (partials / "info.txt").symlink_to(secret)
    add_template(share, "# Your discharge summary\n{% include 'partials/info.txt' %}\n")
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and result.version == "2026-11"
    assert result.banner and "have a problem" in result.banner
    assert any("templates/en/partials/info.txt" in p and "link" in p for p in result.problems)
    assert SECRET not in all_cached_text(share)


@posix_only
def test_a_folder_link_on_the_share_is_refused(configure, share, tmp_path):  # noqa: F811
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text(SECRET, encoding="utf-8")
    config = first_good_copy(configure, share)
    (share / "templates").mkdir()
    (share / "templates" / "en").symlink_to(elsewhere, target_is_directory=True)
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and result.version == "2026-11"
    assert any("templates/en" in p and "link" in p for p in result.problems)
    assert SECRET not in all_cached_text(share)


@posix_only
def test_a_link_to_dev_zero_is_refused_at_once(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    (share / "big.png").symlink_to("/dev/zero")
    start = time.monotonic()
    result = resolve_clinic(config, now=at(DAY2))
    assert time.monotonic() - start < 10
    assert result.kind == "cache" and any("big.png" in p for p in result.problems)


@posix_only
def test_a_fifo_on_the_share_is_refused_without_blocking(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    os.mkfifo(share / "pipe.txt")
    start = time.monotonic()
    result = resolve_clinic(config, now=at(DAY2), copy_timeout=20)
    assert time.monotonic() - start < 10
    assert result.kind == "cache" and result.version == "2026-11"
    assert any("pipe.txt" in p and "ordinary file" in p for p in result.problems)


def test_too_much_data_is_refused(configure, share, monkeypatch):  # noqa: F811
    config = first_good_copy(configure, share)
    monkeypatch.setattr(clinicsource, "MAX_BYTES", 64 * 1024)
    (share / "manual.pdf").write_bytes(b"x" * (65 * 1024))
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and any("MB" in p for p in result.problems)


def test_too_many_files_are_refused(configure, share, monkeypatch):  # noqa: F811
    config = first_good_copy(configure, share)
    monkeypatch.setattr(clinicsource, "MAX_FILES", 20)
    for n in range(25):
        (share / f"note-{n}.txt").write_text("x", encoding="utf-8")
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and any("20 files" in p for p in result.problems)


def test_deeply_nested_folders_are_refused(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    deep = share
    for _ in range(clinicsource.MAX_DEPTH + 2):
        deep = deep / "d"
    deep.mkdir(parents=True)
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and any("nested" in p for p in result.problems)


# -- slow share --------------------------------------------------------------------------------
def test_a_slow_share_gives_up_and_uses_the_last_copy(configure, share, monkeypatch):  # noqa: F811
    config = first_good_copy(configure, share)
    real = clinicsource._copy_file

    def slow(*args, **kwargs):
        time.sleep(0.3)  # a file per second took the start to 88 s in the field
        return real(*args, **kwargs)

    monkeypatch.setattr(clinicsource, "_copy_file", slow)
    start = time.monotonic()
    result = resolve_clinic(config, now=at(DAY2), copy_timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert result.kind == "cache" and result.version == "2026-11"
    assert result.banner and "too slow" in result.banner
    # not remembered as a bad version: the next start tries again and takes it
    monkeypatch.setattr(clinicsource, "_copy_file", real)
    assert resolve_clinic(config, validate=no_problems, now=at(DAY2)).version == "2026-12"


# -- names that are not UTF-8 ------------------------------------------------------------------
@posix_only
def test_a_file_name_that_is_not_utf8_is_a_plain_problem(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    folder = share / "templates" / "en" / "discharge"
    folder.mkdir(parents=True)
    try:
        (folder / os.fsdecode(b"caf\xe9.txt")).write_text("# x\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    for _ in range(2):  # the same every start, never "cannot be reached"
        result = resolve_clinic(config, now=at(DAY2))
        assert result.kind == "cache" and result.version == "2026-11"
        assert result.banner and "have a problem" in result.banner
        assert "cannot be reached" not in result.banner
        assert any("templates/en/discharge" in p and "UTF-8" in p for p in result.problems)


@posix_only
def test_a_name_that_is_not_utf8_without_a_copy_is_a_plain_error(configure, share):  # noqa: F811
    (share / os.fsdecode(b"logo\xff.png")).write_bytes(b"x")
    with pytest.raises(ClinicProfileError, match="UTF-8"):
        resolve_clinic(configure(share))


# -- the checks of a new version ----------------------------------------------------------------
def test_a_corrupt_logo_version_is_rejected(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    (share / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and result.version == "2026-11"
    assert result.banner and "version 2026-11" in result.banner
    assert result.clinic.logo is not None
    assert result.clinic.logo.read_bytes() != (share / "logo.png").read_bytes()


@pytest.mark.parametrize("template", [
    "# T\n{% if x is defind %}a{% endif %}\n",
    "# T\n" + "".join(f"{{% for a{i} in [1] %}}" for i in range(25)) + "x"
    + "{% endfor %}" * 25 + "\n",
    "# T\n" + "{% if true %}" * 200 + "x" + "{% endif %}" * 200 + "\n",
])
def test_any_failure_of_a_new_version_keeps_the_last_copy(configure, share, template):  # noqa: F811
    config = first_good_copy(configure, share)
    add_template(share, template)
    result = resolve_clinic(config, now=at(DAY2))
    assert result.kind == "cache" and result.version == "2026-11"
    assert result.banner and "have a problem" in result.banner and result.problems


def test_a_rejected_version_is_not_checked_again_every_start(configure, share):  # noqa: F811
    config = first_good_copy(configure, share)
    add_template(share, "# T\n{{ patient.nmae }}\n")
    calls = []

    def counting(clinic):
        calls.append(clinic.version)
        return clinicsource.check_clinic(clinic)

    for _ in range(3):
        result = resolve_clinic(config, validate=counting, now=at(DAY2))
        assert result.kind == "cache" and any("nmae" in p for p in result.problems)
    assert calls == ["2026-12"]


# -- the local copy ----------------------------------------------------------------------------
def test_an_edited_local_copy_is_not_used(configure, share):  # noqa: F811
    config = configure(share)
    first = resolve_clinic(config, validate=no_problems, now=at(DAY1))
    toml = first.clinic.folder / "clinic.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        first.clinic.phone, "555-0000"), encoding="utf-8")
    again = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert again.clinic.phone == first.clinic.phone != "555-0000"
    # with the share gone, an edited copy is never used either
    toml = again.clinic.folder / "clinic.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        first.clinic.phone, "555-0000"), encoding="utf-8")
    shutil.rmtree(share)
    with pytest.raises(ClinicProfileError, match="changed"):
        resolve_clinic(config, validate=no_problems)


HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dischargedesk.clinic.source import resolve_clinic
    from dischargedesk.siteconfig import load_config
    source = resolve_clinic(load_config(), validate=lambda clinic: [])
    print(source.clinic.folder, flush=True)
    sys.stdin.readline()
    # still there after the other window took a new version
    print((source.clinic.folder / "clinic.toml").read_text(encoding="utf-8").count("version"),
          flush=True)
""")


def test_a_second_window_never_deletes_the_copy_in_use(configure, share):  # noqa: F811
    config = configure(share)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(clinicsource.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        in_use = Path(holder.stdout.readline().strip())
        assert (in_use / "clinic.toml").is_file()
        set_version(share, "2026-12")
        second = resolve_clinic(config, validate=no_problems, now=at(DAY2))
        assert second.version == "2026-12" and second.clinic.folder != in_use
        assert (in_use / "clinic.toml").is_file()  # the first window's copy is kept
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "1"
    finally:
        holder.communicate(timeout=30)
    assert holder.returncode == 0
    set_version(share, "2027-01")  # the next update removes copies nobody uses
    third = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert not in_use.exists()
    assert second.clinic.folder.exists()  # this process still uses it
    assert third.clinic.folder.exists()


def test_versions_are_kept_by_content(configure, share):  # noqa: F811
    config = configure(share)
    first = resolve_clinic(config, validate=no_problems, now=at(DAY1))
    set_version(share, "2026-12")
    second = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    set_version(share, "2026-11")  # the administrator goes back to the first version
    third = resolve_clinic(config, validate=no_problems, now=at(DAY2))
    assert third.clinic.folder == first.clinic.folder != second.clinic.folder
