"""Start the desktop app: QApplication, logging, the last-resort excepthook, the window."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QStandardPaths, QTimer
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from .._meta import APP_NAME, __version__
from ..clinic.profile import load_sample_clinic
from ..clinic.source import ClinicSource, ClinicStart, resolve_clinic, start_clinic
from ..errors import DischargeDeskError
from ..resources import resources_dir
from ..siteconfig import SiteConfig, load_config
from . import gc_guard, refcount_guard, wheel_guard
from .errors import install_excepthook
from .main_window import MainWindow, waiting_clinic
from .settings import APPLICATION, ORGANIZATION, AppSettings

LOG_FILE = "dischargedesk.log"
log = logging.getLogger("dischargedesk.ui")


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    refcount_guard.install(app)
    gc_guard.install(app)  # cycles are collected on the GUI thread only
    wheel_guard.install(app)  # the wheel never changes a field without focus
    icon = resources_dir() / "images" / "icon.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    if app.style().name().lower() == "fusion":
        # Fusion draws the focus frame in the highlight colour; a darker blue makes the
        # keyboard focus easy to see (contrast > 3:1 against white and the grey window).
        palette = app.palette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor("#1f5fa8"))
        app.setPalette(palette)
    return app


def log_dir() -> Path:
    """AppLocalDataLocation/logs (needs the organization and application names set)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) / "logs"


def setup_logging() -> Path | None:
    """Events only ("render ok", "saved 2 files"), never patient values; see ui/errors.py."""
    root = logging.getLogger("dischargedesk")
    if any(getattr(h, "_dischargedesk", False) for h in root.handlers):
        return None
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # no log folder: the app still works
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler._dischargedesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder / LOG_FILE


def load_profile(clinic: Path | None, settings: AppSettings,
                 config: SiteConfig) -> ClinicSource:
    """--clinic (refused when the site locks the clinic), else the site/user clinic folder
    (network share with a checked copy), else the bundled sample clinic: the same
    :func:`resolve_clinic` as the command line. ``settings`` (QSettings) holds window layout
    only and never chooses the clinic."""
    return resolve_clinic(config, folder=clinic)


def open_window(start: ClinicStart, settings: AppSettings, config: SiteConfig,
                **kwargs: Any) -> MainWindow:
    """The main window at once, whatever the share: on the last good local copy, or (no copy
    yet) with the form closed until the first check ends; the share is compared, copied and
    checked off the GUI thread and the window switches when a new version passes."""
    source = start.source
    if source is not None and source.problems:
        log.warning("clinic folder update refused: %d template problem(s)",
                    len(source.problems))
    window = MainWindow(source.clinic if source else waiting_clinic(), settings,
                        config=config, source=source, waiting=source is None, **kwargs)
    if start.finish is not None:
        window.check_share(start.finish)
    return window


def run(clinic: Path | None = None, context: Any = None) -> int:
    app = application()
    setup_logging()
    install_excepthook()
    log.info("start %s", __version__)
    if refcount_guard.active():
        log.info("refcount guard on (PySide6 leaks references to None on Python %d.%d)",
                 *sys.version_info[:2])
    settings = AppSettings()
    config = load_config()
    if config.messages:
        log.warning("site settings: %d problem(s)", len(config.messages))
    try:
        start = start_clinic(config, folder=clinic)  # local only: a share is read later
    except DischargeDeskError as exc:
        # Never fall back to the sample clinic: its phone numbers must not reach a patient.
        log.error("clinic profile failed: %s", type(exc).__name__)
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    window = open_window(start, settings, config)
    if context is not None:  # dischargedesk --patient-context FILE (read once, never logged)
        window.form.fill_from_record(context.values, context.from_record, context.notes)
    window.show()
    code = app.exec()
    log.info("exit %d", code)
    return code


def selftest_window() -> int:
    """Open the main window with the sample clinic and throw-away settings, then close it."""
    application()
    with tempfile.TemporaryDirectory(prefix="dischargedesk-selftest-") as tmp:
        window = MainWindow(load_sample_clinic(), AppSettings(Path(tmp) / "settings.ini"))
        window.show()

        loop = QEventLoop()  # not app.exec()/quit(): those end every later event loop

        def finish() -> None:
            window.close()
            loop.quit()

        QTimer.singleShot(300, finish)
        loop.exec()
        ok = not window.isVisible()
        window.deleteLater()
    return 0 if ok else 1
