"""Model-based test (Hypothesis state machine) of the sync against the real server.

Two agents on two devices register people (sometimes the same NIK on both devices),
collect and void payments, sync through the seeded fault proxy, crash mid-round, skew
their clocks. After every step: no operation lost, none applied twice on the server,
acknowledged ones are on the server with the same status, nothing left in flight outside
a crash; at the end, with the link healed, everything drains and the stores are intact.
"""

from __future__ import annotations

import itertools
from datetime import date
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import select

from agent_app.services.base import ServiceError
from agent_app.store.models import OutboxOp, Payment, Worker
from sync.client import SyncClient
from sync.rounds import CHECKPOINTS
from tests.helpers.faultproxy import FaultProxy

from .conftest import open_device, register

PEOPLE = [("Andi Baso", date(1980, 1, 5), "M"), ("Sitti Aminah", date(1991, 7, 21), "F"),
          ("Daeng Nai", date(1975, 11, 2), "M"), ("Besse Tenri", date(1999, 2, 28), "F"),
          ("Muh Ilham", date(1985, 6, 9), "M"), ("Nur Aisyah", date(2001, 12, 30), "F")]
FAULT_KINDS = ["reset_before", "cut_after_commit", "http_500_after_commit", "html_200",
               "truncated", "http_429", "redirect", "http_401"]
_counter = itertools.count(1)


class Crash(BaseException):
    """A simulated power cut inside the engine (escapes every except Exception)."""


class SyncModel(RuleBasedStateMachine):
    central = None
    proxy: FaultProxy = None
    tmp = None

    def __init__(self) -> None:
        super().__init__()
        n = next(_counter)
        self.proxy.clear()
        self.devices = [open_device(self.tmp, f"m{n}-a", self.proxy.url, "agen1"),
                        open_device(self.tmp, f"m{n}-b", self.proxy.url, "agen2")]
        self.engines = [self._engine(d) for d in self.devices]
        self.seen: list[set[str]] = [set(), set()]
        self.crashed = [False, False]
        self.serial_base = 1000 + (n % 9) * 10  # same person -> same NIK on both devices

    def _engine(self, dev):
        return dev.engine(client=SyncClient(self.proxy.url, connect_timeout=1,
                                            read_timeout=2, deadline=5), batch_start=3)

    # --- rules -------------------------------------------------------------------------

    @rule(d=st.integers(0, 1), person=st.integers(0, len(PEOPLE) - 1))
    def register_person(self, d, person):
        dev = self.devices[d]
        name, birth, sex = PEOPLE[person]
        serial = self.serial_base + person
        from .conftest import nik_for
        if dev.core.workers.find_by_nik(nik_for(birth, sex, serial)):
            return
        register(dev, serial, name=name, birth=birth, sex=sex)

    @rule(d=st.integers(0, 1), pick=st.integers(0, 50), months=st.sampled_from([1, 3]))
    def collect(self, d, pick, months):
        dev = self.devices[d]
        with dev.db.read() as s:
            ids = [w.id for w in s.exec(select(Worker).where(Worker.origin == "local",
                                                             Worker.deleted == False))]  # noqa: E712
        if not ids:
            return
        try:
            dev.core.payments.collect(dev.user, ids[pick % len(ids)], months, "cash")
        except ServiceError:
            pass

    @rule(d=st.integers(0, 1), pick=st.integers(0, 50))
    def void(self, d, pick):
        dev = self.devices[d]
        with dev.db.read() as s:
            voided = {p.voids_payment_id for p in s.exec(select(Payment).where(Payment.kind == "void"))}
            # Only money recorded on this device: pulled payments are read-only here.
            ids = [p.id for p in s.exec(select(Payment).where(Payment.kind == "payment",
                                                              Payment.origin == "local"))
                   if p.id not in voided]
        if ids:
            dev.core.payments.void(dev.user, ids[pick % len(ids)], "salah input nominal")

    @rule(d=st.integers(0, 1))
    def sync(self, d):
        report = self.engines[d].sync_round()
        assert report.state in ("up_to_date", "offline", "retry_later", "problem"), report
        self.crashed[d] = False

    @rule(kind=st.sampled_from(FAULT_KINDS))
    def network_fault(self, kind):
        self.proxy.inject(kind, path="/v1/push", retry_after=0)

    @rule(d=st.integers(0, 1), point=st.sampled_from(CHECKPOINTS))
    def crash_during_sync(self, d, point):
        engine = self.engines[d]

        def boom(name):
            if name == point:
                raise Crash(name)

        engine._checkpoint = boom
        try:
            engine.sync_round()
        except Crash:
            self.crashed[d] = True
        # Restart: the engine is dropped, a new one recovers in-flight ops on its first round.
        self.engines[d] = self._engine(self.devices[d])
        if self.crashed[d]:
            self.engines[d].startup_recovery()
            self.crashed[d] = False

    @rule(d=st.integers(0, 1), hours=st.integers(-36, 36))
    def clock_skew(self, d, hours):
        self.devices[d].clock.advance(hours=hours)

    # --- invariants --------------------------------------------------------------------

    def _ops(self, d):
        with self.devices[d].db.read() as s:
            return {op.op_id: op for op in s.exec(select(OutboxOp))}

    @invariant()
    def nothing_lost_nothing_twice(self):
        if not hasattr(self, "devices"):
            return
        for d, dev in enumerate(self.devices):
            ops = self._ops(d)
            assert self.seen[d] <= set(ops), "an operation disappeared"
            self.seen[d] = set(ops)
            if not self.crashed[d]:
                assert not [o for o in ops.values() if o.state == "in_flight"], "op stuck in flight"
            rows = self.central.query(
                "SELECT op_id, status FROM applied_ops WHERE device_id = :d", d=dev.core.device_id)
            server = dict(rows)
            assert len(rows) == len(server)
            assert set(server) <= set(ops), "the server holds an op this device never made"
            for op_id, op in ops.items():
                if op.state == "acked":
                    assert server.get(op_id) == "applied", (op.kind, server.get(op_id))
                elif op.state == "needs_review":
                    assert server.get(op_id) == "needs_review"
                elif op.state == "rejected":
                    assert op_id not in server

    def teardown(self):
        try:
            self.proxy.clear()
            for dev in self.devices:
                report = self._engine(dev).drain(max_rounds=6, sleep=lambda _s: None)
                assert report.state == "up_to_date", report
            for d, dev in enumerate(self.devices):
                assert dev.db.integrity_check() == "ok"
                ops = self._ops(d)
                assert not [o for o in ops.values() if o.state in ("pending", "in_flight")]
                server = self.central.query("SELECT count(*) FROM applied_ops WHERE device_id = :d",
                                            d=dev.core.device_id)[0][0]
                assert server == sum(1 for o in ops.values() if o.state in ("acked", "needs_review"))
                money = self.central.query(
                    "SELECT count(*) FROM payments WHERE json_extract(data, '$.device_id') = :d",
                    d=dev.core.device_id)[0][0]
                assert money == sum(1 for o in ops.values()
                                    if o.kind.startswith("payment.") and o.state == "acked")
            # Each device holds every payment and void the server has from both (the other's
            # pulled read-only), each once: one more round brings the other's last ones.
            devices = [dev.core.device_id for dev in self.devices]
            server_money = {r[0] for r in self.central.query(
                "SELECT id FROM payments WHERE json_extract(data, '$.device_id') IN (:a, :b)",
                a=devices[0], b=devices[1])}
            for d, dev in enumerate(self.devices):
                assert self._engine(dev).sync_round().state == "up_to_date"
                with dev.db.read() as s:
                    rows = s.exec(select(Payment.id, Payment.origin, Payment.device_id)).all()
                assert server_money <= {pid for pid, _o, _d in rows}
                assert all((origin == "local") == (device == devices[d])
                           for _p, origin, device in rows)
        finally:
            for dev in getattr(self, "devices", []):
                dev.core.close()


@pytest.mark.slow
def test_sync_state_machine(central, tmp_path):
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=424242) as proxy:
        SyncModel.central, SyncModel.proxy, SyncModel.tmp = central, proxy, tmp_path
        run_state_machine_as_test(SyncModel, settings=settings(
            max_examples=15, stateful_step_count=20, deadline=None, derandomize=True,
            database=None, suppress_health_check=list(HealthCheck),
            # No shrinking: a failure prints its (deterministic, derandomized) step list at
            # once instead of spending minutes against a live server.
            phases=[Phase.explicit, Phase.reuse, Phase.generate]))
