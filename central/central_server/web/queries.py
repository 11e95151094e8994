"""The console's reads: every figure a page shows, one aggregate query each.

All of them take ``kec`` (a 7-digit kecamatan code, or None for the whole city) and stay
within it. They read the summary columns the push handlers keep (participants.paid_through,
desil, jht_funding; payments.collected_on, method), so a page never aggregates the
payload JSON of 150,000 participants or 2 million payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, tuple_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

import perisai_protocol as protocol
from central_server.db import iso, loads
from central_server.models import (
    AppliedOp,
    CoverageChange,
    Document,
    Enrollment,
    MoneyDay,
    Participant,
    ReviewItem,
    ServerPayment,
    ServerUser,
    Wadah,
)
from central_server.ops import IDENTITY_CASE
from central_server.summary import GRACE_MONTHS, MONEY_DIMENSIONS, STATUSES, add_months


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _counted(kec: str | None):
    """Participants that count: canonical, not erased, not refused by a review."""
    cond = and_(col(Participant.alias_of).is_(None), col(Participant.deleted_at).is_(None),
                col(Participant.review_state) != "rejected")
    return and_(cond, col(Participant.scope_kecamatan) == kec) if kec else cond


@dataclass
class CoverageRow:
    code: str
    registered: int = 0
    active: int = 0
    grace: int = 0
    inactive: int = 0
    never: int = 0

    def add(self, other: CoverageRow) -> None:
        for name in ("registered",) + STATUSES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def aggregate(session: Session, groupings: list[tuple], measures: list, where) -> list[list[tuple]]:
    """For each grouping (a tuple of columns), the rows (*keys, *measures) grouped by it.

    PostgreSQL computes all of them in one scan (GROUPING SETS, with GROUPING() telling
    which set a row belongs to); SQLite, for small centres, runs one query per grouping.
    """
    if session.get_bind().dialect.name != "postgresql":
        return [[tuple(r) for r in session.exec(select(*g, *measures).where(where).group_by(*g)).all()]
                for g in groupings]
    columns: list = []
    for g in groupings:
        columns += [c for c in g if all(c is not known for known in columns)]
    n = len(columns)
    masks = [sum(1 << (n - 1 - j) for j, c in enumerate(columns) if all(c is not x for x in g)) for g in groupings]
    # More columns than select()'s typed overloads take: the statement it builds, rows untyped.
    query: Select[*tuple[Any, ...]] = Select(*columns, *measures, func.grouping(*columns))
    query = (query.where(where)
             .group_by(func.grouping_sets(*[tuple_(*g) for g in groupings])))
    results: list[list[tuple]] = [[] for _ in groupings]
    for row in session.exec(query).all():
        index = masks.index(row[-1])
        keys = [row[next(j for j, c in enumerate(columns) if c is x)] for x in groupings[index]]
        results[index].append((*keys, *row[n:-1]))
    return results


@dataclass
class Coverage:
    rows: list[CoverageRow]  # per kecamatan (whole city) or per kelurahan (one kecamatan)
    jht: dict[int | None, int]  # city-funded JHT places taken, by welfare decile


def coverage(session: Session, kec: str | None, today: date) -> Coverage:
    current = month_of(today)
    grace_from = add_months(current, -GRACE_MONTHS)
    paid = col(Participant.paid_through)
    status = case((paid.is_(None), "never"), (paid >= current, "active"), (paid >= grace_from, "grace"),
                  else_="inactive")
    group = Participant.scope_kelurahan if kec else Participant.scope_kecamatan
    jht = func.sum(case((col(Participant.jht_funding) == "apbd", 1), else_=0))
    by_status, by_desil = aggregate(session, [(group, status), (Participant.desil,)], [func.count(), jht],
                                    _counted(kec))
    rows: dict[str, CoverageRow] = {}
    for code, state, count, _jht in by_status:
        row = rows.setdefault(code, CoverageRow(code))
        row.registered += count
        setattr(row, state, getattr(row, state) + count)
    return Coverage(rows=sorted(rows.values(), key=lambda r: r.code),
                    jht={desil: int(places) for desil, _n, places in by_desil if places})


def coverage_over_time(session: Session, kec: str | None, today: date) -> list[CoverageRow]:
    """Each month's figures (``code`` is the month), from the first month anyone
    registered in the area to the current one: the sums of coverage_changes up to it."""
    current = month_of(today)
    month_col = col(CoverageChange.month)
    where = month_col <= current
    if kec:
        where = and_(where, col(CoverageChange.scope_kecamatan) == kec)
    changes = session.execute(select(month_col, *[func.sum(getattr(CoverageChange, s)) for s in STATUSES])
                              .where(where).group_by(month_col).order_by(month_col)).all()
    by_month: dict[str, list[int]] = {row[0]: [int(n or 0) for n in row[1:]] for row in changes}
    result: list[CoverageRow] = []
    month = changes[0][0] if changes else current
    running = [0] * len(STATUSES)
    while month <= current:
        running = [n + d for n, d in zip(running, by_month.get(month, [0] * len(STATUSES)), strict=True)]
        result.append(CoverageRow(month, sum(running), *running))
        month = add_months(month, 1)
    return result if changes else []


# --- money -----------------------------------------------------------------------------


@dataclass
class MoneyRow:
    key: str | None
    receipts: int
    collected: int
    voided: int

    @property
    def net(self) -> int:
        return self.collected + self.voided


def _money_filter(kec: str | None, start: str, end: str):
    collected_on = col(ServerPayment.collected_on)
    cond = and_(collected_on >= start, collected_on <= end)
    return and_(cond, col(ServerPayment.scope_kecamatan) == kec) if kec else cond


@dataclass
class Money:
    per_day: list[MoneyRow]
    per_agent: list[MoneyRow]
    per_kelurahan: list[MoneyRow]
    per_method: list[MoneyRow]


def money(session: Session, kec: str | None, start: str, end: str) -> Money:
    """Receipts, money collected and voided in the period, by day, agent, kelurahan and
    method: sums of the per-day summary (money_days), a few hundred rows a day."""
    day = col(MoneyDay.day)
    where = and_(day >= start, day <= end)
    if kec:
        where = and_(where, col(MoneyDay.scope_kecamatan) == kec)
    measures = [func.sum(MoneyDay.receipts), func.sum(MoneyDay.collected), func.sum(MoneyDay.voided)]
    # Every payment is counted once in each dimension: the days from one of them.
    per_day = session.exec(select(MoneyDay.day, *measures).where(where, MoneyDay.dimension == "method")
                           .group_by(MoneyDay.day)).all()
    per_value = session.exec(select(MoneyDay.dimension, MoneyDay.value, *measures).where(where)
                             .group_by(MoneyDay.dimension, MoneyDay.value)).all()

    def rows(found) -> list[MoneyRow]:
        result = [MoneyRow(key or None, int(n or 0), int(c or 0), int(v or 0)) for key, n, c, v in found]
        return sorted((r for r in result if r.receipts or r.collected or r.voided),  # a payment that moved away
                      key=lambda r: (r.key is None, r.key or ""))

    return Money(rows(per_day), *[rows(r[1:] for r in per_value if r[0] == dimension)
                                  for dimension in MONEY_DIMENSIONS])


def flagged_payments(session: Session, kec: str | None, start: str, end: str, limit: int = 50):
    return session.exec(
        select(ServerPayment, Participant.full_name, Participant.nik)
        .join(Participant, col(Participant.id) == ServerPayment.participant_id)
        .where(_money_filter(kec, start, end), col(ServerPayment.flag).is_not(None))
        .order_by(col(ServerPayment.collected_on).desc(), ServerPayment.receipt_no).limit(limit)).all()


@dataclass
class Closeout:
    id: str
    user: ServerUser | None
    created_at: str
    expected: int | None
    counted: int | None
    variance: int | None
    explanation: str
    handed_to: str | None = None
    handed_at: str | None = None


def closeouts(session: Session, kec: str | None, start_iso: str, end_iso: str, limit: int = 50) -> list[Closeout]:
    """The newest close-outs received in the period, with their handover, if any."""
    query = (select(Document.entity_id, Document.data, Document.received_at, ServerUser)
             .join(ServerUser, col(ServerUser.id) == Document.user_id)
             .where(Document.kind == "closeout.create", Document.received_at >= start_iso,
                    Document.received_at < end_iso))
    if kec:
        query = query.where(ServerUser.kecamatan_code == kec)
    docs = session.exec(query.order_by(col(Document.received_at).desc()).limit(limit)).all()
    result: dict[str, Closeout] = {}
    for entity_id, raw, received_at, user in docs:
        data = loads(raw)
        result[entity_id] = Closeout(
            id=entity_id, user=user, created_at=data.get("created_at") or received_at,
            expected=data.get("expected_cash"), counted=data.get("counted_cash"), variance=data.get("variance"),
            explanation=data.get("explanation") or "")
    if result:
        for entity_id, raw in session.exec(select(Document.entity_id, Document.data).where(
                Document.kind == "closeout.handover", col(Document.entity_id).in_(list(result)))).all():
            data = loads(raw)
            result[entity_id].handed_to = data.get("handed_to")
            result[entity_id].handed_at = data.get("handed_at")
    return list(result.values())


# --- agents and devices ----------------------------------------------------------------


def devices(session: Session, kec: str | None):
    """Every enrollment (device x user) with what the device last reported."""
    query = select(Enrollment, ServerUser).join(ServerUser, col(ServerUser.id) == Enrollment.user_id)
    if kec:
        query = query.where(ServerUser.kecamatan_code == kec)
    return session.exec(query.order_by(ServerUser.username, col(Enrollment.last_seen_at).desc())).all()


@dataclass
class DeviceSummary:
    kecamatan: str | None
    devices: int = 0
    synced_today: int = 0  # reported within the last 24 hours
    with_queue: int = 0  # still had operations queued at their last push
    clock_off: int = 0


def device_summary(rows, now: datetime, tolerance_seconds: int) -> list[DeviceSummary]:
    """Per kecamatan of the users: the city-wide view of devices, before picking one kecamatan."""
    recent = iso(now - timedelta(hours=24))
    result: dict[str | None, DeviceSummary] = {}
    for enrollment, user in rows:
        if enrollment.revoked_at is not None:
            continue
        item = result.setdefault(user.kecamatan_code, DeviceSummary(user.kecamatan_code))
        item.devices += 1
        item.synced_today += bool(enrollment.last_sync_at and enrollment.last_sync_at >= recent)
        item.with_queue += bool(enrollment.pending_ops)
        offset = enrollment.clock_offset_seconds
        item.clock_off += offset is not None and abs(offset) > tolerance_seconds
    return sorted(result.values(), key=lambda s: s.kecamatan or "")


# --- review ----------------------------------------------------------------------------


@dataclass
class Side:
    """One side of a case: the record as it was sent (or held when the case opened), who
    registered it and from which device, and the payments hanging on it now."""

    participant: Participant
    data: dict
    sent_by: ServerUser | None
    device_id: str | None
    payments: list[ServerPayment] = field(default_factory=list)


@dataclass
class ReviewCase:
    """A duplicate NIK: ``new`` the registration, ``existing`` the participant it matches.
    A correction of identity (``identity``): ``new`` the record as corrected, ``existing``
    as it stood, ``holder`` the participant the new NIK is already registered to."""

    item: ReviewItem
    new: Side
    existing: Side | None
    holder: Side | None = None
    corrected: tuple[str, ...] = ()

    @property
    def identity(self) -> bool:
        return self.item.kind == IDENTITY_CASE


def open_cases(session: Session, limit: int = 20) -> tuple[list[ReviewCase], int]:
    """The oldest open cases (a page of them) with everything the page shows, in a fixed
    handful of queries whatever the page's size; and how many cases are open."""
    items = session.exec(select(ReviewItem).where(ReviewItem.status == "open")
                         .order_by(col(ReviewItem.id)).limit(limit)).all()
    waiting = session.exec(select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "open")).one()
    ids = {i.participant_id for i in items} | {i.other_participant_id for i in items if i.other_participant_id}
    people = {p.id: p for p in session.exec(
        select(Participant).where(col(Participant.id).in_(ids))).all()} if ids else {}
    payments: dict[str, list[ServerPayment]] = {}
    if ids:
        for pay in session.exec(select(ServerPayment).where(col(ServerPayment.participant_id).in_(ids))
                                .order_by(ServerPayment.received_at)).all():
            payments.setdefault(pay.participant_id, []).append(pay)
    user_ids = {p.registered_by_user for p in people.values()} | {i.sent_by for i in items if i.sent_by} | {
        i.other_registered_by for i in items if i.other_registered_by}
    users = {u.id: u for u in session.exec(select(ServerUser).where(col(ServerUser.id).in_(user_ids))).all()} \
        if user_ids else {}
    op_ids = [i.op_id for i in items if not i.sent_from]  # cases opened before they kept the device
    devices = dict(session.exec(select(AppliedOp.op_id, AppliedOp.device_id)
                                .where(col(AppliedOp.op_id).in_(op_ids))).all()) if op_ids else {}

    def side(participant: Participant, kept: str | None, by: str | None, device: str | None) -> Side:
        return Side(participant, loads(kept or participant.data), users.get(by or participant.registered_by_user),
                    device, payments.get(participant.id, []))

    cases = []
    for item in items:
        new = people.get(item.participant_id)
        if new is None:
            continue
        other = people.get(item.other_participant_id) if item.other_participant_id else None
        if item.kind == IDENTITY_CASE:
            correction = {k: v for k, v in loads(item.sent).items() if k in protocol.WORKER_IDENTITY}
            then = loads(item.other_data or new.data)
            cases.append(ReviewCase(
                item, Side(new, {**then, **correction}, users.get(item.sent_by or ""), item.sent_from,
                           payments.get(new.id, [])),
                side(new, item.other_data, item.other_registered_by, None),
                side(other, None, None, None) if other else None,
                tuple(k for k in ("nik", "birth_date", "sex") if k in correction)))
            continue
        cases.append(ReviewCase(item, side(new, item.sent, item.sent_by, item.sent_from or devices.get(item.op_id)),
                                side(other, item.other_data, item.other_registered_by, None) if other else None))
    return cases, waiting


def recent_decisions(session: Session, limit: int = 20) -> list[ReviewItem]:
    return list(session.exec(select(ReviewItem).where(ReviewItem.status == "resolved")
                             .order_by(col(ReviewItem.resolved_at).desc()).limit(limit)).all())


# --- people ----------------------------------------------------------------------------


USERS_PER_PAGE = 50


def users(session: Session, search: str, page: int) -> tuple[list[tuple[ServerUser, str | None]], int]:
    """A page of users whose user name or full name contains ``search``, and how many match."""
    query = select(ServerUser)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where((func.lower(ServerUser.username).like(pattern))
                            | (func.lower(ServerUser.full_name).like(pattern)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(ServerUser.role, ServerUser.username)
                        .offset(page * USERS_PER_PAGE).limit(USERS_PER_PAGE)).all()
    wadah = {w.id: w.name for w in session.exec(select(Wadah)).all()}
    return [(u, wadah.get(u.wadah_id) if u.wadah_id else None) for u in rows], total
