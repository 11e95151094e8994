"""Cash close-out (tutup kas): count the cash, compare it with the receipts, lock it.

The period of a close-out is every payment and void this user recorded on this device
that is not yet in a close-out (``Payment.closeout_id IS NULL``); payments pulled from the
centre (``origin="pulled"``) never count, even one of this user's own that retention
removed and a later full pull brought back. That makes the rules
hold by construction, whatever the clock says: each entry is closed exactly once, an
entry recorded after a close-out belongs to the next period, and the void of a payment
closed earlier is deducted in the period in which the void was recorded.

Handover: recorded on the close-out row itself, once (``handed_to`` / ``handed_at`` go
from NULL to a value, refused afterwards), audited and queued as its own operation
``closeout.handover``. A separate table would add nothing: the cash of one close-out is
handed over once, and set-once columns keep the close-out and its handover in one row for
print and sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from agent_app.domain.messages import register
from agent_app.services.base import (
    Clock,
    ServiceError,
    audit,
    device_id,
    enqueue,
    new_id,
)
from agent_app.store.db import Database, in_chunks
from agent_app.store.models import Closeout, Payment, User, Worker

register({
    "closeout.explanation": {
        "id": "Selisih kas {variance:rp}: tuliskan penjelasannya (minimal 5 huruf)",
        "en": "Cash variance of {variance:rp}: write an explanation (at least 5 letters)",
    },
    "closeout.counted": {
        "id": "Jumlah uang yang dihitung tidak boleh negatif",
        "en": "The counted cash cannot be negative",
    },
    "closeout.changed": {
        "id": "Ada transaksi baru sejak layar ini dibuka; periksa lagi jumlah yang diharapkan",
        "en": "New entries were recorded since this screen was opened; check the expected cash again",
    },
    "closeout.empty": {
        "id": "Tidak ada transaksi sejak tutup kas terakhir",
        "en": "Nothing was recorded since the last close-out",
    },
    "closeout.not_found": {
        "id": "Tutup kas tidak ditemukan",
        "en": "Close-out not found",
    },
    "closeout.handover_done": {
        "id": "Serah terima kas ini sudah dicatat ({name}, {at})",
        "en": "The handover of this cash was already recorded ({name}, {at})",
    },
    "closeout.handover_name": {
        "id": "Tuliskan nama penerima uang",
        "en": "Write the name of the person who received the cash",
    },
})

HANDOVER_OP = "closeout.handover"
MIN_EXPLANATION = 5


@dataclass(frozen=True)
class CloseoutEntry:
    """One payment or void of the period, as the close-out screen and print list it."""

    payment_id: str
    receipt_no: str
    kind: str  # payment | void
    method: str
    amount: int  # negative for a void
    collected_at: str
    worker_name: str


@dataclass(frozen=True)
class CloseoutPreview:
    user_id: str
    period_start: str | None
    period_end: str
    expected_cash: int
    cash_payments: int  # sum of cash payments
    cash_voids: int  # sum of cash voids (negative or 0)
    noncash: dict[str, int]  # method -> net amount (qris, transfer): not in the drawer
    entries: list[CloseoutEntry] = field(default_factory=list)
    last_closeout_at: str | None = None

    @property
    def noncash_total(self) -> int:
        return sum(self.noncash.values())


def _open_entries(s: Session, user_id: str, device: str) -> list[tuple[Payment, str]]:
    rows = s.exec(
        select(Payment, Worker.full_name)
        .join(Worker, col(Worker.id) == Payment.worker_id)
        .where(Payment.collected_by == user_id, Payment.device_id == device,
               Payment.origin == "local", col(Payment.closeout_id).is_(None))
        .order_by(Payment.collected_at, Payment.receipt_no)
    )
    return list(rows)


def _summarise(user_id: str, now: str, rows: list[tuple[Payment, str]],
               last: str | None) -> CloseoutPreview:
    cash_in = sum(p.amount for p, _ in rows if p.method == "cash" and p.kind == "payment")
    cash_out = sum(p.amount for p, _ in rows if p.method == "cash" and p.kind == "void")
    noncash: dict[str, int] = {}
    for p, _ in rows:
        if p.method != "cash":
            noncash[p.method] = noncash.get(p.method, 0) + p.amount
    entries = [
        CloseoutEntry(p.id, p.receipt_no, p.kind, p.method, p.amount, p.collected_at, name)
        for p, name in rows
    ]
    starts = sorted(p.collected_at for p, _ in rows)
    return CloseoutPreview(
        user_id=user_id, period_start=starts[0] if starts else None, period_end=now,
        expected_cash=cash_in + cash_out, cash_payments=cash_in, cash_voids=cash_out,
        noncash=noncash, entries=entries, last_closeout_at=last,
    )


def closeout_payload(c: Closeout, payment_ids: list[str]) -> dict:
    return {
        "id": c.id, "user_id": c.user_id, "period_start": c.period_start,
        "period_end": c.period_end, "expected_cash": c.expected_cash,
        "counted_cash": c.counted_cash, "variance": c.variance,
        "explanation": c.explanation, "noncash_amount": c.noncash_amount,
        "entries": c.entries, "payment_ids": payment_ids, "created_at": c.created_at,
    }


class CloseoutService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _last(self, s: Session, user_id: str) -> Closeout | None:
        return s.exec(
            select(Closeout).where(Closeout.user_id == user_id)
            .order_by(col(Closeout.created_at).desc(), col(Closeout.id).desc())
        ).first()

    def preview(self, actor: User) -> CloseoutPreview:
        now = self.clock.stamp()
        with self.db.read() as s:
            device = device_id(s)
            last = self._last(s, actor.id)
            rows = _open_entries(s, actor.id, device)
        return _summarise(actor.id, now, rows, last.created_at if last else None)

    def close(self, actor: User, counted_cash: int, explanation: str = "", *,
              expected_cash: int | None = None) -> Closeout:
        """Lock the current period. ``expected_cash`` is what the screen showed: if new
        entries arrived since, refuse, so nobody signs off a figure they did not see."""
        counted = int(counted_cash)
        if counted < 0:
            raise ServiceError("closeout.counted")
        explanation = " ".join((explanation or "").split())
        now = self.clock.stamp()
        with self.db.write() as s:
            device = device_id(s)
            rows = _open_entries(s, actor.id, device)
            if not rows:
                raise ServiceError("closeout.empty")
            preview = _summarise(actor.id, now, rows, None)
            if expected_cash is not None and expected_cash != preview.expected_cash:
                raise ServiceError("closeout.changed")
            variance = counted - preview.expected_cash
            if variance != 0 and len(explanation) < MIN_EXPLANATION:
                raise ServiceError("closeout.explanation", {"variance": variance})
            closeout = Closeout(
                id=new_id(), user_id=actor.id, period_start=preview.period_start,
                period_end=now, expected_cash=preview.expected_cash, counted_cash=counted,
                variance=variance, explanation=explanation,
                noncash_amount=preview.noncash_total, entries=len(rows), created_at=now,
                locked=True,
            )
            s.add(closeout)
            ids = [p.id for p, _ in rows]
            for chunk in in_chunks(ids):
                s.execute(
                    update(Payment).where(col(Payment.id).in_(chunk),
                                          col(Payment.closeout_id).is_(None))
                    .values(closeout_id=closeout.id)
                )
            payload = closeout_payload(closeout, ids)
            enqueue(s, user_id=actor.id, kind="closeout.create", entity_id=closeout.id,
                    payload=payload, now=now)
            audit(s, user_id=actor.id, action="closeout.create", entity="closeout",
                  entity_id=closeout.id, now=now, new=payload)
        return closeout

    def record_handover(self, actor: User, closeout_id: str, received_by: str,
                        at: datetime | str | None = None) -> Closeout:
        """Record, once, who received the cash of a close-out and when."""
        name = " ".join((received_by or "").split())
        if len(name) < 2:
            raise ServiceError("closeout.handover_name")
        now = self.clock.stamp()
        if at is None:
            at_text = now
        elif isinstance(at, datetime):
            at_text = at.isoformat(timespec="seconds")
        else:
            at_text = at
        with self.db.write() as s:
            closeout = s.get(Closeout, closeout_id)
            if closeout is None:
                raise ServiceError("closeout.not_found")
            if closeout.handed_to is not None:
                raise ServiceError("closeout.handover_done",
                                   {"name": closeout.handed_to, "at": closeout.handed_at})
            # Conditional update: set-once even if two writers raced past the check.
            done = s.exec(
                update(Closeout).where(col(Closeout.id) == closeout_id,
                                       col(Closeout.handed_to).is_(None))
                .values(handed_to=name, handed_at=at_text, handover_by=actor.id)
            ).rowcount
            if done != 1:
                raise ServiceError("closeout.handover_done", {"name": "?", "at": "?"})
            payload = {"id": closeout_id, "closeout_id": closeout_id, "handed_to": name,
                       "handed_at": at_text, "recorded_by": actor.id, "recorded_at": now}
            enqueue(s, user_id=actor.id, kind=HANDOVER_OP, entity_id=closeout_id,
                    payload=payload, now=now)
            audit(s, user_id=actor.id, action="closeout.handover", entity="closeout",
                  entity_id=closeout_id, now=now, new=payload)
            s.refresh(closeout)  # the row as the conditional update left it
        return closeout

    def history(self, actor: User, limit: int = 50) -> list[Closeout]:
        with self.db.read() as s:
            return list(s.exec(
                select(Closeout).where(Closeout.user_id == actor.id)
                .order_by(col(Closeout.created_at).desc(), col(Closeout.id).desc()).limit(limit)
            ))

    def entries(self, closeout_id: str) -> list[CloseoutEntry]:
        with self.db.read() as s:
            rows = s.exec(
                select(Payment, Worker.full_name)
                .join(Worker, col(Worker.id) == Payment.worker_id)
                .where(Payment.closeout_id == closeout_id)
                .order_by(Payment.collected_at, Payment.receipt_no)
            )
            return [CloseoutEntry(p.id, p.receipt_no, p.kind, p.method, p.amount,
                                  p.collected_at, name) for p, name in rows]

    def get(self, closeout_id: str) -> Closeout | None:
        with self.db.read() as s:
            return s.get(Closeout, closeout_id)
