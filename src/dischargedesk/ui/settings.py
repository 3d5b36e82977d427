"""Window layout in QSettings; every other preference in siteconfig's user file.

There is one settings store for what the app does: the site and user files of
:mod:`dischargedesk.siteconfig` (where the site's locks apply). QSettings keeps only the
window's geometry, state and splitter (Qt's own byte arrays); any other key in its INI file,
such as an old ``clinic/folder``, ``output/folder`` or ``handout/language``, is removed and
never honoured. The output folder is read from and written to
the user file through :func:`~dischargedesk.siteconfig.save_user_settings`. Patient data must
never be written anywhere here: there is deliberately no generic ``set(key)``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..siteconfig import SiteConfigError, load_config, save_user_settings

ORGANIZATION = "DischargeDesk"
APPLICATION = "DischargeDesk"

log = logging.getLogger(__name__)

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_SPLITTER = "window/splitter"
_KNOWN_KEYS = frozenset({_GEOMETRY, _STATE, _SPLITTER})


class AppSettings:
    """Typed access to the preferences file (INI format).

    ``path`` chooses an explicit file (tests, portable installs); by default the per-user
    location of organization "DischargeDesk", application "DischargeDesk".
    """

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                 ORGANIZATION, APPLICATION)
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)
        if self._qs.status() != QSettings.Status.NoError:
            log.warning("settings file unreadable; using defaults")
        self._drop_unknown_keys()

    @property
    def file_name(self) -> str:
        return self._qs.fileName()

    def _drop_unknown_keys(self) -> None:
        for key in self._qs.allKeys():
            if key not in _KNOWN_KEYS:
                self._qs.remove(key)

    # -- typed getters/setters --------------------------------------------------------------
    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qs.setValue(_GEOMETRY, value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes(_STATE)

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qs.setValue(_STATE, value)

    @property
    def splitter_state(self) -> QByteArray | None:
        return self._bytes(_SPLITTER)

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._qs.setValue(_SPLITTER, value)

    # -- preferences in the user settings file -------------------------------------------
    @property
    def output_folder(self) -> Path | None:
        """The output folder from the user (or site) settings."""
        return load_config().output_folder

    @output_folder.setter
    def output_folder(self, value: Path) -> None:
        self._save_user("output_folder", value)


    @staticmethod
    def _save_user(key: str, value: object) -> None:
        try:
            save_user_settings(load_config(), {key: value})
        except SiteConfigError as exc:  # set or locked by the site, or not writable
            log.warning("preference %s not saved (%s)", key, type(exc).__name__)

    def sync(self) -> None:
        self._qs.sync()
