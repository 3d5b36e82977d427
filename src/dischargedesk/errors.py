"""One exception hierarchy whose messages are written for people.

Every message is one plain sentence saying what went wrong and what to do. Messages never
contain patient data: validation errors name the field, never its value.
"""

from __future__ import annotations

from pathlib import Path


class DischargeDeskError(Exception):
    """Base class. ``str(err)`` is the sentence a nurse or admin sees."""

    #: CLI exit code for this kind of problem (2 = bad input, 1 = anything else).
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RequestError(DischargeDeskError):
    """A field of the handout request is missing or not allowed."""

    exit_code = 2

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ClinicProfileError(DischargeDeskError):
    """The clinic profile (clinic.toml or its assets) is not usable."""

    exit_code = 2

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 key: str = "") -> None:
        where = file + (f", line {line}" if line else "") if file else ""
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.line = line
        self.key = key
        self.detail = message


class TemplateError(DischargeDeskError):
    """A handout template could not be rendered. Names the file and line, never patient data."""

    def __init__(self, file: str, line: int | None, message: str, *,
                 path: Path | None = None, kind: str = "") -> None:
        where = f"template error in {file}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")
        self.file = file
        self.path = path
        self.line = line
        self.detail = message
        self.kind = kind  # "timeout" for the time limit; otherwise the failure's type name


class RenderError(DischargeDeskError):
    """The PDF could not be laid out. The message is generic on purpose (see PHI rules)."""


class OutputError(DischargeDeskError):
    """A file could not be written."""
