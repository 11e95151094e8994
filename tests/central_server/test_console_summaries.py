"""The console's summaries (money per day, coverage per month) say what the payments and
participants say: after pushes, voids, a worker who moves, review decisions and an
erasure, every figure equals a direct aggregate of the rows, and the migration's rebuild
of the summaries gives the same rows as the push handlers kept (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from central_server.models import CoverageChange, MoneyDay, Participant, PaymentMonth, ServerPayment
from central_server.ops import carry_out_deletion, resolve_review
from central_server.settings import DEFAULT_REFERENCE_DIR
from central_server.summary import WITA, rebuild, wita_date
from central_server.web import queries
from tests.helpers.console import MACCINI, month_add, seed_programme, write_population
from tests.helpers.samples import MARISO, TAMALATE, make_op, payment_payload, void_payload, worker_payload


def money_from_payments(session: Session, kec: str | None, start: str, end: str) -> queries.Money:
    """The money page's figures straight from the payment rows."""
    groups: list[dict] = [{}, {}, {}, {}]
    for pay in session.exec(select(ServerPayment)).all():
        if pay.collected_on is None or not start <= pay.collected_on <= end or kec not in (None, pay.scope_kecamatan):
            continue
        for group, key in zip(groups, (pay.collected_on, pay.user_id, pay.scope_kelurahan, pay.method), strict=True):
            row = group.setdefault(key, queries.MoneyRow(key, 0, 0, 0))
            if pay.kind == "payment":
                row.receipts, row.collected = row.receipts + 1, row.collected + pay.amount
            else:
                row.voided += pay.amount
    return queries.Money(*[sorted(g.values(), key=lambda r: (r.key is None, r.key or "")) for g in groups])


def coverage_from_rows(session: Session, kec: str | None, current: str) -> list[queries.CoverageRow]:
    """Each month's statuses straight from the participants and their payments, month by month."""
    people = [p for p in session.exec(select(Participant)).all()
              if p.alias_of is None and p.deleted_at is None and p.review_state != "rejected"
              and kec in (None, p.scope_kecamatan)]
    paid = session.exec(select(PaymentMonth.participant_id, PaymentMonth.month, ServerPayment.collected_on)
                        .join(ServerPayment, ServerPayment.id == PaymentMonth.payment_id)
                        .where(ServerPayment.kind == "payment", ServerPayment.voided_by.is_(None))).all()
    if not people:
        return []
    month = min(wita_date(p.created_at)[:7] for p in people)
    result = []
    while month <= current:
        row = queries.CoverageRow(month)
        for p in people:
            if wita_date(p.created_at)[:7] > month:
                continue
            through = max((m for pid, m, day in paid if pid == p.id and day[:7] <= month), default=None)
            state = ("never" if through is None else "active" if through >= month
                     else "grace" if through >= month_add(month, -3) else "inactive")
            row.registered += 1
            setattr(row, state, getattr(row, state) + 1)
        result.append(row)
        month = month_add(month, 1)
    return result


def summary_rows(engine) -> tuple[set, set]:
    with Session(engine) as s:
        money = {tuple(r) for r in s.exec(select(MoneyDay)).all() for r in [
            (r.day, r.scope_kecamatan, r.dimension, r.value, r.receipts, r.collected, r.voided)]
            if r[4:] != (0, 0, 0)}
        coverage = {(r.month, r.scope_kecamatan, r.scope_kelurahan, r.active, r.grace, r.inactive, r.never)
                    for r in s.exec(select(CoverageChange)).all()
                    if (r.active, r.grace, r.inactive, r.never) != (0, 0, 0, 0)}
    return money, coverage


def assert_summaries_match_the_rows(engine, today: date) -> None:
    current = f"{today:%Y-%m}"
    with Session(engine) as s:
        for kec in (None, TAMALATE, MARISO):
            for start, end in (("2025-01-01", today.isoformat()), ((today - timedelta(days=29)).isoformat(),
                                                                   today.isoformat())):
                assert queries.money(s, kec, start, end) == money_from_payments(s, kec, start, end), (kec, start)
            over_time = queries.coverage_over_time(s, kec, today)
            assert over_time == coverage_from_rows(s, kec, current), kec
            now = queries.CoverageRow("total")
            for row in queries.coverage(s, kec, today).rows:
                now.add(row)
            if over_time:  # this month's figures are the coverage page's figures of today
                assert (over_time[-1].registered, over_time[-1].active, over_time[-1].grace, over_time[-1].inactive,
                        over_time[-1].never) == (now.registered, now.active, now.grace, now.inactive, now.never)
    kept = summary_rows(engine)
    with engine.begin() as conn:  # what the migration does for rows written before the summaries
        conn.execute(text("UPDATE participants SET coverage = NULL"))
        rebuild(conn)
    assert summary_rows(engine) == kept


def test_summaries_equal_the_payments_through_pushes_voids_moves_reviews_and_erasure(make_central, clock, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE_DIR, reference)
    write_population(reference)
    clock.now = datetime(2025, 10, 5, 2, 0, tzinfo=UTC)
    central = make_central(reference_dir=reference)
    central.add_user("agen.lama")
    agent = central.login("agen.lama")

    def later(moment: datetime) -> None:
        """The clock moves on; the agent signs in again on the same laptop."""
        clock.now = moment
        again = central.login("agen.lama", agent.device_id)
        agent.tokens, agent.seq = again.tokens, agent.seq

    def push(kind: str, payload: dict) -> dict:
        result = agent.push([make_op(kind, payload, agent.next_seq())])["results"][0]
        assert result["status"] == "applied", result
        return payload

    def pay(worker: dict, months: list[str], **fields) -> dict:
        return push("payment.collect", payment_payload(worker["id"], months, collected_at=clock().isoformat(),
                                                       device_id=agent.device_id, **fields))

    def today() -> date:
        return clock().astimezone(WITA).date()

    # October: two registrations, one pays October.
    early = push("worker.register", worker_payload(full_name="Wa Ode", serial=21))
    late = push("worker.register", worker_payload(full_name="Baco Lama", serial=22, birth_date="1970-01-01"))
    pay(early, ["2025-10"])
    assert_summaries_match_the_rows(central.engine, today())
    # December: three months ahead by QRIS; the other pays December, which is then voided.
    later(datetime(2025, 12, 20, 3, 0, tzinfo=UTC))
    pay(early, ["2025-11", "2025-12", "2026-01"], method="qris")
    voided = pay(late, ["2025-12"])
    push("payment.void", void_payload(voided, collected_at=clock().isoformat()))
    assert_summaries_match_the_rows(central.engine, today())
    with Session(central.engine) as s:
        december = queries.coverage_over_time(s, None, today())[-1]
    assert december == queries.CoverageRow("2025-12", registered=2, active=1, never=1)  # the void took it back
    # March: the console's programme (a review case with a payment on it), then a worker
    # moves to another kelurahan with their payments.
    later(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    seed = seed_programme(central.http.post, central.settings.database_url, clock())
    push("worker.update", {"id": early["id"], "kelurahan_code": MACCINI})
    assert_summaries_match_the_rows(central.engine, today())
    # The centre decides the case (same person: its payment joins the other's), and erases one.
    with Session(central.engine) as s:
        resolve_review(s, clock(), seed.review_id, "alias", "admin.pusat", "nama salah ketik")
        assert carry_out_deletion(s, clock(), late["id"])
        s.commit()
    assert_summaries_match_the_rows(central.engine, today())
    # Months go by without a push: statuses age from the same rows.
    clock.now = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)
    assert_summaries_match_the_rows(central.engine, today())
    with Session(central.engine) as s:
        figures = {r.code: r for r in queries.coverage_over_time(s, None, today())}
    # Baco Lama, erased, has left every month; Wa Ode paid through January.
    assert figures["2025-12"] == queries.CoverageRow("2025-12", registered=1, active=1)
    assert figures["2026-02"] == queries.CoverageRow("2026-02", registered=1, grace=1)
    assert figures["2026-05"].inactive >= 1


def test_a_rejected_registration_leaves_coverage_and_its_money_stays(make_central, clock, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(DEFAULT_REFERENCE_DIR, reference)
    central = make_central(reference_dir=reference)
    seed = seed_programme(central.http.post, central.settings.database_url, clock())
    today = clock().astimezone(WITA).date()
    with Session(central.engine) as s:
        before = queries.coverage_over_time(s, None, today)[-1]
        resolve_review(s, clock(), seed.review_id, "reject", "admin.pusat", "NIK milik orang lain")
        s.commit()
        after = queries.coverage_over_time(s, None, today)[-1]
    assert after.registered == before.registered - 1 and after.active == before.active - 1
    assert_summaries_match_the_rows(central.engine, today)
