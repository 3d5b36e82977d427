"""The archive's errors: one plain sentence each, never patient data (exit 1)."""

from __future__ import annotations

from ..errors import DischargeDeskError


class ArchiveError(DischargeDeskError):
    """The archive cannot do what was asked (not set up, unreachable, damaged)."""


class ArchiveKeyError(ArchiveError):
    """The archive key is missing, unreadable, or does not open the archive."""


class ArchiveUnreachable(ArchiveError):
    """The archive database cannot be reached now (the record waits in the local queue)."""


class ReprintMismatch(ArchiveError):
    """A regenerated PDF is not byte for byte what was handed out."""
