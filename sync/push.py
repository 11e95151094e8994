"""Push: drain one user's outbox to the centre, one batch in flight, in sequence order.

::

    choose pending ops -> mark in_flight (commit) -> POST gzip batch ->
    well-formed answer echoing the batch id -> apply every result in ONE transaction

Anything else (offline, timeout, HTML 200, redirect, truncated JSON, 5xx/429) puts the
batch back to pending (attempts + 1, last_error) and ends the round (``Stop``). The server
deduplicates by ``op_id``, so re-sending after a lost answer is safe. A batch-level
400/413 halves the batch until the poison operation is alone; it alone becomes
``rejected``. The batch size adapts between ``batch_min`` and ``batch_max``.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from agent_app.services.base import CLOCK_LEARNED_KEY, get_meta, pending_count
from agent_app.store.models import OutboxOp, OutboxState
from sync.client import (
    BatchRejected,
    CursorExpired,
    DeviceRevoked,
    Forbidden,
    NotAcknowledged,
    Offline,
    RetryLater,
    SyncError,
    UpgradeRequired,
)
from sync.outbox import entity_state, first_waiting, prefetch, requeue_waiting
from sync.rounds import RoundContext, RoundReport, Stop, bilingual

SLOW_BATCH_FRACTION = 0.5  # a batch slower than half the read timeout halves the size
FAST_BATCH_SECONDS = 10.0  # a full batch answered faster than this doubles it
ANSWER_BYTES = 100  # an operation's result on the wire (gzip), generously


class Pusher:
    def __init__(self, ctx: RoundContext, *, batch_start: int, batch_min: int,
                 batch_max: int) -> None:
        self.ctx = ctx
        self.batch_min = max(1, batch_min)
        self.batch_max = min(batch_max, protocol.MAX_BATCH_OPS)
        self.batch_size = max(self.batch_min, min(batch_start, self.batch_max))
        self.contiguous: int | None = None  # the last answer's contiguous_seq
        self.epoch: str | None = None  # the last answer's change-log epoch

    def pending_count(self) -> int:
        with self.ctx.db.read() as s:
            return pending_count(s, self.ctx.user_id)

    def _pending_ops(self, s: Session, limit: int | None = None) -> list[OutboxOp]:
        return list(s.exec(select(OutboxOp).where(OutboxOp.user_id == self.ctx.user_id,
                                                  OutboxOp.state == OutboxState.PENDING)
                           .order_by(col(OutboxOp.seq)).limit(limit)))

    def waiting_count(self) -> int:
        """This user's queued ops that wait for another user's registration (and after it)."""
        with self.ctx.db.read() as s:
            ops = self._pending_ops(s)
            return len(ops) - first_waiting(s, self.ctx.user_id, ops)

    def _choose(self, limit: int) -> list[OutboxOp]:
        """The next pending ops in seq order, up to the first one that must wait."""
        with self.ctx.db.read() as s:
            ops = self._pending_ops(s, limit)
            return ops[:first_waiting(s, self.ctx.user_id, ops)]

    def push_all(self, report: RoundReport, progress) -> None:
        """Push until nothing of this user is pending; raises ``Stop`` to end the round."""
        ctx = self.ctx
        total = self.pending_count()
        done = 0
        restore_size: int | None = None
        if progress:
            progress(0, total)
        self._settle_lost(report)
        while True:
            ops = self._choose(self.batch_size)
            if not ops:
                return
            ctx.checkpoint("batch_chosen")
            ids = [op.op_id for op in ops]
            self._set_state(ids, OutboxState.IN_FLIGHT, only_from=OutboxState.PENDING)
            ctx.checkpoint("marked_in_flight")
            wire, invalid = [], []
            for op in ops:
                try:
                    wire.append(protocol.Operation(
                        op_id=op.op_id, seq=op.seq, kind=op.kind, entity_id=op.entity_id,
                        schema_version=op.schema_version, payload=json.loads(op.payload),
                        payload_hash=op.payload_hash,
                    ))
                except (ValidationError, ValueError) as exc:
                    invalid.append((op.op_id, exc))
            for op_id, problem in invalid:  # cannot even be sent: rejected here, with the reason
                self._reject_locally(op_id, BatchRejected(
                    str(problem)[:300], code="invalid_operation", status=None))
                report.rejected += 1
                ids.remove(op_id)
            if not wire:
                continue
            batch, body = self._fit(wire, ids)
            report.batches += 1
            started = time.monotonic()
            try:
                response = ctx.authorised(partial(ctx.client.push, batch, body=body))
            except Stop as stop:
                self._release(ids, stop.error, count_attempt=stop.state != "upgrade_required")
                if isinstance(stop.error, (Offline, NotAcknowledged)) and len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise
            except BatchRejected as exc:
                ctx.stats["batch_rejections"] += 1
                if len(ids) == 1:
                    self._reject_locally(ids[0], exc)
                    report.rejected += 1
                    done += 1
                    if restore_size is not None:
                        self.batch_size, restore_size = restore_size, None
                else:
                    self._release(ids, exc, count_attempt=True)
                    if restore_size is None:
                        restore_size = self.batch_size
                    self.batch_size = max(1, len(ids) // 2)
                continue
            except (DeviceRevoked, Forbidden) as exc:
                self._release(ids, exc, count_attempt=False)
                raise Stop("signin_required" if isinstance(exc, DeviceRevoked) else "problem",
                           exc) from None
            except UpgradeRequired as exc:
                self._release(ids, exc, count_attempt=False)
                raise Stop("upgrade_required", exc) from None
            except Offline as exc:
                self._release(ids, exc, count_attempt=True)
                if len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise Stop("offline", exc) from None
            except RetryLater as exc:
                self._release(ids, exc, count_attempt=True)
                raise Stop("retry_later", exc, exc.retry_after) from None
            except (NotAcknowledged, CursorExpired, SyncError) as exc:
                self._release(ids, exc, count_attempt=True)
                if len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise Stop("problem", exc) from None
            ctx.checkpoint("answer_received")
            self.contiguous = response.contiguous_seq
            self.epoch = response.epoch or self.epoch
            counts = self._apply_results(ids, response.results)
            report.pushed += len(ids)
            report.acked += counts["acked"]
            report.duplicates += counts["duplicate"]
            report.rejected += counts["rejected"]
            report.needs_review += counts["needs_review"]
            done += len(ids)
            elapsed = time.monotonic() - started
            if restore_size is None:
                slow = elapsed > SLOW_BATCH_FRACTION * ctx.client.read_timeout
                if slow and len(ids) > self.batch_min:
                    # Close to the read timeout (slow server or link): smaller batches.
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                elif len(ids) >= self.batch_size and elapsed < FAST_BATCH_SECONDS:
                    self.batch_size = min(self.batch_max, self.batch_size * 2)
            if progress:
                progress(min(done, total), max(total, done))

    def _fit(self, wire: list[protocol.Operation], ids: list[str]) -> tuple[protocol.PushRequest, bytes]:
        """The batch of ``wire`` (in flight, ``ids``) and its body, halved until it and its
        answer fit what the link carries within its budget; the ops left out go back to
        pending, first in line for the next batch (``ids`` is trimmed in place)."""
        budget = self.ctx.link.budget()
        queued = self.pending_count() if self._centre_takes_reports() else None
        while True:
            report: dict[str, Any] = {} if queued is None else {
                "pending_ops": queued - len(wire),
                "device_time": self.ctx.clock.device_now().astimezone(UTC).isoformat(timespec="seconds")}
            batch = protocol.PushRequest(batch_id=uuid.uuid4().hex, device_id=self.ctx.device_id,
                                         app_version=self.ctx.client.app_version[:32], ops=wire,
                                         **report)
            body = self.ctx.client.encode_push(batch)
            if budget is None or len(wire) == 1 or len(body) + ANSWER_BYTES * len(wire) <= budget:
                return batch, body
            keep = len(wire) // 2
            back = [op.op_id for op in wire[keep:]]
            self._set_state(back, OutboxState.PENDING, only_from=OutboxState.IN_FLIGHT)
            ids[:] = [op.op_id for op in wire[:keep]]
            wire = wire[:keep]
            self.batch_size = max(self.batch_min, keep)

    def _centre_takes_reports(self) -> bool:
        """Whether a push may say what the device reports of itself (its queue after the
        batch and its own clock, for the centre's console). A centre that says its time
        (server 0.2.0 on) takes them; an older one refuses keys it does not know."""
        if self.ctx.client.centre_time is not None:
            return True
        with self.ctx.db.read() as s:
            return bool(get_meta(s, CLOCK_LEARNED_KEY))

    def _settle_lost(self, report: RoundReport) -> None:
        """Operations sent before whose answer never came (a lost answer, a timeout): the
        centre says by their ids which it applied, instead of receiving them all again; the
        others are pushed as usual. An older centre without ``/v1/acks``: pushed as usual."""
        ctx = self.ctx
        with ctx.db.read() as s:
            ids = list(s.exec(select(OutboxOp.op_id).where(
                OutboxOp.user_id == ctx.user_id, OutboxOp.state == OutboxState.PENDING,
                OutboxOp.attempts > 0).order_by(col(OutboxOp.seq)).limit(protocol.MAX_BATCH_OPS)))
        if not ids:
            return
        self._set_state(ids, OutboxState.IN_FLIGHT, only_from=OutboxState.PENDING)
        try:
            results = ctx.authorised(lambda token: ctx.client.acks(ids, token))
        except Stop as stop:
            self._release(ids, stop.error, count_attempt=False)
            raise
        except SyncError:
            results = []
        counts = self._apply_results(ids, results)
        self._set_state(ids, OutboxState.PENDING, only_from=OutboxState.IN_FLIGHT)
        report.acked += counts["acked"]
        report.needs_review += counts["needs_review"]

    def _set_state(self, ids: list[str], state: OutboxState, *,
                   only_from: OutboxState | None = None) -> None:
        with self.ctx.db.write() as s:
            stmt = update(OutboxOp).where(col(OutboxOp.op_id).in_(ids))
            if only_from:
                stmt = stmt.where(col(OutboxOp.state) == only_from)
            s.exec(stmt.values(state=state))

    def _release(self, ids: list[str], exc: SyncError | None, *, count_attempt: bool) -> None:
        """A batch that was not acknowledged goes back to pending."""
        error = (f"{exc.code}: {exc.detail}"[:500]) if exc is not None else "interrupted"
        self.ctx.stats["retries"] += len(ids) if count_attempt else 0
        with self.ctx.db.write() as s:
            values: dict[str, Any] = {"state": OutboxState.PENDING, "last_error": error}
            if count_attempt:
                values["attempts"] = OutboxOp.attempts + 1
            s.exec(
                update(OutboxOp)
                .where(col(OutboxOp.op_id).in_(ids), col(OutboxOp.state) == OutboxState.IN_FLIGHT)
                .values(**values)
            )

    def _reject_locally(self, op_id: str, exc: BatchRejected) -> None:
        """The one operation a batch-level 400/413 was about: rejected, with the reason."""
        message = exc.message.model_dump() if exc.message is not None else \
            bilingual("sync.poison_batch", detail=exc.detail or exc.code)
        now = self.ctx.clock.stamp()
        with self.ctx.db.write() as s:
            op = s.get(OutboxOp, op_id)
            op.state = OutboxState.REJECTED
            op.attempts += 1
            op.last_error = exc.code
            op.result = protocol.canonical_json({
                "op_id": op_id, "status": "rejected", "code": exc.code, "message": message,
                "assigned": {}, "batch_level": True, "http_status": exc.status,
            })
            op.acked_at = now
            s.add(op)
            entity_state(s, op.kind, op.entity_id, "rejected", {})

    def _apply_results(self, ids: list[str], results: list[protocol.OpResult]) -> dict[str, int]:
        counts = {"acked": 0, "duplicate": 0, "rejected": 0, "needs_review": 0}
        now = self.ctx.clock.stamp()
        known: dict[str, set[str]] = {"worker.register": set(), "payment.collect": set()}
        with self.ctx.db.write() as s:
            ops = {op.op_id: op for op in s.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(ids)))}
            cache = prefetch(s, list(ops.values()))
            for result in results:
                op = ops.get(result.op_id)
                if op is None or op.state != OutboxState.IN_FLIGHT:
                    continue
                status = result.status
                if status == "duplicate":
                    counts["duplicate"] += 1
                    effective = result.original_status or "applied"
                else:
                    effective = status
                if effective == "applied" or effective == "duplicate":
                    op.state = OutboxState.ACKED
                    counts["acked"] += 1
                    record_state = "synced"
                elif effective == "needs_review":
                    op.state = OutboxState.NEEDS_REVIEW
                    counts["needs_review"] += 1
                    record_state = "review"
                else:
                    op.state = OutboxState.REJECTED
                    counts["rejected"] += 1
                    record_state = "rejected"
                op.result = protocol.canonical_json(result.model_dump(mode="json"))
                op.last_error = result.code if effective == "rejected" else None
                op.acked_at = now
                s.add(op)
                entity_state(s, op.kind, op.entity_id, record_state, result.assigned, cache)
                if op.state in OutboxState.on_server() and op.kind in known:
                    known[op.kind].add(op.entity_id)
            # What waited for these records at the centre goes again (after a restore).
            requeue_waiting(s, workers=known["worker.register"], payments=known["payment.collect"])
            self.ctx.checkpoint("local_commit")
        return counts
