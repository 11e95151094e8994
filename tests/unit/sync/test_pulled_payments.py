"""Payments pulled from the centre (another agent, the kelurahan counter), applied by the
engine's pull step to a real local store: read-only on the local worker, in its history and
paid months, never queued, never in this device's cash figures; idempotent; parked until the
worker (or the voided payment) they hang on arrives."""

from __future__ import annotations

import json
import uuid
from datetime import UTC

import pytest
from sqlmodel import func, select

import perisai_protocol as protocol
from agent_app.services.access import may_void
from agent_app.services.base import ServiceError
from agent_app.store.models import OutboxOp, ParkedPayment, Payment, Worker
from sync.engine import SyncEngine
from tests.helpers.forms import NOW
from tests.helpers.samples import BONTORANNU, MARISO, make_nik, payment_payload, void_payload, worker_payload

COUNTER_DEVICE = "counter-laptop-kelurahan"
COUNTER_CLERK = "clerk-user-on-the-counter-laptop"
TODAY_UTC = NOW.astimezone(UTC).isoformat(timespec="seconds")


@pytest.fixture
def engine(core, user, clock, tmp_path):
    return SyncEngine(core.db, None, None, user_id=user.id, device_id=core.device_id,
                      username=user.username, clock=clock, data_dir=tmp_path)


def pulled_worker(serial: int = 1, **overrides) -> dict:
    return worker_payload(kecamatan_code=MARISO, kelurahan_code=BONTORANNU, serial=serial,
                          nik=make_nik("1985-04-12", "M", region="737101", serial=serial),
                          registration_month="2026-11", **overrides)


def counter_payment(worker_id: str, months: list[str], **overrides) -> dict:
    return payment_payload(worker_id, months, device_id=COUNTER_DEVICE,
                           collected_by=COUNTER_CLERK, collected_at=TODAY_UTC, **overrides)


def worker_change(seq: int, payload: dict, *, paid: list[str] = (), **extra) -> protocol.Change:
    data = {**payload, "kpj": "00000000042", "canonical_id": payload["id"], "alias_of": None,
            "review_state": "ok", "paid_months": list(paid),
            "paid_through": paid[-1] if paid else None, **extra}
    return protocol.Change(seq=seq, entity="worker", id=payload["id"], op="upsert", data=data)


def payment_change(seq: int, payload: dict, *, participant: str | None = None,
                   voided_by: str | None = None, flag: str | None = None) -> protocol.Change:
    """As the server's ``payment_data`` sends it: the payload plus server columns."""
    data = {**payload, "kind": "payment", "participant_id": participant or payload["worker_id"],
            "voids_payment_id": None, "voided_by": voided_by, "flag": flag}
    return protocol.Change(seq=seq, entity="payment", id=payload["id"], op="upsert", data=data)


def void_change(seq: int, payload: dict, *, participant: str) -> protocol.Change:
    data = {**payload, "kind": "void", "participant_id": participant, "voided_by": None,
            "flag": None, "void_reason": payload["reason"]}
    return protocol.Change(seq=seq, entity="payment", id=payload["id"], op="upsert", data=data)


def apply(engine, *changes: protocol.Change) -> int:
    """One pulled page, in its own transaction, as the engine's pull loop applies it."""
    page = protocol.PullResponse(changes=list(changes), cursor=max(c.seq for c in changes),
                                 has_more=False)
    with engine.db.write() as s:
        return engine.puller.apply_page(s, page)


def counts(core) -> dict[str, int]:
    with core.db.read() as s:
        return {name: s.exec(select(func.count()).select_from(model)).one()
                for name, model in (("payments", Payment), ("outbox", OutboxOp),
                                    ("parked", ParkedPayment))}


def test_a_counter_payment_shows_on_the_worker_but_never_in_my_cash(core, user, engine, clock):
    w = pulled_worker()
    p = counter_payment(w["id"], ["2026-11", "2026-12", "2027-01"])
    # The server's order: the payment, then its participant (whose paid months changed).
    assert apply(engine, payment_change(1, p), worker_change(2, w)) == 2

    detail = core.workers.detail(w["id"])
    [row] = detail.payments
    assert (row.receipt_no, row.amount, row.origin, row.sync_state) == \
        (p["receipt_no"], p["amount"], "pulled", "synced")
    assert detail.paid_months == ["2026-11", "2026-12", "2027-01"]
    assert detail.worker.paid_through == "2027-01"
    # The agent is not offered the months paid at the counter.
    assert core.payments.options(w["id"]).choices[1] == ["2027-02"]
    assert counts(core) == {"payments": 1, "outbox": 0, "parked": 0}  # nothing queued

    mine = core.payments.collect(user, w["id"], 1, "cash")
    preview = core.closeouts.preview(user)
    assert [e.payment_id for e in preview.entries] == [mine.id]
    assert preview.expected_cash == mine.amount
    dashboard = core.dashboard.summary(user)
    assert (dashboard.collected_today, dashboard.receipts_today) == (mine.amount, 1)
    report = core.reports.collections("day", clock.today())
    assert (report.total, report.receipts) == (mine.amount, 1)

    # Read-only here: nobody voids it on this device, not even a supervisor.
    supervisor = user.model_copy(update={"role": "supervisor"})
    assert not may_void(supervisor, row, clock.today())
    with pytest.raises(ServiceError) as refused:
        core.payments.void(supervisor, row.id, "dibatalkan di loket")
    assert refused.value.code == "payment.pulled_read_only"
    assert p["receipt_no"] in refused.value.text("id") and "another device" in refused.value.text("en")


def test_my_own_payment_pulled_back_is_not_closed_out_twice(core, user, engine):
    """Retention removed a closed, synced worker; a full pull brings their payments back:
    one of them was collected by this very user on this device, and is still not cash to
    count again."""
    w = pulled_worker()
    p = payment_payload(w["id"], ["2026-11"], device_id=core.device_id, collected_by=user.id,
                        collected_at=TODAY_UTC)
    apply(engine, payment_change(1, p), worker_change(2, w))
    assert core.closeouts.preview(user).entries == []
    assert core.dashboard.summary(user).collected_today == 0


def test_repulling_the_same_pages_changes_nothing(core, engine):
    w = pulled_worker()
    paid = counter_payment(w["id"], ["2026-11"])
    other = counter_payment(w["id"], ["2026-12"], flag="possible_double_collection")
    page = (payment_change(1, paid), payment_change(2, other, flag="possible_double_collection"),
            worker_change(3, w))
    apply(engine, *page)
    before = core.workers.detail(w["id"])
    apply(engine, *page)
    apply(engine, *page[:2])
    after = core.workers.detail(w["id"])
    assert [(p.id, p.amount, p.server_flag) for p in after.payments] == \
        [(p.id, p.amount, p.server_flag) for p in before.payments]
    flags = {p.id: p.server_flag for p in after.payments}
    assert flags == {paid["id"]: None, other["id"]: "possible_double_collection"}
    assert counts(core) == {"payments": 2, "outbox": 0, "parked": 0}


def test_a_payment_waits_for_its_worker_in_a_later_page(core, engine):
    w = pulled_worker()
    p = counter_payment(w["id"], ["2026-11", "2026-12"])
    assert apply(engine, payment_change(1, p)) == 0  # page 1 ends before the worker
    assert counts(core) == {"payments": 0, "outbox": 0, "parked": 1}
    assert apply(engine, worker_change(2, w)) == 2  # the worker, and its payment with it
    assert core.workers.detail(w["id"]).paid_months == ["2026-11", "2026-12"]
    assert counts(core)["parked"] == 0


def test_a_pulled_void_marks_the_payment_voided_like_a_local_void(core, engine):
    w = pulled_worker()
    p = counter_payment(w["id"], ["2026-11", "2026-12"])
    v = void_payload(p, collected_at=TODAY_UTC)
    apply(engine, payment_change(1, p), worker_change(2, w, paid=["2026-11", "2026-12"]))
    # The server's order for a void: the void, then the payment it reverses, then the worker.
    apply(engine, void_change(3, v, participant=w["id"]),
          payment_change(4, p, voided_by=v["id"]), worker_change(5, w))
    detail = core.workers.detail(w["id"])
    void = next(x for x in detail.payments if x.kind == "void")
    assert (void.amount, void.voids_payment_id, void.void_reason, void.origin) == \
        (-p["amount"], p["id"], v["reason"], "pulled")
    assert (void.method, void.tariff_version) == ("cash", p["tariff_version"])  # from the payment
    assert detail.voided_ids == {p["id"]}
    assert detail.paid_months == []
    assert counts(core) == {"payments": 2, "outbox": 0, "parked": 0}


def test_a_void_that_comes_before_its_payment_waits_for_it(core, engine):
    w = pulled_worker()
    p = counter_payment(w["id"], ["2026-11"])
    v = void_payload(p, collected_at=TODAY_UTC)
    apply(engine, void_change(1, v, participant=w["id"]))  # a page boundary just after it
    apply(engine, payment_change(2, p, voided_by=v["id"]))
    assert counts(core) == {"payments": 0, "outbox": 0, "parked": 2}
    apply(engine, worker_change(3, w))
    detail = core.workers.detail(w["id"])
    assert detail.voided_ids == {p["id"]} and detail.paid_months == []
    assert detail.worker.paid_through is None  # a voided payment pays nothing
    assert counts(core) == {"payments": 2, "outbox": 0, "parked": 0}


def test_money_named_by_an_alias_goes_to_the_local_copy_of_the_person(core, engine):
    """The counter collected on its own record of a person this device holds as another
    (aliased) record: the payment names ids this device does not have."""
    local = pulled_worker()
    apply(engine, worker_change(1, local))
    canonical = str(uuid.uuid4())
    with core.db.write() as s:
        s.get(Worker, local["id"]).canonical_id = canonical
    p = counter_payment(str(uuid.uuid4()), ["2026-11"])
    apply(engine, payment_change(2, p, participant=canonical))
    assert core.workers.detail(local["id"]).paid_months == ["2026-11"]


def test_money_of_an_erased_worker_stops_waiting(core, engine):
    w = pulled_worker()
    apply(engine, payment_change(1, counter_payment(w["id"], ["2026-11"])))
    assert counts(core)["parked"] == 1
    apply(engine, protocol.Change(seq=2, entity="worker", id=w["id"], op="delete"))
    assert counts(core) == {"payments": 0, "outbox": 0, "parked": 0}


def test_pending_local_work_on_the_worker_is_never_overwritten(core, user, engine):
    w = pulled_worker()
    apply(engine, worker_change(1, w))
    mine = core.payments.collect(user, w["id"], 1, "cash")  # queued, not sent yet: 2026-11
    with core.db.read() as s:
        before = s.get(Worker, w["id"]).model_dump()
    p = counter_payment(w["id"], ["2026-12", "2027-01"])
    apply(engine, payment_change(2, p), worker_change(3, w, paid=["2026-12", "2027-01"],
                                                      full_name="Nama Dari Pusat"))
    with core.db.read() as s:
        assert s.get(Worker, w["id"]).model_dump() == before  # the worker row untouched
        assert s.get(Payment, mine.id).sync_state == "pending"
    # The money itself is a new row: it is kept, and the months count as paid.
    assert core.workers.detail(w["id"]).paid_months == ["2026-11", "2026-12", "2027-01"]
    with core.db.read() as s:
        ops = s.exec(select(OutboxOp.kind)).all()
    assert ops == ["payment.collect"]  # only the agent's own payment is queued


def test_a_receipt_number_held_here_does_not_block_the_pull(core, user, engine):
    """The server refused a local payment as receipt_reused: the number is held here by a
    row the server never took, and the server's payment with that number cannot be stored."""
    w = pulled_worker()
    apply(engine, worker_change(1, w))
    mine = core.payments.collect(user, w["id"], 1, "cash")
    clash = counter_payment(w["id"], ["2026-12"], receipt_no=mine.receipt_no)
    ok = counter_payment(w["id"], ["2027-01"])
    assert apply(engine, payment_change(2, clash), payment_change(3, ok)) == 1
    assert {p.id for p in core.workers.detail(w["id"]).payments} == {mine.id, ok["id"]}
    assert counts(core)["parked"] == 0
    assert json.loads(core.payments.get(ok["id"]).months) == ["2027-01"]
