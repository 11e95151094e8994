"""Cash close-out: expected cash, variance rules, locking, handover; property tests."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from agent_app.services.base import FixedClock, ServiceError, new_id
from agent_app.services.core import AgentCore
from agent_app.store.models import AuditEntry, Closeout, OutboxOp, Payment, User
from perisai_protocol import OP_PAYLOADS
from tests.helpers.forms import NOW, make_form


@pytest.fixture
def worker(core, user):
    return core.workers.register(user, make_form())


def test_preview_counts_cash_only_and_deducts_voids(core, user, worker, clock):
    cash = core.payments.collect(user, worker.id, 1, "cash")
    core.payments.collect(user, worker.id, 1, "qris")
    third = core.payments.collect(user, worker.id, 3, "cash")
    core.payments.void(user, third.id, "salah jumlah bulan")
    p = core.closeouts.preview(user)
    assert p.expected_cash == cash.amount
    assert p.cash_payments == cash.amount + third.amount
    assert p.cash_voids == -third.amount
    assert p.noncash == {"qris": cash.amount}
    assert len(p.entries) == 4


def test_close_locks_period_and_queues_operation(core, user, worker, clock):
    pay = core.payments.collect(user, worker.id, 1, "cash")
    with pytest.raises(ServiceError) as err:
        core.closeouts.close(user, pay.amount - 1000, "")
    assert err.value.code == "closeout.explanation"
    assert "Rp 1.000" in err.value.text("id") or "-Rp 1.000" in err.value.text("id")
    c = core.closeouts.close(user, pay.amount - 1000, "uang kembalian kurang",
                             expected_cash=pay.amount)
    assert (c.expected_cash, c.counted_cash, c.variance) == (pay.amount, pay.amount - 1000, -1000)
    with core.db.read() as s:
        assert s.get(Payment, pay.id).closeout_id == c.id
        op = s.exec(select(OutboxOp).where(OutboxOp.kind == "closeout.create")).one()
        assert json.loads(op.payload)["payment_ids"] == [pay.id]
        OP_PAYLOADS["closeout.create"].model_validate(json.loads(op.payload))  # server accepts
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "closeout.create")).one()
    # Next period starts empty; a void of the closed payment is deducted in the new one.
    assert core.closeouts.preview(user).expected_cash == 0
    with pytest.raises(ServiceError) as err:
        core.closeouts.close(user, 0)
    assert err.value.code == "closeout.empty"
    # Agents may not void a closed payment; a supervisor may, and the refund comes out of
    # the supervisor's own open period (the agent's closed period stays as it was).
    clock.advance(hours=1)
    with pytest.raises(ServiceError) as err:
        core.payments.void(user, pay.id, "pembayaran ganda")
    assert err.value.code == "access.void_own_same_day"
    supervisor = _plain_user(core, "spv", role="supervisor")
    core.payments.void(supervisor, pay.id, "pembayaran ganda")
    assert core.closeouts.preview(supervisor).expected_cash == -pay.amount
    assert core.closeouts.preview(user).expected_cash == 0


def test_close_refuses_stale_expected(core, user, worker):
    pay = core.payments.collect(user, worker.id, 1, "cash")
    with pytest.raises(ServiceError) as err:
        core.closeouts.close(user, pay.amount, expected_cash=pay.amount + 5)
    assert err.value.code == "closeout.changed"


def test_handover_is_set_once(core, user, worker):
    pay = core.payments.collect(user, worker.id, 1, "cash")
    c = core.closeouts.close(user, pay.amount)
    with pytest.raises(ServiceError):
        core.closeouts.record_handover(user, c.id, " ")
    done = core.closeouts.record_handover(user, c.id, "Hj. Salmah (bendahara)")
    assert done.handed_to == "Hj. Salmah (bendahara)" and done.handed_at
    with pytest.raises(ServiceError) as err:
        core.closeouts.record_handover(user, c.id, "Orang lain")
    assert err.value.code == "closeout.handover_done"
    assert core.closeouts.get(c.id).handed_to == "Hj. Salmah (bendahara)"
    # The handover travels to the central server, once.
    from sqlmodel import select

    from agent_app.store.models import OutboxOp

    with core.db.read() as s:
        ops = s.exec(select(OutboxOp).where(OutboxOp.kind == "closeout.handover")).all()
    assert [json.loads(op.payload)["handed_to"] for op in ops] == ["Hj. Salmah (bendahara)"]


def test_other_users_cash_is_not_mine(core, user, worker):
    other = _plain_user(core, "rina")
    core.payments.collect(other, worker.id, 1, "cash")
    assert core.closeouts.preview(user).expected_cash == 0
    assert core.closeouts.preview(other).expected_cash > 0


# --- property: the arithmetic over random shifts, voids and midnights -------------------

step = st.one_of(
    st.tuples(st.just("pay"), st.sampled_from(["cash", "cash", "qris", "transfer"]),
              st.sampled_from([1, 3])),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(1, 14)),  # hours: shifts cross midnight
    st.tuples(st.just("close"), st.integers(-5000, 5000)),
)


def _plain_user(core, username: str, role: str = "agent") -> User:
    """A user row without password hashing (argon2 costs ~1 s; not under test here)."""
    user = User(id=new_id(), username=username, full_name=username.title(), role=role,
                password_hash="-", created_at=core.clock.stamp())
    with core.db.write() as s:
        s.add(user)
    return user


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One store for all examples: each example gets its own user and worker."""
    clock = FixedClock(NOW)
    core = AgentCore.open(tmp_path_factory.mktemp("prop") / "p.db", clock=clock)
    yield core, clock, itertools.count(1)
    core.close()


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_closeouts_partition_cash(shared, steps):
    core, clock, serial = shared
    clock.moment = NOW.replace(hour=20)
    n = next(serial)
    # A supervisor may void any payment, so voids of closed periods and of earlier days
    # (the interesting cases) happen; agents' narrower rule is tested above.
    user = _plain_user(core, f"spv{n}", role="supervisor")
    worker = core.workers.register(user, make_form(nik=f"737101410790{n:04d}"))
    payments: list[Payment] = []
    closeouts: list[Closeout] = []
    for action, *args in steps:
        if action == "pay":
            payments.append(core.payments.collect(user, worker.id, args[1], args[0]))
        elif action == "void" and payments:
            target = payments[args[0] % len(payments)]
            try:
                core.payments.void(user, target.id, "koreksi petugas")
            except ServiceError as exc:
                assert exc.code in ("payment.already_voided", "payment.not_found")
        elif action == "advance":
            clock.advance(hours=args[0])
        elif action == "close":
            preview = core.closeouts.preview(user)
            if not preview.entries:
                continue
            counted = max(0, preview.expected_cash + args[0])
            closeouts.append(core.closeouts.close(
                user, counted, "selisih dihitung ulang", expected_cash=preview.expected_cash))
    with core.db.read() as s:
        rows = list(s.exec(select(Payment).where(Payment.collected_by == user.id)))
    cash = [p for p in rows if p.method == "cash"]
    closed = {c.id for c in closeouts}
    # Every entry is in exactly one close-out of this user, or open (after the last one).
    assert all(p.closeout_id in closed or p.closeout_id is None for p in rows)
    total_closed_cash = sum(p.amount for p in cash if p.closeout_id is not None)
    assert sum(c.expected_cash for c in closeouts) == total_closed_cash
    for c in closeouts:
        mine = [p for p in cash if p.closeout_id == c.id]
        assert c.expected_cash == sum(p.amount for p in mine)
        assert c.variance == c.counted_cash - c.expected_cash
    # Nothing after the last close-out was counted in it.
    if closeouts:
        last = closeouts[-1]
        later = [p for p in rows if p.closeout_id is None]
        assert all(p.id not in {e.payment_id for e in core.closeouts.entries(last.id)}
                   for p in later)
    open_cash = sum(p.amount for p in cash if p.closeout_id is None)
    assert core.closeouts.preview(user).expected_cash == open_cash
    assert total_closed_cash + open_cash == sum(p.amount for p in cash)


# --- work goes on after a handover (the outbox counter is never lost) --------------------


def _stream(core, user) -> list[int]:
    with core.db.read() as s:
        return sorted(s.exec(select(OutboxOp.seq).where(OutboxOp.user_id == user.id)))


def _handover_then_work(core, user, worker) -> None:
    pay = core.payments.collect(user, worker.id, 1, "cash")
    c = core.closeouts.close(user, pay.amount, expected_cash=pay.amount)
    core.closeouts.record_handover(user, c.id, "Hj. Salmah (bendahara)")


def test_registration_and_payment_after_a_handover(core, user, worker):
    _handover_then_work(core, user, worker)
    second = core.workers.register(user, make_form(nik="7371014107900002", full_name="Nur Aisyah"))
    core.payments.collect(user, second.id, 1, "cash")
    # register, collect, close, handover, register, collect: one gapless stream.
    assert _stream(core, user) == [1, 2, 3, 4, 5, 6]


def test_registration_and_payment_after_a_handover_and_a_restart(tmp_path, clock, core, user, worker):
    _handover_then_work(core, user, worker)
    core.close()
    reopened = AgentCore.open(core.db.path, clock=clock)
    try:
        second = reopened.workers.register(user, make_form(nik="7371014107900002", full_name="Nur Aisyah"))
        reopened.payments.collect(user, second.id, 1, "cash")
        assert _stream(reopened, user) == [1, 2, 3, 4, 5, 6]
    finally:
        reopened.close()
