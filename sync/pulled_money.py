"""Payments and voids recorded on other devices, as a pull page brings them.

They are stored read-only (origin "pulled", synced, never queued): they show in the
worker's history and paid months, never in this device's cash figures. Money is
append-only: an existing row is never replaced.

The pull log names a participant after its payments and a voided payment after its void,
so a row whose worker (or voided payment) is not here yet is parked, in the page's
transaction, and stored when a later page brings it (``ParkedPayment``). Everything here
runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from agent_app.services.merge import current_worker
from agent_app.store.db import in_chunks
from agent_app.store.models import ParkedPayment, Payment, Worker
from sync.outbox import busy_entities

log = logging.getLogger(__name__)


def store_pulled_money(s: Session, changes: list[protocol.Change], arrived: set[str],
                       now: str) -> set[str]:
    """Store this page's new money rows, and parked ones whose worker ``arrived`` in it;
    park what must wait. Returns the ids of the rows stored."""
    candidates: dict[str, tuple[int, dict]] = {
        c.id: (c.seq, dict(c.data or {})) for c in changes}
    if arrived:
        keys = set(arrived) | _canonical_ids(s, arrived)
        for chunk in in_chunks(sorted(keys)):
            for row in s.exec(select(ParkedPayment).where(or_(
                    col(ParkedPayment.worker_id).in_(chunk), col(ParkedPayment.participant_id).in_(chunk)))):
                candidates.setdefault(row.id, (row.change_seq, json.loads(row.data)))
    if not candidates:
        return set()
    stored: set[str] = set()
    done: set[str] = set()  # stored, or dropped for good: no longer parked
    payments = {k: v for k, v in candidates.items() if v[1].get("kind") != "void"}
    _place_money(s, payments, stored, done)
    # Voids parked until the payment they reverse came (it may have come just now).
    for chunk in in_chunks(sorted(stored)):
        for row in s.exec(select(ParkedPayment).where(col(ParkedPayment.voids_payment_id).in_(chunk))):
            candidates.setdefault(row.id, (row.change_seq, json.loads(row.data)))
    voids = {k: v for k, v in candidates.items() if v[1].get("kind") == "void"}
    _place_money(s, voids, stored, done)
    for change in changes:  # this page's rows that must wait (parked ones stay as they are)
        if change.id in done:
            continue
        seq, data = candidates[change.id]
        s.merge(ParkedPayment(
            id=change.id, change_seq=seq,
            worker_id=str(data.get("worker_id") or data.get("participant_id") or ""),
            participant_id=data.get("participant_id"),
            voids_payment_id=data.get("voids_payment_id"),
            data=protocol.canonical_json(data), parked_at=now))
    for chunk in in_chunks(sorted(done)):
        s.exec(delete(ParkedPayment).where(col(ParkedPayment.id).in_(chunk)))
    return stored


def unpark(s: Session, *, worker_id: str | None = None, payment_id: str | None = None) -> None:
    """Drop money parked for an erased worker, or a worker or payment gone from this scope:
    it would wait for ever (what was stored stays: money is never deleted)."""
    if worker_id:
        s.exec(delete(ParkedPayment).where(or_(col(ParkedPayment.worker_id) == worker_id,
                                               col(ParkedPayment.participant_id) == worker_id)))
    if payment_id:
        s.exec(delete(ParkedPayment).where(col(ParkedPayment.id) == payment_id))


def _place_money(s: Session, rows: dict[str, tuple[int, dict]], stored: set[str],
                 done: set[str]) -> None:
    """Store each of ``rows`` whose worker (and, for a void, voided payment) is here."""
    if not rows:
        return
    local = _local_workers(s, {pid: data for pid, (_, data) in rows.items()
                               if data.get("kind") != "void"})
    busy = busy_entities(s, sorted({w.id for w in local.values()}))
    ids = sorted(rows)
    receipts = [str(data.get("receipt_no")) for _, data in rows.values()]
    targets = [data["voids_payment_id"] for _, data in rows.values()
               if data.get("voids_payment_id")]
    existing: set[str] = set()
    taken: dict[str, str] = {}
    voided: dict[str, Payment] = {}
    for chunk in in_chunks(ids):
        existing.update(s.exec(select(Payment.id).where(col(Payment.id).in_(chunk))).all())
    for chunk in in_chunks(receipts):
        taken.update(s.exec(select(Payment.receipt_no, Payment.id).where(
            col(Payment.receipt_no).in_(chunk))).all())
    for chunk in in_chunks(targets):
        voided.update({p.id: p for p in s.exec(select(Payment).where(col(Payment.id).in_(chunk)))})
    for pid in ids:
        _seq, data = rows[pid]
        if pid in existing:
            done.add(pid)  # came meanwhile (re-pulled page): append-only, keep it as it is
            continue
        target = None
        if data.get("kind") == "void":
            # A void goes with the payment it reverses, as a local void does.
            target = voided.get(data.get("voids_payment_id") or "")
            if target is None:
                continue  # parked until the payment it reverses comes
            worker_id = target.worker_id
        else:
            worker = local.get(pid)
            if worker is None:
                continue  # parked until its worker comes
            worker_id = worker.id
        row = pulled_payment(pid, data, worker_id, target)
        if row is None or taken.get(row.receipt_no, pid) != pid:
            # Malformed, or the receipt number is held by another local row (one the
            # server refused as receipt_reused): nothing to store, nothing to wait for.
            log.warning("pulled payment %s not stored (%s)", pid,
                        "malformed" if row is None else "receipt number taken")
            done.add(pid)
            continue
        s.add(row)
        taken[row.receipt_no] = pid
        stored.add(pid)
        done.add(pid)
        if row.kind == "payment" and worker is not None and not data.get("voided_by") and worker_id not in busy:
            # paid_through is a cache of the paid months: what collect() does locally.
            months = json.loads(row.months)
            if months:
                worker.paid_through = max(filter(None, [worker.paid_through, max(months)]))
                s.add(worker)
    s.flush()  # voids of these payments look them up next


def _canonical_ids(s: Session, worker_ids: set[str]) -> set[str]:
    out: set[str] = set()
    for chunk in in_chunks(sorted(worker_ids)):
        out.update(c for c in s.exec(select(Worker.canonical_id).where(
            col(Worker.id).in_(chunk), col(Worker.canonical_id).is_not(None))).all() if c)
    return out


def _local_workers(s: Session, rows: dict[str, dict]) -> dict[str, Worker]:
    """payment id -> the local worker its money belongs to: the worker id the collecting
    device named, else the canonical participant, else a local alias of it."""
    wanted = {str(v) for d in rows.values()
              for v in (d.get("worker_id"), d.get("participant_id")) if v}
    found: dict[str, Any] = {}
    for chunk in in_chunks(sorted(wanted)):
        found.update({w.id: w for w in s.exec(select(Worker).where(col(Worker.id).in_(chunk)))})
    missing = {str(d["participant_id"]) for d in rows.values()
               if d.get("participant_id")} - set(found)
    aliases: dict[str, Any] = {}
    for chunk in in_chunks(sorted(missing)):
        for w in s.exec(select(Worker).where(col(Worker.canonical_id).in_(chunk)).order_by(Worker.id)):
            if w.canonical_id:  # always, by the query
                aliases.setdefault(w.canonical_id, w)
    out = {}
    for pid, d in rows.items():
        named, canonical = str(d.get("worker_id") or ""), str(d.get("participant_id") or "")
        worker = found.get(named) or found.get(canonical) or aliases.get(canonical)
        if worker is not None and worker.merged_into:
            worker = current_worker(s, worker.id)
        if worker is not None:
            out[pid] = worker
    return out


def pulled_payment(pid: str, data: dict, worker_id: str, target: Payment | None) -> Payment | None:
    """The local, read-only row of a payment or void pulled from the centre (None when the
    data lacks what a money row needs). A void inherits what its payload does not carry
    (method, tariff, breakdown) from the payment it reverses, as a local void does."""
    try:
        months = data.get("months")
        if isinstance(months, str):
            months = json.loads(months)
        breakdown = data.get("breakdown")
        if isinstance(breakdown, str):
            breakdown = json.loads(breakdown)
        kind = "void" if data.get("kind") == "void" else "payment"
        return Payment(
            id=pid,
            receipt_no=str(data["receipt_no"]),
            kind=kind,
            worker_id=worker_id,
            months=json.dumps(list(months or [])),
            amount=int(data["amount"]),
            breakdown=json.dumps(breakdown, sort_keys=True) if breakdown else
            (target.breakdown if target is not None else "{}"),
            method=str(data.get("method") or (target.method if target is not None else "cash")),
            tariff_version=str(data.get("tariff_version") or
                               (target.tariff_version if target is not None else "")),
            voids_payment_id=target.id if target is not None else None,
            void_reason=(data.get("void_reason") or data.get("reason")) if kind == "void" else None,
            collected_at=str(data["collected_at"]),
            collected_by=str(data["collected_by"]),
            device_id=str(data["device_id"]),
            sync_state="synced",
            server_flag=str(data["flag"]) if data.get("flag") else None,
            origin="pulled",
        )
    except (KeyError, TypeError, ValueError):
        return None
