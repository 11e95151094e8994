"""Helpers for tests that need a real central server (server and client engineers' e2e).

    from tests.helpers.central import run_server, seed_user, login

    def test_sync(tmp_path):
        with run_server(tmp_path, access_ttl_seconds=60) as base_url:
            seed_user(base_url.db_url, "agen.satu", "rahasia-123", kecamatan="7371100")
            tokens = login(base_url, "agen.satu", "rahasia-123", "device-0001")
            ...

run_server starts ``python -m central_server serve`` in a subprocess on 127.0.0.1 with a
fresh SQLite file in tmp_path (or db_url=...), waits for GET /v1/health and stops it on exit.
Setting overrides go to the subprocess as PERISAI_SERVER_<NAME> environment variables:
access_ttl_seconds, refresh_ttl_seconds, change_retention_seconds, login_window_seconds,
login_free_attempts, max_body_bytes, max_wire_bytes, max_request_bytes, min_app_version,
latest_app_version, download_url, reference_dir. ``forwarded_allow_ips`` names the
addresses whose X-Forwarded-For the server believes (``serve --forwarded-allow-ips``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from sqlmodel import Session

from central_server import admin
from central_server.reference import load_regions
from central_server.settings import Settings
from tests.helpers.samples import (  # noqa: F401  (re-exported for tests)
    BAROMBONG,
    BONTORANNU,
    MARISO,
    TAMALATE,
    make_nik,
    make_op,
    payment_payload,
    push_body,
    void_payload,
    worker_payload,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

SETTING_ENV = {
    "access_ttl_seconds", "refresh_ttl_seconds", "change_retention_seconds", "login_window_seconds",
    "login_free_attempts", "max_body_bytes", "max_wire_bytes", "max_request_bytes", "min_app_version",
    "latest_app_version", "download_url", "reference_dir", "db_connections",
}


class ServerURL(str):
    """The base URL ("http://127.0.0.1:PORT"), carrying db_url, log_path and the process."""

    db_url: str
    log_path: Path
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def run_server(tmp_path: Path, *, port: int | None = None, db_url: str | None = None,
               workers: int = 1, startup_timeout: float = 30.0, forwarded_allow_ips: str | None = None,
               **overrides: Any) -> Iterator[ServerURL]:
    unknown = set(overrides) - SETTING_ENV
    if unknown:
        raise TypeError(f"unknown setting overrides: {sorted(unknown)}")
    tmp_path = Path(tmp_path)
    port = port or free_port()
    db_url = db_url or f"sqlite:///{tmp_path / 'central.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERISAI_SERVER_")}
    env.update({f"PERISAI_SERVER_{k.upper()}": str(v) for k, v in overrides.items()})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    log_path = tmp_path / f"central-server-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "central_server", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--db", db_url, "--log-level", "info", "--workers", str(workers),
             *(["--forwarded-allow-ips", forwarded_allow_ips] if forwarded_allow_ips else [])],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(REPO_ROOT))
    url = ServerURL(f"http://127.0.0.1:{port}")
    url.db_url, url.log_path, url.process = db_url, log_path, proc
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"central server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"central server not ready after {startup_timeout}s:\n"
                                   f"{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def copy_sqlite(source: Path, target: Path) -> None:
    """A stopped server's SQLite file (its WAL included) copied with SQLite's backup API,
    over whatever ``target`` held: a backup, or a restore."""
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def seed_user(db_url: str, username: str, password: str, *, role: str = "agent", kecamatan: str | None = TAMALATE,
              kelurahan: str | None = None, full_name: str | None = None,
              wadah: str | None = "Koperasi Perisai Makassar") -> str:
    """Create a user directly in the server database (works while the server runs); returns its id."""
    engine = admin.open_db(db_url)
    try:
        with Session(engine) as session:
            user = admin.add_user(session, load_regions(Settings().reference_dir), username=username,
                                  password=password, role=role, full_name=full_name or username, wadah=wadah,
                                  kecamatan=kecamatan, kelurahan=kelurahan)
            session.commit()
            return user.id
    finally:
        engine.dispose()


def login(base_url: str, username: str, password: str, device_id: str, **extra: Any) -> dict[str, Any]:
    """POST /v1/auth/login and return the TokenPair JSON (raises on a non-200 answer)."""
    r = requests.post(f"{base_url}/v1/auth/login", timeout=10,
                      json={"username": username, "password": password, "device_id": device_id, **extra})
    r.raise_for_status()
    return r.json()
