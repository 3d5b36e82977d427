"""User preferences: the only module that touches QSettings.

Stores non-patient preferences only (window layout, output folder, last language, large
print). Every key is declared here with its type; a value of the wrong type (hand-edited or
corrupt file) is ignored and the default used, so the app keeps running; any other key is
removed. Which clinic to use is never read from here: that is the site and user settings of
:mod:`dischargedesk.siteconfig` (where the site's locks apply); an old ``clinic/folder`` key
is dropped. Patient data must never be written here: there is deliberately no generic
``set(key)``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "DischargeDesk"
APPLICATION = "DischargeDesk"

log = logging.getLogger(__name__)

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_SPLITTER = "window/splitter"
_OUTPUT_FOLDER = "output/folder"
_LANGUAGE = "handout/language"
_LARGE_PRINT = "handout/large_print"
_KNOWN_KEYS = frozenset({_GEOMETRY, _STATE, _SPLITTER, _OUTPUT_FOLDER, _LANGUAGE,
                         _LARGE_PRINT})


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

    def _text(self, key: str) -> str:
        value = self._qs.value(key)
        return value if isinstance(value, str) else ""

    def _path(self, key: str) -> Path | None:
        text = self._text(key)
        return Path(text) if text else None

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

    @property
    def output_folder(self) -> Path | None:
        return self._path(_OUTPUT_FOLDER)

    @output_folder.setter
    def output_folder(self, value: Path) -> None:
        self._qs.setValue(_OUTPUT_FOLDER, str(value))

    @property
    def language(self) -> str:
        text = self._text(_LANGUAGE)
        return text if text.replace("-", "").isalpha() and len(text) <= 8 else ""

    @language.setter
    def language(self, value: str) -> None:
        self._qs.setValue(_LANGUAGE, value)

    @property
    def large_print(self) -> bool:
        value = self._qs.value(_LARGE_PRINT)
        if isinstance(value, bool):
            return value
        return value == "true"  # INI files store booleans as text

    @large_print.setter
    def large_print(self, value: bool) -> None:
        self._qs.setValue(_LARGE_PRINT, bool(value))

    def sync(self) -> None:
        self._qs.sync()
