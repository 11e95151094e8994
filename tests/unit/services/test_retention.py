"""Retention: pulled participants from outside the user's area and long-inactive synced
records leave the laptop; nothing that has not reached the server ever does."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from agent_app import settings
from agent_app.services import privacy, retention
from agent_app.services.base import ServiceError, new_id
from agent_app.store.models import AuditEntry, Meta, OutboxOp, Payment, User, Worker
from tests.helpers.forms import make_form

HOME_KECAMATAN = "7371010"  # Mariso
AWAY_KELURAHAN = "73710201001"


def add_user(core, username: str, role: str, kecamatan_code: str | None = None) -> User:
    """A user row without argon2 hashing (sign-in is not what these tests are about)."""
    user = User(id=new_id(), username=username, full_name=username.title(), role=role,
                password_hash="not-a-hash", kecamatan_code=kecamatan_code,
                created_at=core.clock.stamp())
    with core.db.write() as s:
        s.add(user)
    return user


@pytest.fixture
def agent(core):
    add_user(core, "spv", "supervisor")
    return add_user(core, "besse", "agent", HOME_KECAMATAN)


def pulled(core, actor, nik: str, kelurahan: str = AWAY_KELURAHAN) -> str:
    """A participant as the sync engine stores one pulled from the server."""
    now = core.clock.stamp()
    worker = Worker(
        id=new_id(), nik=nik, full_name="Daeng Pulled", name_key="daeng pulled",
        birth_date="1990-07-01", sex="F", address="Jl. Jauh", kecamatan_code=kelurahan[:7],
        kelurahan_code=kelurahan, occupations=json.dumps(["Pedagang pasar"]),
        policy_sector="other", declared_income=1_000_000,
        programmes=json.dumps({"jkk": "self", "jkm": "self"}), consent_version="1",
        consent_at=now, consent_user_id="server", registered_at=now, registered_by="server",
        registration_month="2026-11", updated_at=now, origin="pulled", sync_state="synced",
        server_version=7,
    )
    with core.db.write() as s:
        s.add(worker)
    return worker.id


def settle_everything(core) -> None:
    """What a fully successful sync leaves behind."""
    with core.db.write() as s:
        for op in s.exec(select(OutboxOp)):
            op.state = "acked"
            s.add(op)
        for w in s.exec(select(Worker)):
            w.sync_state = "synced"
            s.add(w)
        for p in s.exec(select(Payment)):
            p.sync_state = "synced"
            p.closeout_id = p.closeout_id or "co-test"  # cash handed over
            s.add(p)
        for e in s.exec(select(AuditEntry)):
            e.synced = True
            s.add(e)


def count(core, model) -> int:
    with core.db.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_pulled_outside_area_goes_after_the_configured_days(core, agent, clock):
    away = pulled(core, agent, "7371024107900001")
    home = pulled(core, agent, "7371014107900003", kelurahan="73710101001")
    clock.advance(days=29)
    assert retention.purge_expired(core, agent).workers == 0
    clock.advance(days=2)
    result = retention.purge_expired(core, agent)
    assert (result.pulled_outside_area, result.synced_inactive) == (1, 0)
    with core.db.read() as s:
        assert s.get(Worker, away) is None
        assert s.get(Worker, home) is not None  # own area stays
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge")
                       .order_by(AuditEntry.id.desc())).first()
    assert json.loads(entry.new)["pulled_outside_area"] == 1
    assert "7371024107900001" not in entry.new  # the log holds counts, not people


def test_configured_days_come_from_settings(core, agent, clock):
    pulled(core, agent, "7371024107900001")
    settings.set_setting(core.db, "retention_pulled_days", 5)
    clock.advance(days=6)
    assert retention.purge_expired(core, agent).pulled_outside_area == 1


def test_synced_inactive_records_go_with_payments_ops_and_audit_values(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    payment = core.payments.collect(agent, worker.id, 1, "cash")
    core.payments.void(agent, payment.id, "salah orang")
    privacy.queue_audit_batch(core, agent)
    settle_everything(core)
    clock.advance(days=364)
    assert retention.purge_expired(core, agent).workers == 0
    clock.advance(days=2)
    result = retention.purge_expired(core, agent)
    assert (result.synced_inactive, result.payments) == (1, 2), result
    assert count(core, Worker) == 0 and count(core, Payment) == 0
    with core.db.read() as s:
        assert not s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker.id)).all()
        register_entry = s.exec(select(AuditEntry).where(
            AuditEntry.action == "worker.register")).one()
    assert register_entry.new is None  # who/when stays, the values went to the server
    with core.db.read() as s:
        payloads = [op.payload for op in s.exec(select(OutboxOp))]
    assert not any(worker.nik in p or worker.full_name in p for p in payloads)


def test_recent_payment_counts_as_activity(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    settle_everything(core)
    clock.advance(days=300)
    core.payments.collect(agent, worker.id, 1, "cash")
    settle_everything(core)
    clock.advance(days=100)
    assert retention.purge_expired(core, agent).workers == 0


@pytest.mark.parametrize("state", ["pending", "in_flight", "rejected", "needs_review"])
def test_never_purges_with_unsettled_operations(core, agent, clock, state):
    worker = core.workers.register(agent, make_form())
    core.payments.collect(agent, worker.id, 1, "cash")
    settle_everything(core)
    with core.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.kind == "payment.collect")).one()
        op.state = state
        s.add(op)
    clock.advance(days=400)
    result = retention.purge_expired(core, agent)
    assert result.workers == 0 and result.kept_unsettled == 1
    assert count(core, Worker) == 1 and count(core, Payment) == 1


def test_never_purges_an_unsynced_payment(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    core.payments.collect(agent, worker.id, 1, "cash")
    settle_everything(core)
    with core.db.write() as s:
        p = s.exec(select(Payment)).one()
        p.sync_state = "pending"
        s.add(p)
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).kept_unsettled == 1
    assert count(core, Worker) == 1 and count(core, Payment) == 1


def test_never_purges_a_payment_not_yet_in_a_close_out(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    core.payments.collect(agent, worker.id, 1, "cash")
    settle_everything(core)
    with core.db.write() as s:
        s.exec(select(Payment)).one().closeout_id = None
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).kept_unsettled == 1
    assert count(core, Payment) == 1


def test_follow_up_marks_go_with_the_participant(core, agent, clock):
    from agent_app.store.models import FollowupContact

    worker = core.workers.register(agent, make_form())
    with core.db.write() as s:
        s.add(FollowupContact(id=new_id(), worker_id=worker.id, user_id=agent.id,
                              contacted_on="2026-11-24", created_at=core.clock.stamp()))
    settle_everything(core)
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).synced_inactive == 1
    assert count(core, FollowupContact) == 0


def test_local_record_without_confirmed_registration_stays(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    settle_everything(core)
    with core.db.write() as s:  # e.g. the acknowledged op was cleaned up by another tool
        for op in s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker.id)):
            s.delete(op)
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).workers == 0


def test_deletion_request_pending_keeps_the_record(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    settle_everything(core)
    privacy.request_deletion(core, agent, worker.id, "Peserta minta dihapus")
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).workers == 0
    settle_everything(core)
    assert retention.purge_expired(core, agent).workers == 1
    with core.db.read() as s:
        assert s.get(Meta, f"deletion_request:{worker.id}") is None


def test_other_periods_than_configured_need_the_purge_permission(core, agent, clock):
    with pytest.raises(ServiceError) as info:
        retention.purge_expired(core, agent, synced_days=31)
    assert info.value.code == "access.denied"
    with core.db.read() as s:
        spv = s.exec(select(User).where(User.username == "spv")).one()
    assert retention.purge_expired(core, spv, synced_days=31).workers == 0


def test_whole_city_user_has_no_outside(core, clock):
    spv = add_user(core, "spv", "supervisor")
    pulled(core, spv, "7371024107900001")
    clock.advance(days=40)
    assert retention.purge_expired(core, spv).workers == 0


def test_values_synced_after_the_purge_are_scrubbed_by_the_next_one(core, agent, clock):
    worker = core.workers.register(agent, make_form())
    settle_everything(core)
    with core.db.write() as s:  # the register entry had not been batched yet
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "worker.register")).one()
        entry.synced = False
    clock.advance(days=400)
    assert retention.purge_expired(core, agent).synced_inactive == 1
    with core.db.read() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "worker.register")).one()
    assert worker.nik in entry.new  # not on the server yet: kept
    privacy.queue_audit_batch(core, agent)
    settle_everything(core)
    retention.purge_expired(core, agent)
    with core.db.read() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "worker.register")).one()
        payloads = [op.payload for op in s.exec(select(OutboxOp))]
    assert entry.new is None and not any(worker.nik in p for p in payloads)
