"""Shared fixtures. Qt runs offscreen; every writable folder is redirected to a temp dir."""

from __future__ import annotations

import datetime as dt
import io
import os
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
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]
