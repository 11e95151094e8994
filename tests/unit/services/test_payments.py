"""Collecting and voiding contributions: amounts, months, receipts, append-only money."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from agent_app.services.base import ServiceError
from agent_app.store.models import AuditEntry, OutboxOp, Payment, Worker
from tests.helpers.forms import make_form


def test_collect_three_months_uses_the_fee_engine_and_queues_the_payment(core, user):
    worker = core.workers.register(user, make_form())
    options = core.payments.options(worker.id)
    assert options.choices[3] == ["2026-11", "2026-12", "2027-01"]
    payment = core.payments.collect(user, worker.id, 3, "cash")
    # PP 50/2025: "other" sector at 50 % in Nov-Dec 2026, full again in Jan 2027.
    assert payment.amount == 8_400 + 8_400 + 16_800
    assert json.loads(payment.breakdown)["2027-01"] == {"jkk": 10_000, "jkm": 6_800}
    assert payment.receipt_no.startswith("PA-") and payment.receipt_no.endswith("-26-000001")
    with core.db.read() as s:
        assert s.get(Worker, worker.id).paid_through == "2027-01"
        kinds = [o.kind for o in s.exec(select(OutboxOp).order_by(OutboxOp.seq))]
    assert kinds == ["worker.register", "payment.collect"]
    # The next choice starts after what is paid.
    assert core.payments.options(worker.id).choices[1] == ["2027-02"]


def test_apbd_funded_worker_gets_no_discount(core, user):
    worker = core.workers.register(user, make_form(programmes={"jkk": "apbd", "jkm": "apbd"}))
    assert core.payments.collect(user, worker.id, 1, "qris").amount == 16_800


def test_void_is_a_reversal_entry_and_the_original_stays(core, user):
    worker = core.workers.register(user, make_form())
    payment = core.payments.collect(user, worker.id, 1, "cash")
    with pytest.raises(ServiceError) as info:
        core.payments.void(user, payment.id, "no")
    assert info.value.code == "payment.void_reason"
    void = core.payments.void(user, payment.id, "Salah pilih pekerja")
    assert void.amount == -payment.amount and void.voids_payment_id == payment.id
    assert void.receipt_no != payment.receipt_no
    with core.db.read() as s:
        original = s.get(Payment, payment.id)
        assert original.amount == payment.amount and original.kind == "payment"
        assert s.get(Worker, worker.id).paid_through is None
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "payment.void")).one()
        assert json.loads(audit.old)["receipt_no"] == payment.receipt_no
    with pytest.raises(ServiceError) as info:
        core.payments.void(user, payment.id, "Salah pilih pekerja")
    assert info.value.code == "payment.already_voided"
    # The month can be collected again.
    assert core.payments.options(worker.id).choices[1] == ["2026-11"]


def test_arrears_are_offered_at_most_three_months_back(core, user, clock):
    worker = core.workers.register(user, make_form())
    core.payments.collect(user, worker.id, 1, "cash")  # Nov 2026
    clock.advance(days=31 * 6)  # late May 2027: Dec-Apr unpaid
    options = core.payments.options(worker.id)
    assert options.payable.next_unpaid == "2027-02"
    assert options.choices[3] == ["2027-02", "2027-03", "2027-04"]


def test_receipt_numbers_never_repeat_on_a_device(core, user):
    worker = core.workers.register(user, make_form())
    receipts = {core.payments.collect(user, worker.id, 1, "cash").receipt_no for _ in range(5)}
    assert len(receipts) == 5


def test_bad_method_or_period_is_refused(core, user):
    worker = core.workers.register(user, make_form())
    with pytest.raises(ServiceError):
        core.payments.collect(user, worker.id, 2, "cash")
    with pytest.raises(ServiceError):
        core.payments.collect(user, worker.id, 1, "cheque")
    with core.db.read() as s:
        assert s.exec(select(Payment)).all() == []
