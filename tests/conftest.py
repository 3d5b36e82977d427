"""Shared fixtures. Qt runs offscreen; every writable folder is redirected to a temp dir."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

def pytest_addoption(parser: pytest.Parser) -> None:
    """Without pytest-qt (scripts/test-without-qt.sh runs the engine tests with no Qt at all)
    its ini options in pyproject.toml stay known, so --strict-config still holds."""
    try:
        import pytestqt  # noqa: F401
    except ImportError:
        for name in ("qt_api", "qt_log_level_fail", "qt_log_ignore"):
            parser.addini(name, "pytest-qt option (pytest-qt is not installed)", type="linelist")


TODAY = dt.date(2026, 11, 25)  # a Wednesday


class PerCase:
    """A test file's matrix, made one case at a time: ``cases[key]`` calls ``make(key)`` the
    first time this process reads that key and keeps the result (in memory only), so a test
    renders only the cases it reads. Return it from a session-scoped fixture: xdist interleaves
    a file's tests with other files', which tears module fixtures down and sets them up again."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        self._make = make
        self._made: dict[Any, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._made[key]
        except KeyError:
            value = self._made[key] = self._make(key)
            return value


#: Test files whose tests read a shared matrix (PerCase): with ``--dist loadgroup`` (make
#: test) the tests that read the same case run on one xdist worker, so each case is made
#: once in the run; the pattern takes the case out of the test's node id (the part in
#: brackets, less what does not change the case). Every other test is handed out on its own.
#: (xdist's own loadgroup reads ``xdist_group`` marks by renaming node ids, which pytest 9.2
#: no longer honours; this scheduler groups by node id instead.)
CASE_GROUPS = {
    # each combination is rendered in English and both Chinese packs; the tests of a
    # combination read English and one or both packs
    "test_chinese.py": re.compile(r"\[(.+?)(?:-en|-zh-Hans|-zh-Hant)\]$"),
    # the glyph test of a language reads every combination of that language
    "test_chinese_pdf.py": re.compile(r"\[(zh-Hans|zh-Hant)\b"),
    "test_clinical_matrix.py": re.compile(r"\[(.+)\]$"),
    "test_engine.py": re.compile(r"\[(.+)\]$"),
    # a layout case, its large-print twin and its bilingual print, with the budget tests
    # that compare them (the module's cache of checked cases holds all of them at once)
    "test_layout_matrix.py": re.compile(r"\[(.+)\]$"),
    "test_layout_translations.py": re.compile(r"\[(.+)\]$"),
}
#: What does not change the group of a layout case: its print size and bilingual print.
LAYOUT_TWINS = re.compile(r"-(?:normal|large)(?=-)|-bilingual$")


def case_group(nodeid: str) -> str:
    """The xdist work unit of a test: its file and case for CASE_GROUPS, else the test."""
    path = nodeid.split("::", 1)[0]
    pattern = CASE_GROUPS.get(path.rsplit("/", 1)[-1])
    found = pattern.search(nodeid) if pattern else None
    if not found:
        return nodeid
    case = found.group(1)
    if path.endswith(("test_layout_matrix.py", "test_layout_translations.py")):
        case = LAYOUT_TWINS.sub("", case)
    return f"{path}::[{case}]"


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # xdist may be absent or disabled
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CaseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return case_group(nodeid)

    return CaseScheduling(config, log)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may write into the real home, config or temp folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                "XDG_STATE_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.setenv(var, str(home / var.lower()))
    tmp = tmp_path_factory.mktemp("tmp")
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture(scope="session")
def sample_clinic():
    from dischargedesk.clinic.profile import load_sample_clinic

    return load_sample_clinic()


def base_request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": "kyphoplasty",
        "levels": ["T12", "L1"],
        "patient_name": "Maria Example",
        "date_of_birth": "1950-06-15",
        "mrn": "MRN-12345",
        "procedure_date": TODAY.isoformat(),
        "anesthesia": "sedation",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def make_request() -> Callable[..., Any]:
    from dischargedesk.domain.request import HandoutRequest

    def make(**overrides: Any):
        return HandoutRequest.from_mapping(base_request_data(**overrides), today=TODAY)

    return make


def pdf_text(data: bytes) -> str:
    """All text of a PDF, pages joined, whitespace folded (pdfminer)."""
    from pdfminer.high_level import extract_text

    return " ".join(extract_text(io.BytesIO(data)).split())


def pdf_pages_text(data: bytes) -> list[str]:
    """Each page's text, whitespace folded (pypdf's text, read by tests/pypdf_text.py)."""
    from .pypdf_text import page_texts

    return [" ".join(text.split()) for text in page_texts(data)]


# -- one full clinic check per clinic content ---------------------------------------------------
# check_clinic (every template combination in every language, one real handout per language)
# costs 15-45 s on the CI machine. Many tests only need *a* passing check of a copy of the
# sample clinic to exercise the share mechanics (copy, lock, hash, banner, fallback). The
# default validator of resolve_clinic/start_clinic is wrapped so that a clinic whose exact
# content (every file's name and bytes) already passed the real check in this run is not
# checked again; the first test to meet that content runs the whole check. Only passes are
# remembered (a failing check's messages name files), and nothing is remembered while a test
# has replaced any part the check uses (then the real check runs, as before). Tests of the
# check itself call check_clinic directly and are not affected; ``@pytest.mark.full_check``
# makes a test run the real check for every clinic it resolves.
_CHECK_PARTS = (("dischargedesk.checks", "check_templates"),
                ("dischargedesk.engine", "render_handouts"),
                ("dischargedesk.sample", "sample_request_data"),
                ("dischargedesk.render.language", "available_languages"),
                ("dischargedesk.domain.request", "HandoutRequest"))
_passed_checks: set[str] = set()


def _check_parts() -> tuple[Any, ...]:
    import importlib

    return tuple(getattr(importlib.import_module(mod), name) for mod, name in _CHECK_PARTS)


def clinic_content_key(folder: Any) -> str | None:
    """SHA-256 over every file of a clinic folder (relative name and bytes), or None."""
    import hashlib
    from pathlib import Path

    root = Path(folder)
    digest = hashlib.sha256()
    try:
        for path in sorted(root.rglob("*")):
            if path.is_symlink():
                return None
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


@pytest.fixture(scope="session")
def _check_record_dir(tmp_path_factory: pytest.TempPathFactory):
    """A folder shared by the xdist workers of this run (passes recorded by content hash)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "clinic-checks-passed"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def _pristine_check_parts() -> tuple[Any, ...]:
    return _check_parts()


@pytest.fixture
def checked_once(request: pytest.FixtureRequest, _check_record_dir,
                 _pristine_check_parts) -> Callable[[Any], list[str]]:
    """check_clinic, run once per clinic content in this test run (see above); check_clinic
    itself in a test marked ``full_check``."""
    from dischargedesk.clinic.source import check_clinic

    if request.node.get_closest_marker("full_check") is not None:
        return check_clinic

    def check(clinic: Any) -> list[str]:
        key = None if clinic.folder is None else clinic_content_key(clinic.folder)
        if key is None or _check_parts() != _pristine_check_parts:
            return check_clinic(clinic)
        if key in _passed_checks or (_check_record_dir / key).exists():
            return []
        problems = check_clinic(clinic)
        if not problems:
            _passed_checks.add(key)
            (_check_record_dir / key).touch()
        return problems

    return check


@pytest.fixture(autouse=True)
def _clinic_checked_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    try:
        from dischargedesk.clinic import source
    except ImportError:  # pragma: no cover - the engine always has it
        yield
        return
    check = request.getfixturevalue("checked_once")
    for func in (source.resolve_clinic, source.start_clinic):
        defaults = func.__kwdefaults__ or {}
        if defaults.get("validate") is source.check_clinic:
            monkeypatch.setitem(defaults, "validate", check)
    yield
