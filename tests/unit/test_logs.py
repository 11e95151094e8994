"""agent_app.logs: nothing personal or secret reaches the log file; the file rotates."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent_app import logs

NIK = "7371010101900001"
PHONES = ["081234567890", "0812-3456-7890", "+6281234567890", "+62 812 3456 7890", "6281234567890",
          "+62 411 123456"]


@pytest.fixture
def log_file(tmp_path: Path):
    path = logs.setup_logging(tmp_path / "logs")
    yield path
    logs.shutdown_logging()


def read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "leak", "expected"),
    [
        (f"registered NIK {NIK}", NIK, "registered NIK [NIK]"),
        ("nik=7371 0101 0190 0001 ok", "0190", "nik=[NIK] ok"),
        *[(f"phone {p} saved", p, "phone [PHONE] saved") for p in PHONES],
        ("Authorization: Bearer abc.def-ghi_jkl123", "abc.def", None),
        ("headers={'Authorization': 'Bearer s3cr3tT0ken'}", "s3cr3tT0ken", None),
        ("login password=hunter22&user=ana", "hunter22", "login password=[REDACTED]&user=ana"),
        ("{'username': 'ana', 'password': 'rahasia sekali'}", "rahasia", None),
        ('{"refresh_token": "r-123456789"}', "r-123456789", None),
        ("PRAGMA key = \"x'00112233445566778899aabbccddeeff'\"", "00112233", None),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefgh sent", "eyJhbGci", None),
    ],
)
def test_mask_removes_personal_data_and_secrets(raw: str, leak: str, expected: str | None) -> None:
    masked = logs.mask(raw)
    assert leak not in masked
    if expected is not None:
        assert masked == expected


@pytest.mark.parametrize(
    "harmless",
    [
        "synced 12 operations in 0.53 s",
        "month 2026-11 fee Rp 16800",
        "receipt MKS-0001-000123",
        "device 3f2a1b4c-9d8e-4f00-8a1b-2c3d4e5f6071",
        "token expired, signing in again",
        "schema version 7 -> 8",
    ],
)
def test_mask_keeps_ordinary_text(harmless: str) -> None:
    assert logs.mask(harmless) == harmless


def test_file_never_receives_nik_phone_or_secret(log_file: Path) -> None:
    log = logging.getLogger("agent_app.services.workers")
    log.info("registered worker nik=%s phone=%s", NIK, "081234567890")
    log.warning("sync login with password=%s token=%s", "hunter22", "abcdef123456")
    try:
        raise ValueError(f"duplicate NIK {NIK} for +6281234567890")
    except ValueError:
        log.exception("registration failed")
    logging.getLogger("sync.client").error("401 for Authorization: Bearer %s", "eyJabc.def.ghi-secret")

    text = read(log_file)
    for leak in (NIK, "081234567890", "6281234567890", "hunter22", "abcdef123456", "eyJabc"):
        assert leak not in text
    assert "registered worker nik=[NIK] phone=[PHONE]" in text
    assert "Traceback (most recent call last)" in text
    assert "ValueError: duplicate NIK [NIK] for [PHONE]" in text
    assert "agent_app.services.workers" in text


def test_bad_format_arguments_are_still_logged_and_masked(log_file: Path) -> None:
    logging.getLogger("x").info("two args %s %s", NIK)  # a bug in a caller's format string
    text = read(log_file)
    assert NIK not in text
    assert "two args" in text


def test_rotation_keeps_five_files_of_bounded_size(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path, max_bytes=10_000, backup_count=4)
    try:
        log = logging.getLogger("agent_app.rotation")
        for i in range(2_000):
            log.info("line %05d %s", i, "x" * 60)
    finally:
        logs.shutdown_logging()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [logs.LOG_FILE_NAME] + [f"{logs.LOG_FILE_NAME}.{i}" for i in range(1, 5)]
    assert all((tmp_path / f).stat().st_size <= 10_000 for f in files)
    # the newest line is in the live file, the oldest ones were dropped
    assert "line 01999" in path.read_text(encoding="utf-8")
    assert "line 00000" not in "".join((tmp_path / f).read_text(encoding="utf-8") for f in files)


def test_default_rotation_is_five_files_of_one_megabyte(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path)
    try:
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_perisai_handler", False)]
        assert len(ours) == 1
        assert ours[0].maxBytes == 1_000_000 and ours[0].backupCount == 4
    finally:
        logs.shutdown_logging()


def test_setup_twice_does_not_duplicate_lines(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path)
    path = logs.setup_logging(tmp_path)
    try:
        logging.getLogger("dup").warning("only once")
        assert read(path).count("only once") == 1
    finally:
        logs.shutdown_logging()


def test_level_is_respected(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path, level=logging.WARNING)
    try:
        logging.getLogger("lvl").info("quiet")
        logging.getLogger("lvl").warning("loud")
        text = read(path)
        assert "loud" in text and "quiet" not in text
    finally:
        logs.shutdown_logging()
