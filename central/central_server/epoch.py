"""The epoch of the change log: which generation of the centre's database a cursor is in.

A random id kept in ``server_meta``. A new database gets a new one; a database restored
from a backup must get a new one too (``perisai-server new-epoch``, run after the
restore), and gets one by itself when a device proves the log went back: it presents the
current epoch with a cursor beyond the log's end. Devices keep the epoch with their pull
cursor; one that meets another epoch pulls its area again from the start and compares
its outbox with what the centre holds, at once (docs/PROTOCOL.md, "Epoch").
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlmodel import Session

from central_server.db import ensure_meta, table_of
from central_server.models import ServerMeta

EPOCH_KEY = "epoch"


def new_epoch() -> str:
    return secrets.token_hex(8)


def ensure_epoch(session: Session) -> None:
    """Give a new database its epoch (at start-up)."""
    ensure_meta(session, EPOCH_KEY, new_epoch)


# A plain read, built once: every push asks.
EPOCH_READ = select(table_of(ServerMeta).c.value).where(table_of(ServerMeta).c.key == EPOCH_KEY)


def current_epoch(session: Session) -> str:
    value = session.execute(EPOCH_READ).scalar_one_or_none()
    if value is None:
        raise LookupError("the database has no epoch: start-up (init_db) makes it")
    return value


def start_new_epoch(session: Session) -> str:
    """After a restore from a backup (``perisai-server new-epoch``). The caller commits."""
    value = new_epoch()
    session.merge(ServerMeta(key=EPOCH_KEY, value=value))
    return value


def rotate_epoch(session: Session, seen: str) -> str:
    """Start a new epoch unless another request already did (compare and set on ``seen``);
    returns the epoch now current. The caller commits."""
    table = table_of(ServerMeta)
    fresh = new_epoch()
    session.execute(update(table).where(table.c.key == EPOCH_KEY, table.c.value == seen)
                    .values(value=fresh))
    row = session.get(ServerMeta, EPOCH_KEY, populate_existing=True)
    assert row is not None
    return row.value
