"""Pin ReportLab's security-relevant settings, whatever RL_* variables or a
``reportlab_settings.py`` on the path say (hostile-inputs guide)."""

from __future__ import annotations

from reportlab import rl_config

#: The values we insist on. ``trustedHosts`` None and no file/data schemes mean images and
#: links in markup cannot reach local files or the network; ``toColorCanUse`` never evaluates
#: Python expressions.
PINNED = {
    "trustedHosts": None,
    "trustedSchemes": ["https"],
    "toColorCanUse": "rl_extended_literal_eval",
    "invariant": 1,
    "allowTableBoundsErrors": 1,
    "shapeChecking": 1,
    # streams are Flate only: ASCII85 on top made every page's content 25% larger (a PDF is
    # a binary file; issue 12, PDF size)
    "useA85": 0,
}


def pin_reportlab_settings() -> None:
    for key, value in PINNED.items():
        setattr(rl_config, key, value)
