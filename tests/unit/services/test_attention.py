"""The "Perlu perhatian" use cases: a refused record is fixed with the checks of any
correction (permission, the rules of registration, a kelurahan of the reference list, no
NIK clash) and queued again as a new operation; nothing is written when a check fails."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

import perisai_protocol as protocol
from agent_app.services.base import ServiceError, enqueue, new_id
from agent_app.store.models import AuditEntry, OutboxOp, OutboxState, Payment, User, Worker
from tests.helpers.forms import make_form

MARISO_KELURAHAN = "73710101001"
TAMALATE_KELURAHAN = "73711001001"  # Barombong, kecamatan Tamalate (7371100)


def plain_user(core, username: str, role: str, *, active: bool = True) -> User:
    row = User(id=new_id(), username=username, full_name=username.title(), role=role,
               password_hash="not-a-hash", created_at=core.clock.stamp(), active=active)
    with core.db.write() as s:
        s.add(row)
    return row


@pytest.fixture
def agent(core):
    return plain_user(core, "besse", "agent")


def answer(core, entity_id: str, state: OutboxState, code: str) -> OutboxOp:
    """The server's answer to the queued operation of ``entity_id``, as a push applies it."""
    with core.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == entity_id)).one()
        op.state = state
        op.result = protocol.canonical_json({"op_id": op.op_id, "status": str(state),
                                             "code": code, "assigned": {},
                                             "message": {"id": code, "en": code}})
        s.add(op)
        return op


def queued(core) -> list[OutboxOp]:
    with core.db.read() as s:
        return list(s.exec(select(OutboxOp).where(OutboxOp.state == OutboxState.PENDING)
                           .order_by(OutboxOp.seq)))


def test_a_refused_registration_goes_again_with_the_payments_it_refused(core, agent):
    worker = core.workers.register(agent, make_form())
    payment = core.payments.collect(agent, worker.id, 1, "cash")
    refused = answer(core, worker.id, OutboxState.REJECTED, "region_unknown")
    answer(core, payment.id, OutboxState.REJECTED, "unknown_worker")
    assert {i.entity_id for i in core.attention.items(agent.id)} == {worker.id, payment.id}

    new_op = core.attention.resubmit(agent, worker.id, {"address": "Jl. Nuri 2"},
                                     op_id=refused.op_id)

    assert core.attention.items(agent.id) == []
    again = queued(core)
    assert [(o.kind, o.entity_id) for o in again] == [("worker.register", worker.id),
                                                      ("payment.collect", payment.id)]
    assert again[0].op_id == new_op and json.loads(again[0].payload)["address"] == "Jl. Nuri 2"
    with core.db.read() as s:
        assert s.get(OutboxOp, refused.op_id).payload != again[0].payload  # never rewritten
        assert s.get(Payment, payment.id).sync_state == "pending"
        [entry] = s.exec(select(AuditEntry).where(AuditEntry.action == "worker.correct")).all()
    assert json.loads(entry.new) == {"address": "Jl. Nuri 2", "resubmits": refused.op_id}


def test_the_kelurahan_comes_from_the_reference_list(core, agent):
    worker = core.workers.register(agent, make_form())
    refused = answer(core, worker.id, OutboxState.REJECTED, "region_unknown")
    with pytest.raises(ServiceError) as wrong:
        core.attention.resubmit(agent, worker.id, {"kelurahan_code": "73719999999"},
                                op_id=refused.op_id)
    assert wrong.value.code == "worker.invalid"
    assert [i.field for i in wrong.value.issues] == ["kelurahan_code"]
    assert queued(core) == [] and len(core.attention.items(agent.id)) == 1  # nothing written

    core.attention.resubmit(agent, worker.id, {"kelurahan_code": TAMALATE_KELURAHAN},
                            op_id=refused.op_id)
    [op] = queued(core)
    payload = json.loads(op.payload)
    assert (payload["kelurahan_code"], payload["kecamatan_code"]) == (TAMALATE_KELURAHAN, "7371100")


def test_a_nik_another_participant_holds_is_refused(core, agent):
    first = core.workers.register(agent, make_form())
    second = core.workers.register(agent, make_form(nik="7371014107900002", full_name="Sitti Aminah"))
    refused = answer(core, second.id, OutboxState.REJECTED, "nik_invalid")
    with pytest.raises(ServiceError) as clash:
        core.attention.resubmit(agent, second.id, {"nik": first.nik}, op_id=refused.op_id)
    assert clash.value.code == "worker.nik_exists"
    with core.db.read() as s:
        assert s.get(Worker, second.id).nik == "7371014107900002"
    assert [o.entity_id for o in queued(core)] == [first.id]  # only the first registration


def test_the_permissions_of_a_correction_apply(core, agent):
    worker = core.workers.register(agent, make_form())
    held = answer(core, worker.id, OutboxState.NEEDS_REVIEW, "nik_conflict")
    # The server kept this registration: its birth date (coded in the NIK) is a
    # supervisor's correction, not the agent's.
    with pytest.raises(ServiceError) as denied:
        core.attention.resubmit(agent, worker.id, {"birth_date": date(1990, 7, 2)},
                                op_id=held.op_id)
    assert (denied.value.code, denied.value.params["permission"]) == \
        ("access.denied", "correct_identity")
    # A signed-out (deactivated) account may correct nothing.
    gone = plain_user(core, "lama", "agent", active=False)
    with pytest.raises(ServiceError) as inactive:
        core.attention.resubmit(gone, worker.id, {"address": "Jl. Nuri 2"}, op_id=held.op_id)
    assert inactive.value.code == "access.denied"
    assert queued(core) == []
    # The agent's own registration the server never took: the whole form is theirs again.
    other = core.workers.register(agent, make_form(nik="7371014107900003", full_name="Sitti Nur"))
    refused = answer(core, other.id, OutboxState.REJECTED, "nik_birth_mismatch")
    core.attention.resubmit(agent, other.id, {"nik": "7371014207900003",
                                              "birth_date": date(1990, 7, 2)},
                            op_id=refused.op_id)
    [op] = queued(core)
    assert (op.kind, json.loads(op.payload)["birth_date"]) == ("worker.register", "1990-07-02")


def test_an_update_carries_only_what_changed_and_its_derived_fields(core, agent):
    worker = core.workers.register(agent, make_form())
    answer(core, worker.id, OutboxState.ACKED, "")  # the registration is on the server
    with core.db.write() as s:  # the server refused a later correction
        op = enqueue(s, user_id=agent.id, kind="worker.update", entity_id=worker.id,
                     payload={"id": worker.id, "phone": "+6281300000000"}, now=core.clock.stamp())
    refused = answer_op(core, op.op_id, "invalid_payload")
    core.attention.resubmit(agent, worker.id, {"kelurahan_code": TAMALATE_KELURAHAN},
                            op_id=refused.op_id)
    [new] = queued(core)
    payload = json.loads(new.payload)
    assert new.kind == "worker.update"
    assert set(payload) == {"id", "updated_at", "updated_by", "kecamatan_code", "kelurahan_code"}
    assert core.attention.items(agent.id) == []


def answer_op(core, op_id: str, code: str) -> OutboxOp:
    with core.db.write() as s:
        op = s.get(OutboxOp, op_id)
        op.state = OutboxState.REJECTED
        op.result = protocol.canonical_json({"op_id": op_id, "status": "rejected", "code": code,
                                             "message": {"id": code, "en": code}})
        s.add(op)
        return op


def test_only_ones_own_review_item_is_dismissed(core, agent):
    worker = core.workers.register(agent, make_form())
    held = answer(core, worker.id, OutboxState.NEEDS_REVIEW, "nik_conflict")
    other = plain_user(core, "ani", "agent")
    with pytest.raises(ServiceError) as refused:
        core.attention.dismiss(other, held.op_id)
    assert refused.value.code == "attention.not_found"
    core.attention.dismiss(agent, held.op_id)
    assert core.attention.items(agent.id) == []
    with pytest.raises(ServiceError) as again:
        core.attention.dismiss(agent, held.op_id)
    assert again.value.code == "attention.not_found"  # read already
