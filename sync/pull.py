"""Pull: the changes of the user's area, page by page from the stored cursor.

Each page and the new cursor are stored in ONE transaction; records with operations still
queued here are never overwritten; a 410 resets the cursor (and asks for a reconcile: the
centre may have been restored from a backup). Payments and voids recorded on other devices
are stored read-only (``sync.pulled_money``).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

import perisai_protocol as protocol
from agent_app.domain.reference import search_key
from agent_app.services.base import get_meta, set_meta
from agent_app.services.merge import merge_aliases
from agent_app.store.db import in_chunks
from agent_app.store.models import OutboxOp, OutboxState, Payment, Worker
from sync.client import CursorExpired, SyncError
from sync.corrections import settle_corrections
from sync.outbox import busy_entities, requeue_waiting
from sync.pulled_money import store_pulled_money, unpark
from sync.reconcile import reconcile_due_key
from sync.rounds import RoundContext, RoundReport, Stop, stop_for

log = logging.getLogger(__name__)

# Worker columns a pulled record may set (the rest are device bookkeeping).
_PULL_WORKER_FIELDS = (
    "nik", "full_name", "birth_date", "sex", "phone", "address", "kecamatan_code",
    "kelurahan_code", "occupations", "policy_sector", "is_employer", "declared_income",
    "programmes", "desil", "desil_source", "desil_date", "disability", "disability_kind",
    "heir_name", "heir_relation", "consent_version", "consent_at", "consent_user_id",
    "registered_at", "registered_by", "registration_month", "paid_through", "kpj",
    "canonical_id", "updated_at",
)
_WORKER_REQUIRED = ("nik", "full_name", "birth_date", "sex", "kecamatan_code",
                    "kelurahan_code", "occupations", "policy_sector", "declared_income",
                    "programmes", "consent_version", "consent_at", "consent_user_id",
                    "registered_at", "registered_by", "registration_month")


CHANGE_BYTES = 400  # a pulled change on the wire (gzip), generously
PAGE_MIN = 20


def cursor_key(user_id: str) -> str:
    return f"pull_cursor:{user_id}"


def epoch_key(user_id: str) -> str:
    """The epoch of the centre's change log the stored cursor belongs to."""
    return f"pull_epoch:{user_id}"


class Puller:
    def __init__(self, ctx: RoundContext, *, limit: int) -> None:
        self.ctx = ctx
        self.limit = limit
        self.contiguous: int | None = None  # the caller's stream, as the last page said

    def notice_epoch(self, epoch: str | None) -> None:
        """An answer from another epoch of the centre's log (a restored or new database):
        pull from the start and compare the outbox with the centre, in this round."""
        ctx = self.ctx
        if not epoch:
            return
        with ctx.db.read() as s:
            known = get_meta(s, epoch_key(ctx.user_id))
        if known and known != epoch:
            log.warning("the centre's change log is in another epoch: pulling again, reconciling")
            self._start_over()

    def _start_over(self) -> None:
        with self.ctx.db.write() as s:
            set_meta(s, cursor_key(self.ctx.user_id), "0")
            set_meta(s, epoch_key(self.ctx.user_id), "")
            # The centre may have lost some of our operations too.
            set_meta(s, reconcile_due_key(self.ctx.user_id), "1")

    def pull_all(self, report: RoundReport) -> None:
        """Pages until the log's end; raises ``Stop`` to end the round."""
        ctx = self.ctx
        resets = 0
        while True:
            with ctx.db.read() as s:
                cursor = int(get_meta(s, cursor_key(ctx.user_id), "0") or 0)
                epoch = get_meta(s, epoch_key(ctx.user_id)) or None
            limit = self._page_size()
            try:
                page = ctx.authorised(partial(ctx.client.pull, cursor, limit,
                                              epoch=epoch if cursor else None))
            except CursorExpired:
                # A cursor of another epoch, or beyond the log's end: a centre restored from
                # a backup (or a new one), which may have lost some of our operations too.
                if resets:
                    raise Stop("problem", CursorExpired("cursor expired twice")) from None
                resets += 1
                self._start_over()
                continue
            except SyncError as exc:
                raise stop_for(exc) from None
            with ctx.db.write() as s:
                report.pulled += self.apply_page(s, page)
                ctx.checkpoint("pull_page")
                set_meta(s, cursor_key(ctx.user_id), str(page.cursor))
                if page.epoch:
                    set_meta(s, epoch_key(ctx.user_id), page.epoch)
            if page.contiguous_seq is not None:
                self.contiguous = page.contiguous_seq
            if not page.has_more or page.cursor == cursor:
                return

    def _page_size(self) -> int:
        """Changes per page: as many as the link carries within its budget (a whole
        kecamatan in one answer would never arrive over 2G), at most ``limit``."""
        budget = self.ctx.link.budget()
        if budget is None:
            return self.limit
        return max(PAGE_MIN, min(self.limit, int(budget / CHANGE_BYTES)))

    def apply_page(self, s: Session, page: protocol.PullResponse) -> int:
        """Store one page in the caller's transaction; returns the records changed."""
        applied = 0
        ids = [c.id for c in page.changes]
        busy = busy_entities(s, ids)
        worker_ids = [c.id for c in page.changes if c.entity == "worker"]
        payment_ids = [c.id for c in page.changes if c.entity == "payment"]
        workers = {w.id: w for w in s.exec(select(Worker).where(col(Worker.id).in_(worker_ids)))} \
            if worker_ids else {}
        payments = {p.id: p for p in s.exec(select(Payment).where(col(Payment.id).in_(payment_ids)))} \
            if payment_ids else {}
        new_money: list[protocol.Change] = []
        arrived: set[str] = set()  # workers this page stored: parked money may hang on them
        settled: list[protocol.Change] = []  # workers stored: a review case may have waited on them
        # The last word of this page on each entity (a city-wide pull sees a move as a
        # delete in the old scope, then an upsert in the new one).
        last_op = {(c.entity, c.id): c.op for c in page.changes}
        for change in page.changes:
            if change.entity == "worker":
                worker = workers.get(change.id)
                if change.op == "delete":
                    if worker is not None:
                        worker.deleted = True
                        worker.server_version = change.seq
                        s.add(worker)
                        applied += 1
                    continue
                if worker is not None and worker.id in busy:
                    continue  # local changes still queued: never overwritten
                if self._upsert_worker(s, worker, change):
                    settled.append(change)
                    settle_corrections(s, change)
                    arrived.add(change.id)
                    applied += 1
            elif change.entity == "payment":
                payment = payments.get(change.id)
                data = change.data or {}
                if change.op != "upsert":
                    continue  # left this scope (its worker moved): money is never deleted
                if payment is None:
                    new_money.append(change)
                    continue
                if payment.id in busy:
                    continue
                payment.sync_state = "synced"
                flag = data.get("flag") or data.get("server_flag")
                if flag:
                    payment.server_flag = str(flag)
                s.add(payment)
                applied += 1
            elif change.entity == "reference":
                set_meta(s, "reference_stale", "1")
        settle_reviews(s, settled)
        now = self.ctx.clock.stamp()
        stored = store_pulled_money(s, new_money, arrived, now)
        applied += len(stored)
        # What waited for these records at the centre goes again.
        requeue_waiting(s, workers=arrived, payments=stored | {c.id for c in page.changes
                                                               if c.entity == "payment"})
        # An erased worker, or a worker or payment gone from this scope: money parked for
        # it would wait for ever (what was stored stays: money is never deleted).
        for (entity, entity_id), op in last_op.items():
            if op == "delete":
                unpark(s, **{"worker_id" if entity == "worker" else "payment_id": entity_id})
        merge_aliases(s, now)  # one person, one record, as soon as both copies are here
        return applied

    def _upsert_worker(self, s: Session, worker: Worker | None, change: protocol.Change) -> bool:
        data = dict(change.data or {})
        values: dict[str, Any] = {}
        for name in _PULL_WORKER_FIELDS:
            if name in data:
                value = data[name]
                if name == "canonical_id" and value == change.id:
                    value = None
                if name in ("occupations", "programmes") and not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False, sort_keys=name == "programmes")
                values[name] = value
        if worker is None:
            if any(values.get(k) in (None, "") for k in _WORKER_REQUIRED):
                log.warning("pulled worker %s lacks required fields; skipped", change.id)
                return False
            worker = Worker(
                id=change.id, name_key=search_key(values["full_name"]),
                updated_at=values.get("updated_at") or self.ctx.clock.stamp(),
                origin="pulled", sync_state="synced",
                **{k: v for k, v in values.items() if k != "updated_at"},
            )
        else:
            for name, value in values.items():
                if name in ("kpj", "canonical_id", "paid_through") and value is None:
                    continue
                setattr(worker, name, value)
            if "full_name" in values:
                worker.name_key = search_key(worker.full_name)
            if worker.sync_state in ("pending", "rejected"):
                worker.sync_state = "synced"
        worker.server_version = change.seq
        worker.deleted = worker.merged_into is not None  # a merged alias stays hidden
        s.add(worker)
        return True


def settle_reviews(s: Session, changes: list[protocol.Change]) -> None:
    """A duplicate-NIK case the centre decided settles the registration that waited for
    it: accepted (an alias, or its own KPJ), or refused with the administrators' reason,
    which then waits in Perlu perhatian like any rejection. The page's waiting
    registrations are read in one query (one per pulled record was most of a page's work)."""
    decided: dict[str, protocol.Change] = {}
    for change in changes:
        if (change.data or {}).get("review_state") in ("ok", "rejected"):
            decided.setdefault(change.id, change)
    waiting: list[OutboxOp] = []
    for chunk in in_chunks(list(decided)):
        waiting += s.exec(select(OutboxOp).where(col(OutboxOp.entity_id).in_(chunk),
                                                 OutboxOp.kind == "worker.register",
                                                 OutboxOp.state == OutboxState.NEEDS_REVIEW)
                          .order_by(col(OutboxOp.seq))).all()
    for op in waiting:
        data = decided[op.entity_id].data or {}
        result = json.loads(op.result) if op.result else {}
        if data["review_state"] == "rejected":
            op.state = OutboxState.REJECTED
            result.update(code="review_rejected", message=data.get("review_reason") or {})
            worker = s.get(Worker, op.entity_id)
            if worker is not None:
                worker.sync_state = "rejected"
                s.add(worker)
        else:
            op.state = OutboxState.ACKED
            result.update(reviewed="accepted")
        op.result = protocol.canonical_json(result)
        s.add(op)
