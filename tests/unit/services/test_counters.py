"""The device's persisted counters (outbox sequence per user, receipt number)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from agent_app.services.base import get_meta, next_counter, outbox_seq_key
from agent_app.services.core import AgentCore
from agent_app.store.models import OutboxOp
from tests.helpers.forms import make_form


def test_a_counter_survives_the_session_forgetting_its_objects(core):
    """Expiring or refreshing objects in a write transaction never gives a number twice."""
    with core.db.write() as s:
        first = next_counter(s, "receipt_seq")
    with core.db.write() as s:
        second = next_counter(s, "receipt_seq")
        s.expire_all()
        third = next_counter(s, "receipt_seq")
    with core.db.read() as s:
        stored = get_meta(s, "receipt_seq")
    assert (first, second, third, stored) == (1, 2, 3, "3")


def test_a_store_whose_outbox_counter_fell_behind_heals_on_open(core, user, clock):
    """A store left behind by a lost counter update (the stored stream is ahead of the
    counter, so every new operation collided with a stored one) works again on open."""
    worker = core.workers.register(user, make_form())
    core.payments.collect(user, worker.id, 1, "cash")
    with core.db.write() as s:
        s.execute(text("UPDATE meta SET value = '1' WHERE key = :k"), {"k": outbox_seq_key(user.id)})
    core.close()
    reopened = AgentCore.open(core.db.path, clock=clock)
    try:
        reopened.payments.collect(user, worker.id, 1, "qris")
        with reopened.db.read() as s:
            seqs = sorted(s.exec(select(OutboxOp.seq).where(OutboxOp.user_id == user.id)))
        assert seqs == [1, 2, 3]
    finally:
        reopened.close()
