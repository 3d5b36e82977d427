"""Timed keyboard run: a nurse types a standard case into the real window and prints it.

    sudo scripts/ci-cups.sh        # once: CUPS + cups-pdf and the queue dischargedesk-test
    python bench/keyboard_run.py [--runs 3] [--rate 5] [--shots DIR]
    sudo scripts/ci-cups-stop.sh

Starts its own Xvfb (1280x800), then for each run the app (``python -m dischargedesk.cli``,
no arguments: the window) with a fresh temporary HOME and XDG folders, and drives it with
xdotool only by keyboard, at ``--rate`` keys a second (5: a nurse's pace), from
an empty form to a printed standard case: kyphoplasty (the default procedure), T12 and L1,
patient name, date of birth, MRN, sedation (the default), opioids, one medication line,
a follow-up booked with date and time and a physician; then Ctrl+P and the print dialog by
keyboard (printer chosen by typing its name, Enter), to the CUPS queue.

Measures from the first key to the job reaching the spooler (``lpstat -W all -o``: the job
is listed), and further to cups-pdf writing the job's PDF. The time is split into typing
(xdotool sending keys, paced by the delay) and waiting (for the print dialog, the spooler).
The printed PDF is checked with pdftotext for the patient name, T12 and L1.

Screenshots of the start, before printing and after go to ``--shots`` (look at them).
Patient data here is invented. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "dischargedesk-test"
CUPS_OUT = Path(os.environ.get("DISCHARGEDESK_CUPS_OUT",
                               "/var/spool/cups-pdf/dischargedesk-test"))
PATIENT = "Maria Lopez"


def standard_case(today: dt.date) -> list[tuple[str, str]]:
    """The nurse's keys: ("type", text) or ("key", xdotool key name). Focus starts in the
    patient name (the window puts it there)."""
    follow_up = (today + dt.timedelta(days=14)).isoformat()
    return [
        ("type", PATIENT),
        ("key", "Tab"), ("type", "1948-03-04"),  # date of birth
        ("key", "Tab"), ("type", "A1234567"),  # MRN
        # procedure: Kyphoplasty is the default; procedure date: today, the default
        ("key", "alt+l"), ("type", "T12 L1"),  # levels, typed beside the spine grid
        # anesthesia: Sedation is the default
        ("key", "alt+o"),  # opioid pain medicine (the mnemonic ticks it)
        ("key", "alt+i"), ("type", "Oxycodone 5 mg: 1 tablet every 6 hours if needed"),
        ("key", "alt+y"), ("type", "Dr. Ana Rivera"),  # physician (editable list)
        ("key", "alt+k"),  # follow-up appointment booked
        ("key", "alt+e"), ("type", follow_up),  # follow-up date (field text is selected)
        ("key", "Tab"), ("type", "14:30"),  # follow-up time
    ]


@dataclass
class Run:
    keys: int = 0
    typing_s: float = 0.0
    waiting_s: float = 0.0
    to_spooler_s: float = 0.0
    dialog_s: float = 0.0  # Ctrl+P -> the print dialog on screen
    enter_to_spooler_s: float = 0.0  # Enter in the dialog -> the job listed by CUPS
    to_pdf_s: float = 0.0
    pdf: Path | None = None
    notes: list[str] = field(default_factory=list)


def sh(*cmd: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def key_count(action: tuple[str, str]) -> int:
    kind, text = action
    return len(text) if kind == "type" else 1


class Display:
    def __init__(self, size: str) -> None:
        self.number = next(n for n in range(90, 200)
                           if not Path(f"/tmp/.X11-unix/X{n}").exists()
                           and not Path(f"/tmp/.X{n}-lock").exists())
        self.name = f":{self.number}"
        self.proc = subprocess.Popen(["Xvfb", self.name, "-screen", "0", f"{size}x24",
                                      "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{self.number}").exists():
                break
            time.sleep(0.05)
        self.env = {**os.environ, "DISPLAY": self.name}

    def xdo(self, *args: str, check: bool = True) -> str:
        return sh("xdotool", *args, env=self.env, check=check)

    def shot(self, path: Path) -> None:
        sh("import", "-window", "root", str(path), env=self.env)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def wait_window(display: Display, pid: int | None, name: str | None,
                timeout: float = 20.0) -> str:
    """The id of a visible window of process ``pid`` (or named ``name``)."""
    end = time.monotonic() + timeout
    args = ["search", "--onlyvisible"] + (["--pid", str(pid)] if pid else []) + \
        (["--name", name] if name else [])
    while time.monotonic() < end:
        ids = display.xdo(*args, check=False).split()
        if ids:
            return ids[-1]
        time.sleep(0.05)
    raise RuntimeError(f"no window {name or pid} within {timeout} s")


def jobs() -> set[str]:
    out = sh("lpstat", "-W", "all", "-o", QUEUE, check=False)
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@dataclass(frozen=True)
class Pace:
    """``type_delay_ms`` is what xdotool needs for one key per ``key_s``: xdotool 3.2016
    spends about half its ``--delay`` per key (``--delay 200`` types 10 keys a second), so
    the delay is calibrated on the display before the runs."""

    key_s: float
    type_delay_ms: int


def calibrate(display: Display, rate: float) -> Pace:
    key_s = 1 / rate
    delay = round(key_s * 1000)
    t = time.perf_counter()
    display.xdo("type", "--delay", str(delay), "--", "x" * 10)  # no window: to the root
    per_key = (time.perf_counter() - t) / 10
    return Pace(key_s, max(1, round(delay * key_s / per_key)))


def send(display: Display, action: tuple[str, str], pace: Pace) -> None:
    kind, text = action
    if kind == "type":
        display.xdo("type", "--delay", str(pace.type_delay_ms), "--", text)
    else:
        display.xdo("key", text)
        time.sleep(pace.key_s)  # a chord is a key: the same pace as typing


def one_run(display: Display, pace: Pace, shots: Path | None, n: int) -> Run:
    run = Run()
    home = Path(tempfile.mkdtemp(prefix="dd-kbd-"))
    env = {**display.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "PYTHONPATH": str(ROOT / "src"),
           "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISCHARGEDESK_CONFIG", None)
    before_pdfs = set(CUPS_OUT.glob("*.pdf")) if CUPS_OUT.exists() else set()
    before_jobs = jobs()
    app = subprocess.Popen([sys.executable, "-m", "dischargedesk.cli"], env=env, cwd=home,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            window = wait_window(display, app.pid, None, timeout=60)
        except RuntimeError:
            if shots:
                display.shot(shots / f"run{n}-0-no-window.png")
            raise
        display.xdo("windowfocus", "--sync", window)
        time.sleep(1.5)  # the window settles; not counted (the nurse has not started)
        if shots:
            display.shot(shots / f"run{n}-1-start.png")
        actions = standard_case(dt.date.today())
        start = time.perf_counter()
        for action in actions:
            t = time.perf_counter()
            send(display, action, pace)
            run.typing_s += time.perf_counter() - t
            run.keys += key_count(action)
        if shots:
            pause = time.perf_counter()
            display.shot(shots / f"run{n}-2-filled.png")
            start += time.perf_counter() - pause  # the screenshot is not the nurse's time
        # Print: Ctrl+P, then the dialog. Print stays disabled until the preview caught up;
        # a nurse who sees nothing happen presses it again.
        dialog = None
        for attempt in range(10):
            t = time.perf_counter()
            send(display, ("key", "ctrl+p"), pace)
            run.typing_s += time.perf_counter() - t
            run.keys += 1
            t = time.perf_counter()
            try:
                dialog = wait_window(display, app.pid, "Print handouts", timeout=2.0)
                run.dialog_s = time.perf_counter() - t
            except RuntimeError:
                run.notes.append(f"Ctrl+P #{attempt + 1} opened no dialog")
            run.waiting_s += time.perf_counter() - t
            if dialog:
                break
        if dialog is None:
            raise RuntimeError("the print dialog never opened")
        t = time.perf_counter()
        display.xdo("windowfocus", "--sync", dialog)
        time.sleep(0.3)
        run.waiting_s += time.perf_counter() - t
        if shots:
            pause = time.perf_counter()
            display.shot(shots / f"run{n}-3-dialog.png")
            start += time.perf_counter() - pause
        for action in PRINT_DIALOG_KEYS:
            t = time.perf_counter()
            send(display, action, pace)
            run.typing_s += time.perf_counter() - t
            run.keys += key_count(action)
        t = time.perf_counter()
        new_job = None
        while time.perf_counter() - t < 30:
            new_job = jobs() - before_jobs
            if new_job:
                break
            time.sleep(0.02)
        if not new_job:
            raise RuntimeError("no job reached the spooler within 30 s")
        run.to_spooler_s = time.perf_counter() - start
        run.enter_to_spooler_s = time.perf_counter() - t + pace.key_s  # at most: + Enter's pause
        run.waiting_s += time.perf_counter() - t
        while time.perf_counter() - start < 90:
            new_pdfs = set(CUPS_OUT.glob("*.pdf")) - before_pdfs
            if new_pdfs:
                run.pdf = new_pdfs.pop()
                break
            time.sleep(0.05)
        run.to_pdf_s = time.perf_counter() - start
        time.sleep(1.0)
        if shots:
            display.shot(shots / f"run{n}-4-printed.png")
        check_pdf(run)
    finally:
        app.terminate()  # the form has data: close would ask; the bench just ends it
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        err = app.stderr.read().decode("utf-8", "replace").strip() if app.stderr else ""
        if err:
            run.notes.append(f"app stderr: {err.splitlines()[-1]}")
            print(err, file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)
    return run


#: the print dialog, by keyboard: the printer list has the focus; typing the queue's name
#: selects it, Enter prints.
PRINT_DIALOG_KEYS: list[tuple[str, str]] = [("key", "Return")]


def check_pdf(run: Run) -> None:
    if run.pdf is None:
        run.notes.append("cups-pdf wrote no PDF within 90 s")
        return
    for _ in range(50):  # cups-pdf may still be writing
        text = sh("pdftotext", str(run.pdf), "-", check=False)
        if text:
            break
        time.sleep(0.1)
    missing = [w for w in (PATIENT, "T12", "L1", "Oxycodone") if w not in text]
    pages = sh("pdfinfo", str(run.pdf), check=False)
    size = next((line.split(":", 1)[1].strip() for line in pages.splitlines()
                 if line.startswith("Page size")), "?")
    count = next((line.split(":", 1)[1].strip() for line in pages.splitlines()
                  if line.startswith("Pages")), "?")
    run.notes.append(f"printed PDF: {count} pages, {size}, "
                     + ("name, T12, L1 and the medicine found" if not missing
                        else f"MISSING {missing}"))
    if missing:
        raise RuntimeError(f"the printed job lacks {missing}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0, help="keys a second (5)")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--shots", type=Path, default=None,
                        help="folder for screenshots (start, filled, dialog, printed)")
    args = parser.parse_args()
    for tool in ("Xvfb", "xdotool", "import", "lpstat", "pdftotext"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (apt-get install xvfb xdotool imagemagick cups-client "
                  "poppler-utils)", file=sys.stderr)
            return 1
    if QUEUE not in sh("lpstat", "-p", check=False):
        print(f"CUPS queue {QUEUE} is missing: run scripts/ci-cups.sh as root first",
              file=sys.stderr)
        return 1
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    display = Display(args.size)
    runs: list[Run] = []
    try:
        pace = calibrate(display, args.rate)
        print(f"pace: {args.rate:g} keys/s (xdotool type --delay {pace.type_delay_ms})",
              flush=True)
        for n in range(1, args.runs + 1):
            run = one_run(display, pace, args.shots, n)
            runs.append(run)
            print(f"run {n}: {run.keys} keys, first key -> job in spooler "
                  f"{run.to_spooler_s:.1f} s ({run.keys / run.typing_s:.1f} keys/s; typing "
                  f"{run.typing_s:.1f} s, waiting "
                  f"{run.waiting_s:.1f} s; Ctrl+P -> dialog {run.dialog_s:.2f} s, Enter -> "
                  f"spooler <= {run.enter_to_spooler_s:.2f} s), -> cups-pdf wrote the PDF "
                  f"{run.to_pdf_s:.2f} s; "
                  + "; ".join(run.notes), flush=True)
    finally:
        display.close()
    med = statistics.median
    print(f"median of {len(runs)}: {med(r.keys for r in runs):.0f} keys, first key -> job in "
          f"spooler {med(r.to_spooler_s for r in runs):.1f} s (typing "
          f"{med(r.typing_s for r in runs):.1f} s, waiting "
          f"{med(r.waiting_s for r in runs):.1f} s; Ctrl+P -> dialog "
          f"{med(r.dialog_s for r in runs):.2f} s, Enter -> spooler <= "
          f"{med(r.enter_to_spooler_s for r in runs):.2f} s); -> PDF written "
          f"{med(r.to_pdf_s for r in runs):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
