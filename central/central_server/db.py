"""Engine factory, schema creation and small transactional helpers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Table, bindparam, event, inspect, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, create_engine, select

import perisai_protocol as protocol
from central_server.models import Counter, ServerMeta

COUNTERS = ("kpj", "change")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FIRST_RELEASE = "0001"  # the schema of the release that had no migrations yet
# Bound parameters per IN (...) list: SQLite caps the parameters of one statement.
IN_LIST_SIZE = 500


def make_engine(url: str, *, echo: bool = False, connections: int | None = None) -> Engine:
    """An engine for a SQLite file or PostgreSQL.

    SQLite: WAL, synchronous=FULL, foreign keys on, and every transaction begins with
    BEGIN IMMEDIATE, so two writers never deadlock on a lock upgrade; the busy timeout
    makes concurrent requests queue instead of failing.
    hide_parameters: SQL errors and echo never quote values (NIKs, password hashes).
    ``connections``: PostgreSQL's pool keeps that many (the server's request limit matches
    it, so no request waits for a connection while holding a thread), and may open as many
    again for a moment: a finished request's session is closed by a teardown that itself
    needs a thread, and a connection it still holds must not starve the requests queued
    before that teardown (which hung the load run).
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, hide_parameters=True,
                               connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    pool = {"pool_size": connections, "max_overflow": connections} if connections else {}
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True, **pool)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer server than this one."""


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def init_db(engine: Engine) -> None:
    """Create the schema, or upgrade it to this server's head (Alembic), then the counters.

    Idempotent, and safe when several server processes start at once: the whole run is one
    transaction that holds a lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE).
    A database the first release made (its tables, no alembic_version) is stamped at that
    release's revision, then upgraded. A database newer than this server is refused.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_id("schema-migration")})
        config = _alembic_config(conn)
        script = ScriptDirectory.from_config(config)
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise SchemaTooNew(f"database revision {current} is newer than this server "
                               f"(head {script.get_current_head()})")
        if current is None and inspect(conn).has_table(Counter.__tablename__):
            command.stamp(config, FIRST_RELEASE)
        if current != script.get_current_head():
            command.upgrade(config, "head")
    with Session(engine) as session:
        existing = set(session.exec(select(Counter.name)).all())
        for name in COUNTERS:
            if name not in existing:
                session.add(Counter(name=name, value=0))
        session.commit()


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a table model maps (SQLModel's classes do not declare ``__table__`` to type checkers)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} maps no table")
    return table


def ensure_meta(session: Session, key: str, make: Callable[[], str]) -> None:
    """A ``server_meta`` value made once (at start-up; several processes may race)."""
    if session.get(ServerMeta, key) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ServerMeta(key=key, value=make()))
    except IntegrityError:
        pass  # another process made it first


def next_value(session: Session, name: str, step: int = 1) -> int:
    """Add ``step`` to a counter and return the new value (the last of the ``step`` values
    taken). The UPDATE holds the row lock until the transaction ends, which serialises
    concurrent users of the same counter."""
    return session.execute(COUNTER_STEP, {"counter": name, "step": step}).scalar_one()


def _counter_step() -> Any:
    """Core, on the table: the counter is never held as an ORM object, and an ORM-enabled
    UPDATE would scan every object a 500-op batch has loaded. Built once: every push
    takes two counters."""
    table = table_of(Counter)
    return (update(table).where(table.c.name == bindparam("counter"))
            .values(value=table.c.value + bindparam("step", type_=BigInteger)).returning(table.c.value))


COUNTER_STEP = _counter_step()


def reserve(bind: Engine | Connection, name: str, count: int) -> list[int]:
    """Take ``count`` values of a counter in a transaction of their own, committed at once,
    so the counter's row lock is not held while the caller's longer transaction runs. A
    value whose user then rolls back is never handed out again: a gap, not a duplicate."""
    if count <= 0:
        return []
    with Session(bind) as session:
        last = next_value(session, name, count)
        session.commit()
    return list(range(last - count + 1, last + 1))


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Serialise transactions that work on the same keys (NIKs), until this one ends.

    PostgreSQL: transaction-scoped advisory locks, taken in sorted order so that two
    transactions never wait for each other in a cycle. SQLite needs none: BEGIN IMMEDIATE
    already admits one writer at a time.
    """
    ids = sorted({_lock_id(k) for k in keys})
    if not ids or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(CAST(:ids AS bigint[])) AS k "
                         "ORDER BY k) AS sorted_ids"), {"ids": ids})


def _lock_id(key: str) -> int:
    """A stable signed 64-bit id for an advisory lock (Python's hash() differs per process)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8, person=b"perisai-lock").digest(),
                          "big", signed=True)


def in_chunks(items: list, size: int = IN_LIST_SIZE) -> list[list]:
    """``items`` in slices small enough for one ``IN (...)`` list."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dumps(value: Any) -> str:
    return protocol.canonical_json(value)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
