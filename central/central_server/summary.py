"""Summary columns and tables the web console counts with, kept up to date by the push
handlers in the batch's own transaction.

Derived from what the rows already hold (a payment's payload, a worker's payload, the
payment_months of a participant), so they can always be recomputed.

Coverage over time: in month M, a participant registered by then is "active" if the
payments collected by the end of M paid through M or later, "grace" if through one of
the three months before, "inactive" if through an earlier month, "never" with no payment
collected yet: the coverage page's rule, applied to what had been collected by each
month (a voided payment never counts). Each participant adds the months its status
changes to ``coverage_changes`` (+1 entering a status, -1 leaving one); a month's figures
are the sums up to it. For the current month they equal the page's figures of today.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, String, bindparam, func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from central_server.db import dumps, iso, loads, table_of
from central_server.models import (
    CoverageChange,
    Enrollment,
    MoneyDay,
    Participant,
    PaymentMonth,
    Registered,
    ServerPayment,
)

WITA = timezone(timedelta(hours=8))  # Makassar's time zone: a day's money is counted in it
GRACE_MONTHS = 3  # as the app's coverage rule: 1-3 unpaid months is "grace"
STATUSES = ("active", "grace", "inactive", "never")
MONEY_DIMENSIONS = ("agent", "kelurahan", "method")


def add_months(month: str, delta: int) -> str:
    year, mm = int(month[:4]), int(month[5:7])
    index = year * 12 + (mm - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def wita_date(stamp: str) -> str | None:
    """The Makassar calendar date of an ISO time stamp ("2026-03-01T17:00:00Z" -> "2026-03-02")."""
    try:
        dt = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(WITA).date().isoformat()


def set_worker_facts(row: Participant | Registered, w: protocol.WorkerPayload) -> None:
    programmes = {k.lower(): v for k, v in w.programmes.items()}
    row.desil = w.desil
    row.jht_funding = programmes.get("jht")


def status_in(month: str, paid_through: str | None) -> str:
    if paid_through is None:
        return "never"
    if paid_through >= month:
        return "active"
    return "grace" if paid_through >= add_months(month, -GRACE_MONTHS) else "inactive"


def status_changes(start: str, steps: list[list[str]]) -> list[tuple[str, str, int]]:
    """The months the status of a participant registered in ``start`` changes, as
    (month, status, +1 entering | -1 leaving). ``steps``: [month collected, paid through
    by then], in order, paid-through increasing."""
    segments: list[tuple[str, str | None]] = [(start, None)]  # (from month, paid through)
    for collected, paid in steps:
        at = max(collected, start)  # collected before the centre had the registration
        if segments[-1][0] == at:
            segments[-1] = (at, paid)
        else:
            segments.append((at, paid))
    changes: list[tuple[str, str, int]] = []
    current: str | None = None
    for i, (begin, through) in enumerate(segments):
        end = segments[i + 1][0] if i + 1 < len(segments) else None
        points = {begin} | ({add_months(through, 1), add_months(through, GRACE_MONTHS + 1)} if through else set())
        for month in sorted(p for p in points if p >= begin and (end is None or p < end)):
            state = status_in(month, through)
            if state != current:
                if current:
                    changes.append((month, current, -1))
                changes.append((month, state, 1))
                current = state
    return changes


def paid_steps(session: Session, participant_id: str) -> list[list[str]]:
    """[month collected, paid through by the end of it] of a participant's payments that
    are not voided, where the paid-through month grows."""
    session.flush()
    collected = func.substr(ServerPayment.collected_on, 1, 7)
    rows = session.exec(
        select(collected, func.max(PaymentMonth.month))
        .join(ServerPayment, col(ServerPayment.id) == PaymentMonth.payment_id)
        .where(col(PaymentMonth.participant_id) == participant_id, col(ServerPayment.kind) == "payment",
               col(ServerPayment.voided_by).is_(None)).group_by(collected)).all()
    steps: list[list[str]] = []
    for month, paid in sorted(rows, key=lambda r: r[0] or ""):
        if not steps or paid > steps[-1][1]:
            steps.append([month or "", paid])
    return steps


def counted_coverage(row: Participant | Registered, steps: list[list[str]]) -> dict[str, Any] | None:
    """What a participant adds to coverage over time; None when it does not count (as the
    coverage page: an alias, erased, or refused by a review)."""
    if row.alias_of is not None or row.deleted_at is not None or row.review_state == "rejected":
        return None
    start = (wita_date(row.created_at) or row.created_at)[:7]
    return {"kec": row.scope_kecamatan, "kel": row.scope_kelurahan, "from": start, "steps": steps}


class Summaries:
    """The changes to the console's summary tables a transaction makes, written in one go
    just before it commits (as ChangeLog does with the pull log): concurrent batches that
    touch the same summary rows queue on them only from there to the commit, taking them
    in one sorted order."""

    def __init__(self) -> None:
        self._money: list[tuple[tuple[str, str, str, str], tuple[int, int, int]]] = []
        self._coverage: list[tuple[tuple[str, str, str], str, int]] = []

    def mark(self) -> tuple[int, int]:
        return len(self._money), len(self._coverage)

    def rollback_to(self, mark: tuple[int, int]) -> None:
        """Forget what an operation added when its savepoint is rolled back."""
        del self._money[mark[0]:]
        del self._coverage[mark[1]:]

    def money(self, pay: ServerPayment, sign: int) -> None:
        """Count a payment or void row (sign 1) or take it out (-1, before it moves area)."""
        if pay.collected_on is None:
            return  # no day to count it on (the money page cannot show it either)
        amount = sign * pay.amount
        deltas = (sign, amount, 0) if pay.kind == "payment" else (0, 0, amount)
        for dimension, value in zip(MONEY_DIMENSIONS, (pay.user_id, pay.scope_kelurahan, pay.method or ""),
                                    strict=True):
            self._money.append(((pay.collected_on, pay.scope_kecamatan, dimension, value), deltas))

    def coverage(self, session: Session, row: Participant | Registered, steps: list[list[str]] | None = None) -> None:
        """Bring what ``row`` adds to coverage over time up to date, after its payments
        (then ``steps``), area, review state or erasure changed."""
        old = loads(row.coverage) if row.coverage else None
        if steps is None:
            steps = old["steps"] if old else paid_steps(session, row.id)
        new = counted_coverage(row, steps)
        if new == old:
            return
        for part, sign in ((old, -1), (new, 1)):
            if part:
                self.add_coverage(part, sign)
        row.coverage = dumps(new) if new else None
        if isinstance(row, Participant):  # not a row a push registers, written by its batch
            session.add(row)

    def add_coverage(self, part: dict[str, Any], sign: int) -> None:
        for month, state, delta in status_changes(part["from"], part["steps"]):
            self._coverage.append(((month, part["kec"], part["kel"]), state, sign * delta))

    def write(self, session: Session | Connection) -> None:
        money: dict[tuple[str, str, str, str], list[int]] = {}
        for key, deltas in self._money:
            totals = money.setdefault(key, [0, 0, 0])
            for i, delta in enumerate(deltas):
                totals[i] += delta
        coverage: dict[tuple[str, str, str], dict[str, int]] = {}
        for place, state, delta in self._coverage:
            counts = coverage.setdefault(place, dict.fromkeys(STATUSES, 0))
            counts[state] += delta
        self._money.clear()
        self._coverage.clear()
        _add_to(session, MoneyDay, [
            dict(day=k[0], scope_kecamatan=k[1], dimension=k[2], value=k[3], receipts=v[0], collected=v[1],
                 voided=v[2]) for k, v in sorted(money.items()) if any(v)])
        _add_to(session, CoverageChange, [
            dict(month=k[0], scope_kecamatan=k[1], scope_kelurahan=k[2], **v)
            for k, v in sorted(coverage.items()) if any(v.values())])


def _add_to(session: Session | Connection, model: type[MoneyDay] | type[CoverageChange],
            rows: list[dict[str, Any]]) -> None:
    """Add the rows' counts to the summary rows with the same key (new rows as they are)."""
    if not rows:
        return
    bind = session if isinstance(session, Connection) else session.get_bind()
    session.execute(_adding_statement(bind.dialect.name, model, tuple(rows[0])), rows)


@functools.cache
def _adding_statement(dialect_name: str, model: type[MoneyDay] | type[CoverageChange],
                      names: tuple[str, ...]) -> Any:
    """Built once per table and columns: building ``excluded`` again for every batch was
    most of the CPU the summaries cost a push."""
    table = table_of(model)
    keys = [c.name for c in table.primary_key]
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(index_elements=keys, set_={
        name: table.c[name] + statement.excluded[name] for name in names if name not in keys})


def refresh_paid_through(session: Session, summaries: Summaries, participant: Participant) -> None:
    """The latest month covered by a non-voided payment of this (canonical) participant,
    and its coverage over time."""
    steps = paid_steps(session, participant.id)
    participant.paid_through = steps[-1][1] if steps else None
    session.add(participant)
    summaries.coverage(session, participant, steps)


def rebuild(conn: Connection) -> None:
    """Every summary row again from the payments and participants: for a database whose
    rows were written before these summaries existed (the migration that adds them) or
    loaded around the push handlers. Plain SQL on the columns the summaries came with."""
    conn.execute(text("DELETE FROM money_days"))
    conn.execute(text("DELETE FROM coverage_changes"))
    conn.execute(text(
        "INSERT INTO money_days (day, scope_kecamatan, dimension, value, receipts, collected, voided) "
        "SELECT collected_on, scope_kecamatan, dimension, value, "
        "sum(CASE WHEN kind = 'payment' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN kind = 'payment' THEN amount ELSE 0 END), "
        "sum(CASE WHEN kind = 'payment' THEN 0 ELSE amount END) FROM ("
        + " UNION ALL ".join(
            f"SELECT collected_on, scope_kecamatan, '{dimension}' AS dimension, {column} AS value, kind, amount "
            f"FROM payments WHERE collected_on IS NOT NULL"
            for dimension, column in zip(MONEY_DIMENSIONS, ("user_id", "scope_kelurahan", "coalesce(method, '')"),
                                         strict=True))
        + ") AS counted GROUP BY collected_on, scope_kecamatan, dimension, value"))
    steps: dict[str, list[list[str]]] = {}
    for pid, month, paid in conn.execute(text(
            "SELECT pm.participant_id, substr(p.collected_on, 1, 7) AS collected, max(pm.month) "
            "FROM payment_months pm JOIN payments p ON p.id = pm.payment_id "
            "WHERE p.kind = 'payment' AND p.voided_by IS NULL "
            "GROUP BY pm.participant_id, substr(p.collected_on, 1, 7) ORDER BY 1, 2")):
        own = steps.setdefault(pid, [])
        if not own or paid > own[-1][1]:
            own.append([month or "", paid])
    summaries, updates = Summaries(), []
    for row in conn.execute(text(
            "SELECT id, scope_kecamatan, scope_kelurahan, created_at, alias_of, deleted_at, review_state "
            "FROM participants")):
        part = counted_coverage(row, steps.get(row.id, []))  # type: ignore[arg-type]
        if part is not None:
            summaries.add_coverage(part, 1)
            updates.append({"i": row.id, "c": dumps(part)})
    conn.execute(text("UPDATE participants SET coverage = NULL WHERE coverage IS NOT NULL"))
    if updates:
        conn.execute(text("UPDATE participants SET coverage = :c WHERE id = :i"), updates)
    summaries.write(conn)


def record_device_report(session: Session, now: datetime, enrollment_id: str, body: protocol.PushRequest) -> None:
    """Keep what a device said of itself at a push (app version, queue length, clock), in
    the batch's own transaction."""
    offset = None
    if body.device_time:
        try:
            device_now = datetime.fromisoformat(body.device_time.replace("Z", "+00:00"))
            if device_now.tzinfo is not None:
                offset = int((device_now - now).total_seconds())
        except ValueError:
            pass  # an unreadable clock is reported as unknown, never refuses the push
    session.execute(DEVICE_REPORT, {"enrollment": enrollment_id, "now": iso(now), "pending": body.pending_ops,
                                    "offset": offset, "version": body.app_version or None})


def _device_report() -> Any:
    """Built once (a plain UPDATE: the ORM's version of it was a tenth of a push's CPU).
    A push that does not say its app version keeps the one known."""
    table = table_of(Enrollment)
    return update(table).where(table.c.id == bindparam("enrollment")).values(
        last_sync_at=bindparam("now"), last_seen_at=bindparam("now"), pending_ops=bindparam("pending"),
        clock_offset_seconds=bindparam("offset"),
        app_version=func.coalesce(bindparam("version", type_=String), table.c.app_version))


DEVICE_REPORT = _device_report()
