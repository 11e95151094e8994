"""The "Perlu perhatian" use cases: operations the server refused or put in review.

* ``items``: this user's refused and in-review operations still unresolved, with the
  server's reason in both languages;
* ``resubmit``: correct the worker and send it again, with the checks of a correction
  (``privacy.apply_correction``: permission, the rules of registration, a kelurahan of the
  reference list, no NIK clash). It is a NEW operation, the refused one is never rewritten:
  a registration the server never accepted goes again as ``worker.register`` (same worker
  id, new op id), with the payments it refused for an unknown worker; otherwise a
  ``worker.update`` carries the changed fields;
* ``dismiss``: an in-review item the agent has read (the supervisor settles it centrally).

Each write is one transaction (record + operation + audit entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

import perisai_protocol as protocol
from agent_app.domain.messages import register
from agent_app.domain.reference import ReferenceData
from agent_app.services.access import require
from agent_app.services.base import Clock, ServiceError, audit, enqueue
from agent_app.services.privacy import apply_correction, live_worker
from agent_app.services.workers import worker_payload
from agent_app.store.db import Database
from agent_app.store.models import OutboxOp, OutboxState, Payment, User, Worker

register({
    "attention.not_found": {
        "id": "Data ini tidak lagi menunggu tindakan Anda",
        "en": "This record no longer waits for you",
    },
})


@dataclass(frozen=True)
class AttentionItem:
    op_id: str
    kind: str
    state: str  # OutboxState.REJECTED | OutboxState.NEEDS_REVIEW
    entity_id: str
    worker_id: str | None
    title: str  # the person's name (and receipt for money)
    code: str | None
    message: dict  # {"id": ..., "en": ...}
    created_at: str
    receipt_no: str | None = None
    amount: int | None = None

    def reason(self, lang: str = "id") -> str:
        return self.message.get(lang) or self.message.get("id") or self.code or ""


def attention_items(db: Database, user_id: str) -> list[AttentionItem]:
    """This user's operations the server refused or put in review, still unresolved (for
    callers without an AgentCore: the sync round counts them)."""
    items: list[AttentionItem] = []
    with db.read() as s:
        ops = s.exec(
            select(OutboxOp)
            .where(OutboxOp.user_id == user_id,
                   col(OutboxOp.state).in_(OutboxState.refused_or_held()))
            .order_by(col(OutboxOp.seq))
        ).all()
        for op in ops:
            result = json.loads(op.result) if op.result else {}
            if result.get("resolved_by"):
                continue
            worker_id = None
            title = op.entity_id
            receipt = amount = None
            if op.kind.startswith("payment."):
                payment = s.get(Payment, op.entity_id)
                if payment is not None:
                    worker_id = payment.worker_id
                    receipt, amount = payment.receipt_no, payment.amount
                    if op.kind == "payment.collect":
                        voided = s.exec(select(Payment.id).where(
                            Payment.voids_payment_id == payment.id)).first()
                        if voided:
                            continue  # the agent already reversed it
                    elif op.kind == "payment.void" and payment.voids_payment_id and \
                            result.get("code") == "unknown_payment":
                        original = s.exec(select(OutboxOp.state).where(
                            OutboxOp.entity_id == payment.voids_payment_id,
                            OutboxOp.kind == "payment.collect")).all()
                        if original and all(state == OutboxState.REJECTED for state in original):
                            continue  # voiding a payment the server never took: settled
            elif op.kind.startswith("worker."):
                worker_id = op.entity_id
            if worker_id:
                worker = s.get(Worker, worker_id)
                if worker is not None:
                    title = f"{worker.full_name} ({worker.nik})"
            message = result.get("message") or {}
            if not message:
                message = {"id": op.last_error or "", "en": op.last_error or ""}
            items.append(AttentionItem(
                op_id=op.op_id, kind=op.kind, state=op.state, entity_id=op.entity_id,
                worker_id=worker_id, title=title, code=result.get("code") or op.last_error,
                message=message, created_at=op.created_at, receipt_no=receipt, amount=amount,
            ))
    return items


class AttentionService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock

    def items(self, user_id: str) -> list[AttentionItem]:
        return attention_items(self.db, user_id)

    def resubmit(self, actor: User, worker_id: str, changes: dict, *,
                 op_id: str | None = None) -> str:
        """Correct a refused or in-review worker (``changes`` are registration-form values,
        as ``privacy.correct_worker`` takes) and queue it again; ``op_id`` names the
        operation being fixed. Returns the new operation's id."""
        require(actor, "correct")
        now = self.clock.stamp()
        with self.db.write() as s:
            worker = live_worker(s, worker_id)
            worker_id = worker.id  # an alias merged here stands for its canonical record
            ops = s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker_id)
                         .order_by(col(OutboxOp.seq))).all()
            registered = any(o.kind == "worker.register"
                             and o.state in (*OutboxState.on_server(), *OutboxState.queued())
                             for o in ops)
            # A registration the server never took is the agent's own form again.
            old_payload, new_payload, diff = apply_correction(
                s, self.ref, self.clock.today(), actor, worker, changes,
                identity_permission="correct_identity" if registered else "register")
            worker.updated_at = now
            worker.sync_state = "pending"
            s.add(worker)
            if registered:
                kind = "worker.update"
                payload = {"id": worker_id, "updated_at": now, "updated_by": actor.id,
                           **{k: new_payload[k] for k in diff}}
            else:
                kind = "worker.register"
                payload = worker_payload(worker)
            new_op = enqueue(s, user_id=actor.id, kind=kind, entity_id=worker_id,
                             payload=payload, now=now)
            for o in ops:
                if o.state in OutboxState.refused_or_held() and \
                        (op_id is None or o.op_id == op_id or kind == "worker.register"):
                    mark_resolved(o, new_op.op_id)
                    s.add(o)
            if kind == "worker.register":
                _requeue_payments(s, worker_id, actor.id, now)
            audit(s, user_id=actor.id, action="worker.correct", entity="worker",
                  entity_id=worker_id, now=now, old={k: old_payload[k] for k in diff},
                  new={**{k: new_payload[k] for k in diff}, "resubmits": op_id})
            return new_op.op_id

    def dismiss(self, actor: User, op_id: str) -> None:
        """An in-review item of this user marked as read."""
        with self.db.write() as s:
            op = s.get(OutboxOp, op_id)
            if op is None or op.user_id != actor.id or op.state != OutboxState.NEEDS_REVIEW \
                    or json.loads(op.result or "{}").get("resolved_by"):
                raise ServiceError("attention.not_found")
            mark_resolved(op, "dismissed")
            s.add(op)
            audit(s, user_id=actor.id, action="sync.dismiss", entity="outbox", entity_id=op_id,
                  now=self.clock.stamp())


def mark_resolved(op: OutboxOp, new_op_id: str) -> None:
    """The refused operation stays as it was answered, marked as settled by another."""
    result = json.loads(op.result) if op.result else {}
    result["resolved_by"] = new_op_id
    op.result = protocol.canonical_json(result)


def _requeue_payments(s: Session, worker_id: str, user_id: str, now: str) -> None:
    """Payments refused because the worker was unknown are sent again (new op ids)."""
    payment_ids = list(s.exec(select(Payment.id).where(Payment.worker_id == worker_id)))
    if not payment_ids:
        return
    rejected = s.exec(
        select(OutboxOp).where(col(OutboxOp.entity_id).in_(payment_ids),
                               OutboxOp.state == OutboxState.REJECTED).order_by(col(OutboxOp.seq))
    ).all()
    for op in rejected:
        result = json.loads(op.result) if op.result else {}
        if result.get("resolved_by") or result.get("code") not in ("unknown_worker", None):
            continue
        new_op = enqueue(s, user_id=user_id, kind=op.kind, entity_id=op.entity_id,
                         payload=json.loads(op.payload), now=now)
        mark_resolved(op, new_op.op_id)
        s.add(op)
        payment = s.get(Payment, op.entity_id)
        if payment is not None:
            payment.sync_state = "pending"
            s.add(payment)

