"""Fixtures of the sync end-to-end tests: the real reference server in a subprocess on
127.0.0.1 (``central_server.testing.run_server`` when present), real SQLite devices made with
``AgentCore``, and an in-memory keyring.

    central          -> Central(base_url, db_url, tmp): a running server with agents seeded
    device(name)     -> Device: an AgentCore in tmp_path/<name> signed in online as an agent
    register(dev, i) -> Worker registered through the real service
    server_ops(central) / invariants(...) helpers below
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import keyring
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from agent_app.services.base import WITA, FixedClock  # noqa: E402
from sync.credentials import TokenStore  # noqa: E402
from tests.helpers.keyring import MemoryKeyring  # noqa: E402

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
KECAMATAN = "7371010"  # Mariso
KELURAHAN = "73710101001"  # Bontorannu
PASSWORD = "rahasia-agen-2026"
AGENTS = ("agen1", "agen2", "agen3")


# --- the server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_agents(db_url: str, names=AGENTS, role: str = "agent") -> None:
    from tests.helpers.central import seed_user

    for name in names:
        seed_user(db_url, name, PASSWORD, role=role, kecamatan=KECAMATAN, full_name=f"Agen {name}")


@contextlib.contextmanager
def start_server(tmp: Path, seed: bool = True, **overrides):
    """The reference server on 127.0.0.1 in a subprocess; yields (base_url, db_url)."""
    from tests.helpers.central import run_server

    tmp.mkdir(parents=True, exist_ok=True)
    with run_server(tmp, **overrides) as url:
        if seed:
            seed_agents(url.db_url)
        yield str(url), url.db_url


@dataclass
class Central:
    base_url: str
    db_url: str
    tmp: Path

    def engine(self):
        from sqlalchemy import create_engine

        return create_engine(self.db_url)

    def query(self, sql: str, **params):
        from sqlalchemy import text

        engine = self.engine()
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).fetchall()
        finally:
            engine.dispose()


class Centre:
    """The reference server on a fixed port and SQLite file, restartable: stopped, backed
    up and restored as its operators would."""

    def __init__(self, tmp: Path) -> None:
        from tests.helpers.central import free_port

        self.tmp = tmp
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.path = tmp / "central.db"
        self.db_url = f"sqlite:///{self.path}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"

    @contextlib.contextmanager
    def running(self):
        from tests.helpers.central import run_server

        with run_server(self.tmp, port=self.port, db_url=self.db_url):
            yield Central(self.base_url, self.db_url, self.tmp)

    def backup(self, to: Path) -> None:
        from tests.helpers.central import copy_sqlite

        copy_sqlite(self.path, to)

    def restore(self, backup: Path) -> None:
        from tests.helpers.central import copy_sqlite

        copy_sqlite(backup, self.path)

    def new_epoch(self) -> str:
        """What the operators run after a restore: ``perisai-server new-epoch``."""
        import subprocess

        done = subprocess.run([sys.executable, "-m", "central_server", "new-epoch", "--db",
                               self.db_url], capture_output=True, text=True, timeout=60,
                              cwd=REPO, check=True)
        return done.stdout.strip().rsplit(" ", 1)[-1]


@pytest.fixture(scope="session")
def central(tmp_path_factory, cheap_password_hashing):
    tmp = tmp_path_factory.mktemp("central")
    with start_server(tmp) as (base_url, db_url):
        yield Central(base_url, db_url, tmp)


@pytest.fixture(scope="session")
def cheap_password_hashing():
    """argon2 at test strength (the hash carries its parameters, so the server subprocess
    verifies the seeded users cheaply too): the sync tests are not about passwords."""
    from argon2 import PasswordHasher

    import agent_app.services.users as users
    import central_server.auth as server_auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    saved = users._hasher, server_auth._hasher
    users._hasher = server_auth._hasher = cheap
    yield
    users._hasher, server_auth._hasher = saved


@pytest.fixture(autouse=True)
def memory_keyring(request):
    if not request.module.__name__.rsplit(".", 1)[-1].startswith("test_sync"):
        yield None  # only the sync tests (this conftest also serves other e2e tests)
        return
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- devices ---------------------------------------------------------------------------


@dataclass
class Device:
    name: str
    core: object
    base_url: str
    username: str
    user: object
    clock: FixedClock
    serial: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def db(self):
        return self.core.db

    def engine(self, client=None, **kw):
        import random

        from sync.client import SyncClient
        from sync.headless import make_engine

        kw.setdefault("backoff_base", 0.001)
        kw.setdefault("backoff_cap", 0.01)
        return make_engine(self.core, self.base_url, self.username,
                           client=client or SyncClient(self.base_url, connect_timeout=2,
                                                       read_timeout=5, deadline=20),
                           tokens=TokenStore(self.base_url), rng=random.Random(7), **kw)


def open_device(tmp: Path, name: str, base_url: str, username: str = "agen1") -> Device:
    from agent_app.services.core import AgentCore
    from sync import headless

    clock = FixedClock(NOW)
    core = AgentCore.open(tmp / name / "p.db", clock=clock)
    out = open(os.devnull, "w")
    try:
        rc = headless.login(core, base_url, username, PASSWORD, out=out)
    finally:
        out.close()
    assert rc == 0, rc
    user = core.users.authenticate(username, PASSWORD)
    return Device(name, core, base_url, username, user, clock)


def reopen_device(dev: Device) -> Device:
    from agent_app.services.core import AgentCore

    path = dev.core.db.path
    dev.core.close()
    core = AgentCore.open(path, clock=dev.clock)
    user = core.users.authenticate(dev.username, PASSWORD)
    return Device(dev.name, core, dev.base_url, dev.username, user, dev.clock, dev.serial)


@pytest.fixture
def device(tmp_path, central):
    opened: list[Device] = []

    def make(name: str = "a", username: str = "agen1", base_url: str | None = None) -> Device:
        dev = open_device(tmp_path, name, base_url or central.base_url, username)
        opened.append(dev)
        return dev

    yield make
    for dev in opened:
        with contextlib.suppress(Exception):
            dev.core.close()


def nik_for(birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"737101{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def _letters(n: int) -> str:
    syllables = ["ba", "ce", "di", "fo", "gu", "ha", "ji", "ko", "lu", "ma"]
    return "".join(syllables[int(d)] for d in str(n)).capitalize()


def register(dev: Device, serial: int | None = None, *, name: str | None = None,
             birth: date = date(1988, 3, 14), sex: str = "M"):
    from agent_app.services.workers import RegistrationForm

    if serial is None:
        dev.serial += 1
        serial = dev.serial + zlib.crc32(dev.name.encode()) % 90 * 100
    form = RegistrationForm(
        nik=nik_for(birth, sex, serial), full_name=name or f"Daeng {_letters(serial)}",
        birth_date=birth, sex=sex, phone="081234567890", address="Jl. Nuri",
        kelurahan_code=KELURAHAN, occupations=["Pedagang pasar"], declared_income=1_500_000,
        consent_given=True,
    )
    return dev.core.workers.register(dev.user, form)


def pay(dev: Device, worker_id: str, months: int = 1):
    return dev.core.payments.collect(dev.user, worker_id, months, "cash")


# --- invariants ------------------------------------------------------------------------


def local_ops(dev: Device) -> dict[str, str]:
    from sqlmodel import select

    from agent_app.store.models import OutboxOp

    with dev.db.read() as s:
        return {op.op_id: op.state for op in s.exec(select(OutboxOp))}


def server_op_ids(central: Central) -> list[str]:
    return [r[0] for r in central.query("SELECT op_id FROM applied_ops")]


def check_drained(devices: list[Device], central: Central) -> dict:
    """Nothing lost, nothing duplicated, nothing stuck, store intact."""
    server = server_op_ids(central)
    assert len(server) == len(set(server)), "an op applied twice on the server"
    server_set = set(server)
    summary = {"local": 0, "acked": 0}
    for dev in devices:
        assert dev.db.integrity_check() == "ok"
        ops = local_ops(dev)
        stuck = {k: v for k, v in ops.items() if v in ("pending", "in_flight")}
        assert not stuck, f"{dev.name}: {len(stuck)} ops still queued"
        for op_id, state in ops.items():
            if state in ("acked", "needs_review"):
                assert op_id in server_set, f"{dev.name}: acked op {op_id} not on the server"
        summary["local"] += len(ops)
        summary["acked"] += sum(1 for v in ops.values() if v in ("acked", "needs_review"))
    return summary
