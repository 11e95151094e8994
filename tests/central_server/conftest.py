"""Fixtures for the central server tests.

Every test gets a fresh database: a SQLite file in tmp_path, and also PostgreSQL when
PERISAI_TEST_PG_URL is set (the "postgresql" variants are skipped with a reason otherwise;
each such test starts from dropped-and-recreated tables, so use a throwaway database).
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

# Cheap argon2id parameters (real argon2, 1 MiB, 1 pass): the default costs ~0.7 s per hash
# on a loaded 2-core machine. Set before central_server.auth is imported; inherited by the
# servers that run_server starts.
os.environ["PERISAI_SERVER_ARGON2"] = "fast"

with warnings.catch_warnings():
    # Narrow exception to filterwarnings=error: Starlette deprecates its TestClient on top of
    # httpx in favour of httpx2, which the project does not install. Import-time only.
    warnings.filterwarnings("ignore", message=r".*install `httpx2` instead", category=UserWarning)
    from fastapi.testclient import TestClient

from central_server import admin
from central_server.app import create_app
from central_server.db import make_engine
from central_server.models import ServerModel
from central_server.reference import load_regions
from central_server.settings import Settings
from tests.helpers.samples import TAMALATE, push_body

from .helpers import PASSWORD

PG_ENV = "PERISAI_TEST_PG_URL"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def fresh_database(kind: str, directory) -> str:
    """The URL of an empty database: a new SQLite file in ``directory``, or the PostgreSQL
    test database with its tables dropped (skips when PERISAI_TEST_PG_URL is not set)."""
    if kind == "sqlite":
        return f"sqlite:///{directory / 'central.db'}"
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL variant not run")
    engine = make_engine(url)
    ServerModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    return url


@pytest.fixture(params=DATABASES)
def db_url(request, tmp_path) -> str:
    return fresh_database(request.param, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_db_url(request, tmp_path_factory) -> str:
    """One database for a whole test module (a module that shares one server among its tests)."""
    return fresh_database(request.param, tmp_path_factory.mktemp("central"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class Central:
    """A server app in-process (TestClient) with helpers that act like a client would."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.engine = self.app.state.engine
        self.http = TestClient(self.app, raise_server_exceptions=False)
        self._clients: list[TestClient] = [self.http]
        self.regions = load_regions(settings.reference_dir)

    def http_from(self, address: str) -> TestClient:
        """A client whose requests come from ``address`` (sign-in delays are per client)."""
        client = TestClient(self.app, raise_server_exceptions=False, client=(address, 50000))
        self._clients.append(client)
        return client

    def add_user(self, username: str, *, role: str = "agent", kecamatan: str | None = TAMALATE,
                 kelurahan: str | None = None, password: str = PASSWORD) -> str:
        with Session(self.engine) as s:
            user = admin.add_user(s, self.regions, username=username, password=password, role=role,
                                  full_name=username.title(), wadah="Koperasi Perisai Makassar",
                                  kecamatan=kecamatan, kelurahan=kelurahan)
            s.commit()
            return user.id

    def login(self, username: str, device_id: str | None = None, password: str = PASSWORD) -> Agent:
        device_id = device_id or f"dev-{uuid.uuid4().hex[:12]}"
        r = self.http.post("/v1/auth/login", json={"username": username, "password": password,
                                                   "device_id": device_id})
        assert r.status_code == 200, r.text
        return Agent(self, device_id, r.json())


class Agent:
    def __init__(self, central: Central, device_id: str, tokens: dict[str, Any]) -> None:
        self.central, self.device_id, self.tokens = central, device_id, tokens
        self.seq = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def push_raw(self, body: Any, *, gzipped: bool = False, headers: dict[str, str] | None = None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h = {**self.headers, "Content-Type": "application/json", **(headers or {})}
        if gzipped:
            data = gzip.compress(data)
            h["Content-Encoding"] = "gzip"
        return self.central.http.post("/v1/push", content=data, headers=h)

    def push(self, ops: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        r = self.push_raw(push_body(self.device_id, ops), **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def pull(self, cursor: int = 0, limit: int | None = None, **params: Any):
        q = {"cursor": cursor, **({"limit": limit} if limit else {}), **params}
        return self.central.http.get("/v1/pull", params=q, headers=self.headers)

    def pull_all(self, cursor: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
        changes: list[dict[str, Any]] = []
        for _ in range(1000):
            r = self.pull(cursor, limit)
            assert r.status_code == 200, r.text
            body = r.json()
            changes += body["changes"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, cursor
        raise AssertionError("pull did not finish")


@pytest.fixture
def make_central(db_url, clock, tmp_path):
    made: list[Central] = []

    def make(**overrides: Any) -> Central:
        settings = Settings(database_url=db_url, clock=clock, **overrides)
        central = Central(settings)
        made.append(central)
        return central

    yield make
    for c in made:
        for client in c._clients:
            client.close()
        c.engine.dispose()


@pytest.fixture
def central(make_central) -> Central:
    return make_central()


@pytest.fixture
def agent(central) -> Agent:
    central.add_user("agen.satu")
    return central.login("agen.satu", "device-agen-satu")
