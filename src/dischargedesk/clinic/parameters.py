"""Clinical parameters: every number that sources disagree on is the clinic's choice.

This table is the single definition: profile validation, the profile editor, the template
context and ``docs/clinic-profile.md`` are all generated from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Parameter:
    key: str
    default: Any
    unit: str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def kind(self) -> type:
        return type(self.default)

    def check(self, value: Any) -> str | None:
        """Return a plain problem description, or None if the value is allowed."""
        if self.choices:
            if value not in self.choices:
                return f"must be one of: {', '.join(repr(c) for c in self.choices)}"
            return None
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a plain number (nan and inf are not numbers that can be printed)"
        if self.kind is float and not number_ok:
            return "must be a number"
        if self.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            return "must be a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"is too low: allowed {self.range_text}"
        if self.maximum is not None and value > self.maximum:
            return f"is too high: allowed {self.range_text}"
        return None

    @property
    def range_text(self) -> str:
        if self.choices:
            return " or ".join(self.choices)
        return f"{_num(self.minimum)} to {_num(self.maximum)} {self.unit}".strip()


def _num(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


UNTIL = ("until_follow_up", "until_cleared")

PARAMETERS: tuple[Parameter, ...] = (
    Parameter("lifting_limit_lb", 10.0, "lb", "Heaviest thing the patient may lift until the "
              "follow-up visit (printed with kilograms).", 2, 25),
    Parameter("first_shower_hours", 48, "hours", "Hours after the procedure before the first "
              "shower.", 0, 120),
    Parameter("tub_bath", "until_follow_up", "", "No tub bath, pool or hot tub until the "
              "follow-up visit, or until the doctor clears it.", choices=UNTIL),
    Parameter("bandage_removal_hours", 48, "hours", "Hours after the procedure when the small "
              "bandages come off.", 12, 120),
    Parameter("no_driving_hours", 48, "hours", "Hours of no driving (never while taking opioid "
              "pain medicine).", 0, 336),
    Parameter("fever_threshold_f", 100.4, "°F", "Temperature at or above which the patient "
              "calls the clinic (printed with Celsius).", 99.0, 102.0),
    Parameter("bladder_bowel_tier", "911", "", "Loss of bladder or bowel control: call 911, "
              "or call the clinic now.", choices=("911", "clinic")),
    Parameter("ice_on_minutes", 20, "minutes", "Minutes of ice on the sore area.", 5, 30),
    Parameter("ice_off_minutes", 20, "minutes", "Minutes off ice between sessions.", 10, 120),
    Parameter("follow_up_days", 14, "days", "Days after the procedure for the follow-up visit "
              "when none is booked.", 3, 42),
    Parameter("adult_stay_hours", 24, "hours", "Hours a responsible adult stays with the "
              "patient after sedation or general anesthesia.", 6, 48),
    Parameter("bending_restriction", "until_follow_up", "", "No bending at the waist or "
              "twisting until the follow-up visit, or until the doctor clears it.",
              choices=UNTIL),
    Parameter("desk_work_days", 7, "days", "Days after the procedure when desk work may start "
              "if comfortable.", 1, 42),
    Parameter("lifting_min_days", 14, "days", "Fewest days the lifting limit lasts. An earlier "
              "follow-up visit never ends it sooner.", 1, 90),
    Parameter("bending_min_days", 14, "days", "Fewest days the no-bending, no-twisting rule "
              "lasts. An earlier follow-up visit never ends it sooner.", 1, 90),
    Parameter("soaking_min_days", 14, "days", "Fewest days with no tub bath, pool or hot tub. "
              "An earlier follow-up visit never ends it sooner.", 2, 90),
    Parameter("sedation_rules_hours", 24, "hours", "Hours after sedation or general anesthesia "
              "with no alcohol, no driving, no important decisions and no signing legal "
              "papers.", 12, 48),
    Parameter("brace_in_shower", "off", "", "Brace in the shower: take it off to shower, or "
              "keep it on.", choices=("off", "on")),
    Parameter("brace_in_bed", "off", "", "Brace in bed: take it off to sleep and lie down, or "
              "keep it on.", choices=("off", "on")),
    Parameter("paper", "Letter", "", "Paper size of the printed handouts.",
              choices=("Letter", "A4")),
)
BY_KEY = {p.key: p for p in PARAMETERS}


def defaults() -> dict[str, Any]:
    return {p.key: p.default for p in PARAMETERS}
