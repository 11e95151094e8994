"""A page of the pull log (GET /v1/pull): the log's state, the change rows of the caller's
area, and the records they name, as a device receives them.

Every device reads a page at each round, so the statements are plain reads built once
(rows, not ORM objects): building a statement again, and loading an object per record,
cost more CPU than the database spent answering.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, select
from sqlmodel import Session

import perisai_protocol as protocol
from central_server.db import iso, loads, table_of
from central_server.epoch import EPOCH_KEY
from central_server.errors import text
from central_server.models import (
    ChangeRow,
    Counter,
    Participant,
    PaymentMonth,
    ReviewItem,
    ServerMeta,
    ServerPayment,
    StreamSeq,
)
from central_server.ops import IDENTITY_CASE

HORIZON_KEY = "tombstone_horizon"  # server_meta: the newest pruned tombstone's seq

CHANGES, META = table_of(ChangeRow), table_of(ServerMeta)
PARTICIPANTS, PAYMENTS = table_of(Participant), table_of(ServerPayment)
MONTHS, REVIEWS = table_of(PaymentMonth), table_of(ReviewItem)
IDS: Any = bindparam("ids", expanding=True)


def _meta_value(key: str) -> Any:
    return select(META.c.value).where(META.c.key == key).scalar_subquery()


def _log_state() -> Any:
    counters, streams = table_of(Counter), table_of(StreamSeq)
    return select(
        select(counters.c.value).where(counters.c.name == "change").scalar_subquery(),
        _meta_value(EPOCH_KEY), _meta_value(HORIZON_KEY),
        select(streams.c.contiguous_seq).where(streams.c.device_id == bindparam("device_id"),
                                               streams.c.user_id == bindparam("user_id")).scalar_subquery())


LOG_STATE = _log_state()


def log_state(session: Session, device_id: str, user_id: str) -> tuple[int, str, int, int]:
    """(head, epoch, tombstone horizon, the caller's contiguous seq) in one statement: four
    round trips before, for every pull."""
    head, epoch, horizon, contiguous = session.execute(
        LOG_STATE, {"device_id": device_id, "user_id": user_id}).one()
    if epoch is None:
        raise LookupError("the database has no epoch: start-up (init_db) makes it")
    return head, epoch, int(horizon or 0), contiguous or 0


class Pruning:
    """When this process next drops old tombstones: at most once a minute, not at every
    pull. A tombstone kept a minute past its retention only tells a device once more."""

    EVERY = timedelta(minutes=1)

    def __init__(self) -> None:
        self.last: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self.last is not None and now - self.last < self.EVERY:
            return False
        self.last = now
        return True


OLD_TOMBSTONES = select(func.max(CHANGES.c.seq)).where(CHANGES.c.op == "delete",
                                                      CHANGES.c.created_at < bindparam("cutoff"))


def prune_tombstones(session: Session, now: datetime, retention: timedelta) -> None:
    """Drop tombstones older than the retention, and move the horizon (the newest pruned
    seq) past them: a cursor below it has missed a deletion and must start again."""
    newest = session.execute(OLD_TOMBSTONES, {"cutoff": iso(now - retention)}).scalar()
    if newest is not None:
        meta = session.get(ServerMeta, HORIZON_KEY)
        horizon = max(int(meta.value) if meta else 0, newest)
        session.execute(delete(CHANGES).where(CHANGES.c.op == "delete", CHANGES.c.seq <= newest))
        session.merge(ServerMeta(key=HORIZON_KEY, value=str(horizon)))
        session.commit()


def _page(kecamatan: bool, kelurahan: bool) -> Any:
    query = select(CHANGES).where(CHANGES.c.seq > bindparam("cursor"), CHANGES.c.seq <= bindparam("head"))
    if kecamatan:
        query = query.where(CHANGES.c.scope_kecamatan == bindparam("kec"))
    if kelurahan:
        query = query.where(CHANGES.c.scope_kelurahan == bindparam("kel"))
    return query.order_by(CHANGES.c.seq).limit(bindparam("limit"))


PAGES = {(kec, kel): _page(kec, kel) for kec in (False, True) for kel in (False, True)}


def change_rows(session: Session, cursor: int, head: int, kec: str | None, kel: str | None,
                limit: int) -> list[Row[Any]]:
    """The first ``limit`` change rows after ``cursor`` up to ``head``, in the area (None:
    no restriction at that level)."""
    return list(session.execute(PAGES[(kec is not None, kel is not None)],
                                {"cursor": cursor, "head": head, "kec": kec, "kel": kel, "limit": limit}))


PULLED_PARTICIPANTS = select(PARTICIPANTS.c.id, PARTICIPANTS.c.data, PARTICIPANTS.c.kpj, PARTICIPANTS.c.canonical_id,
                             PARTICIPANTS.c.alias_of, PARTICIPANTS.c.review_state, PARTICIPANTS.c.review_reason
                             ).where(PARTICIPANTS.c.id.in_(IDS))
PULLED_PAYMENTS = PAYMENTS.select().where(PAYMENTS.c.id.in_(IDS))
PAID_MONTHS = (select(MONTHS.c.participant_id, MONTHS.c.month)
               .join(PAYMENTS, PAYMENTS.c.id == MONTHS.c.payment_id)
               .where(MONTHS.c.participant_id.in_(IDS), PAYMENTS.c.kind == "payment", PAYMENTS.c.voided_by.is_(None)))
DECIDED_CORRECTIONS = (select(REVIEWS.c.participant_id, REVIEWS.c.op_id, REVIEWS.c.resolution, REVIEWS.c.reason)
                       .where(REVIEWS.c.kind == IDENTITY_CASE, REVIEWS.c.status == "resolved",
                              REVIEWS.c.participant_id.in_(IDS))
                       .order_by(REVIEWS.c.id))


def _paid_months(session: Session, participant_ids: list[str]) -> dict[str, list[str]]:
    months: dict[str, set[str]] = {}
    if participant_ids:
        for pid, month in session.execute(PAID_MONTHS, {"ids": participant_ids}):
            months.setdefault(pid, set()).add(month)
    return {pid: sorted(ms) for pid, ms in months.items()}


def worker_data(participant: Row[Any], canonical: Row[Any] | None, paid: list[str],
                corrections: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data = loads(participant.data)
    data.update(
        kpj=(canonical or participant).kpj,
        canonical_id=participant.canonical_id,
        alias_of=participant.alias_of,
        review_state=participant.review_state,
        review_reason=loads(participant.review_reason),
        paid_months=paid,
        paid_through=paid[-1] if paid else None,
    )
    if corrections:
        data["corrections"] = corrections
    return data


def _decided_corrections(session: Session, participant_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The centre's decisions on corrections of identity, per participant: every pull of
    the record carries them, so the correction waiting on the supervisor's device settles
    whenever it next takes the record (``{op_id, decision, reason}``)."""
    decided: dict[str, list[dict[str, Any]]] = {}
    if participant_ids:
        for item in session.execute(DECIDED_CORRECTIONS, {"ids": participant_ids}):
            reason = text("correction_rejected", reason=item.reason or "") if item.resolution == "reject" else None
            decided.setdefault(item.participant_id, []).append({
                "op_id": item.op_id, "decision": "applied" if item.resolution == "apply" else "rejected",
                "reason": reason.model_dump() if reason else None})
    return decided


def payment_data(pay: Row[Any]) -> dict[str, Any]:
    data = loads(pay.data)
    data.update(kind=pay.kind, participant_id=pay.participant_id, months=loads(pay.months), amount=pay.amount,
                voids_payment_id=pay.voids_payment_id, voided_by=pay.voided_by, flag=pay.flag)
    if pay.kind == "void":
        data["void_reason"] = data.get("reason")
    return data


def materialise(session: Session, rows: Sequence[Row[Any]]) -> list[protocol.Change]:
    """The changes of a page, each with its record as it is now."""
    worker_ids = [r.entity_id for r in rows if r.entity == "worker" and r.op == "upsert"]
    payment_ids = [r.entity_id for r in rows if r.entity == "payment" and r.op == "upsert"]
    participants = {p.id: p for p in session.execute(PULLED_PARTICIPANTS, {"ids": worker_ids})} if worker_ids else {}
    canon_ids = sorted({p.canonical_id for p in participants.values()} - set(participants))
    if canon_ids:
        for p in session.execute(PULLED_PARTICIPANTS, {"ids": canon_ids}):
            participants[p.id] = p
    paid = _paid_months(session, sorted({p.canonical_id for p in participants.values()}))
    corrections = _decided_corrections(session, worker_ids)
    payments = {p.id: p for p in session.execute(PULLED_PAYMENTS, {"ids": payment_ids})} if payment_ids else {}
    changes = []
    for r in rows:
        data = None
        if r.op == "upsert" and r.entity == "worker":
            p = participants[r.entity_id]
            data = worker_data(p, participants.get(p.canonical_id), paid.get(p.canonical_id, []),
                               corrections.get(p.id))
        elif r.op == "upsert" and r.entity == "payment":
            data = payment_data(payments[r.entity_id])
        changes.append(protocol.Change(seq=r.seq, entity=r.entity, id=r.entity_id, op=r.op, data=data))
    return changes
