"""The collector never runs on a render worker (ui/gc_guard.py)."""

from __future__ import annotations

import gc
import threading

from dischargedesk.ui import gc_guard


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_app_collects_cycles_on_the_gui_thread_only(qtbot):
    assert gc_guard.installed()  # application() set it up (tests/ui/conftest.py)
    collected_on: list[str] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            collected_on.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        worker = threading.Thread(
            target=lambda: [_Cycle() for _ in range(5 * gc.get_threshold()[0])],
            name="render-worker")
        worker.start()
        worker.join()
        assert "render-worker" not in collected_on  # far past the threshold, no collection
        qtbot.waitUntil(lambda: "MainThread" in collected_on, timeout=5000)
    finally:
        gc.callbacks.remove(note)
