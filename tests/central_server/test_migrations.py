"""The central database has an upgrade path: a database made by the first release (before
migrations existed) upgrades in place with its data, and every migrated database matches
the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central_server.db import SchemaTooNew, head_revision, init_db, make_engine
from central_server.models import ServerModel

FIRST_RELEASE = Path(__file__).parent / "first_release"


def _load_first_release(engine: sqlalchemy.Engine) -> None:
    """Replay the dump of a central database the first release created and used."""
    dump = (FIRST_RELEASE / f"{engine.dialect.name}.sql").read_text()
    if engine.dialect.name == "sqlite":
        # A plain connection: the dump creates tables in name order, before the ones their
        # foreign keys name (the server's connections enforce foreign keys).
        with closing(sqlite3.connect(engine.url.database)) as conn:
            conn.executescript(dump)
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute(dump)
        raw.commit()
    finally:
        raw.close()


def _schema_differences(engine: sqlalchemy.Engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), ServerModel.metadata)


def _revision(engine: sqlalchemy.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_a_new_database_is_migrated_to_the_models(db_url):
    engine = make_engine(db_url)
    try:
        init_db(engine)
        init_db(engine)  # idempotent
        assert _revision(engine) == head_revision()
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_the_first_release_database_upgrades_with_its_data(db_url):
    engine = make_engine(db_url)
    try:
        _load_first_release(engine)
        assert _revision(engine) is None
        with engine.connect() as conn:
            before = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                      for t in ("users", "participants", "payments", "applied_ops", "changes")}
        assert before["participants"] == 3 and before["payments"] == 1
        init_db(engine)
        assert _revision(engine) == head_revision()
        assert _schema_differences(engine) == []
        with engine.connect() as conn:
            after = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in before}
            kpj = sorted(conn.exec_driver_sql("SELECT kpj FROM participants").scalars())
        assert after == before
        assert kpj == ["00000000001", "00000000002", "00000000003"]
    finally:
        engine.dispose()


def test_a_database_from_a_newer_server_is_refused(db_url):
    engine = make_engine(db_url)
    try:
        init_db(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(SchemaTooNew, match="9999"):
            init_db(engine)
    finally:
        engine.dispose()
