"""Entry point of the desktop app; imports Qt only when called."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run_app(clinic: Path | None = None, context: Any = None) -> int:
    """Open the window; ``context`` (ehr.cli.FormContext) fills the form from the record."""
    try:
        from .ui.main import run
    except ImportError as exc:  # PySide6 not installed (engine-only install)
        import sys

        print("dischargedesk: the desktop app could not load Qt (PySide6); reinstall Discharge "
              f"Desk with 'pip install --force-reinstall dischargedesk' ({type(exc).__name__}).",
              file=sys.stderr)
        return 1
    return run(clinic=clinic, context=context)


def run_selftest_window() -> int:
    """Open the main window (offscreen if there is no display), then close it."""
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
            and os.name == "posix" and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from .ui.main import selftest_window
    except ImportError as exc:
        import sys

        print(f"dischargedesk: the window check needs PySide6 ({type(exc).__name__}).",
              file=sys.stderr)
        return 1
    return selftest_window()
