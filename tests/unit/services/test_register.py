"""Registering a worker: one transaction with its outbox operation and audit entry."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from agent_app.services.base import ServiceError
from agent_app.store.models import AuditEntry, OutboxOp, Worker
from perisai_protocol import payload_hash
from tests.helpers.forms import make_form


def rows(core, model):
    with core.db.read() as s:
        return list(s.exec(select(model)))


def test_register_writes_record_outbox_and_audit_together(core, user):
    worker = core.workers.register(user, make_form())
    [stored] = rows(core, Worker)
    assert stored.nik == "7371014107900001"
    assert stored.phone == "+6281234567890"
    assert stored.kecamatan_code == "7371010"
    assert stored.consent_version == core.ref.consent.version
    assert stored.consent_user_id == user.id
    assert stored.sync_state == "pending"
    [op] = rows(core, OutboxOp)
    assert (op.kind, op.entity_id, op.seq, op.state) == ("worker.register", worker.id, 1, "pending")
    payload = json.loads(op.payload)
    assert payload["nik"] == stored.nik and payload["occupations"] == ["Pedagang pasar"]
    assert op.payload_hash == payload_hash(payload)
    [entry] = [a for a in rows(core, AuditEntry) if a.action == "worker.register"]
    assert entry.user_id == user.id and entry.entity_id == worker.id


def test_invalid_form_saves_nothing_and_says_why(core, user):
    form = make_form(declared_income=999_999, occupations=["Pedagang pasar", "Nelayan", "Kurir"])
    with pytest.raises(ServiceError) as info:
        core.workers.register(user, form)
    codes = {issue.field for issue in info.value.issues}
    assert {"declared_income", "occupations"} <= codes
    assert rows(core, Worker) == [] and rows(core, OutboxOp) == []
    assert "Rp" in next(i for i in info.value.issues if i.field == "declared_income").text("id")


def test_same_nik_twice_is_refused_and_points_to_the_existing_worker(core, user):
    first = core.workers.register(user, make_form())
    with pytest.raises(ServiceError) as info:
        core.workers.register(user, make_form(full_name="Sitti R."))
    assert info.value.code == "worker.nik_exists"
    assert info.value.issues == [first.id]
    assert core.workers.find_by_nik("7371 0141 0790 0001").id == first.id
    assert len(rows(core, Worker)) == 1 and len(rows(core, OutboxOp)) == 1


def test_possible_same_person_by_name_and_birth_date(core, user):
    core.workers.register(user, make_form())
    similar = core.workers.similar("  sitti   RAHMAWATI ", date(1990, 7, 1), exclude_nik="7371014107900002")
    assert [w.nik for w in similar] == ["7371014107900001"]
    assert core.workers.similar("Sitti Rahmawati", date(1990, 7, 2)) == []


def test_outbox_sequence_is_per_user_and_strictly_increasing(core, user):
    for serial in range(1, 4):
        core.workers.register(user, make_form(nik=f"737101410790{serial:04d}",
                                              full_name=f"Sitti {'ABC'[serial - 1]}"))
    ops = sorted(rows(core, OutboxOp), key=lambda o: o.seq)
    assert [o.seq for o in ops] == [1, 2, 3]
    assert len({o.op_id for o in ops}) == 3


def test_employer_needs_jht_and_gets_it_recorded(core, user):
    with pytest.raises(ServiceError):
        core.workers.register(user, make_form(occupations=["Pemilik usaha (pemberi kerja)"]))
    worker = core.workers.register(user, make_form(
        occupations=["Pemilik usaha (pemberi kerja)"],
        programmes={"jkk": "self", "jkm": "self", "jht": "self"}))
    assert worker.is_employer and json.loads(worker.programmes)["jht"] == "self"
