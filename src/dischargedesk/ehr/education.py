"""The education record that travels with the handouts to the chart (and, later, to the
archive): one table of options so every command line defines them the same way."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Any

from ..domain.textclean import clean_text
from ..errors import RequestError

MAX_INTERPRETER = 100
_INITIALS = re.compile(r"^[A-Za-z][A-Za-z.\-]{0,7}$")

#: (option, dest, argparse keywords). The archive issue reuses this table.
EDUCATION_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--teach-back", "teach_back", {"action": "store_true", "default": None,
                                    "help": "the patient (or caregiver) explained the "
                                            "instructions back (teach-back done)"}),
    ("--interpreter", "interpreter", {"metavar": "TEXT",
                                      "help": "interpreter used: name, ID or service"}),
    ("--caregiver-present", "caregiver_present", {"action": "store_true", "default": None,
                                                  "help": "a caregiver was present for the "
                                                          "teaching"}),
    ("--nurse", "nurse", {"metavar": "INITIALS", "help": "initials of the teaching nurse"}),
)


def add_education_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("the education record (travels with the chart documents)")
    for option, dest, kwargs in EDUCATION_OPTIONS:
        g.add_argument(option, dest=dest, **kwargs)


@dataclass(frozen=True)
class Education:
    teach_back: bool = False
    interpreter: str = ""
    caregiver_present: bool = False
    nurse: str = ""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Education:
        raw = str(getattr(args, "interpreter", None) or "")
        interpreter = clean_text(raw[: MAX_INTERPRETER * 2])
        if len(interpreter) > MAX_INTERPRETER:
            raise RequestError("interpreter", f"Interpreter is too long: at most "
                               f"{MAX_INTERPRETER} characters.")
        nurse = str(getattr(args, "nurse", None) or "").strip()
        if nurse and not _INITIALS.match(nurse):
            raise RequestError("nurse", "Nurse must be initials: up to 8 letters, dots or "
                               "dashes.")
        return cls(teach_back=bool(getattr(args, "teach_back", None)),
                   interpreter=interpreter,
                   caregiver_present=bool(getattr(args, "caregiver_present", None)),
                   nurse=nurse)

    def lines(self, handouts: list[str], language: str) -> list[str]:
        """The record as plain lines (Communication notes, MDM NTE segments)."""
        return [
            f"Handouts given: {', '.join(handouts)}",
            f"Language: {language}",
            f"Teach-back: {'done' if self.teach_back else 'not recorded'}",
            f"Interpreter: {self.interpreter or 'none recorded'}",
            f"Caregiver present: {'yes' if self.caregiver_present else 'not recorded'}",
            f"Nurse: {self.nurse or 'not recorded'}",
        ]
