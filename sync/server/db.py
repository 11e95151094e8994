"""Engine factory, schema creation and small transactional helpers."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine, select

from sync import protocol
from sync.server.models import Counter, ServerModel

COUNTERS = ("kpj", "change", "registration")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a SQLite file or PostgreSQL.

    SQLite: WAL, synchronous=FULL, foreign keys on, and every transaction begins with
    BEGIN IMMEDIATE, so two writers never deadlock on a lock upgrade; the busy timeout
    makes concurrent requests queue instead of failing.
    hide_parameters: SQL errors and echo never quote values (NIKs, password hashes).
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
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def init_db(engine: Engine) -> None:
    """Create missing tables and counters (idempotent)."""
    ServerModel.metadata.create_all(engine)
    with Session(engine) as session:
        existing = set(session.exec(select(Counter.name)).all())
        for name in COUNTERS:
            if name not in existing:
                session.add(Counter(name=name, value=0))
        session.commit()


def next_value(session: Session, name: str, step: int = 1) -> int:
    """Add ``step`` to a counter and return the new value (the last of the ``step`` values
    taken). The UPDATE holds the row lock until the transaction ends, which serialises
    concurrent users of the same counter."""
    # Core statement on the table: the counter is never held as an ORM object, and an
    # ORM-enabled UPDATE would scan every object a 500-op batch has loaded.
    table = Counter.__table__
    return session.execute(update(table).where(table.c.name == name).values(value=table.c.value + step)
                           .returning(table.c.value)).scalar_one()


def lock(session: Session, name: str) -> None:
    """Take a named lock until the end of the transaction (portable: a counter row update)."""
    next_value(session, name)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dumps(value: Any) -> str:
    return protocol.canonical_json(value)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
