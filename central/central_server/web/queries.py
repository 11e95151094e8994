"""The console's reads: every figure a page shows, one aggregate query each.

All of them take ``kec`` (a 7-digit kecamatan code, or None for the whole city) and stay
within it. They read the summary columns the push handlers keep (participants.paid_through,
desil, jht_funding; payments.collected_on, method), so a page never aggregates the
payload JSON of 150,000 participants or 2 million payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from central_server.db import loads
from central_server.models import (
    AppliedOp,
    Document,
    Enrollment,
    Participant,
    ReviewItem,
    ServerPayment,
    ServerUser,
    Wadah,
)

GRACE_MONTHS = 3  # as the app's coverage rule: 1-3 unpaid months is "grace"
STATUSES = ("active", "grace", "inactive", "never")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, delta: int) -> str:
    year, mm = int(month[:4]), int(month[5:7])
    index = year * 12 + (mm - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _counted(kec: str | None):
    """Participants that count: canonical, not erased, not refused by a review."""
    cond = and_(Participant.alias_of.is_(None), Participant.deleted_at.is_(None),
                Participant.review_state != "rejected")
    return and_(cond, Participant.scope_kecamatan == kec) if kec else cond


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


def coverage(session: Session, kec: str | None, today: date) -> list[CoverageRow]:
    """Per kecamatan (whole city) or per kelurahan (one kecamatan): counts by status."""
    current = month_of(today)
    grace_from = add_months(current, -GRACE_MONTHS)
    paid = Participant.paid_through
    status = case((paid.is_(None), "never"), (paid >= current, "active"), (paid >= grace_from, "grace"),
                  else_="inactive")
    group = Participant.scope_kelurahan if kec else Participant.scope_kecamatan
    rows: dict[str, CoverageRow] = {}
    for code, state, count in session.exec(
            select(group, status, func.count()).where(_counted(kec)).group_by(group, status)).all():
        row = rows.setdefault(code, CoverageRow(code))
        row.registered += count
        setattr(row, state, getattr(row, state) + count)
    return sorted(rows.values(), key=lambda r: r.code)


def registrations_by_month(session: Session, kec: str | None) -> list[tuple[str, int]]:
    month = func.substr(Participant.created_at, 1, 7)
    return [(m, n) for m, n in session.exec(
        select(month, func.count()).where(_counted(kec)).group_by(month).order_by(month)).all()]


def jht_by_desil(session: Session, kec: str | None) -> dict[int | None, int]:
    """City-funded JHT places taken, by the participant's welfare decile."""
    return dict(session.exec(select(Participant.desil, func.count())
                             .where(_counted(kec), Participant.jht_funding == "apbd")
                             .group_by(Participant.desil)).all())


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
    cond = and_(ServerPayment.collected_on >= start, ServerPayment.collected_on <= end)
    return and_(cond, ServerPayment.scope_kecamatan == kec) if kec else cond


def money_by(session: Session, kec: str | None, start: str, end: str, column) -> list[MoneyRow]:
    is_payment = ServerPayment.kind == "payment"
    rows = session.exec(
        select(column,
               func.sum(case((is_payment, 1), else_=0)),
               func.sum(case((is_payment, ServerPayment.amount), else_=0)),
               func.sum(case((is_payment, 0), else_=ServerPayment.amount)))
        .where(_money_filter(kec, start, end)).group_by(column).order_by(column)).all()
    return [MoneyRow(key, int(n or 0), int(c or 0), int(v or 0)) for key, n, c, v in rows]


def flagged_payments(session: Session, kec: str | None, start: str, end: str, limit: int = 100):
    return session.exec(
        select(ServerPayment, Participant.full_name, Participant.nik)
        .join(Participant, Participant.id == ServerPayment.participant_id)
        .where(_money_filter(kec, start, end), ServerPayment.flag.is_not(None))
        .order_by(ServerPayment.collected_on.desc(), ServerPayment.receipt_no).limit(limit)).all()


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


def closeouts(session: Session, kec: str | None, start_iso: str, end_iso: str, limit: int = 200) -> list[Closeout]:
    """Close-outs received in the period (newest first) with their handover, if any."""
    query = (select(Document, ServerUser).join(ServerUser, ServerUser.id == Document.user_id)
             .where(Document.kind == "closeout.create", Document.received_at >= start_iso,
                    Document.received_at < end_iso))
    if kec:
        query = query.where(ServerUser.kecamatan_code == kec)
    docs = session.exec(query.order_by(Document.received_at.desc()).limit(limit)).all()
    result: dict[str, Closeout] = {}
    for doc, user in docs:
        data = loads(doc.data)
        result[doc.entity_id] = Closeout(
            id=doc.entity_id, user=user, created_at=data.get("created_at") or doc.received_at,
            expected=data.get("expected_cash"), counted=data.get("counted_cash"), variance=data.get("variance"),
            explanation=data.get("explanation") or "")
    if result:
        for doc in session.exec(select(Document).where(Document.kind == "closeout.handover",
                                                       Document.entity_id.in_(list(result)))).all():
            data = loads(doc.data)
            result[doc.entity_id].handed_to = data.get("handed_to")
            result[doc.entity_id].handed_at = data.get("handed_at")
    return list(result.values())


# --- agents and devices ----------------------------------------------------------------


def devices(session: Session, kec: str | None):
    """Every enrollment (device x user) with what the device last reported."""
    query = select(Enrollment, ServerUser).join(ServerUser, ServerUser.id == Enrollment.user_id)
    if kec:
        query = query.where(ServerUser.kecamatan_code == kec)
    return session.exec(query.order_by(ServerUser.username, Enrollment.last_seen_at.desc())).all()


# --- review ----------------------------------------------------------------------------


@dataclass
class Side:
    participant: Participant
    data: dict
    sent_by: ServerUser | None
    device_id: str | None
    payments: list[ServerPayment] = field(default_factory=list)


@dataclass
class ReviewCase:
    item: ReviewItem
    new: Side
    existing: Side | None


def _side(session: Session, participant: Participant, op_id: str | None) -> Side:
    device_id = None
    user = session.get(ServerUser, participant.registered_by_user)
    if op_id:
        applied = session.get(AppliedOp, op_id)
        if applied is not None:
            device_id = applied.device_id
    payments = session.exec(select(ServerPayment).where(
        or_(ServerPayment.participant_id == participant.id, ServerPayment.worker_id == participant.id))
        .order_by(ServerPayment.received_at)).all()
    return Side(participant, loads(participant.data), user, device_id, list(payments))


def open_cases(session: Session, limit: int = 50) -> list[ReviewCase]:
    cases = []
    for item in session.exec(select(ReviewItem).where(ReviewItem.status == "open")
                             .order_by(ReviewItem.id).limit(limit)).all():
        new = session.get(Participant, item.participant_id)
        if new is None:
            continue
        other = session.get(Participant, item.other_participant_id) if item.other_participant_id else None
        cases.append(ReviewCase(item, _side(session, new, item.op_id),
                                _side(session, other, None) if other else None))
    return cases


def recent_decisions(session: Session, limit: int = 20) -> list[ReviewItem]:
    return list(session.exec(select(ReviewItem).where(ReviewItem.status == "resolved")
                             .order_by(ReviewItem.resolved_at.desc()).limit(limit)).all())


# --- people ----------------------------------------------------------------------------


def users(session: Session):
    wadah = {w.id: w.name for w in session.exec(select(Wadah)).all()}
    rows = session.exec(select(ServerUser).order_by(ServerUser.role, ServerUser.username)).all()
    return [(u, wadah.get(u.wadah_id) if u.wadah_id else None) for u in rows]
