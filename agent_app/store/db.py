"""The one engine factory of the local store.

Every connection gets WAL, ``synchronous=FULL`` (a payment acknowledged to the agent
survives a power cut), foreign keys and a busy timeout. Write transactions start with
``BEGIN IMMEDIATE`` so two writers (the GUI's database thread and the sync thread) queue
on the lock instead of failing half-way through. The schema is migrated with Alembic on
open: the file is backed up first, and a database newer than this app is refused.

With a key, the file is a SQLCipher 4 database (see ``agent_app.store.keys``).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import ColumnDefault
from sqlmodel import Session, SQLModel, create_engine
from sqlmodel.sql.expression import Select

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision. An up-to-date file opens without importing Alembic
# (a noticeable part of start-up on a field laptop); tests/unit/store/test_db.py keeps
# this equal to Alembic's head.
SCHEMA_HEAD = "0005"


IN_LIST_SIZE = 500
WAL_AUTOCHECKPOINT = 1000  # pages: SQLite's default


def in_chunks(items: list, size: int = IN_LIST_SIZE) -> list[list]:
    """``items`` in slices for ``IN (...)`` lists: SQLite caps the bound parameters of one
    statement."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a table model maps (SQLModel's classes do not declare ``__table__`` to type checkers)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} maps no table")
    return table


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """The SELECT that SQLModel's ``select()`` builds, for more columns than its typed
    overloads take (four); the rows are tuples of Any."""
    return Select(*columns)


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts of column values, all with the same keys; the model's defaults
    fill the columns they leave out) with one DB-API ``executemany``: SQLAlchemy's per-row
    parameter processing costs more than SQLite's insert itself for the tens of thousands
    of rows of an import."""
    if not rows:
        return
    given = list(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns
                if c.name not in rows[0] and isinstance(c.default, ColumnDefault) and c.default.is_scalar}
    columns = [*given, *defaults]
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    fill = tuple(defaults.values())
    values = itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
    session.connection().exec_driver_sql(sql, [values(row) + fill for row in rows])


class StoreError(Exception):
    """An environmental problem with the database file (shown to the user, not a bug)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _sqlcipher_creator(path: Path, key: bytes):
    import sqlcipher3.dbapi2 as sqlcipher

    def connect():
        conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
        # The key must be the first statement on the connection.
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        return conn

    return connect


def _make_engine(path: Path, key: bytes | None) -> Engine:
    # hide_parameters: an error (a full disk) names the statement, never the values bound to
    # it, which a log would keep (the outbox payload holds addresses and NIKs).
    if key is None:
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False, "isolation_level": None},
            hide_parameters=True,
        )
    else:
        if len(key) != 32:
            raise ValueError("the database key must be 256 bits")
        import sqlcipher3.dbapi2 as sqlcipher

        engine = create_engine(
            "sqlite://", creator=_sqlcipher_creator(path, key), module=sqlcipher,
            hide_parameters=True,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # isolation_level=None hands transaction control to the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # SQLCipher decrypts a page on every read that misses SQLite's own cache, so the
        # default 2 MB cache made a search on 150,000 workers several times slower. 64 MB
        # keeps the lists' indexes decrypted; the window stays well under 300 MB.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        options = conn.get_execution_options()
        if options.get("perisai_write", False):
            # Set on every write: a connection back from the pool may have been relaxed.
            relaxed = options.get("perisai_relaxed", False)
            conn.exec_driver_sql(f"PRAGMA synchronous={'NORMAL' if relaxed else 'FULL'}")
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={0 if relaxed else WAL_AUTOCHECKPOINT}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


class Database:
    """An open, migrated local store."""

    def __init__(self, engine: Engine, path: Path, encrypted: bool) -> None:
        self.engine = engine
        self.path = path
        self.encrypted = encrypted
        self._write_engine = engine.execution_options(perisai_write=True)
        self._relaxed_engine = engine.execution_options(perisai_write=True, perisai_relaxed=True)

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception.

        ``durable=False`` skips the flush to disk at commit (``synchronous=NORMAL``): for
        steps of a longer job whose last transaction is durable. In WAL mode commits stay
        in order, so a power cut can only lose the newest ones, never one in the middle.
        Such a commit does not checkpoint the WAL either: the job calls ``checkpoint``
        when it lets go of the lock, so the copying is not counted as holding it.
        """
        engine = self._write_engine if durable else self._relaxed_engine
        with Session(engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (WAL readers never block the writer)."""
        with Session(self.engine, expire_on_commit=False) as session:
            # Ending a read-only transaction with COMMIT (not ROLLBACK) keeps the loaded
            # objects usable after the session closes.
            with session.begin():
                yield session

    def checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database file, PASSIVE: it neither
        waits for nor blocks other connections' reads and writes."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar_one()

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config(engine_connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = engine_connection
    return cfg


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _backup(engine: Engine, path: Path, revision: str | None) -> Path:
    """Copy the live database with SQLite's online backup API (consistent even in WAL)."""
    backups = path.parent / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backups / f"{path.stem}-{revision or 'empty'}-{stamp}{path.suffix}"
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert source is not None, "a connection checked out of the pool is live"
        if isinstance(source, sqlite3.Connection):
            with sqlite3.connect(target) as dest:
                source.backup(dest)
        else:
            # SQLCipher pages can only be copied to a file with the same key: checkpoint the
            # WAL into the main file, then copy it as it is (still encrypted).
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy2(path, target)
    finally:
        raw.close()
    return target


def open_database(path: Path, key: bytes | None = None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the store at ``path``.

    Raises StoreError("wrong_key") when the file cannot be read with the given key (or is
    encrypted and no key was given), StoreError("too_new") when the file was written by a
    newer app, StoreError("locked") when another process holds it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    engine = _make_engine(path, key)
    try:
        current = _current_revision(engine)
    except Exception as exc:  # sqlite3/sqlcipher DatabaseError: not a database / wrong key
        engine.dispose()
        message = str(exc)
        if "file is not a database" in message or "encrypted" in message:
            raise StoreError("wrong_key", message) from exc
        if "locked" in message:
            raise StoreError("locked", message) from exc
        raise
    if current == SCHEMA_HEAD:
        return Database(engine, path, encrypted=key is not None)
    head = head_revision()
    if current is not None and current not in _known_revisions():
        engine.dispose()
        raise StoreError("too_new", f"database revision {current} is newer than this app")
    if migrate and current != head:
        if existed:
            backup = _backup(engine, path, current)
            log.info("database backed up to %s before migrating from %s", backup.name, current)
        from alembic import command

        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
    return Database(engine, path, encrypted=key is not None)
