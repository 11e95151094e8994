"""The local outbox as the parts of a round see it: which records still have operations
queued, which operations must wait for another user's registration, and the sync state a
server answer gives a worker or payment. Inside the caller's transaction; no Qt."""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet

from sqlalchemy import func
from sqlmodel import Session, col, select

from agent_app.store.db import in_chunks
from agent_app.store.models import OutboxOp, OutboxState, Payment, Worker


def busy_entities(s: Session, ids: list[str]) -> set[str]:
    """Of ``ids``, the records with local operations still queued (any user of this
    device), and workers with payments still queued."""
    if not ids:
        return set()
    busy: set[str] = set()
    for chunk in in_chunks(ids):
        busy.update(s.exec(select(OutboxOp.entity_id).where(
            col(OutboxOp.entity_id).in_(chunk), col(OutboxOp.state).in_(OutboxState.queued()))).all())
        busy.update(s.exec(select(Payment.worker_id).where(
            col(Payment.worker_id).in_(chunk), col(Payment.sync_state) == "pending")).all())
    return busy


def worker_named(op: OutboxOp) -> str | None:
    """The worker an operation needs on the server (None for a registration or a document)."""
    if op.kind.startswith("payment."):
        return json.loads(op.payload).get("worker_id")
    if op.kind.startswith("worker.") and op.kind != "worker.register":
        return op.entity_id
    return None


def first_waiting(s: Session, user_id: str, ops: list[OutboxOp]) -> int:
    """The index of the first of ``ops`` (one user's queue in seq order) that names a worker
    whose registration still waits in another local user's queue; len(ops) when none.

    Several users share a counter laptop and each pushes their own stream: a payment the
    clerk took for someone the agent registered would reach the centre before the person
    does and be refused for good as an unknown worker. It waits instead (and the ops after
    it, so the stream stays in order) until the agent's round has sent the registration.
    A registration the centre refused does not hold anything: its correction re-sends the
    payments (``AttentionService.resubmit``).
    """
    named = [worker_named(op) for op in ops]
    queued: set[str] = set()
    for chunk in in_chunks(sorted({w for w in named if w})):
        queued.update(s.exec(select(OutboxOp.entity_id).where(
            OutboxOp.kind == "worker.register", OutboxOp.user_id != user_id,
            col(OutboxOp.state).in_(OutboxState.queued()), col(OutboxOp.entity_id).in_(chunk))))
    return next((i for i, worker in enumerate(named) if worker in queued), len(ops))


def prefetch(s: Session, ops: list[OutboxOp]) -> dict:
    """The workers and payments of ``ops``, loaded in two queries (for ``entity_state``)."""
    cache: dict = {}
    worker_ids = [o.entity_id for o in ops if o.kind.startswith("worker.")]
    payment_ids = [o.entity_id for o in ops if o.kind.startswith("payment.")]
    if worker_ids:
        cache.update({("w", w.id): w for w in s.exec(
            select(Worker).where(col(Worker.id).in_(worker_ids)))})
    if payment_ids:
        cache.update({("p", p.id): p for p in s.exec(
            select(Payment).where(col(Payment.id).in_(payment_ids)))})
    return cache


def entity_state(s: Session, kind: str, entity_id: str, state: str, assigned: dict,
                 cache: dict | None = None) -> None:
    """Give the record an operation was about the sync state of its answer ("synced",
    "review", "rejected", "pending"), with what the server assigned (KPJ, canonical id,
    flag)."""
    cache = cache or {}
    if kind.startswith("worker."):
        worker = cache.get(("w", entity_id)) or s.get(Worker, entity_id)
        if worker is None or kind == "worker.deletion_request":
            return
        worker.sync_state = state
        if assigned.get("kpj"):
            worker.kpj = str(assigned["kpj"])
        canonical = assigned.get("canonical_id")
        if canonical and canonical != worker.id:
            worker.canonical_id = str(canonical)
        s.add(worker)
    elif kind.startswith("payment."):
        payment = cache.get(("p", entity_id)) or s.get(Payment, entity_id)
        if payment is None:
            return
        payment.sync_state = state
        if assigned.get("flag"):
            payment.server_flag = str(assigned["flag"])
        s.add(payment)


# A rejection that only says the centre does not know (yet) what the operation hangs on.
_WAITING_CODES = ("unknown_worker", "unknown_payment")


def requeue_waiting(s: Session, *, workers: AbstractSet[str] = frozenset(),
                    payments: AbstractSet[str] = frozenset()) -> int:
    """Operations the centre refused because it did not know the record they hang on (a
    payment's or correction's worker, a void's payment) go back to the queue once the
    centre knows it: its registration or payment acknowledged (sent again after the centre
    lost it) or pulled from the centre. A rejection is not recorded there, so the same
    operation is simply sent again. Returns how many were queued again."""
    if not workers and not payments:
        return 0
    waiting = s.exec(select(OutboxOp).where(
        OutboxOp.state == OutboxState.REJECTED,
        func.json_extract(OutboxOp.result, "$.code").in_(_WAITING_CODES))).all()
    requeued = 0
    for op in waiting:
        result = json.loads(op.result or "{}")  # a rejected operation keeps its reason
        if result.get("resolved_by") or result.get("batch_level"):
            continue
        if result["code"] == "unknown_worker":
            known = worker_named(op) in workers
        else:
            known = json.loads(op.payload).get("voids_payment_id") in payments
        if known:
            op.state = OutboxState.PENDING
            op.last_error = "dependency_known"
            s.add(op)
            entity_state(s, op.kind, op.entity_id, "pending", {})
            requeued += 1
    return requeued
