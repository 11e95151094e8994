"""Two devices of one kelurahan against the real server: what one collects (or voids), the
other shows on the worker's page after its next sync, read-only and outside its own cash."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlmodel import select

from agent_app.services.base import ServiceError
from agent_app.store.models import OutboxOp

from .conftest import KECAMATAN, KELURAHAN, PASSWORD, check_drained, open_device, pay, register


@pytest.fixture
def kelurahan_devices(central, tmp_path):
    """Two agents scoped to kelurahan Bontorannu, each on their own laptop."""
    from tests.helpers.central import seed_user

    suffix = uuid.uuid4().hex[:6]
    devices = []
    for side in ("a", "b"):
        username = f"kel.{side}.{suffix}"
        seed_user(central.db_url, username, PASSWORD, kecamatan=KECAMATAN, kelurahan=KELURAHAN,
                  full_name=f"Agen Kelurahan {side.upper()}")
        devices.append(open_device(tmp_path, f"kel-{side}", central.base_url, username))
    yield devices
    for dev in devices:
        dev.core.close()


def outbox_kinds(dev) -> list[tuple[str, str]]:
    with dev.db.read() as s:
        return [(op.kind, op.entity_id) for op in s.exec(select(OutboxOp).order_by(OutboxOp.seq))
                if op.kind != "audit.batch"]


def test_a_payment_collected_on_one_device_shows_on_the_other(central, kelurahan_devices):
    a, b = kelurahan_devices
    w = register(a, 8807, name="Daeng Pulled Baji", birth=date(1979, 2, 3))
    paid_on_a = pay(a, w.id, 3)  # Nov 2026 - Jan 2027, cash
    assert a.engine().sync_round().state == "up_to_date"
    assert b.engine().sync_round().state == "up_to_date"

    # B's worker page: the payment is in the history and its months are paid.
    detail = b.core.workers.detail(w.id)
    [row] = detail.payments
    assert (row.id, row.receipt_no, row.amount, row.origin, row.sync_state) == \
        (paid_on_a.id, paid_on_a.receipt_no, paid_on_a.amount, "pulled", "synced")
    assert detail.paid_months == json.loads(paid_on_a.months) == ["2026-11", "2026-12", "2027-01"]
    assert detail.worker.paid_through == "2027-01"
    assert b.core.payments.options(w.id).choices[1] == ["2027-02"]  # never charged twice
    # ... but it is not B's cash, and B cannot void it.
    assert b.core.closeouts.preview(b.user).entries == []
    assert b.core.dashboard.summary(b.user).collected_today == 0
    with pytest.raises(ServiceError) as refused:
        b.core.payments.void(b.user, paid_on_a.id, "salah input nominal")
    assert refused.value.code == "payment.pulled_read_only"
    assert outbox_kinds(b) == []  # pulling queued nothing

    # B collects the next month: only that is B's cash and B's queue.
    paid_on_b = pay(b, w.id, 1)
    assert [e.payment_id for e in b.core.closeouts.preview(b.user).entries] == [paid_on_b.id]
    assert outbox_kinds(b) == [("payment.collect", paid_on_b.id)]
    assert b.engine().sync_round().state == "up_to_date"
    assert a.engine().sync_round().state == "up_to_date"
    on_a = a.core.workers.detail(w.id)
    assert {(p.id, p.origin) for p in on_a.payments} == {(paid_on_a.id, "local"),
                                                         (paid_on_b.id, "pulled")}
    assert on_a.paid_months == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert [e.payment_id for e in a.core.closeouts.preview(a.user).entries] == [paid_on_a.id]

    # A voids its payment (same day, own): B sees it voided, its months unpaid again.
    void = a.core.payments.void(a.user, paid_on_a.id, "uang dikembalikan")
    assert a.engine().sync_round().state == "up_to_date"
    assert b.engine().sync_round().state == "up_to_date"
    detail = b.core.workers.detail(w.id)
    pulled_void = next(p for p in detail.payments if p.kind == "void")
    assert (pulled_void.id, pulled_void.amount, pulled_void.voids_payment_id,
            pulled_void.origin) == (void.id, -paid_on_a.amount, paid_on_a.id, "pulled")
    assert detail.voided_ids == {paid_on_a.id}
    assert detail.paid_months == ["2027-02"]
    assert [e.payment_id for e in b.core.closeouts.preview(b.user).entries] == [paid_on_b.id]
    # Pulling the same again changes nothing.
    assert b.engine().sync_round().state == "up_to_date"
    assert len(b.core.workers.detail(w.id).payments) == 3
    check_drained([a, b], central)
