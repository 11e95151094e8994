"""Windows habits, files: a report open in Excel, an antivirus scanning a new file, the log
held open by a second process (the app and a scheduled perisai-agent-cli) while it rotates.

Windows refuses to move or rename over a file another process holds open (a sharing
violation, PermissionError); Linux never does. These tests make ``os.replace`` /
``os.rename`` answer the way Windows does, the one thing that cannot run here.
"""

from __future__ import annotations

import logging
import os

import pytest

from agent_app import files
from agent_app.files import FileInUse, atomic_write_text
from agent_app.logs import SharedRotatingFileHandler, setup_logging


def _windows_locks(monkeypatch, function: str, locked, *, times: int | None = None):
    """``os.<function>`` fails like Windows for paths ``locked(path)`` accepts (``times``
    times, or always); returns the list of refused calls."""
    real = getattr(os, function)
    refused: list[str] = []

    def guarded(src, dst, *args, **kwargs):
        if locked(str(dst)) and (times is None or len(refused) < times):
            refused.append(str(dst))
            raise PermissionError(13, "The process cannot access the file because it is being used "
                                      "by another process", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, function, guarded)
    return refused


def test_an_export_open_in_excel_is_left_intact_and_the_person_told(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "REPLACE_PAUSE_S", 0.01)
    report = tmp_path / "Laporan Harian.csv"
    report.write_text("old report\n", encoding="utf-8")
    refused = _windows_locks(monkeypatch, "replace", lambda dst: dst == str(report))
    with pytest.raises(FileInUse) as info:
        atomic_write_text(report, "new report\n")
    assert len(refused) == files.REPLACE_ATTEMPTS
    assert report.read_text(encoding="utf-8") == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Laporan Harian.csv"]  # no temp file left
    assert "Excel" in info.value.strerror and info.value.filename == str(report)
    assert isinstance(info.value, OSError)  # the GUI's error display says "could not be written: ..."


def test_a_file_an_antivirus_holds_for_a_moment_is_still_written(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "REPLACE_PAUSE_S", 0.01)
    receipt = tmp_path / "Kuitansi-PA-7371-26-000001.pdf"
    refused = _windows_locks(monkeypatch, "replace", lambda dst: dst == str(receipt), times=2)
    atomic_write_text(receipt, "%PDF-1.4\n")
    assert len(refused) == 2
    assert receipt.read_text(encoding="utf-8") == "%PDF-1.4\n"


def test_the_log_keeps_every_line_while_another_process_holds_it_open(tmp_path, monkeypatch):
    monkeypatch.setattr(SharedRotatingFileHandler, "RETRY_S", 0.0)  # try again at every line
    log_path = setup_logging(tmp_path / "logs", max_bytes=2_000, backup_count=2)
    log = logging.getLogger("perisai.test.rotation")
    real_rename = os.rename
    try:
        refused = _windows_locks(monkeypatch, "rename", lambda dst: dst.startswith(str(log_path)))
        for i in range(200):
            log.info("line %04d of a long working day at the counter", i)
        assert refused, "the log was meant to rotate"
        monkeypatch.setattr(os, "rename", real_rename)  # the other process has exited
        log.info("after the other process left")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        setup_logging(tmp_path / "other-logs")  # let go of the files
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(log_path.parent.glob("perisai-agent.log*")))
    assert all(f"line {i:04d}" in text for i in range(200)), "lines were lost while rotation failed"
    assert "after the other process left" in text
    assert (log_path.parent / "perisai-agent.log.1").exists()
