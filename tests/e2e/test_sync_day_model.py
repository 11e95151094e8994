"""Model-based test (Hypothesis state machine) of every use case of one counter laptop.

An agent, a counter clerk and a supervisor share the laptop (each signed in online once).
They register people, correct a participant's data, collect and void contributions, close
out and hand the cash over, import a small list, restart the app (the store is reopened),
switch user, let the clock run, and sync against the real reference server on 127.0.0.1.
The model keeps what each user should have: their operations by kind and their open cash.
After every step:

* the action succeeded, or was refused with a message in Indonesian and in English (never
  a bare code); any other outcome (an exception) is a failure;
* each user's outbox holds seqs 1..n, n the stored counter, and exactly the operations the
  model expects, each record once;
* the cash expected at close-out is the user's cash collections minus cash voids not yet
  closed;
* the server's applied operations of this device are exactly the acknowledged ones, each
  with its seq; after a user's sync round nothing of theirs is left queued but what waits
  for another user's registration, nothing is refused, a NIK correction waits for the
  centre's review (the centre settles identity), and the server holds every payment and
  void acknowledged, once.

PERISAI_DAY_PROFILE=day-deep runs a longer, random hunt (with shrinking).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import create_engine, text
from sqlmodel import select

from agent_app.domain.messages import CATALOGUE, LANGUAGES, Issue
from agent_app.services.base import WITA, FixedClock, ServiceError, get_meta, outbox_seq_key
from agent_app.services.core import AgentCore
from agent_app.services.privacy import correct_worker
from agent_app.services.users import failure_delay
from agent_app.services.workers import RegistrationForm
from agent_app.store.models import Closeout, OutboxOp, Payment, Worker
from sync.client import SyncClient
from sync.credentials import TokenStore
from sync.headless import login, make_engine

from .conftest import KELURAHAN, NOW, PASSWORD, nik_for, seed_agents, start_server

settings.register_profile(
    "day-suite", max_examples=50, stateful_step_count=50, deadline=None, derandomize=True,
    database=None, suppress_health_check=list(HealthCheck),
    # No shrinking: a failure prints its (deterministic) step list at once instead of
    # spending minutes against a live server.
    phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.register_profile(
    "day-deep", parent=settings.get_profile("day-suite"), max_examples=200,
    stateful_step_count=60, derandomize=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])

AGENT, CLERK, SUPERVISOR = "agen.hari", "loket.hari", "spv.hari"
ROLES = {AGENT: "agent", CLERK: "clerk", SUPERVISOR: "supervisor"}
KELURAHAN_NAME = "Bontorannu"  # KELURAHAN, as a city list names it
PEOPLE = [("Andi Baso", date(1980, 1, 5), "M"), ("Sitti Aminah", date(1991, 7, 21), "F"),
          ("Daeng Nai", date(1975, 11, 2), "M"), ("Besse Tenri", date(1999, 2, 28), "F"),
          ("Muh Ilham", date(1985, 6, 9), "M"), ("Nur Aisyah", date(2001, 12, 30), "F"),
          ("Hasnah Latif", date(1969, 4, 17), "F"), ("Rusli Tompo", date(1990, 9, 1), "M")]
# The kinds the use cases write; the sync adds audit.batch operations of its own.
USE_CASE_KINDS = ("worker.register", "worker.update", "payment.collect", "payment.void",
                  "closeout.create", "closeout.handover")
_examples = itertools.count(1)


def assert_in_words(message: ServiceError | Issue) -> None:
    """A refusal a person can read, in both languages: never the bare code."""
    for lang in LANGUAGES:
        text = message.text(lang)
        assert message.code in CATALOGUE and text.strip() and text != message.code, (message.code, lang, text)
    for issue in getattr(message, "issues", []):
        if isinstance(issue, Issue):  # nik_exists carries the existing worker's id instead
            assert_in_words(issue)


def wita_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(WITA).date()


class CounterDay(RuleBasedStateMachine):
    base_url: str = ""
    server = None  # an SQLAlchemy engine on the server's database, to read what it holds
    tmp = None

    def __init__(self) -> None:
        super().__init__()
        self.n = next(_examples)
        self.clock = FixedClock(NOW)
        self.path = self.tmp / f"day{self.n}" / "p.db"
        self.core = AgentCore.open(self.path, clock=self.clock)
        self.client = SyncClient(self.base_url, connect_timeout=2, read_timeout=5, deadline=20)
        with open(os.devnull, "w") as out:
            for username in ROLES:
                assert login(self.core, self.base_url, username, PASSWORD, client=self.client,
                             out=out) == 0
        self.users = {name: self.core.users.authenticate(name, PASSWORD) for name in ROLES}
        self.me = AGENT
        self.ops = {name: Counter() for name in ROLES}  # kind -> count the model expects
        self.open_cash = dict.fromkeys(ROLES, 0)
        self.open_entries = dict.fromkeys(ROLES, 0)
        self.collected = 0
        self.closeouts: dict[str, str | None] = {}  # closeout id -> handed to (None: not yet)
        self.sign_in_failures: dict[str, tuple[int, datetime | None]] = {}

    # --- helpers -------------------------------------------------------------------------

    @property
    def actor(self):
        return self.users[self.me]

    def attempt(self, action, *args, expect: str | None = None, **kwargs):
        """Run one use case: its result, or None when refused in words (``expect``: the
        refusal the rules call for, None when it must succeed)."""
        try:
            result = action(*args, **kwargs)
        except ServiceError as exc:
            assert_in_words(exc)
            assert exc.code == expect, (exc.code, expect, exc.params)
            return None
        assert expect is None, f"{action.__name__} succeeded, expected the refusal {expect}"
        return result

    def nik(self, person: int) -> str:
        name, birth, sex = PEOPLE[person]
        return nik_for(birth, sex, 100 + self.n * len(PEOPLE) + person)  # unique per example

    def form(self, person: int, flaw: str | None) -> RegistrationForm:
        name, birth, sex = PEOPLE[person]
        return RegistrationForm(
            nik=self.nik(person), full_name=name, birth_date=birth, sex=sex,
            phone="12345" if flaw == "phone" else "081234567890", address="Jl. Nuri No. 5",
            kelurahan_code=KELURAHAN, occupations=["Pedagang pasar"], declared_income=1_500_000,
            consent_given=flaw != "consent")

    def server_rows(self, sql: str) -> list:
        """What the centre holds for this device (``:d`` is its id)."""
        with self.server.connect() as conn:
            return conn.execute(text(sql), {"d": self.core.device_id}).fetchall()

    def workers(self) -> list[Worker]:
        """This day's people: what earlier examples left on the server (pulled here) is
        never picked, so an example runs the same whatever ran before it."""
        pool = [self.nik(person) for person in range(len(PEOPLE))]
        with self.core.db.read() as s:
            return list(s.exec(select(Worker).where(Worker.deleted == False,  # noqa: E712
                                                    Worker.nik.in_(pool)).order_by(Worker.nik)))

    def registered(self, nik: str) -> bool:
        return self.core.workers.find_by_nik(nik) is not None

    # --- use cases -----------------------------------------------------------------------

    @rule(person=st.integers(0, len(PEOPLE) - 1),
          flaw=st.sampled_from([None, None, None, "phone", "consent"]))
    def register(self, person, flaw):
        expect = "worker.invalid" if flaw else "worker.nik_exists" if self.registered(self.nik(person)) else None
        if self.attempt(self.core.workers.register, self.actor, self.form(person, flaw), expect=expect):
            self.ops[self.me]["worker.register"] += 1

    @precondition(lambda self: self.workers())
    @rule(pick=st.integers(0, 99),
          change=st.sampled_from(["address", "phone", "bad_phone", "same", "nik", "short_reason"]))
    def correct(self, pick, change):
        workers = self.workers()
        worker = workers[pick % len(workers)]
        changes = {"address": {"address": f"Jl. Kenari No. {self.clock.moment.hour + pick}"},
                   "phone": {"phone": f"0813{pick:08d}"}, "bad_phone": {"phone": "12"},
                   "same": {"full_name": worker.full_name},
                   "nik": {"nik": worker.nik[:12] + "9999"},
                   "short_reason": {"address": "Jl. Baru"}}[change]
        reason = "ktp" if change == "short_reason" else "data keliru saat pendaftaran"
        if change == "short_reason":
            expect = "privacy.reason_required"
        elif change == "same" or (change == "address" and worker.address == changes["address"]) or (
                change == "phone" and (worker.phone or "").endswith(f"{pick:08d}")):
            expect = "privacy.no_change"
        elif change == "bad_phone":
            expect = "worker.invalid"
        elif change == "nik" and self.me != SUPERVISOR:
            expect = "access.denied"
        elif change == "nik" and self.registered(changes["nik"]):
            expect = "worker.nik_exists"
        else:
            expect = None
        if self.attempt(correct_worker, self.core, self.actor, worker.id, changes, reason, expect=expect):
            self.ops[self.me]["worker.update"] += 1

    @precondition(lambda self: self.workers())
    @rule(pick=st.integers(0, 99), months=st.sampled_from([1, 1, 3, 2]),
          method=st.sampled_from(["cash", "cash", "qris", "transfer"]))
    def collect(self, pick, months, method):
        workers = self.workers()
        worker = workers[pick % len(workers)]
        payment = self.attempt(self.core.payments.collect, self.actor, worker.id, months, method,
                               expect="payment.period" if months == 2 else None)
        if payment:
            assert payment.amount > 0 and payment.collected_by == self.actor.id
            self.ops[self.me]["payment.collect"] += 1
            self.collected += 1
            self.open_entries[self.me] += 1
            if method == "cash":
                self.open_cash[self.me] += payment.amount

    @precondition(lambda self: self.collected)
    @rule(pick=st.integers(0, 99), reason=st.sampled_from(["salah input nominal", "ktp", "pembayaran ganda"]),
          origin=st.sampled_from(["local", "local", "local", "pulled"]))
    def void(self, pick, reason, origin):
        with self.core.db.read() as s:
            voided = set(s.exec(select(Payment.voids_payment_id).where(Payment.kind == "void")))
            payments = list(s.exec(select(Payment).where(Payment.kind == "payment", Payment.origin == origin)
                                   .order_by(Payment.collected_at, Payment.receipt_no)))
        if not payments:
            return
        target = payments[pick % len(payments)]
        own_today_open = (target.collected_by == self.actor.id and target.closeout_id is None
                          and wita_day(target.collected_at) == self.clock.today())
        if len(reason) < 5:
            expect = "payment.void_reason"
        elif target.origin == "pulled":
            expect = "payment.pulled_read_only"
        elif self.me != SUPERVISOR and not own_today_open:
            expect = "access.void_own_same_day"
        elif target.id in voided:
            expect = "payment.already_voided"
        else:
            expect = None
        void = self.attempt(self.core.payments.void, self.actor, target.id, reason, expect=expect)
        if void:
            assert void.amount == -target.amount
            self.ops[self.me]["payment.void"] += 1
            self.open_entries[self.me] += 1
            if void.method == "cash":
                self.open_cash[self.me] += void.amount

    @rule(variance=st.sampled_from([0, 0, -1000, 2500]), explained=st.booleans(),
          stale=st.sampled_from([False, False, False, True]))
    def close_out(self, variance, explained, stale):
        expected = self.open_cash[self.me]
        counted = max(0, expected + variance)
        if self.open_entries[self.me] == 0:
            expect = "closeout.empty"
        elif stale:
            expect = "closeout.changed"
        elif counted != expected and not explained:
            expect = "closeout.explanation"
        else:
            expect = None
        closeout = self.attempt(
            self.core.closeouts.close, self.actor, counted,
            "uang kembalian kurang" if explained else "",
            expected_cash=expected + 5 if stale else expected, expect=expect)
        if closeout:
            assert (closeout.expected_cash, closeout.counted_cash) == (expected, counted)
            self.ops[self.me]["closeout.create"] += 1
            self.open_cash[self.me] = self.open_entries[self.me] = 0
            self.closeouts[closeout.id] = None

    @precondition(lambda self: self.closeouts)
    @rule(pick=st.integers(0, 99), name=st.sampled_from(["Hj. Salmah (bendahara)", "Andi Bendahara", " "]))
    def hand_over(self, pick, name):
        ids = sorted(self.closeouts)
        closeout_id = ids[pick % len(ids)]
        if not name.strip():
            expect = "closeout.handover_name"
        elif self.closeouts[closeout_id] is not None:
            expect = "closeout.handover_done"
        else:
            expect = None
        if self.attempt(self.core.closeouts.record_handover, self.actor, closeout_id, name, expect=expect):
            self.ops[self.me]["closeout.handover"] += 1
            self.closeouts[closeout_id] = name

    @rule(rows=st.lists(st.tuples(st.integers(0, len(PEOPLE) - 1), st.booleans()), min_size=1, max_size=3))
    def import_list(self, rows):
        path = self.tmp / f"day{self.n}" / "daftar.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["nik", "nama", "tanggal_lahir", "jenis_kelamin", "telepon", "alamat",
                          "kelurahan", "pekerjaan", "penghasilan", "sumber_dana", "persetujuan"])
            for person, valid in rows:
                name, birth, sex = PEOPLE[person]
                out.writerow([self.nik(person), name, birth.strftime("%d/%m/%Y") if valid else "31/02/1990",
                              "L" if sex == "M" else "P", "081234567890", "Jl. Nuri No. 5",
                              KELURAHAN_NAME, "Pedagang pasar", "1500000", "APBD", "ya"])
        report = self.attempt(self.core.importer.preview, path)
        for row in report.rows:
            for issue in row.issues:
                assert_in_words(issue)
        accepted = [row.form.nik for row in report.valid]
        assert len(set(accepted)) == len(accepted)
        assert set(accepted) <= {self.nik(p) for p, valid in rows if valid and not self.registered(self.nik(p))}
        if ROLES[self.me] == "agent":
            expect = "access.denied"
        elif not accepted:
            expect = "import.nothing_valid"
        else:
            expect = None
        imported = self.attempt(self.core.importer.commit, self.actor, report, expect=expect)
        if imported:
            assert imported == len(accepted)
            self.ops[self.me]["worker.register"] += imported

    def sign_in(self, username: str, password: str):
        """Offline sign-in, with the delays after repeated failures the model expects."""
        now = self.clock.now()
        failed, locked_until = self.sign_in_failures.get(username, (0, None))
        if locked_until and now < locked_until:
            expect = "auth.throttled"
        elif password != PASSWORD:
            expect = "auth.invalid"
            failed += 1
            delay = failure_delay(failed)
            self.sign_in_failures[username] = (failed, now + timedelta(seconds=delay) if delay else None)
        else:
            expect = None
            self.sign_in_failures[username] = (0, None)
        user = self.attempt(self.core.users.authenticate, username, password, expect=expect)
        if user:
            self.users[username] = user
        return user

    @rule()
    def restart(self):
        self.core.close()
        self.core = AgentCore.open(self.path, clock=self.clock)
        self.sign_in(self.me, PASSWORD)

    @rule(username=st.sampled_from(sorted(ROLES)), wrong=st.sampled_from([False, False, False, True]))
    def switch_user(self, username, wrong):
        if self.sign_in(username, "salah-sandi" if wrong else PASSWORD):
            self.me = username

    @rule(hours=st.integers(1, 12))
    def time_passes(self, hours):
        self.clock.advance(hours=hours)

    @rule()
    def sync(self):
        engine = make_engine(self.core, self.base_url, self.me, client=self.client,
                             tokens=TokenStore(self.base_url), rng=random.Random(7),
                             backoff_base=0.001, backoff_cap=0.01)
        report = engine.sync_round()
        assert report.state == "up_to_date", report
        with self.core.db.read() as s:
            mine = list(s.exec(select(OutboxOp).where(OutboxOp.user_id == self.actor.id)
                               .order_by(OutboxOp.seq)))
        # Everything went, but what waits (in order) for another user's registration.
        sent, waiting = mine[:len(mine) - report.waiting], mine[len(mine) - report.waiting:]
        for op in sent:
            if op.state == "needs_review":
                self.waits_for_the_centre(op)
            else:
                assert op.state == "acked", (op.kind, op.state, op.result)
        assert {op.state for op in waiting} <= {"pending"}
        with self.core.db.read() as s:
            acked_money = {p.id for p in s.exec(
                select(Payment).where(Payment.origin == "local", Payment.sync_state == "synced"))}
        server_money = [r[0] for r in self.server_rows(
            "SELECT id FROM payments WHERE json_extract(data, '$.device_id') = :d")]
        assert len(server_money) == len(set(server_money))
        assert acked_money <= set(server_money), "an acknowledged payment is not on the server"

    def waits_for_the_centre(self, op: OutboxOp) -> None:
        """The centre settles identity: a supervisor's correction of a NIK becomes a case
        its administrators decide, said in both languages (the supervisor reads it in Perlu
        perhatian). Nothing else the day does waits there."""
        result = json.loads(op.result)
        assert op.kind == "worker.update" and "nik" in json.loads(op.payload), result
        assert result["code"] == "identity_review" and all(result["message"][lang] for lang in LANGUAGES)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def outbox_streams_are_gapless_and_hold_what_was_done(self):
        with self.core.db.read() as s:
            ops = list(s.exec(select(OutboxOp)))
            counters = {name: int(get_meta(s, outbox_seq_key(user.id), "0"))
                        for name, user in self.users.items()}
        for name, user in self.users.items():
            mine = [op for op in ops if op.user_id == user.id]
            assert sorted(op.seq for op in mine) == list(range(1, counters[name] + 1)), name
            kinds = Counter(op.kind for op in mine if op.kind in USE_CASE_KINDS)
            assert kinds == +self.ops[name], (name, kinds, self.ops[name])
        once = Counter((op.kind, op.entity_id) for op in ops if op.kind in USE_CASE_KINDS
                       and op.kind != "worker.update")
        assert max(once.values(), default=1) == 1, "a record was queued twice"

    @invariant()
    def expected_cash_is_collections_minus_voids_not_closed(self):
        for name, user in self.users.items():
            assert self.core.closeouts.preview(user).expected_cash == self.open_cash[name], name
        with self.core.db.read() as s:
            closed = {c.id: c.handed_to for c in s.exec(select(Closeout))}
        assert closed == self.closeouts

    @invariant()
    def server_holds_exactly_the_acknowledged_operations(self):
        rows = self.server_rows("SELECT op_id, status, seq FROM applied_ops WHERE device_id = :d")
        server = {op_id: (status, seq) for op_id, status, seq in rows}
        assert len(server) == len(rows)
        with self.core.db.read() as s:
            local = {op.op_id: op for op in s.exec(select(OutboxOp))}
        assert set(server) <= set(local), "the server holds an operation this device never made"
        for op_id, op in local.items():
            held = server.get(op_id)
            if op.state == "acked":
                assert held == ("applied", op.seq), (op.kind, held)
            elif op.state == "needs_review":
                assert held == ("needs_review", op.seq), (op.kind, held)
            else:
                assert held is None, (op.kind, op.state, held)

    def teardown(self):
        self.client.close()
        self.core.close()


@pytest.fixture(scope="module")
def day_server(tmp_path_factory, cheap_password_hashing):
    """A server of its own: each example's device pulls what the earlier ones pushed."""
    tmp = tmp_path_factory.mktemp("day-central")
    with start_server(tmp, seed=False) as (base_url, db_url):
        for username, role in ROLES.items():
            seed_agents(db_url, [username], role=role)
        engine = create_engine(db_url)
        yield base_url, engine
        engine.dispose()


@pytest.mark.slow
def test_counter_day_state_machine(day_server, tmp_path):
    CounterDay.base_url, CounterDay.server = day_server
    CounterDay.tmp = tmp_path
    profile = os.environ.get("PERISAI_DAY_PROFILE", "day-suite")
    run_state_machine_as_test(CounterDay, settings=settings.get_profile(profile))
