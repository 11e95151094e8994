"""The sync engine: drain one user's outbox to the central server, then pull their area.

No Qt. One ``SyncEngine`` per (user, server); the GUI runs it on a network thread of its
own and the headless CLI calls it directly. The engine opens its own short database
transactions (``Database.write()`` is ``BEGIN IMMEDIATE``, so it queues behind the GUI's
database thread instead of failing).

Push (one batch in flight, sequence order)::

    choose pending ops -> mark in_flight (commit) -> POST gzip batch ->
    well-formed answer echoing the batch id -> apply every result in ONE transaction

Anything else (offline, timeout, HTML 200, redirect, truncated JSON, 5xx/429) puts the
batch back to pending (attempts + 1, last_error) and the round ends with a full-jitter
exponential backoff (honouring ``Retry-After``). The server deduplicates by ``op_id``, so
re-sending after a lost answer is safe. A batch-level 400/413 halves the batch until the
poison operation is alone; it alone becomes ``rejected``. 401 refreshes the token once;
a failed refresh ends with ``signin_required`` and the queue untouched.

Pull: pages from the stored cursor, each page and the new cursor in ONE transaction;
records with pending local operations are never overwritten; 410 resets the cursor.
Payments and voids recorded on other devices are stored read-only (``origin="pulled"``),
parked until the worker (or voided payment) they hang on has arrived.

Reconcile: when the push answer's ``contiguous_seq`` is below what this device had
acknowledged, the pull met a 410, or every RECONCILE_MAX_AGE, ``GET /v1/stream`` is compared
with the outbox and acknowledged operations the server lacks are queued again.

``_checkpoint(name)`` is a no-op hook at each step of the cycle (tests kill the process
there); the names are listed in ``CHECKPOINTS``.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

import perisai_protocol as protocol
from agent_app.files import atomic_write_text
from agent_app.services.base import get_meta, set_meta
from agent_app.services.privacy import ship_audit_log
from agent_app.store.db import in_chunks
from sync.client import (
    AuthExpired,
    BatchRejected,
    CursorExpired,
    DeviceRevoked,
    Forbidden,
    NotAcknowledged,
    Offline,
    RetryLater,
    SyncClient,
    SyncError,
    UpgradeRequired,
)
from sync.credentials import CredentialStoreUnavailable, Tokens, TokenStore

log = logging.getLogger(__name__)

CHECKPOINTS = (
    "batch_chosen",       # ops chosen, nothing written yet
    "marked_in_flight",   # in_flight committed, request not sent
    "server_committed",   # answer headers received (server committed), body not read
    "answer_received",    # a well-formed answer in hand, nothing applied locally
    "local_commit",       # inside the result transaction, before COMMIT
    "pull_page",          # a pull page applied inside its transaction, cursor not saved
)

SLOW_BATCH_FRACTION = 0.5  # a batch slower than half the read timeout halves the size
FAST_BATCH_SECONDS = 10.0  # a full batch answered faster than this doubles it
REFERENCE_MAX_AGE = 24 * 3600  # re-check the reference bundle (and app version) daily
RECONCILE_MAX_AGE = 6 * 3600  # compare the outbox with the server's stream at least this often
RECONCILE_PASSES = 3  # GET /v1/stream lists at most STREAM_MISSING_CAP gaps per answer
STREAM_MISSING_CAP = 1000

STATES = ("up_to_date", "offline", "retry_later", "signin_required", "upgrade_required",
          "problem")

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

# Messages of the engine's own codes (server codes come with their own bilingual text).
MESSAGES = {
    "sync.poison_batch": ("Server menolak operasi ini: {detail}",
                          "The server refused this operation: {detail}"),
    "sync.signin_required": ("Sesi sinkronisasi berakhir; masuk lagi saat online. "
                             "Data tetap tersimpan di perangkat.",
                             "The sync session ended; sign in again while online. "
                             "Your data stays on the device."),
}


def _bilingual(code: str, **params: Any) -> dict[str, str]:
    id_tpl, en_tpl = MESSAGES[code]
    return {"id": id_tpl.format(**params), "en": en_tpl.format(**params)}


@dataclass
class RoundReport:
    pushed: int = 0
    acked: int = 0
    duplicates: int = 0
    rejected: int = 0
    needs_review: int = 0
    pulled: int = 0
    resent: int = 0  # acknowledged ops queued again: the server no longer had them
    errors: list[str] = field(default_factory=list)
    state: str = "up_to_date"
    next_retry_in: float | None = None
    batches: int = 0
    requests: int = 0
    pending: int = 0  # still queued for this user at the end of the round
    waiting: int = 0  # of those, queued behind a registration another user of this laptop has not sent
    attention: int = 0  # unresolved rejected / needs-review operations of this user
    message: dict | None = None  # {"id": ..., "en": ...} for the status bar
    latest_app_version: str | None = None
    download_url: str | None = None

    def summary(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("message",)}


class _Stop(Exception):
    """End the round with this state."""

    def __init__(self, state: str, error: SyncError | None = None, retry_after: float | None = None):
        super().__init__(state)
        self.state = state
        self.error = error
        self.retry_after = retry_after


def cursor_key(user_id: str) -> str:
    return f"pull_cursor:{user_id}"


def reconcile_due_key(user_id: str) -> str:
    return f"reconcile_due:{user_id}"


def reconciled_at_key(user_id: str) -> str:
    return f"reconciled_at:{user_id}"


def stream_hole_key(user_id: str) -> str:
    """The lowest seq of this stream the server lacks and will never get: a rejected op
    (nothing of it was kept), one refused here before sending, or one purged here after its
    acknowledgement. The server's contiguous_seq cannot pass it."""
    return f"stream_hole:{user_id}"


def _worker_named(op) -> str | None:
    """The worker an operation needs on the server (None for a registration or a document)."""
    if op.kind.startswith("payment."):
        return json.loads(op.payload).get("worker_id")
    if op.kind.startswith("worker.") and op.kind != "worker.register":
        return op.entity_id
    return None


def _first_waiting(s: Session, user_id: str, ops: list) -> int:
    """The index of the first of ``ops`` (one user's queue in seq order) that names a worker
    whose registration still waits in another local user's queue; len(ops) when none.

    Several users share a counter laptop and each pushes their own stream: a payment the
    clerk took for someone the agent registered would reach the centre before the person
    does and be refused for good as an unknown worker. It waits instead (and the ops after
    it, so the stream stays in order) until the agent's round has sent the registration.
    A registration the centre refused does not hold anything: its correction re-sends the
    payments (``resubmit_worker``).
    """
    from agent_app.store.models import OutboxOp

    named = [_worker_named(op) for op in ops]
    queued: set[str] = set()
    for chunk in in_chunks(sorted({w for w in named if w})):
        queued.update(s.exec(select(OutboxOp.entity_id).where(
            OutboxOp.kind == "worker.register", OutboxOp.user_id != user_id,
            OutboxOp.state.in_(("pending", "in_flight")), OutboxOp.entity_id.in_(chunk))))
    return next((i for i, worker in enumerate(named) if worker in queued), len(ops))


class SyncEngine:
    def __init__(
        self,
        db,
        client: SyncClient,
        tokens: TokenStore,
        *,
        user_id: str,
        device_id: str,
        clock=None,
        rng: random.Random | None = None,
        username: str | None = None,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        retry_after_cap: float = 900.0,
        batch_start: int = 100,
        batch_min: int = 1,
        batch_max: int = protocol.MAX_BATCH_OPS,
        pull_limit: int = 500,
        data_dir: Path | None = None,
    ) -> None:
        from agent_app.services.base import Clock
        from agent_app.store.models import User

        self.db = db
        self.client = client
        self.tokens = tokens
        self.user_id = user_id
        self.device_id = device_id
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.batch_min = max(1, batch_min)
        self.batch_max = min(batch_max, protocol.MAX_BATCH_OPS)
        self.batch_size = max(self.batch_min, min(batch_start, self.batch_max))
        self.pull_limit = pull_limit
        self.failures = 0  # consecutive failed rounds (drives the backoff)
        self.data_dir = Path(data_dir) if data_dir else Path(db.path).parent
        self._recovered = False
        self._contiguous: int | None = None  # the last push answer's contiguous_seq
        if username is None:
            with db.read() as s:
                user = s.get(User, user_id)
                if user is None:
                    raise ValueError(f"unknown local user {user_id}")
                username = user.username
        self.username = username
        self.stats = {"retries": 0, "batch_rejections": 0, "refreshes": 0}

    # --- hooks -----------------------------------------------------------------------

    def _checkpoint(self, name: str) -> None:
        """A named step of the cycle (no-op; crash tests patch it)."""

    # --- public --------------------------------------------------------------------

    def startup_recovery(self) -> int:
        """In-flight operations of this user go back to pending (the server deduplicates)."""
        from agent_app.store.models import OutboxOp

        with self.db.write() as s:
            result = s.exec(
                update(OutboxOp)
                .where(OutboxOp.user_id == self.user_id, OutboxOp.state == "in_flight")
                .values(state="pending")
            )
            count = result.rowcount or 0
        self._recovered = True
        return count

    def reset_backoff(self) -> None:
        """Connectivity returned or the person pressed "Sync now"."""
        self.failures = 0

    def backoff_delay(self, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff after ``self.failures`` failed rounds."""
        exp = min(self.backoff_cap, self.backoff_base * (2 ** max(0, self.failures - 1)))
        delay = self.rng.uniform(0, exp)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap))
        return delay

    def pending_count(self) -> int:
        from agent_app.store.models import OutboxOp

        with self.db.read() as s:
            return s.exec(
                select(func.count()).select_from(OutboxOp).where(
                    OutboxOp.user_id == self.user_id,
                    OutboxOp.state.in_(("pending", "in_flight")),
                )
            ).one()

    def _pending_ops(self, s: Session, limit: int | None = None) -> list:
        from agent_app.store.models import OutboxOp

        return list(s.exec(select(OutboxOp).where(OutboxOp.user_id == self.user_id,
                                                  OutboxOp.state == "pending")
                           .order_by(OutboxOp.seq).limit(limit)))

    def _waiting_count(self) -> int:
        """This user's queued ops that wait for another user's registration (and after it)."""
        with self.db.read() as s:
            ops = self._pending_ops(s)
            return len(ops) - _first_waiting(s, self.user_id, ops)

    def sync_round(self, progress: Callable[[int, int], None] | None = None) -> RoundReport:
        """Push until drained, then pull. Never raises for network/server conditions."""
        report = RoundReport()
        requests_before = self.client.requests_sent
        if not self._recovered:
            self.startup_recovery()
        try:
            self._tokens()
            # The processing log (views, changes, exports, syncs) goes to the centre too.
            ship_audit_log(self.db, self.clock, self.user_id)
            self._contiguous = None
            self._push_all(report, progress)
            self._check_contiguous()
            self._pull_all(report)
            self._reconcile_if_due(report, progress)
            self._reference(report)
            report.state = "up_to_date"
            self.failures = 0
        except _Stop as stop:
            report.state = stop.state
            if stop.error is not None:
                report.errors.append(f"{stop.error.code}: {stop.error.detail}"[:300])
                if stop.error.message is not None:
                    report.message = stop.error.message.model_dump()
            if stop.state == "signin_required" and report.message is None:
                report.message = _bilingual("sync.signin_required")
            if stop.state in ("offline", "retry_later", "problem"):
                self.failures += 1
                report.next_retry_in = self.backoff_delay(stop.retry_after)
        except CredentialStoreUnavailable as exc:
            report.state = "problem"
            report.errors.append(exc.code)
            report.message = {"id": exc.text("id"), "en": exc.text("en")}
        except Exception as exc:  # a bug: logged with its traceback; the queue stays intact
            log.exception("sync round failed")
            report.state = "problem"
            report.errors.append(f"bug: {type(exc).__name__}: {exc}"[:300])
            self.failures += 1
            report.next_retry_in = self.backoff_delay()
        if report.state != "up_to_date":
            self.startup_recovery()  # nothing of ours stays in flight between rounds
        report.requests = self.client.requests_sent - requests_before
        report.pending = self.pending_count()
        if report.pending and report.state == "up_to_date":
            report.waiting = self._waiting_count()
        report.attention = len(attention_items(self.db, self.user_id))
        self._meta_out(report)
        self._audit(report)
        return report

    def drain(self, *, max_rounds: int = 50, sleep: Callable[[float], None] = time.sleep,
              progress: Callable[[int, int], None] | None = None) -> RoundReport:
        """Rounds until up to date or a state a person must resolve; sleeps the backoff."""
        report = RoundReport(state="problem")
        for _ in range(max_rounds):
            report = self.sync_round(progress)
            if report.state not in ("offline", "retry_later", "problem") or \
                    report.next_retry_in is None:
                return report
            sleep(report.next_retry_in)
        return report

    # --- tokens --------------------------------------------------------------------

    def _tokens(self) -> Tokens:
        tokens = self.tokens.get(self.username)
        if tokens is None:
            raise _Stop("signin_required")
        return tokens

    def _authorised(self, call: Callable[[str], Any]) -> Any:
        """Run ``call(access_token)``; on 401 refresh once and retry."""
        tokens = self._tokens()
        try:
            return self._guard(call, tokens.access_token)
        except _AuthNeeded:
            pass
        try:
            pair = self.client.refresh(tokens.refresh_token, self.device_id)
        except (AuthExpired, Forbidden) as exc:
            raise _Stop("signin_required", exc) from None
        except (Offline, NotAcknowledged) as exc:
            raise _Stop("offline" if isinstance(exc, Offline) else "problem", exc) from None
        except RetryLater as exc:
            raise _Stop("retry_later", exc, exc.retry_after) from None
        except BatchRejected as exc:
            raise _Stop("signin_required", exc) from None
        except UpgradeRequired as exc:
            raise _Stop("upgrade_required", exc) from None
        self.stats["refreshes"] += 1
        fresh = Tokens(pair.access_token, pair.refresh_token, pair.user.id)
        self.tokens.set(self.username, fresh)
        try:
            return self._guard(call, fresh.access_token)
        except _AuthNeeded as exc:
            raise _Stop("signin_required", exc.error) from None

    @staticmethod
    def _guard(call: Callable[[str], Any], token: str) -> Any:
        try:
            return call(token)
        except AuthExpired as exc:
            raise _AuthNeeded(exc) from None

    # --- push ----------------------------------------------------------------------

    def _choose(self, limit: int) -> list:
        """The next pending ops in seq order, up to the first one that must wait."""
        with self.db.read() as s:
            ops = self._pending_ops(s, limit)
            return ops[:_first_waiting(s, self.user_id, ops)]

    def _push_all(self, report: RoundReport, progress) -> None:
        total = self.pending_count()
        done = 0
        restore_size: int | None = None
        if progress:
            progress(0, total)
        while True:
            ops = self._choose(self.batch_size)
            if not ops:
                return
            self._checkpoint("batch_chosen")
            ids = [op.op_id for op in ops]
            self._set_state(ids, "in_flight", only_from="pending")
            self._checkpoint("marked_in_flight")
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
            for op_id, exc in invalid:  # cannot even be sent: rejected here, with the reason
                self._reject_locally(op_id, BatchRejected(
                    str(exc)[:300], code="invalid_operation", status=None))
                report.rejected += 1
                ids.remove(op_id)
            if not wire:
                continue
            batch = protocol.PushRequest(
                batch_id=uuid.uuid4().hex,
                device_id=self.device_id,
                app_version=self.client.app_version[:32],
                ops=wire,
            )
            report.batches += 1
            started = time.monotonic()
            try:
                response = self._authorised(lambda token, batch=batch: self.client.push(batch, token))
            except _Stop as stop:
                self._release(ids, stop.error, count_attempt=stop.state != "upgrade_required")
                if isinstance(stop.error, (Offline, NotAcknowledged)) and len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise
            except BatchRejected as exc:
                self.stats["batch_rejections"] += 1
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
                raise _Stop("signin_required" if isinstance(exc, DeviceRevoked) else "problem",
                            exc) from None
            except UpgradeRequired as exc:
                self._release(ids, exc, count_attempt=False)
                raise _Stop("upgrade_required", exc) from None
            except Offline as exc:
                self._release(ids, exc, count_attempt=True)
                if len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise _Stop("offline", exc) from None
            except RetryLater as exc:
                self._release(ids, exc, count_attempt=True)
                raise _Stop("retry_later", exc, exc.retry_after) from None
            except (NotAcknowledged, CursorExpired, SyncError) as exc:
                self._release(ids, exc, count_attempt=True)
                if len(ids) > 1:
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                raise _Stop("problem", exc) from None
            self._checkpoint("answer_received")
            self._contiguous = response.contiguous_seq
            counts = self._apply_results(ids, response)
            report.pushed += len(ids)
            report.acked += counts["acked"]
            report.duplicates += counts["duplicate"]
            report.rejected += counts["rejected"]
            report.needs_review += counts["needs_review"]
            done += len(ids)
            elapsed = time.monotonic() - started
            if restore_size is None:
                slow = elapsed > SLOW_BATCH_FRACTION * self.client.read_timeout
                if slow and len(ids) > self.batch_min:
                    # Close to the read timeout (slow server or link): smaller batches.
                    self.batch_size = max(self.batch_min, len(ids) // 2)
                elif len(ids) >= self.batch_size and elapsed < FAST_BATCH_SECONDS:
                    self.batch_size = min(self.batch_max, self.batch_size * 2)
            if progress:
                progress(min(done, total), max(total, done))

    def _set_state(self, ids: list[str], state: str, *, only_from: str | None = None) -> None:
        from agent_app.store.models import OutboxOp

        with self.db.write() as s:
            stmt = update(OutboxOp).where(OutboxOp.op_id.in_(ids))
            if only_from:
                stmt = stmt.where(OutboxOp.state == only_from)
            s.exec(stmt.values(state=state))

    def _release(self, ids: list[str], exc: SyncError | None, *, count_attempt: bool) -> None:
        """A batch that was not acknowledged goes back to pending."""
        from agent_app.store.models import OutboxOp

        error = (f"{exc.code}: {exc.detail}"[:500]) if exc is not None else "interrupted"
        self.stats["retries"] += len(ids) if count_attempt else 0
        with self.db.write() as s:
            values: dict[str, Any] = {"state": "pending", "last_error": error}
            if count_attempt:
                values["attempts"] = OutboxOp.attempts + 1
            s.exec(
                update(OutboxOp)
                .where(OutboxOp.op_id.in_(ids), OutboxOp.state == "in_flight")
                .values(**values)
            )

    def _reject_locally(self, op_id: str, exc: BatchRejected) -> None:
        """The one operation a batch-level 400/413 was about: rejected, with the reason."""
        from agent_app.store.models import OutboxOp

        message = exc.message.model_dump() if exc.message is not None else \
            _bilingual("sync.poison_batch", detail=exc.detail or exc.code)
        now = self.clock.stamp()
        with self.db.write() as s:
            op = s.get(OutboxOp, op_id)
            op.state = "rejected"
            op.attempts += 1
            op.last_error = exc.code
            op.result = protocol.canonical_json({
                "op_id": op_id, "status": "rejected", "code": exc.code, "message": message,
                "assigned": {}, "batch_level": True, "http_status": exc.status,
            })
            op.acked_at = now
            s.add(op)
            self._entity_state(s, op.kind, op.entity_id, "rejected", {})

    def _apply_results(self, ids: list[str], response: protocol.PushResponse) -> dict[str, int]:
        from agent_app.store.models import OutboxOp

        counts = {"acked": 0, "duplicate": 0, "rejected": 0, "needs_review": 0}
        now = self.clock.stamp()
        with self.db.write() as s:
            ops = {op.op_id: op for op in s.exec(select(OutboxOp).where(OutboxOp.op_id.in_(ids)))}
            cache = self._prefetch(s, list(ops.values()))
            for result in response.results:
                op = ops.get(result.op_id)
                if op is None or op.state != "in_flight":
                    continue
                status = result.status
                if status == "duplicate":
                    counts["duplicate"] += 1
                    effective = result.original_status or "applied"
                else:
                    effective = status
                if effective == "applied" or effective == "duplicate":
                    op.state = "acked"
                    counts["acked"] += 1
                    entity_state = "synced"
                elif effective == "needs_review":
                    op.state = "needs_review"
                    counts["needs_review"] += 1
                    entity_state = "review"
                else:
                    op.state = "rejected"
                    counts["rejected"] += 1
                    entity_state = "rejected"
                op.result = protocol.canonical_json(result.model_dump(mode="json"))
                op.last_error = result.code if effective == "rejected" else None
                op.acked_at = now
                s.add(op)
                self._entity_state(s, op.kind, op.entity_id, entity_state, result.assigned,
                                   cache)
            self._checkpoint("local_commit")
        return counts

    @staticmethod
    def _prefetch(s: Session, ops: list) -> dict:
        """The batch's workers and payments, loaded in two queries."""
        from agent_app.store.models import Payment, Worker

        cache: dict = {}
        worker_ids = [o.entity_id for o in ops if o.kind.startswith("worker.")]
        payment_ids = [o.entity_id for o in ops if o.kind.startswith("payment.")]
        if worker_ids:
            cache.update({("w", w.id): w for w in s.exec(
                select(Worker).where(Worker.id.in_(worker_ids)))})
        if payment_ids:
            cache.update({("p", p.id): p for p in s.exec(
                select(Payment).where(Payment.id.in_(payment_ids)))})
        return cache

    @staticmethod
    def _entity_state(s: Session, kind: str, entity_id: str, state: str, assigned: dict,
                      cache: dict | None = None) -> None:
        from agent_app.store.models import Payment, Worker

        cache = cache or {}
        if kind.startswith("worker."):
            worker = cache.get(("w", entity_id)) or s.get(Worker, entity_id)
            if worker is None:
                return
            if kind == "worker.deletion_request":
                return
            if kind == "worker.update" and state == "synced" and worker.sync_state == "rejected":
                state = "synced"
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

    # --- pull ----------------------------------------------------------------------

    def _pull_all(self, report: RoundReport) -> None:
        resets = 0
        while True:
            with self.db.read() as s:
                cursor = int(get_meta(s, cursor_key(self.user_id), "0") or 0)
            try:
                page = self._authorised(
                    lambda token, cursor=cursor: self.client.pull(cursor, self.pull_limit, token))
            except CursorExpired:
                if resets:
                    raise _Stop("problem", CursorExpired("cursor expired twice")) from None
                resets += 1
                with self.db.write() as s:
                    set_meta(s, cursor_key(self.user_id), "0")
                    # A cursor beyond the log's end: perhaps a central database restored
                    # from a backup, which may have lost some of our operations too.
                    set_meta(s, reconcile_due_key(self.user_id), "1")
                continue
            except _Stop:
                raise
            except Offline as exc:
                raise _Stop("offline", exc) from None
            except RetryLater as exc:
                raise _Stop("retry_later", exc, exc.retry_after) from None
            except UpgradeRequired as exc:
                raise _Stop("upgrade_required", exc) from None
            except DeviceRevoked as exc:
                raise _Stop("signin_required", exc) from None
            except SyncError as exc:
                raise _Stop("problem", exc) from None
            with self.db.write() as s:
                report.pulled += self._apply_page(s, page)
                self._checkpoint("pull_page")
                if page.cursor < cursor and not page.changes:
                    pass
                set_meta(s, cursor_key(self.user_id), str(page.cursor))
            if not page.has_more or page.cursor == cursor:
                return

    def _apply_page(self, s: Session, page: protocol.PullResponse) -> int:
        from agent_app.store.models import Payment, Worker

        applied = 0
        ids = [c.id for c in page.changes]
        busy = self._busy_entities(s, ids)
        worker_ids = [c.id for c in page.changes if c.entity == "worker"]
        payment_ids = [c.id for c in page.changes if c.entity == "payment"]
        workers = {w.id: w for w in s.exec(select(Worker).where(Worker.id.in_(worker_ids)))} \
            if worker_ids else {}
        payments = {p.id: p for p in s.exec(select(Payment).where(Payment.id.in_(payment_ids)))} \
            if payment_ids else {}
        new_money: list[protocol.Change] = []
        arrived: set[str] = set()  # workers this page stored: parked money may hang on them
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
                    self._settle_review(s, change)
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
        applied += self._store_pulled_money(s, new_money, arrived)
        # An erased worker, or a worker or payment gone from this scope: money parked for
        # it would wait for ever (what was stored stays: money is never deleted).
        for (entity, entity_id), op in last_op.items():
            if op == "delete":
                self._unpark(s, **{"worker_id" if entity == "worker" else "payment_id": entity_id})
        return applied

    # --- pulled money ---------------------------------------------------------------

    def _store_pulled_money(self, s: Session, changes: list[protocol.Change],
                            arrived: set[str]) -> int:
        """Payments and voids recorded on other devices, stored read-only (origin "pulled",
        synced, never queued): they show in the worker's history and paid months, never in
        this device's cash figures. Money is append-only: an existing row is never replaced.

        The pull log names a participant after its payments and a voided payment after its
        void, so a row whose worker (or voided payment) is not here yet is parked, in this
        page's transaction, and stored when a later page brings it (``ParkedPayment``).
        """
        from agent_app.store.models import ParkedPayment

        candidates: dict[str, tuple[int, dict]] = {
            c.id: (c.seq, dict(c.data or {})) for c in changes}
        if arrived:
            keys = set(arrived) | self._canonical_ids(s, arrived)
            for chunk in in_chunks(sorted(keys)):
                for row in s.exec(select(ParkedPayment).where(or_(
                        ParkedPayment.worker_id.in_(chunk), ParkedPayment.participant_id.in_(chunk)))):
                    candidates.setdefault(row.id, (row.change_seq, json.loads(row.data)))
        if not candidates:
            return 0
        stored: set[str] = set()
        done: set[str] = set()  # stored, or dropped for good: no longer parked
        payments = {k: v for k, v in candidates.items() if v[1].get("kind") != "void"}
        self._place_money(s, payments, stored, done)
        # Voids parked until the payment they reverse came (it may have come just now).
        for chunk in in_chunks(sorted(stored)):
            for row in s.exec(select(ParkedPayment).where(ParkedPayment.voids_payment_id.in_(chunk))):
                candidates.setdefault(row.id, (row.change_seq, json.loads(row.data)))
        voids = {k: v for k, v in candidates.items() if v[1].get("kind") == "void"}
        self._place_money(s, voids, stored, done)
        now = self.clock.stamp()
        for change in changes:  # this page's rows that must wait (parked ones stay as they are)
            if change.id in done:
                continue
            seq, data = candidates[change.id]
            pid = change.id
            s.merge(ParkedPayment(
                id=pid, change_seq=seq,
                worker_id=str(data.get("worker_id") or data.get("participant_id") or ""),
                participant_id=data.get("participant_id"),
                voids_payment_id=data.get("voids_payment_id"),
                data=protocol.canonical_json(data), parked_at=now))
        for chunk in in_chunks(sorted(done)):
            s.exec(delete(ParkedPayment).where(ParkedPayment.id.in_(chunk)))
        return len(stored)

    def _place_money(self, s: Session, rows: dict[str, tuple[int, dict]], stored: set[str],
                     done: set[str]) -> None:
        """Store each of ``rows`` whose worker (and, for a void, voided payment) is here."""
        from agent_app.store.models import Payment

        if not rows:
            return
        local = self._local_workers(s, {pid: data for pid, (_, data) in rows.items()
                                        if data.get("kind") != "void"})
        busy = self._busy_entities(s, sorted({w.id for w in local.values()}))
        ids = sorted(rows)
        receipts = [str(data.get("receipt_no")) for _, data in rows.values()]
        targets = [data["voids_payment_id"] for _, data in rows.values()
                   if data.get("voids_payment_id")]
        existing, taken, voided = set(), {}, {}
        for chunk in in_chunks(ids):
            existing.update(s.exec(select(Payment.id).where(Payment.id.in_(chunk))).all())
        for chunk in in_chunks(receipts):
            taken.update(s.exec(select(Payment.receipt_no, Payment.id).where(
                Payment.receipt_no.in_(chunk))).all())
        for chunk in in_chunks(targets):
            voided.update({p.id: p for p in s.exec(select(Payment).where(Payment.id.in_(chunk)))})
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
            row = _pulled_payment(pid, data, worker_id, target)
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
            if row.kind == "payment" and not data.get("voided_by") and worker_id not in busy:
                # paid_through is a cache of the paid months: what collect() does locally.
                months = json.loads(row.months)
                if months:
                    worker.paid_through = max(filter(None, [worker.paid_through, max(months)]))
                    s.add(worker)
        s.flush()  # voids of these payments look them up next

    @staticmethod
    def _canonical_ids(s: Session, worker_ids: set[str]) -> set[str]:
        from agent_app.store.models import Worker

        out: set[str] = set()
        for chunk in in_chunks(sorted(worker_ids)):
            out.update(c for c in s.exec(select(Worker.canonical_id).where(
                Worker.id.in_(chunk), Worker.canonical_id.is_not(None))).all() if c)
        return out

    @staticmethod
    def _local_workers(s: Session, rows: dict[str, dict]) -> dict:
        """payment id -> the local worker its money belongs to: the worker id the collecting
        device named, else the canonical participant, else a local alias of it."""
        from agent_app.store.models import Worker

        wanted = {str(v) for d in rows.values()
                  for v in (d.get("worker_id"), d.get("participant_id")) if v}
        found: dict[str, Any] = {}
        for chunk in in_chunks(sorted(wanted)):
            found.update({w.id: w for w in s.exec(select(Worker).where(Worker.id.in_(chunk)))})
        missing = {str(d["participant_id"]) for d in rows.values()
                   if d.get("participant_id")} - set(found)
        aliases: dict[str, Any] = {}
        for chunk in in_chunks(sorted(missing)):
            for w in s.exec(select(Worker).where(Worker.canonical_id.in_(chunk)).order_by(Worker.id)):
                aliases.setdefault(w.canonical_id, w)
        out = {}
        for pid, d in rows.items():
            named, canonical = str(d.get("worker_id") or ""), str(d.get("participant_id") or "")
            worker = found.get(named) or found.get(canonical) or aliases.get(canonical)
            if worker is not None:
                out[pid] = worker
        return out

    @staticmethod
    def _unpark(s: Session, *, worker_id: str | None = None, payment_id: str | None = None) -> None:
        from agent_app.store.models import ParkedPayment

        if worker_id:
            s.exec(delete(ParkedPayment).where(or_(ParkedPayment.worker_id == worker_id,
                                                   ParkedPayment.participant_id == worker_id)))
        if payment_id:
            s.exec(delete(ParkedPayment).where(ParkedPayment.id == payment_id))

    @staticmethod
    def _busy_entities(s: Session, ids: list[str]) -> set[str]:
        """Of ``ids``, the records with local operations still queued (any user of this
        device), and workers with payments still queued."""
        from agent_app.store.models import OutboxOp, Payment

        if not ids:
            return set()
        busy: set[str] = set()
        for chunk in in_chunks(ids):
            busy.update(s.exec(select(OutboxOp.entity_id).where(
                OutboxOp.entity_id.in_(chunk), OutboxOp.state.in_(("pending", "in_flight")))).all())
            busy.update(s.exec(select(Payment.worker_id).where(
                Payment.worker_id.in_(chunk), Payment.sync_state == "pending")).all())
        return busy

    def _upsert_worker(self, s: Session, worker, change: protocol.Change) -> bool:
        from agent_app.domain.reference import search_key
        from agent_app.store.models import Worker

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
                updated_at=values.get("updated_at") or self.clock.stamp(),
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
        worker.deleted = False
        s.add(worker)
        return True

    @staticmethod
    def _settle_review(s: Session, change: protocol.Change) -> None:
        """A duplicate-NIK case the centre decided settles the registration that waited for
        it: accepted (an alias, or its own KPJ), or refused with the administrators' reason,
        which then waits in Perlu perhatian like any rejection."""
        from agent_app.store.models import OutboxOp, Worker

        data = change.data or {}
        state = data.get("review_state")
        if state not in ("ok", "rejected"):
            return
        waiting = s.exec(select(OutboxOp).where(OutboxOp.entity_id == change.id,
                                                OutboxOp.kind == "worker.register",
                                                OutboxOp.state == "needs_review")).all()
        for op in waiting:
            result = json.loads(op.result) if op.result else {}
            if state == "rejected":
                op.state = "rejected"
                result.update(code="review_rejected", message=data.get("review_reason") or {})
                worker = s.get(Worker, change.id)
                if worker is not None:
                    worker.sync_state = "rejected"
                    s.add(worker)
            else:
                op.state = "acked"
                result.update(reviewed="accepted")
            op.result = protocol.canonical_json(result)
            s.add(op)

    # --- reconcile: operations the server lost --------------------------------------
    #
    # Seqs are numbered per local user (services.base.enqueue), and each local user signs in
    # as one server user, so a local stream is exactly the server's (device, user) stream: a
    # shared counter laptop shows no false gaps. The server's contiguous_seq still stops for
    # good at some seqs it will never receive: an op refused here before sending (batch
    # level), one the server rejected (if the stream's record was lost since), one purged
    # here after its acknowledgement. So the reconcile compares sets (missing_seqs, and
    # anything above highest_seq), never assumes contiguity, and remembers the lowest such
    # hole so that the cheap check after each push does not fire again for it.

    def _expected_contiguous(self, s: Session) -> int:
        """The seq below which the server should hold every op of this stream: stops at the
        first op not sent yet (or refused before sending) and at a known hole. Ops purged
        here were acknowledged (retention deletes only those), so they count as held."""
        from agent_app.services.base import outbox_seq_key
        from agent_app.store.models import OutboxOp

        bounds = [int(get_meta(s, outbox_seq_key(self.user_id), "0") or 0)]
        first_unsent = s.exec(select(func.min(OutboxOp.seq)).where(
            OutboxOp.user_id == self.user_id,
            or_(OutboxOp.state.in_(("pending", "in_flight")),
                (OutboxOp.state == "rejected")
                & (func.json_extract(OutboxOp.result, "$.batch_level") == 1)))).one()
        if first_unsent is not None:
            bounds.append(first_unsent - 1)
        hole = get_meta(s, stream_hole_key(self.user_id))
        if hole:
            bounds.append(int(hole) - 1)
        return min(bounds)

    def _check_contiguous(self) -> None:
        """Free check after the push: the answer's contiguous_seq below what this device had
        acknowledged means the server lost operations (a restore from a backup)."""
        if self._contiguous is None:
            return
        with self.db.read() as s:
            expected = self._expected_contiguous(s)
        if self._contiguous < expected:
            log.warning("server contiguous seq %d < %d acknowledged here: reconciling",
                        self._contiguous, expected)
            with self.db.write() as s:
                set_meta(s, reconcile_due_key(self.user_id), "1")

    def _reconcile_if_due(self, report: RoundReport, progress) -> None:
        """When a check asked for it (or every RECONCILE_MAX_AGE), compare the outbox with
        the server's record of this stream and send again what it lost."""
        with self.db.read() as s:
            due = get_meta(s, reconcile_due_key(self.user_id)) == "1"
            last = get_meta(s, reconciled_at_key(self.user_id))
        if not due:
            if last is None:  # start the clock: nothing to compare on a first round
                with self.db.write() as s:
                    set_meta(s, reconciled_at_key(self.user_id), self.clock.stamp())
                return
            if not self._older_than(last, RECONCILE_MAX_AGE):
                return
        for _ in range(RECONCILE_PASSES):
            try:
                requeued, more = self._reconcile()
            except _Stop:
                raise
            except SyncError as exc:  # not worth failing the round: still due next round
                report.errors.append(f"reconcile: {exc.code}")
                with self.db.write() as s:
                    set_meta(s, reconcile_due_key(self.user_id), "1")
                return
            report.resent += requeued
            if not requeued:
                return
            self._push_all(report, progress)
            if not more:
                return

    def _reconcile(self) -> tuple[int, bool]:
        """One comparison: acknowledged (or in-review) ops of this user whose seq the server
        lacks go back to pending; the server deduplicates by op_id, so a re-send is safe.
        Rejected ops stay as they are (the server kept nothing of them). Returns (ops
        queued again, whether the server's list of gaps was cut short)."""
        from agent_app.store.models import Meta, OutboxOp

        status = self._authorised(lambda token: self.client.stream(token))
        missing = set(status.missing_seqs)
        more = len(status.missing_seqs) >= STREAM_MISSING_CAP
        with self.db.write() as s:
            # Only the seqs the server lacks are read: a hole low in a long stream keeps
            # contiguous_seq low, and everything above it need not be loaded.
            mine = OutboxOp.user_id == self.user_id
            rows = list(s.exec(select(OutboxOp).where(mine, OutboxOp.seq > status.highest_seq)))
            for chunk in in_chunks(sorted(missing)):
                rows += s.exec(select(OutboxOp).where(mine, OutboxOp.seq.in_(chunk))).all()
            recorded = s.exec(select(func.count()).select_from(OutboxOp).where(
                mine, OutboxOp.state.in_(("acked", "needs_review")))).one()
            lost = sorted((op for op in rows if op.state in ("acked", "needs_review")),
                          key=lambda op: op.seq)
            holes = [op.seq for op in rows if op.state == "rejected"]
            present = {op.seq for op in rows}
            holes += [n for n in missing if n not in present]  # purged here after the ack
            for op in lost:
                op.state = "pending"
                op.last_error = "not_on_server"
                s.add(op)
                self._entity_state(s, op.kind, op.entity_id, "pending", {})
            if holes:
                set_meta(s, stream_hole_key(self.user_id), str(min(holes)))
            else:
                s.exec(delete(Meta).where(Meta.key == stream_hole_key(self.user_id)))
            set_meta(s, reconcile_due_key(self.user_id), "0")
            set_meta(s, reconciled_at_key(self.user_id), self.clock.stamp())
        if lost:
            log.warning("the server lacks %d acknowledged ops of this stream (seqs %d..%d): "
                        "sending them again", len(lost), lost[0].seq, lost[-1].seq)
        if status.applied_ops < recorded - len(lost):
            # Seqs intact but applied operations missing: not something a restore does;
            # logged for the people who run the server, nothing to re-send by seq.
            log.warning("server records %d applied ops for this stream, %d acknowledged here",
                        status.applied_ops, recorded - len(lost))
        return len(lost), more

    # --- reference bundle ----------------------------------------------------------

    def _reference(self, report: RoundReport) -> None:
        with self.db.read() as s:
            have = get_meta(s, "reference_version")
            stale = get_meta(s, "reference_stale") == "1"
            checked = get_meta(s, "reference_checked_at")
        if have and not stale and checked and not self._older_than(checked, REFERENCE_MAX_AGE):
            return
        try:
            bundle = self._authorised(lambda token: self.client.reference(token))
        except _Stop:
            raise
        except SyncError as exc:  # reference data is not worth failing the round for
            report.errors.append(f"reference: {exc.code}")
            return
        if bundle.version != have:
            target = self.data_dir / "reference" / _safe(bundle.version)
            target.mkdir(parents=True, exist_ok=True)
            for name, content in bundle.files.items():
                path = target / _safe(name)
                text = content if isinstance(content, str) else json.dumps(
                    content, ensure_ascii=False, indent=1)
                atomic_write_text(path, text)
        with self.db.write() as s:
            set_meta(s, "reference_version", bundle.version)
            set_meta(s, "reference_dir", str(self.data_dir / "reference" / _safe(bundle.version)))
            set_meta(s, "reference_stale", "0")
            set_meta(s, "reference_checked_at", self.clock.stamp())
            set_meta(s, "latest_app_version", bundle.latest_app_version or "")
            set_meta(s, "download_url", bundle.download_url or "")

    def _older_than(self, stamp: str, seconds: float) -> bool:
        from datetime import datetime

        try:
            then = datetime.fromisoformat(stamp)
            return abs((self.clock.now() - then).total_seconds()) > seconds
        except (TypeError, ValueError):
            return True

    def last_success(self) -> str | None:
        """When this user's last complete round ended (device clock, information only)."""
        with self.db.read() as s:
            return get_meta(s, f"last_sync:{self.user_id}")

    def _meta_out(self, report: RoundReport) -> None:
        with self.db.read() as s:
            report.latest_app_version = get_meta(s, "latest_app_version") or None
            report.download_url = get_meta(s, "download_url") or None

    def _audit(self, report: RoundReport) -> None:
        from agent_app.services.base import audit

        now = self.clock.stamp()
        with self.db.write() as s:
            if report.state == "up_to_date":
                set_meta(s, f"last_sync:{self.user_id}", now)
            audit(s, user_id=self.user_id, action="sync", entity="outbox", entity_id=None,
                  now=now, new=report.summary())


class _AuthNeeded(Exception):
    def __init__(self, error: AuthExpired) -> None:
        super().__init__(error.code)
        self.error = error


def _pulled_payment(pid: str, data: dict, worker_id: str, target):
    """The local, read-only row of a payment or void pulled from the centre (None when the
    data lacks what a money row needs). A void inherits what its payload does not carry
    (method, tariff, breakdown) from the payment it reverses, as a local void does."""
    from agent_app.store.models import Payment

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


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return keep.strip(".") or "_"


# --- attention: rejected and needs-review operations ---------------------------------


@dataclass(frozen=True)
class AttentionItem:
    op_id: str
    kind: str
    state: str  # "rejected" | "needs_review"
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


def attention_items(db, user_id: str) -> list[AttentionItem]:
    """This user's operations the server refused or put in review, still unresolved."""
    from agent_app.store.models import OutboxOp, Payment, Worker

    items: list[AttentionItem] = []
    with db.read() as s:
        ops = s.exec(
            select(OutboxOp)
            .where(OutboxOp.user_id == user_id,
                   OutboxOp.state.in_(("rejected", "needs_review")))
            .order_by(OutboxOp.seq)
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
                        if original and all(state == "rejected" for state in original):
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


def resubmit_worker(db, clock, *, user_id: str, worker_id: str, changes: dict[str, Any],
                    op_id: str | None = None) -> str:
    """Correct a worker after a rejection or review: a NEW operation, never a rewrite.

    When the server never accepted the registration (rejected), the corrected record is
    sent as a new ``worker.register`` (same worker id, new op id) and the payments the
    server refused because it did not know the worker are queued again as new operations
    with their unchanged payloads. Otherwise a ``worker.update`` carries the changed fields.
    Returns the new operation's id.
    """
    from agent_app.domain.reference import search_key
    from agent_app.services.base import audit, enqueue
    from agent_app.services.workers import worker_payload
    from agent_app.store.models import OutboxOp, Worker

    updatable = protocol.WORKER_UPDATABLE
    bad = set(changes) - set(updatable)
    if bad:
        raise ValueError(f"fields that cannot be corrected: {sorted(bad)}")
    now = clock.stamp()
    with db.write() as s:
        worker = s.get(Worker, worker_id)
        if worker is None:
            raise ValueError(f"unknown worker {worker_id}")
        old = worker_payload(worker)
        for name, value in changes.items():
            if name in ("occupations", "programmes") and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False, sort_keys=name == "programmes")
            setattr(worker, name, value)
        if "full_name" in changes:
            worker.name_key = search_key(worker.full_name)
        worker.updated_at = now
        worker.sync_state = "pending"
        s.add(worker)
        ops = s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker_id)
                     .order_by(OutboxOp.seq)).all()
        registered = any(o.kind == "worker.register" and o.state in ("acked", "needs_review",
                                                                     "pending", "in_flight")
                         for o in ops)
        if registered:
            payload = {"id": worker_id, "updated_at": now, "updated_by": user_id}
            for name in changes:
                payload[name] = worker_payload(worker).get(name, getattr(worker, name))
            kind = "worker.update"
        else:
            payload = worker_payload(worker)
            kind = "worker.register"
        new_op = enqueue(s, user_id=user_id, kind=kind, entity_id=worker_id,
                         payload=payload, now=now)
        resolved = [o for o in ops if o.state in ("rejected", "needs_review")
                    and (op_id is None or o.op_id == op_id or kind == "worker.register")]
        for o in resolved:
            _mark_resolved(o, new_op.op_id)
            s.add(o)
        if kind == "worker.register":
            _requeue_payments(s, worker_id, user_id, now)
        audit(s, user_id=user_id, action="worker.correct", entity="worker",
              entity_id=worker_id, now=now, old=old, new=payload)
        return new_op.op_id


def _mark_resolved(op, new_op_id: str) -> None:
    result = json.loads(op.result) if op.result else {}
    result["resolved_by"] = new_op_id
    op.result = protocol.canonical_json(result)


def _requeue_payments(s: Session, worker_id: str, user_id: str, now: str) -> None:
    """Payments refused because the worker was unknown are sent again (new op ids)."""
    from agent_app.services.base import enqueue
    from agent_app.store.models import OutboxOp, Payment

    payment_ids = [p for p in s.exec(select(Payment.id).where(Payment.worker_id == worker_id))]
    if not payment_ids:
        return
    rejected = s.exec(
        select(OutboxOp).where(OutboxOp.entity_id.in_(payment_ids),
                               OutboxOp.state == "rejected").order_by(OutboxOp.seq)
    ).all()
    for op in rejected:
        result = json.loads(op.result) if op.result else {}
        if result.get("resolved_by") or result.get("code") not in ("unknown_worker", None):
            continue
        new_op = enqueue(s, user_id=user_id, kind=op.kind, entity_id=op.entity_id,
                         payload=json.loads(op.payload), now=now)
        _mark_resolved(op, new_op.op_id)
        s.add(op)
        payment = s.get(Payment, op.entity_id)
        if payment is not None:
            payment.sync_state = "pending"
            s.add(payment)


def dismiss(db, *, op_id: str, user_id: str, clock) -> None:
    """A needs-review item the agent has read (the supervisor settles it on the server)."""
    from agent_app.services.base import audit
    from agent_app.store.models import OutboxOp

    with db.write() as s:
        op = s.get(OutboxOp, op_id)
        if op is None or op.user_id != user_id:
            raise ValueError("unknown operation")
        _mark_resolved(op, "dismissed")
        s.add(op)
        audit(s, user_id=user_id, action="sync.dismiss", entity="outbox", entity_id=op_id,
              now=clock.stamp())


resubmit = resubmit_worker  # the name the design notes use


def void_payment(core, actor, payment_id: str, reason: str):
    """Money refused by the server is never deleted: it is voided (a new negative entry)
    through the payments service, which queues a ``payment.void`` operation."""
    return core.payments.void(actor, payment_id, reason)
