"""Entry point of the desktop app; imports Qt only when called."""

from __future__ import annotations

from pathlib import Path


def run_app(clinic: Path | None = None) -> int:
    try:
        from .ui.main import run
    except ImportError as exc:  # PySide6 not installed (engine-only install)
        import sys

        print("dischargedesk: the desktop app needs PySide6; install it with "
              f"'pip install dischargedesk[app]' ({type(exc).__name__}).", file=sys.stderr)
        return 1
    return run(clinic=clinic)
