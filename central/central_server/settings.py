"""Server settings: everything a deployment or a test may change, in one place."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import perisai_protocol as protocol

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE_DIR = REPO_ROOT / "resources" / "reference"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    # SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg2://user:pw@host/db
    database_url: str = "sqlite:///perisai-central.db"
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=90)
    # A refresh token presented again within this window after its rotation gets the same
    # new pair again, as long as that pair's refresh token was never used (the answer to
    # the first refresh was lost on a 2G link and the device retries at a later round).
    # After it, or once the new token was used, it looks stolen: every session ends.
    refresh_reuse_grace: timedelta = timedelta(hours=24)
    clock: Callable[[], datetime] = utcnow  # injectable for tests; must return aware UTC
    # Sign-in delays (central_server.signin): the failures in a row of one (username,
    # client) pair that cost nothing, and how long a failure is remembered.
    login_free_attempts: int = 3
    login_failure_window: timedelta = timedelta(hours=24)
    max_body_bytes: int = protocol.MAX_BODY_BYTES  # push body after decompression
    max_wire_bytes: int = 4 * 1024 * 1024  # push body as received (gzip or plain)
    max_request_bytes: int = 64 * 1024  # the body of any other request (sign-in, receipts)
    # Tombstones older than this are pruned; a pull cursor older than the newest pruned
    # tombstone gets 410 "cursor_expired" (the client then resyncs from 0).
    change_retention: timedelta = timedelta(days=365)
    pull_default_limit: int = 500
    pull_max_limit: int = 2000
    reference_dir: Path = DEFAULT_REFERENCE_DIR
    min_app_version: str = "0.1.0"  # older apps get 426 "upgrade_required"
    latest_app_version: str | None = None
    download_url: str | None = None
    echo_sql: bool = False
    # Database connections of one server process, and so the requests it works on at once
    # (the others wait their turn without holding a thread): a batch is mostly Python, so
    # a few keep the CPU busy while one waits on the database, and more only share it.
    db_connections: int = 4
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Settings from PERISAI_SERVER_* environment variables, then explicit overrides."""
        env = os.environ
        values: dict = {}
        if env.get("PERISAI_SERVER_DB"):
            values["database_url"] = env["PERISAI_SERVER_DB"]
        for name in ("min_app_version", "latest_app_version", "download_url"):
            key = "PERISAI_SERVER_" + name.upper()
            if env.get(key):
                values[name] = env[key]
        if env.get("PERISAI_SERVER_REFERENCE_DIR"):
            values["reference_dir"] = Path(env["PERISAI_SERVER_REFERENCE_DIR"])
        seconds = {
            "access_ttl": "PERISAI_SERVER_ACCESS_TTL_SECONDS",
            "refresh_ttl": "PERISAI_SERVER_REFRESH_TTL_SECONDS",
            "refresh_reuse_grace": "PERISAI_SERVER_REFRESH_REUSE_GRACE_SECONDS",
            "change_retention": "PERISAI_SERVER_CHANGE_RETENTION_SECONDS",
            "login_failure_window": "PERISAI_SERVER_LOGIN_WINDOW_SECONDS",
        }
        for name, key in seconds.items():
            if env.get(key):
                values[name] = timedelta(seconds=float(env[key]))
        ints = {
            "login_free_attempts": "PERISAI_SERVER_LOGIN_FREE_ATTEMPTS",
            "max_body_bytes": "PERISAI_SERVER_MAX_BODY_BYTES",
            "max_wire_bytes": "PERISAI_SERVER_MAX_WIRE_BYTES",
            "max_request_bytes": "PERISAI_SERVER_MAX_REQUEST_BYTES",
            "db_connections": "PERISAI_SERVER_DB_CONNECTIONS",
        }
        for name, key in ints.items():
            if env.get(key):
                values[name] = int(env[key])
        values.update(overrides)
        return cls(**values)
