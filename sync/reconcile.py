"""Reconcile: operations the centre lost (a database restored from a backup) are sent again.

Seqs are numbered per local user (services.base.enqueue), and each local user signs in as
one server user, so a local stream is exactly the server's (device, user) stream: a shared
counter laptop shows no false gaps. The server's contiguous_seq still stops for good at
some seqs it will never receive: an op refused here before sending (batch level), one the
server rejected (if the stream's record was lost since), one purged here after its
acknowledgement. So the reconcile compares sets (missing_seqs, and anything above
highest_seq), never assumes contiguity, and remembers the lowest such hole so that the
cheap check after each push does not fire again for it.

It is due when the push answer's ``contiguous_seq`` is below what this device had
acknowledged, when the pull met a 410, or every RECONCILE_MAX_AGE.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from agent_app.services.base import get_meta, outbox_seq_key, set_meta
from agent_app.store.db import in_chunks
from agent_app.store.models import Meta, OutboxOp, OutboxState
from sync.client import SyncError
from sync.outbox import entity_state
from sync.push import Pusher
from sync.rounds import RoundContext, RoundReport, Stop, older_than

log = logging.getLogger(__name__)

RECONCILE_MAX_AGE = 6 * 3600  # compare the outbox with the server's stream at least this often
RECONCILE_PASSES = 3  # GET /v1/stream lists at most STREAM_MISSING_CAP gaps per answer
STREAM_MISSING_CAP = 1000


def reconcile_due_key(user_id: str) -> str:
    return f"reconcile_due:{user_id}"


def reconciled_at_key(user_id: str) -> str:
    return f"reconciled_at:{user_id}"


def stream_hole_key(user_id: str) -> str:
    """The lowest seq of this stream the server lacks and will never get: a rejected op
    (nothing of it was kept), one refused here before sending, or one purged here after its
    acknowledgement. The server's contiguous_seq cannot pass it."""
    return f"stream_hole:{user_id}"


class Reconciler:
    def __init__(self, ctx: RoundContext, pusher: Pusher) -> None:
        self.ctx = ctx
        self.pusher = pusher

    def expected_contiguous(self, s: Session) -> int:
        """The seq below which the server should hold every op of this stream: stops at the
        first op not sent yet (or refused before sending) and at a known hole. Ops purged
        here were acknowledged (retention deletes only those), so they count as held."""
        user_id = self.ctx.user_id
        bounds = [int(get_meta(s, outbox_seq_key(user_id), "0") or 0)]
        first_unsent = s.exec(select(func.min(OutboxOp.seq)).where(
            OutboxOp.user_id == user_id,
            or_(col(OutboxOp.state).in_(OutboxState.queued()),
                (col(OutboxOp.state) == OutboxState.REJECTED)
                & (func.json_extract(OutboxOp.result, "$.batch_level") == 1)))).one()
        if first_unsent is not None:
            bounds.append(first_unsent - 1)
        hole = get_meta(s, stream_hole_key(user_id))
        if hole:
            bounds.append(int(hole) - 1)
        return min(bounds)

    def check_contiguous(self, contiguous: int | None) -> None:
        """Free check after the push: the answer's contiguous_seq below what this device had
        acknowledged means the server lost operations (a restore from a backup)."""
        if contiguous is None:
            return
        with self.ctx.db.read() as s:
            expected = self.expected_contiguous(s)
        if contiguous < expected:
            log.warning("server contiguous seq %d < %d acknowledged here: reconciling",
                        contiguous, expected)
            with self.ctx.db.write() as s:
                set_meta(s, reconcile_due_key(self.ctx.user_id), "1")

    def reconcile_if_due(self, report: RoundReport, progress) -> None:
        """When a check asked for it (or every RECONCILE_MAX_AGE), compare the outbox with
        the server's record of this stream and send again what it lost."""
        ctx = self.ctx
        with ctx.db.read() as s:
            due = get_meta(s, reconcile_due_key(ctx.user_id)) == "1"
            last = get_meta(s, reconciled_at_key(ctx.user_id))
        if not due:
            if last is None:  # start the clock: nothing to compare on a first round
                with ctx.db.write() as s:
                    set_meta(s, reconciled_at_key(ctx.user_id), ctx.clock.stamp())
                return
            if not older_than(ctx.clock, last, RECONCILE_MAX_AGE):
                return
        for _ in range(RECONCILE_PASSES):
            try:
                requeued, more = self._reconcile()
            except Stop:
                raise
            except SyncError as exc:  # not worth failing the round: still due next round
                report.errors.append(f"reconcile: {exc.code}")
                with ctx.db.write() as s:
                    set_meta(s, reconcile_due_key(ctx.user_id), "1")
                return
            report.resent += requeued
            if not requeued:
                return
            self.pusher.push_all(report, progress)
            if not more:
                return

    def _reconcile(self) -> tuple[int, bool]:
        """One comparison: acknowledged (or in-review) ops of this user whose seq the server
        lacks go back to pending; the server deduplicates by op_id, so a re-send is safe.
        Rejected ops stay as they are (the server kept nothing of them). Returns (ops
        queued again, whether the server's list of gaps was cut short)."""
        ctx = self.ctx
        status = ctx.authorised(lambda token: ctx.client.stream(token))
        missing = set(status.missing_seqs)
        more = len(status.missing_seqs) >= STREAM_MISSING_CAP
        with ctx.db.write() as s:
            # Only the seqs the server lacks are read: a hole low in a long stream keeps
            # contiguous_seq low, and everything above it need not be loaded.
            mine = OutboxOp.user_id == ctx.user_id
            rows = list(s.exec(select(OutboxOp).where(mine, OutboxOp.seq > status.highest_seq)))
            for chunk in in_chunks(sorted(missing)):
                rows += s.exec(select(OutboxOp).where(mine, col(OutboxOp.seq).in_(chunk))).all()
            recorded = s.exec(select(func.count()).select_from(OutboxOp).where(
                mine, col(OutboxOp.state).in_(OutboxState.on_server()))).one()
            lost = sorted((op for op in rows if op.state in OutboxState.on_server()),
                          key=lambda op: op.seq)
            holes = [op.seq for op in rows if op.state == OutboxState.REJECTED]
            present = {op.seq for op in rows}
            holes += [n for n in missing if n not in present]  # purged here after the ack
            for op in lost:
                op.state = OutboxState.PENDING
                op.last_error = "not_on_server"
                s.add(op)
                entity_state(s, op.kind, op.entity_id, "pending", {})
            if holes:
                set_meta(s, stream_hole_key(ctx.user_id), str(min(holes)))
            else:
                s.exec(delete(Meta).where(col(Meta.key) == stream_hole_key(ctx.user_id)))
            set_meta(s, reconcile_due_key(ctx.user_id), "0")
            set_meta(s, reconciled_at_key(ctx.user_id), ctx.clock.stamp())
        if lost:
            log.warning("the server lacks %d acknowledged ops of this stream (seqs %d..%d): "
                        "sending them again", len(lost), lost[0].seq, lost[-1].seq)
        if status.applied_ops < recorded - len(lost):
            # Seqs intact but applied operations missing: not something a restore does;
            # logged for the people who run the server, nothing to re-send by seq.
            log.warning("server records %d applied ops for this stream, %d acknowledged here",
                        status.applied_ops, recorded - len(lost))
        return len(lost), more
