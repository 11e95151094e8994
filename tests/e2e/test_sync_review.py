"""A duplicate-NIK case decided at the centre reaches the registering device on its next
sync: refused with the administrators' reason in Perlu perhatian, or accepted."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from agent_app.store.models import OutboxOp, Worker
from central_server.db import make_engine
from central_server.ops import resolve_review
from sync.engine import attention_items

from .conftest import register


def _decide(central, worker_id: str, decision: str, reason: str) -> None:
    engine = make_engine(central.db_url)
    try:
        [(review_id,)] = central.query("SELECT id FROM review_queue WHERE status = 'open' AND participant_id = :p",
                                       p=worker_id)
        with Session(engine) as session:
            resolve_review(session, datetime.now(UTC), review_id, decision, "admin.pusat", reason)
            session.commit()
    finally:
        engine.dispose()


def _conflict(device, names: tuple[str, str], serial: int):
    first, second = device(f"first{serial}"), device(f"second{serial}", "agen2")
    register(first, serial, name=names[0])
    assert first.engine().sync_round().state == "up_to_date"
    worker = register(second, serial, name=names[1])
    report = second.engine().sync_round()
    assert report.needs_review == 1, report
    return second, worker


def test_a_refusal_reaches_perlu_perhatian_with_the_reason(central, device):
    dev, worker = _conflict(device, ("Daeng Tayang", "Muhammad Arfah"), 7301)
    _decide(central, worker.id, "reject", "NIK milik orang lain; periksa KTP")
    assert dev.engine().sync_round().state in ("up_to_date", "attention")
    [item] = [i for i in attention_items(dev.db, dev.user.id) if i.worker_id == worker.id]
    assert item.state == "rejected" and item.code == "review_rejected"
    assert "NIK milik orang lain; periksa KTP" in item.reason("id")
    assert "NIK milik orang lain" in item.reason("en")
    with dev.db.read() as s:
        assert s.get(Worker, worker.id).sync_state == "rejected"


def test_an_alias_decision_clears_the_waiting_registration(central, device):
    dev, worker = _conflict(device, ("Daeng Bollo", "Dg. Bollo"), 7302)
    _decide(central, worker.id, "alias", "Nama yang sama, ditulis lain")
    dev.engine().sync_round()
    assert not [i for i in attention_items(dev.db, dev.user.id) if i.worker_id == worker.id]
    with dev.db.read() as s:
        [op] = [o for o in s.exec(OutboxOp.__table__.select().where(OutboxOp.entity_id == worker.id))]
        assert op.state == "acked"
