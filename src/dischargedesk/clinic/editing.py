"""Edit a clinic's ``clinic.toml`` in place (the profile editor), keeping its comments.

The new text is validated exactly as ``load_clinic`` would before it replaces the file, so
a profile that would be refused at start-up is never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from ..errors import ClinicProfileError, OutputError
from ..output import write_text_atomic
from ..textio import TextFormatError, read_text_utf8
from .profile import PROFILE_FILE, ClinicProfile, load_clinic, validate_profile_text


def update_profile(folder: Path, clinic_values: Mapping[str, Any],
                   parameters: Mapping[str, Any]) -> ClinicProfile:
    """Set keys of [clinic] and [parameters]; empty text removes an optional key."""
    path = Path(folder) / PROFILE_FILE
    try:
        doc = tomlkit.parse(read_text_utf8(path))
    except TextFormatError as exc:
        raise ClinicProfileError(f"{exc.reason}.", file=str(path), line=exc.line) from None
    except OSError as exc:
        raise OutputError(f"{path} cannot be read ({type(exc).__name__}); check the clinic "
                          "folder.") from None
    except tomlkit.exceptions.TOMLKitError:
        raise ClinicProfileError("this is not valid TOML; fix it in a text editor first.",
                                 file=str(path)) from None
    clinic = doc.setdefault("clinic", tomlkit.table())
    for key, value in clinic_values.items():
        if value in ("", [], None):
            clinic.pop(key, None)
        else:
            clinic[key] = value
    params = doc.setdefault("parameters", tomlkit.table())
    for key, value in parameters.items():
        params[key] = value
    text = tomlkit.dumps(doc)
    validate_profile_text(text, Path(folder), str(path))  # raises ClinicProfileError
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"The clinic profile could not be saved in {folder} "
                          f"({exc.strerror or type(exc).__name__}); check your permissions."
                          ) from None
    return load_clinic(folder)
