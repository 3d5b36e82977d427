"""The one background-work helper (ui/background.py): op off the GUI thread, callbacks on it,
the newest op wins on a latest-only lane, nothing reaches a parent that is gone."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from dischargedesk.ui.background import Lane, QueryOp


def test_op_runs_off_the_gui_thread_and_success_comes_back_on_it(qtbot):
    parent = QObject()
    seen: dict[str, object] = {}

    def op() -> int:
        seen["op"] = threading.current_thread()
        return 42

    def success(value: int) -> None:
        seen["success"] = threading.current_thread()
        seen["value"] = value

    QueryOp(parent=parent, op=op, success=success).run_in_background()
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["op"] is not threading.main_thread()
    assert seen["success"] is threading.main_thread() and seen["value"] == 42


def test_failure_gets_the_exception_on_the_gui_thread(qtbot):
    parent = QObject()
    failed: list[tuple[Exception, threading.Thread]] = []

    def op() -> int:
        raise ValueError("boom")

    QueryOp(parent=parent, op=op, success=lambda v: None).failure(
        lambda exc: failed.append((exc, threading.current_thread()))).run_in_background()
    qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    assert isinstance(failed[0][0], ValueError)
    assert failed[0][1] is threading.main_thread()


def test_latest_only_lane_runs_the_newest_waiting_op_only(qtbot):
    parent = QObject()
    lane = Lane("test-lane", latest_only=True)
    gate, started = threading.Event(), threading.Event()
    ran: list[int] = []
    done: list[int] = []

    def op_for(n: int):
        def op() -> int:
            if n == 0:
                started.set()
                gate.wait(5)
            ran.append(n)
            return n
        return op

    QueryOp(parent=parent, op=op_for(0), success=done.append).run_in_background(lane)
    assert started.wait(5)
    for n in range(1, 5):  # they wait while 0 runs, and each replaces the one before
        QueryOp(parent=parent, op=op_for(n), success=done.append).run_in_background(lane)
    gate.set()
    qtbot.waitUntil(lambda: done == [0, 4], timeout=5000)
    assert ran == [0, 4]
    assert lane.wait(5000) and not lane.busy


def test_nothing_reaches_a_parent_that_was_deleted(qtbot):
    parent = QObject()
    gate = threading.Event()
    called: list[int] = []
    lane = Lane("test-gone")
    QueryOp(parent=parent, op=lambda: gate.wait(5) and 1, success=called.append)\
        .run_in_background(lane)
    import shiboken6

    shiboken6.delete(parent)  # the dialog closed while its op ran
    gate.set()
    assert lane.wait(5000)
    qtbot.wait(100)  # let the queued result through the event loop
    assert called == []


def test_wait_idle_waits_for_every_op_in_order_and_drops_none(qtbot):
    parent = QObject()
    lane = Lane("test-every", latest_only=False)
    gate, started = threading.Event(), threading.Event()
    ran: list[int] = []
    done: list[int] = []

    def op_for(n: int):
        def op() -> int:
            if n == 0:
                started.set()
                gate.wait(5)
            ran.append(n)
            return n
        return op

    for n in range(4):
        QueryOp(parent=parent, op=op_for(n), success=done.append).run_in_background(lane)
    assert started.wait(5)
    assert not lane.wait_idle(0.1) and lane.busy  # held: times out, drops nothing
    timer = threading.Timer(0.2, gate.set)
    timer.start()
    assert lane.wait_idle(5) and not lane.busy  # returns once the last op has run
    assert ran == [0, 1, 2, 3]
    qtbot.waitUntil(lambda: done == [0, 1, 2, 3], timeout=5000)
    timer.join()
