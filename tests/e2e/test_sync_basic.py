"""End to end against the real reference server: push, pull, aliases, double payments,
poison operations, sign-in expiry, per-user streams on a shared laptop."""

from __future__ import annotations

import io
import json
from datetime import date

from sqlmodel import select

from agent_app.store.models import AuditEntry, OutboxOp, Payment, Worker
from sync import headless
from sync.credentials import Tokens, TokenStore

from .conftest import check_drained, pay, register


def test_round_pushes_then_pulls_and_is_audited(central, device):
    dev = device("a")
    w = register(dev)
    p = pay(dev, w.id, 3)
    report = dev.engine().sync_round()
    assert report.state == "up_to_date", report
    assert report.acked == 2 and report.pending == 0
    with dev.db.read() as s:
        worker = s.get(Worker, w.id)
        assert worker.sync_state == "synced" and worker.kpj and len(worker.kpj) == 11
        assert s.get(Payment, p.id).sync_state == "synced"
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "sync")).first() is not None
    check_drained([dev], central)
    # A second round changes nothing and sends no push.
    again = dev.engine().sync_round()
    assert again.state == "up_to_date" and again.pushed == 0


def test_the_processing_log_reaches_the_centre_in_batches(central, device):
    dev = device("audit")
    register(dev)
    assert dev.engine().sync_round().acked == 1  # a fresh log waits for more entries
    dev.clock.advance(hours=2)
    report = dev.engine().sync_round()
    assert report.state == "up_to_date" and report.acked == 1
    [(kind, data)] = central.query("SELECT kind, data FROM documents WHERE device_id = :d",
                                   d=dev.core.device_id)
    actions = {entry["action"] for entry in json.loads(data)["entries"]}
    assert kind == "audit.batch" and {"worker.register", "sync"} <= actions
    with dev.db.read() as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.synced == False)).first() is not None  # noqa: E712
    assert dev.engine().sync_round().pushed == 0  # this round's own entry waits again


def test_same_nik_on_two_devices_in_both_orders_gives_one_participant(central, device):
    for order in ((0, 1), (1, 0)):
        a, b = device(f"x{order[0]}", "agen2"), device(f"y{order[0]}", "agen3")
        serial = 9000 + order[0]
        wa = register(a, serial, name="Andi Baso")
        wb = register(b, serial, name="ANDI  baso")
        pa = pay(a, wa.id, 1)
        pb = pay(b, wb.id, 3)
        devs = [a, b]
        for i in order:
            assert devs[i].engine().sync_round().state == "up_to_date"
        first, second = devs[order[0]], devs[order[1]]
        w_first = wa if first is a else wb
        w_second = wb if first is a else wa
        with second.db.read() as s:
            alias = s.get(Worker, w_second.id)
            assert alias.canonical_id == w_first.id
            assert alias.sync_state == "synced"
        rows = central.query("SELECT id, canonical_id FROM participants WHERE nik = :n",
                             n=wa.nik)
        assert {r[1] for r in rows} == {w_first.id}  # one participant, one alias
        payments = central.query("SELECT id, participant_id, flag FROM payments "
                                 "WHERE id IN (:x, :y)", x=pa.id, y=pb.id)
        assert len(payments) == 2 and {r[1] for r in payments} == {w_first.id}
        # The second payment covers the same month: kept and flagged, never dropped.
        flags = {r[0]: r[2] for r in payments}
        later = pb.id if first is a else pa.id
        assert flags[later] == "possible_double_collection"
        with second.db.read() as s:
            assert s.get(Payment, later).server_flag == "possible_double_collection"
        # The first device pulls and sees the canonical record with its KPJ.
        assert first.engine().sync_round().state == "up_to_date"
        check_drained([a, b], central)


def test_pull_brings_other_agents_workers_but_never_overwrites_pending(central, device):
    a, b = device("pa", "agen1"), device("pb", "agen2")
    w = register(a, 7100, name="Sitti Aminah", sex="F", birth=date(1990, 5, 2))
    assert a.engine().sync_round().state == "up_to_date"
    assert b.engine().sync_round().state == "up_to_date"
    with b.db.read() as s:
        pulled = s.get(Worker, w.id)
        assert pulled is not None and pulled.origin == "pulled" and pulled.kpj


def test_signin_required_keeps_queue_and_refresh_is_used(central, device):
    dev = device("t")
    register(dev)
    store = TokenStore(central.base_url)
    good = store.get("agen1")
    # An unknown access token: 401 -> one refresh -> retry succeeds.
    store.set("agen1", Tokens("bogus-access-token-000000", good.refresh_token, good.server_user_id))
    engine = dev.engine()
    report = engine.sync_round()
    assert report.state == "up_to_date" and engine.stats["refreshes"] == 1
    # Both tokens bad: sign-in required, the queue stays as it is.
    register(dev)
    store.set("agen1", Tokens("bogus-access-token-000000", "bogus-refresh-token-00000", ""))
    report = dev.engine().sync_round()
    assert report.state == "signin_required"
    assert report.pending == 1
    assert {v for v in _states(dev).values()} == {"acked", "pending"}


def _states(dev):
    with dev.db.read() as s:
        return {op.op_id: op.state for op in s.exec(select(OutboxOp))}


def test_rejected_op_does_not_block_others_and_can_be_corrected(central, device):
    dev = device("r")
    good = register(dev)
    bad = register(dev)
    # Make the server refuse one registration: rewrite the queued payload's NIK region
    # behind the service's back (simulates a record the server's rules disagree with).
    with dev.db.write() as s:
        op = s.exec(select(OutboxOp).where(OutboxOp.entity_id == bad.id)).one()
        payload = json.loads(op.payload)
        payload["kelurahan_code"] = "73719999999"
        from perisai_protocol import canonical_json, payload_hash
        op.payload, op.payload_hash = canonical_json(payload), payload_hash(payload)
        s.add(op)
    p_bad = pay(dev, bad.id, 1)
    p_good = pay(dev, good.id, 1)
    report = dev.engine().sync_round()
    assert report.state == "up_to_date"
    assert report.rejected == 2  # the registration and the payment of an unknown worker
    items = dev.core.attention.items(dev.user.id)
    assert {i.entity_id for i in items} == {bad.id, p_bad.id}
    assert all(i.reason("id") and i.reason("en") for i in items)
    with dev.db.read() as s:
        assert s.get(Worker, bad.id).sync_state == "rejected"
        assert s.get(Payment, p_good.id).sync_state == "synced"
    out = io.StringIO()
    assert headless.sync_once(dev.core, central.base_url, "agen1", out=out) == 4
    # Correct and resubmit: a new operation; the payment goes again with it.
    new_op = dev.core.attention.resubmit(dev.user, bad.id, {"address": "Jl. Nuri 2"})
    assert new_op not in {i.op_id for i in items}
    report = dev.engine().sync_round()
    assert report.state == "up_to_date" and report.rejected == 0, report
    assert dev.core.attention.items(dev.user.id) == []
    with dev.db.read() as s:
        assert s.get(Worker, bad.id).sync_state == "synced"
        assert s.get(Payment, p_bad.id).sync_state == "synced"
    assert headless.sync_once(dev.core, central.base_url, "agen1", out=io.StringIO()) == 0


def test_two_users_on_one_laptop_keep_their_own_streams(central, device):
    dev = device("shared", "agen1")
    from .conftest import PASSWORD

    assert headless.login(dev.core, central.base_url, "agen2", PASSWORD, out=io.StringIO()) == 0
    other = dev.core.users.authenticate("agen2", PASSWORD)
    register(dev)
    from .conftest import Device
    dev2 = Device("shared2", dev.core, central.base_url, "agen2", other, dev.clock, 500)
    register(dev2)
    report = dev.engine().sync_round()
    assert report.acked == 1
    states = {}
    with dev.db.read() as s:
        for op in s.exec(select(OutboxOp)):
            states[op.user_id] = op.state
    assert states == {dev.user.id: "acked", other.id: "pending"}
    assert headless.sync_once(dev.core, central.base_url, "agen2", out=io.StringIO()) == 0
    check_drained([dev], central)


def test_money_for_a_person_another_user_registered_waits_for_the_registration(central, device):
    """A counter laptop: the agent registers someone, the clerk takes their money, and the
    clerk syncs first. The payment waits (it is not refused as an unknown worker and left
    behind) until the agent's round sends the registration; then it reaches the centre."""
    from .conftest import PASSWORD, Device

    dev = device("shared-money", "agen1")
    assert headless.login(dev.core, central.base_url, "agen2", PASSWORD, out=io.StringIO()) == 0
    clerk = Device("shared-money-2", dev.core, central.base_url, "agen2",
                   dev.core.users.authenticate("agen2", PASSWORD), dev.clock, 700)
    worker = register(dev)
    payment = pay(clerk, worker.id)
    first = clerk.engine().sync_round()
    assert (first.state, first.rejected, first.pending, first.waiting) == ("up_to_date", 0, 1, 1)
    out = io.StringIO()
    assert headless.sync_once(dev.core, central.base_url, "agen2", out=out) == 0
    assert "1 operasi menunggu" in out.getvalue()
    assert dev.engine().sync_round().acked == 1  # the registration
    second = clerk.engine().sync_round()
    assert (second.acked, second.rejected, second.pending, second.waiting) == (1, 0, 0, 0)
    assert central.query("SELECT count(*) FROM payments WHERE id = :p", p=payment.id)[0][0] == 1
    check_drained([dev], central)


def test_headless_exit_codes(central, device, tmp_path):
    dev = device("h")
    register(dev)
    assert headless.sync_once(dev.core, "http://127.0.0.1:9", "agen1", out=io.StringIO()) in (2, 3)
    assert headless.sync_once(dev.core, central.base_url, "nobody", out=io.StringIO()) == 3
    assert headless.login(dev.core, central.base_url, "agen1", "wrong-password",
                          out=io.StringIO()) == 3
    assert headless.sync_once(dev.core, central.base_url, "agen1", out=io.StringIO()) == 0
