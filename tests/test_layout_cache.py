"""The template check keeps what its layout step found per output (layoutcache.py, issue
17.2): a check after an edit lays out only the outputs the edit changed, and a kept result
is only ever read for exactly the output, logo, program and fonts it was found with."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from dischargedesk import checks, layoutcache
from dischargedesk.checks import CHECK_DATE, LEVEL_PATTERNS, sample_variants
from dischargedesk.clinic.profile import load_clinic
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import prepare
from dischargedesk.render import usercache
from dischargedesk.resources import sample_clinic_dir

CASES = [({}, "2 levels"), ({"anesthesia": "general"}, "2 levels"),
         ({"large_print": True}, "2 levels"), ({"language": "es"}, "1 level"),
         ({"language": "es", "bilingual": True}, "1 level")]


def _prepared(clinic, **changes):
    data = {"procedure": "kyphoplasty", "anesthesia": "sedation", "language": "en",
            "large_print": False, "procedure_date": CHECK_DATE.isoformat(),
            **sample_variants()[1], **changes}
    return prepare(HandoutRequest.from_mapping(data, today=CHECK_DATE), clinic)


def _laid_out(clinic):
    out = []
    for changes, pattern in CASES:
        p = _prepared(clinic, **{**LEVEL_PATTERNS[pattern], **changes})
        out.append((p, pattern, ("kyphoplasty", pattern, p.request.anesthesia,
                                 p.request.language), f"{p.request.language}/kyphoplasty"))
    return out


@pytest.fixture
def counted(monkeypatch):
    """The outputs laid out (the language of each), through the real layout."""
    done: list[str] = []
    lay_out = checks._lay_out

    def counting(job):
        done.append(job[0].pack.code)
        return lay_out(job)

    monkeypatch.setattr(checks, "_lay_out", counting)
    return done


def _step(laid_out, cache):
    report = checks.CheckReport()
    checks._layout_step(report, laid_out, workers=1, cache=cache)
    return report.problems


def _clinic_copy(tmp_path: Path):
    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)
    return folder


def test_a_second_check_lays_out_nothing_and_reports_the_same(sample_clinic, counted,
                                                               tmp_path):
    cache = layoutcache.LayoutCache(tmp_path / "layout")
    laid_out = _laid_out(sample_clinic)
    fresh = _step(laid_out, None)
    outputs = len(counted)
    assert outputs >= len(CASES)  # (a PDF a handout, shared between cases)
    counted.clear()
    first = _step(laid_out, cache)
    assert len(counted) == outputs and cache.written == outputs
    assert len(list((tmp_path / "layout").glob("*.json"))) == outputs
    counted.clear()
    again = layoutcache.LayoutCache(tmp_path / "layout")  # (a new check, a new process)
    second = _step(laid_out, again)
    assert counted == [] and again.hits == outputs
    assert fresh == first == second


def test_a_changed_template_byte_lays_out_only_what_prints_it(tmp_path, counted):
    folder = _clinic_copy(tmp_path)
    cache = layoutcache.LayoutCache(tmp_path / "layout")
    _step(_laid_out(load_clinic(folder)), cache)
    outputs = len(counted)
    # the clinic's own copy of a built-in Spanish section, one byte changed
    built_in = Path(__file__).resolve().parents[1] / "templates" / "es" / "recovery"
    path = folder / "templates" / "es" / "recovery" / "30-bone-health.txt"
    path.parent.mkdir(parents=True)
    text = (built_in / path.name).read_bytes()
    assert b"." in text
    path.write_bytes(text.replace(b".", b"!", 1))
    counted.clear()
    edited = load_clinic(folder)
    problems = _step(_laid_out(edited), cache)
    # the Spanish recovery plans (one language and bilingual) only
    assert 1 <= len(counted) < outputs
    assert set(counted) == {"es"}
    assert problems == _step(_laid_out(edited), None)


def test_a_logo_changed_in_place_is_laid_out_again(tmp_path, counted):
    folder = _clinic_copy(tmp_path)
    cache = layoutcache.LayoutCache(tmp_path / "layout")
    laid_out = _laid_out(load_clinic(folder))
    logo = laid_out[0][0].ident.logo
    assert logo is not None and logo.is_file()
    _step(laid_out, cache)
    outputs = len(counted)
    from PIL import Image

    Image.new("RGB", (400, 40), "white").save(logo)  # same path, other shape
    counted.clear()
    _step(laid_out, layoutcache.LayoutCache(tmp_path / "layout"))  # (the next check)
    assert len(counted) == outputs


def test_a_damaged_or_foreign_file_is_laid_out_again(sample_clinic, counted, tmp_path):
    cache = layoutcache.LayoutCache(tmp_path / "layout")
    laid_out = _laid_out(sample_clinic)
    expected = _step(laid_out, cache)
    files = sorted((tmp_path / "layout").glob("*.json"))
    files[0].write_bytes(files[0].read_bytes()[:-5])  # half written
    # a valid file (its digest matches) of another shape: a count that is not a page count
    usercache.write_verified(files[1], layoutcache.MAGIC, b'[["discharge", "4", []]]')
    files[2].write_bytes(b"not a cache file")
    counted.clear()
    assert _step(laid_out, cache) == expected
    assert len(counted) == 3
    counted.clear()
    assert _step(laid_out, cache) == expected and counted == []  # (and written again)


def test_a_failed_layout_is_not_kept(sample_clinic, counted, tmp_path):
    cache = layoutcache.LayoutCache(tmp_path / "layout")
    first = _laid_out(sample_clinic)[0]
    broken = dataclasses.replace(first[0], ident=dataclasses.replace(
        first[0].ident, logo=tmp_path / "missing-logo.png"))
    job = [(broken, *first[1:])]
    problems = _step(job, cache)
    assert [p.file for p in problems] == ["en/kyphoplasty"]
    assert cache.written == 0
    (tmp_path / "missing-logo.png").write_bytes(first[0].ident.logo.read_bytes())
    counted.clear()
    again = layoutcache.LayoutCache(tmp_path / "layout")  # (the next check)
    assert _step(job, again) != problems and len(counted) >= 1  # the logo is there now
    assert again.written == len(counted)


def test_the_program_and_its_fonts_are_in_every_key(tmp_path):
    package, fonts = tmp_path / "pkg", tmp_path / "fonts"
    shutil.copytree(Path(layoutcache.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    fonts.mkdir()
    (fonts / "A.ttf").write_bytes(b"font one")
    base = layoutcache.build_digest(package, fonts)
    assert base and base == layoutcache.build_digest(package, fonts)
    code = package / "render" / "pdf.py"
    code.write_bytes(code.read_bytes() + b"\n")
    changed = layoutcache.build_digest(package, fonts)
    assert changed != base
    (fonts / "A.ttf").write_bytes(b"font One")
    assert layoutcache.build_digest(package, fonts) not in (base, changed)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert layoutcache.build_digest(package, fonts) == layoutcache.build_digest(package, fonts)
    assert layoutcache.build_digest(tmp_path / "empty", fonts) is None


def test_reportlab_settings_are_in_every_key(tmp_path, monkeypatch):
    """A ``~/.reportlab_settings`` can change how ReportLab lays out: its settings are part
    of the build, except the two fonts.py sets itself."""
    from reportlab import rl_config

    package, fonts = tmp_path / "pkg", tmp_path / "fonts"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    fonts.mkdir()
    (fonts / "A.ttf").write_bytes(b"font")
    base = layoutcache.build_digest(package, fonts)
    monkeypatch.setattr(rl_config, "canvas_basefontname", "Other")
    assert layoutcache.build_digest(package, fonts) == base
    monkeypatch.setattr(rl_config, "allowTableBoundsErrors", not rl_config.allowTableBoundsErrors)
    assert layoutcache.build_digest(package, fonts) != base


def test_a_frozen_bundle_keeps_nothing(monkeypatch, sample_clinic, tmp_path):
    import sys

    layoutcache.fingerprint.cache_clear()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    try:
        cache = layoutcache.LayoutCache(tmp_path / "layout")
        assert cache.key("anything") is None
        _step(_laid_out(sample_clinic)[:1], cache)
        assert cache.written == 0 and not (tmp_path / "layout").exists()
    finally:
        monkeypatch.undo()
        layoutcache.fingerprint.cache_clear()


def test_a_render_never_writes_the_layout_cache(sample_clinic):
    from dischargedesk.engine import render_handouts

    request = HandoutRequest.from_mapping(
        {"procedure": "kyphoplasty", "levels": ["L1"], "patient_name": "Canary Zyx", "mrn": "Z-1",
         "procedure_date": CHECK_DATE.isoformat()}, today=CHECK_DATE)
    assert render_handouts(request, sample_clinic)
    assert not layoutcache.default_folder().exists()


def test_templates_check_reuses_the_layouts_of_an_earlier_check(counted, capsys):
    """End to end, as an admin runs ``templates check`` twice: the second check lays out
    nothing, says so, and reports what the first did; ``--no-cache`` lays out every
    output again."""
    from dischargedesk.cli import main

    def check(*extra):
        code = main(["templates", "check", "--language", "en", *extra])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out.splitlines()

    first = check()
    outputs = len(counted)
    assert outputs > 20 and "unchanged since an earlier check" not in "\n".join(first)
    counted.clear()
    second = check()
    assert counted == []
    assert f"{outputs} of {outputs} handouts unchanged since an earlier check: their " \
        "layout results were reused (--no-cache lays them out again)" in second
    assert [x for x in second if "unchanged since" not in x] == first
    counted.clear()
    assert check("--no-cache") == first and len(counted) == outputs
