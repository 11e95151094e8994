"""The database file: pragmas, migrations, backups, refusing a newer schema, encryption."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy.exc

from agent_app.store.db import SCHEMA_HEAD, StoreError, head_revision, open_database


def test_fast_path_head_constant_is_alembics_head():
    assert SCHEMA_HEAD == head_revision()


def pragma(db, name):
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()


def test_new_database_is_durable_and_migrated(tmp_path):
    db = open_database(tmp_path / "p.db")
    try:
        assert pragma(db, "journal_mode") == "wal"
        assert pragma(db, "synchronous") == 2  # FULL
        assert pragma(db, "foreign_keys") == 1
        with db.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        assert version == head_revision()
        assert db.integrity_check() == "ok"
    finally:
        db.close()
    # Opening an up-to-date file makes no backup.
    open_database(tmp_path / "p.db").close()
    assert not list((tmp_path / "backups").glob("*")) if (tmp_path / "backups").exists() else True


def test_database_newer_than_the_app_is_refused(tmp_path):
    path = tmp_path / "p.db"
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    with pytest.raises(StoreError) as info:
        open_database(path)
    assert info.value.code == "too_new"


def test_migrating_an_older_file_backs_it_up_first(tmp_path):
    path = tmp_path / "p.db"
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('marker', 'kept')")
    # Pretend the file is at the base revision with the schema already there: the
    # migration machinery must back it up before touching it.
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM alembic_version")
        for table in [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table') AND name NOT IN "
            "('alembic_version', 'meta') AND name NOT LIKE 'worker_search%' AND name NOT LIKE 'sqlite_%'")]:
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP TABLE worker_search")
    with pytest.raises(sqlalchemy.exc.OperationalError, match="already exists"):
        # the meta table already exists, so the initial migration fails ...
        open_database(path)
    backups = list((tmp_path / "backups").glob("p-empty-*.db"))
    assert backups, "a backup must exist before any migration runs"
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='marker'").fetchone() == ("kept",)
    # ... and the original file is left as it was (the failed migration rolled back).
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='marker'").fetchone() == ("kept",)


def test_encrypted_database_hides_personal_data_and_rejects_a_wrong_key(tmp_path):
    path = tmp_path / "p.db"
    key = bytes(range(32))
    db = open_database(path, key)
    with db.write() as s:
        from agent_app.store.models import Meta

        s.add(Meta(key="sentinel", value="SENTINEL-7371014107900001-Rahmawati"))
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("p.db*"))
    assert b"SENTINEL" not in raw and b"7371014107900001" not in raw
    assert not raw.startswith(b"SQLite format 3")
    with pytest.raises(StoreError) as info:
        open_database(path, bytes(32))
    assert info.value.code == "wrong_key"
    with pytest.raises(StoreError) as info:
        open_database(path)  # no key at all
    assert info.value.code == "wrong_key"
    reopened = open_database(path, key)
    with reopened.read() as s:
        assert s.get(Meta, "sentinel").value.startswith("SENTINEL")
    reopened.close()


def test_an_upgrade_migrates_a_full_queue_without_losing_it(tmp_path):
    """An older app's database (schema 0001) with unsynced work: the new app backs it up,
    migrates it, and every queued operation is still there, still pending."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from agent_app.store.db import MIGRATIONS_DIR

    path = tmp_path / "p.db"
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        for seq in range(1, 51):
            conn.exec_driver_sql(
                "INSERT INTO outbox (op_id, user_id, seq, kind, entity_id, schema_version, payload,"
                " payload_hash, state, attempts, created_at) VALUES (?, 'u1', ?, 'payment.collect',"
                " ?, 1, '{}', ?, 'pending', 0, '2026-11-01T00:00:00+00:00')",
                (f"op-{seq:04d}-0000-0000-0000-000000000000", seq, f"pay-{seq}", "0" * 64))
    old.dispose()
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            rows = conn.exec_driver_sql("SELECT seq, state FROM outbox ORDER BY seq").fetchall()
        assert rows == [(seq, "pending") for seq in range(1, 51)]
        assert db.integrity_check() == "ok"
    finally:
        db.close()
    assert list((tmp_path / "backups").glob("p-0001-*.db")), "backed up before migrating"


def test_upgrade_to_0003_keeps_the_payments_as_recorded_here(tmp_path):
    """0003 marks where a payment came from: every payment already on an older device was
    recorded on it ("local"), so its close-out and figures stay as they were."""
    from alembic import command
    from sqlalchemy import create_engine

    from agent_app.services.core import AgentCore
    from tests.helpers.forms import make_form

    path = tmp_path / "p.db"
    core = AgentCore.open(path)
    core.users.create_user(username="besse", full_name="Besse Agen", role="agent",
                           password="kata-sandi-aman")
    user = core.users.authenticate("besse", "kata-sandi-aman")
    worker = core.workers.register(user, make_form())
    payment = core.payments.collect(user, worker.id, 1, "cash")
    core.close()
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        command.downgrade(_config(conn), "0002")
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(payment)")]
    old.dispose()
    assert "origin" not in columns
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, origin FROM payment").fetchall()
            parked = conn.exec_driver_sql("SELECT count(*) FROM parked_payment").scalar()
        assert rows == [(payment.id, "local")] and parked == 0
        assert db.integrity_check() == "ok"
    finally:
        db.close()
    assert list((tmp_path / "backups").glob("p-0002-*.db")), "backed up before migrating"


def test_upgrade_to_0005_adds_merged_into_and_keeps_the_search_index(tmp_path):
    """0005 adds the column a merged alias points with; the worker table is altered in
    place, so the name index's triggers survive: a merged (hidden) worker leaves search."""
    from alembic import command
    from sqlalchemy import create_engine

    from agent_app.services.core import AgentCore
    from agent_app.services.merge import merge_aliases
    from agent_app.services.workers import WorkerQuery
    from agent_app.store.models import Worker
    from tests.helpers.forms import make_form

    path = tmp_path / "p.db"
    core = AgentCore.open(path)
    core.users.create_user(username="besse", full_name="Besse Agen", role="agent",
                           password="kata-sandi-aman")
    user = core.users.authenticate("besse", "kata-sandi-aman")
    first = core.workers.register(user, make_form())
    second = core.workers.register(user, make_form(nik="7371014107900002"))
    core.close()
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        command.downgrade(_config(conn), "0004")
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(worker)")]
    old.dispose()
    assert "merged_into" not in columns
    core = AgentCore.open(path)
    try:
        found = core.workers.search(WorkerQuery(text="Sitti Rahma"))
        assert sorted(r.id for r in found) == sorted([first.id, second.id])
        with core.db.write() as s:
            s.get(Worker, second.id).canonical_id = first.id
            assert merge_aliases(s, core.clock.stamp()) == 1
        assert [r.id for r in core.workers.search(WorkerQuery(text="Sitti Rahma"))] == [first.id]
        assert core.db.integrity_check() == "ok"
    finally:
        core.close()


def _config(conn):
    from alembic.config import Config

    from agent_app.store.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def test_a_failed_write_never_quotes_its_values(tmp_path):
    """A full disk during a registration: the error (and whatever logs it) names the
    statement, never the values bound to it (the outbox payload holds the address)."""
    from agent_app.services.base import FixedClock
    from agent_app.services.core import AgentCore
    from tests.helpers.forms import NOW, PASSWORD, make_form

    core = AgentCore.open(tmp_path / "perisai.db", clock=FixedClock(NOW))
    try:
        core.users.create_user(username="besse", full_name="Besse Agen", role="agent", password=PASSWORD)
        user = core.users.authenticate("besse", PASSWORD)
        with core.db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TRIGGER disk_full BEFORE INSERT ON outbox "
                                 "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        with pytest.raises(sqlalchemy.exc.DatabaseError) as info:
            core.workers.register(user, make_form(address="Jl. Rahasia Sekali No. 9"))
        assert "disk is full" in str(info.value)
        assert "Rahasia" not in str(info.value) and "7371014107900001" not in str(info.value)
    finally:
        core.close()



FILL = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
        "INSERT INTO filler SELECT randomblob(3000) FROM n")  # about 1,500 pages


def test_a_relaxed_write_leaves_the_checkpoint_to_its_job(tmp_path):
    """An import's steps (durable=False) do not copy the WAL into the file at commit: the
    import checkpoints once it has let go of the lock. A durable write checkpoints at
    commit again, as SQLite does by default, even on the same pooled connection."""
    path = tmp_path / "p.db"
    db = open_database(path)
    try:
        with db.write() as s:
            s.connection().exec_driver_sql("CREATE TABLE filler (x)")
        before = path.stat().st_size
        with db.write(durable=False) as s:
            s.connection().exec_driver_sql(FILL)
        assert path.stat().st_size == before  # still only in the WAL
        db.checkpoint()
        assert path.stat().st_size > before + 5_000_000
        copied = path.stat().st_size
        with db.write() as s:
            s.connection().exec_driver_sql(FILL)
        assert path.stat().st_size > copied + 5_000_000
    finally:
        db.close()
