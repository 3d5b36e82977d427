"""Desktop app cold start: process start -> window shown -> first preview in the view.

    python bench/app_startup.py [--runs 5] [--platform offscreen|xcb] [--share none|new|slow]

``--share new``: the site's clinic folder has a new version at every start (the real copy
and check run, off the GUI thread); ``--share slow``: the same, with the check of the new
version held 10 s longer (a share that is slow to read). The window must not wait for
either: "window shown" is compared with the sample clinic's start measured in the same run,
and "new version in use" says when the window switched.

Each run is a fresh Python process (fresh settings in a temp folder). The child creates the
app and the main window exactly as ``dischargedesk`` does, shows it, types a sample patient
into the form the moment the window is shown (the request the nurse would make) and exits
when the PDF of that form is in the preview. The parent timestamps the child's markers as
they arrive, from just before it starts the process. Prints medians (min/max) in ms.
Results go in docs/benchmarks.md with the machine and date; never into a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stats import summary

CHILD = r"""
import os, sys, tempfile, time
from pathlib import Path
print("python", flush=True)
from dischargedesk.ui.main import application, open_window
from dischargedesk.ui.settings import AppSettings
from dischargedesk.clinic import source as clinic_source
from dischargedesk.siteconfig import load_config
from PySide6.QtCore import QTimer

app = application()
share, cache = os.environ.get("BENCH_SHARE"), os.environ.get("BENCH_CACHE")
hold = float(os.environ.get("BENCH_HOLD", "0"))

def validate(clinic):
    time.sleep(hold)
    return clinic_source.check_clinic(clinic)

tmp = Path(tempfile.mkdtemp())
site = tmp / "site.toml"
site.write_text(f'clinic_folder = "{share}"\n' if share else "", encoding="utf-8")
config = load_config(site_file=site, user_file=tmp / "user.toml")
start = clinic_source.start_clinic(config, cache_root=Path(cache) if cache else None,
                                   validate=validate)
win = open_window(start, AppSettings(tmp / "s.ini"), config)
done = {}
switched = {}
old_version = win.clinic.version

def watch():
    if share and not switched and win.clinic.version != old_version:
        switched["yes"] = True
        print("switched", flush=True)
        finish()
watch_timer = QTimer()
watch_timer.timeout.connect(watch)
watch_timer.start(5)

def finish():
    if done and (switched or not share):
        win.confirm_discard = lambda q: True
        QTimer.singleShot(0, app.quit)

def fill():
    print("shown", flush=True)
    f = win.form
    f.patient_name.setText("Bench Mark")
    f.mrn.setText("BENCH-1")
    f.levels.picker.set_levels(["T12", "L1"])
    f.medications.setPlainText("Oxycodone 5 mg every 6 hours if needed")

def ready(pages):
    if not done:
        done["pages"] = pages
        print(f"preview {pages}", flush=True)
        finish()

win.session.preview_ready.connect(ready)
win.show()
QTimer.singleShot(0, fill)   # runs once the event loop has shown the window
QTimer.singleShot(60_000, app.quit)
app.exec()
os._exit(0 if done else 1)
"""


def one_run(env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        marks[line.split()[0]] = time.perf_counter() - start
    if proc.wait() != 0 or "preview" not in marks or \
            ("BENCH_SHARE" in env and "switched" not in marks):
        raise SystemExit("the app did not show a preview; run it by hand to see why")
    return marks


class Share:
    """A clinic share with a checked local copy, and a new version before every start."""

    def __init__(self, folder: Path) -> None:
        from dischargedesk.clinic.folder import export_starter
        from dischargedesk.clinic.source import resolve_clinic
        from dischargedesk.siteconfig import load_config

        self.share, self.cache = folder / "share", folder / "cache"
        export_starter(self.share)
        site = folder / "site.toml"
        site.write_text(f'clinic_folder = "{self.share.as_posix()}"\n', encoding="utf-8")
        resolve_clinic(load_config(site_file=site, user_file=folder / "user.toml"),
                       cache_root=self.cache)
        self.count = 0

    def publish(self) -> None:
        self.count += 1
        toml = self.share / "clinic.toml"
        lines = [f'version = "bench-{self.count}"' if line.startswith("version =") else line
                 for line in toml.read_text(encoding="utf-8").splitlines()]
        toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--share", choices=("none", "new", "slow"), default="none")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: .pyc files are used
    one_run(env)  # warm the OS file cache once: "cold" means a new process, not a new disk
    base = [one_run(env) for _ in range(args.runs)]
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Qt platform {args.platform}")
    print(summary("process start -> Python running", [r["python"] for r in base]))
    print(summary("process start -> window shown", [r["shown"] for r in base]))
    print(summary("process start -> first preview in view", [r["preview"] for r in base]))
    if args.share == "none":
        return
    with tempfile.TemporaryDirectory(prefix="bench-share-") as tmp:
        share = Share(Path(tmp))
        share_env = dict(env, BENCH_SHARE=share.share.as_posix(),
                         BENCH_CACHE=str(share.cache),
                         BENCH_HOLD="10" if args.share == "slow" else "0")
        runs = []
        for _ in range(args.runs):
            share.publish()
            runs.append(one_run(share_env))
    what = "new version, check held 10 s" if args.share == "slow" else "new version"
    print(summary(f"share ({what}): process start -> window shown",
                  [r["shown"] for r in runs]))
    print(summary(f"share ({what}): process start -> first preview (last good copy)",
                  [r["preview"] for r in runs]))
    print(summary(f"share ({what}): process start -> new version in use",
                  [r["switched"] for r in runs]))


if __name__ == "__main__":
    main()
