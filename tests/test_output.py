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
