"""Application logging: a size-rotated file in the user's log directory, with masking.

``setup_logging(log_dir)`` is called once by the bootstrap (GUI or CLI) with the log
directory from ``agent_app.paths``. Every record that reaches the file goes through
:class:`MaskingFilter` first, which replaces anything that looks like personal data or a
secret: 16-digit NIKs, Indonesian phone numbers, bearer tokens / JWTs, and the values of
``password=``, ``token=``, ``secret=`` (and similar) pairs, raw SQLCipher keys. The filter
masks the message, its arguments, the exception traceback text and the stack info, so a
``log.exception(...)`` on a ``ValueError(f"bad NIK {nik}")`` does not leak either.

No Qt here: the store, services and sync layers log through the standard ``logging`` module.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import time
from pathlib import Path

LOG_FILE_NAME = "perisai-agent.log"
DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_BACKUP_COUNT = 4  # the live file + 4 rotated ones = 5 files, about 5 MB at most
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"

NIK_MASK = "[NIK]"
PHONE_MASK = "[PHONE]"
SECRET_MASK = "[REDACTED]"

# A NIK: 16 digits, possibly written in groups ("7371 0101 0190 0001", "7371.0101...").
_NIK = re.compile(r"(?<![\d])(?:\d[ .-]?){15}\d(?![\d])")
# Indonesian phone numbers: mobile 08xx / 628xx / +62 8xx (10-14 digits, separators
# allowed), and any +62 number (landlines such as +62 411 ...).
_PHONE = re.compile(
    r"(?<![\w+])(?:\+62|62|0)[ .-]?\(?8(?:[ .)-]{0,2}\d){7,11}(?!\d)"
    r"|\+62(?:[ .()-]{0,2}\d){7,12}(?!\d)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]{8,}=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_RAW_KEY = re.compile(r"(?i)\bx'[0-9a-f]{16,}'")
_SECRET_KEYS = (
    r"password|passwd|pwd|new_password|old_password|secret|client_secret|token|access_token|"
    r"refresh_token|auth_token|api_key|apikey|authorization|pin|passphrase|db_key|key_hex"
)
# key=value, key: value, "key": "value", 'key': 'value', key = "value with spaces"
_SECRET_PAIR = re.compile(
    r"(?i)(?P<key>[\"']?\b(?:" + _SECRET_KEYS + r")\b[\"']?)(?P<sep>\s*[:=]\s*)"
    r"(?:(?P<q>[\"'])(?P<qs>(?:bearer|basic)\s+)?(?P<qv>.*?)(?P=q)"
    r"|(?P<s>(?:bearer|basic)\s+)?(?P<v>[^\s&,;})\]]+))"
)


def _secret_pair(match: re.Match[str]) -> str:
    quote = match.group("q") or ""
    scheme = match.group("qs") or match.group("s") or ""
    return f"{match.group('key')}{match.group('sep')}{quote}{scheme}{SECRET_MASK}{quote}"


def mask(text: str) -> str:
    """Return ``text`` with personal data and secrets replaced by placeholders."""
    if not text:
        return text
    text = _SECRET_PAIR.sub(_secret_pair, text)
    text = _JWT.sub(SECRET_MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{SECRET_MASK}", text)
    text = _RAW_KEY.sub(SECRET_MASK, text)
    text = _NIK.sub(NIK_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return text


class MaskingFilter(logging.Filter):
    """Rewrite a record so its message, traceback and stack carry no personal data."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotation that survives a second process holding the log open.

    The app and a scheduled ``perisai-agent-cli sync`` write the same file; Windows refuses
    to rename a file another process has open, and the standard handler then loses every
    record that asks for a rotation. Here the failed rotation is given up: writing goes on
    in the current file and rotation is tried again a minute later.
    """

    RETRY_S = 60.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rotate_after = 0.0

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        if time.monotonic() < self._rotate_after:
            return False
        return bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        try:
            super().doRollover()
        except OSError:
            self._rotate_after = time.monotonic() + self.RETRY_S
            if self.stream is None:
                self.stream = self._open()


def _is_ours(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_perisai_handler", False))


def is_configured() -> bool:
    """True once :func:`setup_logging` has installed its file handler."""
    return any(_is_ours(h) for h in logging.getLogger().handlers)


def current_log_path() -> Path | None:
    """The file :func:`setup_logging` writes to (None when logging is not set up)."""
    for handler in logging.getLogger().handlers:
        if _is_ours(handler) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def setup_logging(
    log_dir: Path,
    *,
    level: int = logging.INFO,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backup_count: int = DEFAULT_BACKUP_COUNT,
    console: bool = False,
) -> Path:
    """Log to ``log_dir/perisai-agent.log`` (rotated) and return that file's path.

    Idempotent: calling it again (tests, a second window) replaces the handlers it
    installed before instead of adding duplicates. ``console=True`` also logs to stderr
    (when there is one: a windowed frozen app has none), masked the same way.
    """
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / LOG_FILE_NAME

    root = logging.getLogger()
    for handler in list(root.handlers):
        if _is_ours(handler):
            root.removeHandler(handler)
            handler.close()

    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = SharedRotatingFileHandler(
        log_path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console and sys.stderr is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(MaskingFilter())
        handler._perisai_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return log_path


def shutdown_logging() -> None:
    """Close and remove the handlers installed by :func:`setup_logging` (tests, exit)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if _is_ours(handler):
            root.removeHandler(handler)
            handler.close()
    logging.captureWarnings(False)
