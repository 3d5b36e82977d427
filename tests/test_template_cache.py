"""The compiled-template cache (render/codecache.py, issue 17.4): templates only, keyed by
their text, any changed byte is a new entry, a corrupt file is ignored and rewritten, the
sandbox's time limit still holds for code loaded from it, and no patient value is stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dischargedesk.errors import TemplateError
from dischargedesk.render import codecache, templating
from dischargedesk.render.codecache import SUFFIX, TemplateCodeCache
from dischargedesk.render.templating import HandoutEnvironment, SectionSource, render_section

from .test_sandbox_limits import run_bounded

NAME = "discharge/10-x.txt"
SOURCE = "Call {{ clinic.phone }} if you have a fever.\n"
CONTEXT = {"clinic": {"phone": "(555) 010-2000"}, "many": list(range(40))}


def env_with(root: Path, cache: TemplateCodeCache) -> HandoutEnvironment:
    env = HandoutEnvironment([root], root, "en")
    env.bytecode_cache = cache
    return env


def render(root: Path, cache: TemplateCodeCache, context: dict | None = None) -> str:
    """A fresh environment (as a new process has): only the disk cache can help it."""
    path = root / "en" / NAME
    return render_section(env_with(root, cache), SectionSource(NAME, path, True, "en"),
                          context or CONTEXT)


def write(root: Path, data: bytes) -> None:
    path = root / "en" / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_a_second_environment_loads_the_compiled_template(tmp_path):
    root, cache = tmp_path / "root", TemplateCodeCache(tmp_path / "cache")
    write(root, SOURCE.encode())
    first = render(root, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    assert render(root, cache) == first and "010&#45;2000" in first
    assert (cache.hits, cache.misses) == (1, 1)
    assert len(list(cache.folder.glob(f"*{SUFFIX}"))) == 1


def test_any_changed_template_byte_is_a_new_entry(tmp_path):
    """Every byte position, changed in turn: never served the old code."""
    root, cache = tmp_path / "root", TemplateCodeCache(tmp_path / "cache")
    original = SOURCE.encode()
    write(root, original)
    render(root, cache)
    for i in range(len(original)):
        changed = bytearray(original)
        changed[i] = ord("Q") if changed[i] != ord("Q") else ord("R")
        write(root, bytes(changed))
        hits = cache.hits
        try:
            text = render(root, cache)
        except TemplateError:
            text = None  # the change broke the syntax: compiled (and refused), not cached
        assert cache.hits == hits, f"byte {i}: the old compiled template was used"
        if text is not None:
            expected = render_section(HandoutEnvironment([root], root, "en"),
                                      SectionSource(NAME, root / "en" / NAME, True, "en"),
                                      CONTEXT)
            assert text == expected
    write(root, original)
    render(root, cache)
    assert cache.hits >= 1  # the original text finds its own entry again


def test_the_key_covers_the_file_name_and_the_build(tmp_path):
    cache = TemplateCodeCache(tmp_path / "cache")
    assert cache.get_cache_key(NAME, "/a/en/x.txt") != cache.get_cache_key(NAME, "/b/en/x.txt")
    other = TemplateCodeCache(tmp_path / "cache")
    other.tag = "another app or Jinja version"
    assert other.get_cache_key(NAME, "/a/en/x.txt") != cache.get_cache_key(NAME, "/a/en/x.txt")


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(tmp_path, damage):
    root, cache = tmp_path / "root", TemplateCodeCache(tmp_path / "cache")
    write(root, SOURCE.encode())
    good = render(root, cache)
    (entry,) = cache.folder.glob(f"*{SUFFIX}")
    data = entry.read_bytes()
    entry.write_bytes({"truncate": data[: len(data) // 2],
                       "flip": data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:],
                       "empty": b"",
                       "garbage": b"\x00" * len(data)}[damage])
    hits = cache.hits
    assert render(root, cache) == good
    assert cache.hits == hits  # not used
    assert entry.read_bytes() == data  # compiled again and written whole
    assert render(root, cache) == good and cache.hits == hits + 1
    assert not list(cache.folder.glob("*.part"))  # no temporary file left


def test_the_time_limit_holds_for_code_from_the_cache(tmp_path, monkeypatch):
    """The trace finds template frames by file name: a new process that loads the code
    from the cache (and never compiled it) must still stop a runaway template."""
    monkeypatch.setattr(templating, "TIME_LIMIT_SECONDS", 0.5)
    root, cache = tmp_path / "root", TemplateCodeCache(tmp_path / "cache")
    loops = "{% for a in many %}" * 6 + "{% set z = a %}" + "{% endfor %}" * 6
    write(root, loops.encode())
    with pytest.raises(TemplateError, match="longer than"):
        render(root, cache)
    filename = str(root / "en" / NAME)
    templating._TEMPLATE_FILES.discard(filename)  # as in a new process
    _, error, _ = run_bounded(lambda: render(root, cache), 30)
    assert isinstance(error, TemplateError) and "longer than" in str(error)
    assert cache.hits == 1


def test_unsaved_editor_text_is_never_cached(tmp_path):
    root = tmp_path / "root"
    write(root, SOURCE.encode())
    overlay = {NAME: ("Unsaved {{ clinic.phone }}\n", root / "en" / NAME)}
    env = HandoutEnvironment([root], root, "en", overlay)
    assert env.bytecode_cache is None


def test_no_patient_value_reaches_the_cache(tmp_path, make_request):
    """Both handouts of a canary patient, every free-text field filled: the cache folder
    holds compiled templates only."""
    from dischargedesk import engine
    from dischargedesk.clinic.profile import load_sample_clinic

    canary = "Qzxvorth"
    request = make_request(patient_name=f"Ana {canary}", mrn="QZX-55501",
                           medications=f"{canary}ol 5 mg twice a day",
                           blood_thinner=f"restart {canary}ban tomorrow",
                           caregiver=f"Bo {canary}", physician=f"Dr. {canary}",
                           date_of_birth=dt.date(1941, 3, 9))
    engine._environment.cache_clear()  # compile (and store) in this test's cache folder
    engine.render_pdf(request, load_sample_clinic())
    cache = codecache.shared_cache()
    assert cache is not None
    files = list(cache.folder.rglob("*"))
    assert any(f.suffix == SUFFIX for f in files)
    for f in files:
        assert canary.lower() not in f.name.lower() and "QZX" not in f.name
        if f.is_file():
            data = f.read_bytes()
            for needle in (canary, "QZX-55501", "1941"):
                for encoding in ("utf-8", "utf-16-le", "utf-32-le"):
                    assert needle.encode(encoding) not in data, (f.name, needle, encoding)
