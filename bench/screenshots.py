"""The README screenshots from the current code: the main window with the standard case
typed in (as in bench/keyboard_run.py) and the preview loaded.

    python bench/screenshots.py [--out docs/screenshots]

Writes main-1280x800.png, main-1024x768.png and main-150pct.png (QT_SCALE_FACTOR=1.5 on a
1280x800 screen). Each is the real window under its own Xvfb, in en-US, with a fresh
temporary HOME, filled in by xdotool. Look at every image after a change to the form.
The patient is invented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from keyboard_run import ROOT, Display, calibrate, send, standard_case, wait_window

SHOTS = (("main-1280x800.png", "1280x800", "1"),
         ("main-1024x768.png", "1024x768", "1"),
         ("main-150pct.png", "1280x800", "1.5"))


def shoot(name: str, size: str, scale: str, out: Path) -> None:
    display = Display(size)
    pace = calibrate(display, 40.0)  # before the window: the calibration keys go nowhere
    home = Path(tempfile.mkdtemp(prefix="dd-shot-"))
    env = {**display.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "PYTHONPATH": str(ROOT / "src"),
           "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale,
           "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}
    env.pop("DISCHARGEDESK_CONFIG", None)
    app = subprocess.Popen([sys.executable, "-m", "dischargedesk.cli"], env=env, cwd=home,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        window = wait_window(display, app.pid, None)
        display.xdo("windowfocus", "--sync", window)
        time.sleep(1.5)
        for action in standard_case(dt.date.today()):
            send(display, action, pace)
        send(display, ("key", "alt+u"), pace)  # back to the top: the language, in view
        time.sleep(2.5)  # the preview renders after a typing pause
        display.shot(out / name)
        print(f"wrote {out / name}")
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        display.close()
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    for tool in ("Xvfb", "xdotool", "import"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (apt-get install xvfb xdotool imagemagick)",
                  file=sys.stderr)
            return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, size, scale in SHOTS:
        shoot(name, size, scale, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
