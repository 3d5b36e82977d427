"""Atomic writes: a failure leaves no temp file and keeps the old file intact."""

from __future__ import annotations

import errno
import os

import pytest

from dischargedesk import output
from dischargedesk.errors import OutputError

PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n"


def test_writes_all_files(tmp_path):
    paths = output.write_files_atomic(tmp_path, [("a.pdf", PDF), ("b.pdf", PDF)])
    assert [p.read_bytes() for p in paths] == [PDF, PDF]
    assert sorted(os.listdir(tmp_path)) == ["a.pdf", "b.pdf"]


def test_refuses_incomplete_pdf(tmp_path):
    with pytest.raises(OutputError, match="incomplete"):
        output.write_files_atomic(tmp_path, [("a.pdf", b"%PDF-1.4 trunc")])
    assert os.listdir(tmp_path) == []


def test_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="not there"):
        output.write_files_atomic(tmp_path / "gone", [("a.pdf", PDF)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission"):
            output.write_files_atomic(tmp_path, [("a.pdf", PDF)])
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "disk is full"),
    (errno.EACCES, "permission"),
    (errno.EROFS, "permission"),
    (errno.EBUSY, "open in another program"),
    (errno.EIO, "could not be saved"),
])
def test_failures_clean_up_and_keep_old_file(tmp_path, monkeypatch, code, words):
    old = tmp_path / "a.pdf"
    old.write_bytes(b"old")
    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(OutputError, match=words):
        output.write_files_atomic(tmp_path, [("a.pdf", PDF)])
    assert old.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["a.pdf"]  # no temp left behind
    monkeypatch.setattr(output.os, "replace", real_replace)
    output.write_files_atomic(tmp_path, [("a.pdf", PDF)])  # retry works
    assert old.read_bytes() == PDF


def test_disk_full_during_write(tmp_path, monkeypatch):
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(OutputError, match="disk is full"):
        output.write_files_atomic(tmp_path, [("a.pdf", PDF), ("b.pdf", PDF)])
    assert os.listdir(tmp_path) == []
    monkeypatch.setattr(output.os, "fsync", real_fsync)


# -- all or nothing: never one patient's handout beside another patient's ------------------

def pdf(tag: str) -> bytes:
    return f"%PDF-1.4\n% {tag}\n1 0 obj << /Type /Page >> endobj\n%%EOF\n".encode()


PAIR_A = [("discharge.pdf", pdf("patient A discharge")), ("recovery.pdf", pdf("patient A plan"))]
PAIR_B = [("discharge.pdf", pdf("patient B discharge")), ("recovery.pdf", pdf("patient B plan"))]


def folder_state(folder):
    """'A' or 'B' when the folder holds exactly that patient's pair, 'empty', else the mess."""
    names = sorted(os.listdir(folder))
    if not names:
        return "empty"
    if names == ["discharge.pdf", "recovery.pdf"]:
        contents = [(folder / n).read_bytes() for n in names]
        for label, pair in (("A", PAIR_A), ("B", PAIR_B)):
            if contents == [data for _, data in pair]:
                return label
    return {n: (folder / n).read_bytes()[:40] if (folder / n).is_file() else "dir"
            for n in names}


def test_a_rename_failing_at_any_step_keeps_the_old_pair(tmp_path, monkeypatch):
    real_replace = os.replace
    for fail_at in range(1, 6):
        folder = tmp_path / str(fail_at)
        folder.mkdir()
        output.write_files_atomic(folder, PAIR_A)
        calls = []

        def replace(src, dst, fail_at=fail_at, calls=calls):
            calls.append(dst)
            if len(calls) == fail_at:
                raise OSError(errno.EBUSY, "in use")
            return real_replace(src, dst)

        monkeypatch.setattr(output.os, "replace", replace)
        try:
            output.write_files_atomic(folder, PAIR_B)
        except OutputError as exc:
            assert "open in another program" in str(exc)
            assert folder_state(folder) == "A"
        else:
            assert folder_state(folder) == "B"  # fewer renames than fail_at
        monkeypatch.setattr(output.os, "replace", real_replace)


def _immutable(path, on: bool) -> bool:
    import subprocess

    r = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return r.returncode == 0


def test_second_file_held_by_the_os_keeps_the_old_pair(tmp_path):
    """The real condition (Windows: the plan is open in a viewer; here: chattr +i, which even
    root cannot rename): the old code put patient B's instructions beside A's plan."""
    output.write_files_atomic(tmp_path, PAIR_A)
    held = tmp_path / "recovery.pdf"
    if not _immutable(held, True):
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(OutputError, match="permission"):
            output.write_files_atomic(tmp_path, PAIR_B)
    finally:
        _immutable(held, False)
    assert folder_state(tmp_path) == "A"
    output.write_files_atomic(tmp_path, PAIR_B)  # released: the retry writes the whole pair
    assert folder_state(tmp_path) == "B"


def test_a_folder_in_the_way_changes_nothing(tmp_path):
    (tmp_path / "recovery.pdf").mkdir()
    with pytest.raises(OutputError, match=r"folder named recovery\.pdf"):
        output.write_files_atomic(tmp_path, PAIR_B)
    assert sorted(os.listdir(tmp_path)) == ["recovery.pdf"]
    assert (tmp_path / "recovery.pdf").is_dir()


_KILL_AT_STEP = r"""
import os, sys
from pathlib import Path
from dischargedesk import output
folder, step = Path(sys.argv[1]), int(sys.argv[2])
pair = [(n, bytes.fromhex(d)) for n, d in zip(sys.argv[3::2], sys.argv[4::2])]
count = 0
def dies_at_step(f):
    def call(*a, **kw):
        global count
        count += 1
        if count == step:
            os._exit(9)  # like kill -9: no cleanup, no finally
        return f(*a, **kw)
    return call
for name in ("open", "write", "fsync", "replace", "rename", "unlink", "close"):
    setattr(os, name, dies_at_step(getattr(os, name)))
output.write_files_atomic(folder, pair)
"""


def _run_killed_at(folder, step, pair):
    import subprocess
    import sys

    args = [a for name, data in pair for a in (name, data.hex())]
    return subprocess.run([sys.executable, "-c", _KILL_AT_STEP, str(folder), str(step), *args],
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                          capture_output=True, timeout=60).returncode


@pytest.mark.parametrize("before", ["A", "empty"])
def test_killed_at_any_step_the_next_run_restores_one_patients_pair(tmp_path, before):
    """The process dies before each file-system call in turn (os._exit in the test's own
    child process); whatever it left, the next run leaves exactly the old pair or the new
    one, and no temp file with patient data."""
    step, results = 0, []
    while True:
        step += 1
        folder = tmp_path / f"step{step}"
        folder.mkdir()
        if before == "A":
            output.write_files_atomic(folder, PAIR_A)
        code = _run_killed_at(folder, step, PAIR_B)
        left = folder_state(folder)
        output.clean_folder(folder)  # what the next run (app start, next write) does
        results.append((step, left, folder_state(folder)))
        assert folder_state(folder) in (before, "B"), results[-1]
        if code == 0:
            break
        assert step < 60
    assert any(after == before for _, _, after in results)
    assert any(isinstance(left, dict) for _, left, _ in results)  # mess left, then cleaned


def test_kill_9_during_a_slow_write_leaves_nothing_the_next_run_keeps(tmp_path):
    """A real SIGKILL while two large handouts are being written."""
    import signal
    import subprocess
    import sys
    import time

    hexed = [(n, d.hex()) for n, d in PAIR_B]
    script = ("import sys; from pathlib import Path; from dischargedesk import output\n"
              "pad = b'%' * 80_000_000 + b'\\n%%EOF\\n'\n"
              f"pair = [(n, bytes.fromhex(h)[:-6] + pad) for n, h in {hexed!r}]\n"
              "output.write_files_atomic(Path(sys.argv[1]), pair)\n")
    output.write_files_atomic(tmp_path, PAIR_A)
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    deadline = time.monotonic() + 30
    while not any(n.startswith(".dischargedesk-") and n.endswith(".new.tmp")
                  for n in os.listdir(tmp_path)):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)  # while 160 MB are still being written
    proc.wait()
    stale = [n for n in os.listdir(tmp_path) if n.startswith(".dischargedesk-")]
    assert stale, "the kill came too late to test anything"
    output.clean_folder(tmp_path)
    assert folder_state(tmp_path) in ("A", "B")


def test_the_next_write_removes_a_stale_temp_left_by_an_older_version(tmp_path):
    stale = tmp_path / ".dischargedesk-k2j4h5g6.tmp"  # the old naming (tempfile.mkstemp)
    stale.write_bytes(pdf("patient C, whole handout"))
    old = time_ago(output.LEGACY_STALE_S + 5)
    os.utime(stale, (old, old))
    output.write_files_atomic(tmp_path, PAIR_A)
    assert folder_state(tmp_path) == "A"


def time_ago(seconds: float) -> float:
    import time

    return time.time() - seconds


_LIVE_WRITER = r"""
import os, sys, time
from pathlib import Path
from dischargedesk import output
real = os.replace
def slow(src, dst):
    print("committing", flush=True)
    time.sleep(1)
    return real(src, dst)
os.replace = slow
output.write_files_atomic(Path(sys.argv[1]), [("other.pdf", bytes.fromhex(sys.argv[2]))])
"""


def test_a_write_still_running_in_another_window_is_left_alone(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _LIVE_WRITER, str(tmp_path),
                             pdf("patient D").hex()], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout is not None and proc.stdout.readline() == "committing\n"
    output.write_files_atomic(tmp_path, PAIR_A)  # runs clean_folder on the same folder
    assert proc.wait(timeout=30) == 0
    proc.stdout.close()
    names = sorted(os.listdir(tmp_path))
    assert names == ["discharge.pdf", "other.pdf", "recovery.pdf"]
    assert (tmp_path / "other.pdf").read_bytes() == pdf("patient D")
