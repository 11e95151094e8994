"""The sync engine: one user's rounds with the centre, their backoff and their tokens.

No Qt. One ``SyncEngine`` per (user, server); the GUI runs it on a network thread of its
own and the headless CLI calls it directly. The parts open their own short database
transactions (``Database.write()`` is ``BEGIN IMMEDIATE``, so they queue behind the GUI's
database thread instead of failing).

A round: push until drained (``sync.push``), pull the user's area (``sync.pull``),
reconcile when due (``sync.reconcile``: when an answer's ``contiguous_seq`` or epoch says
the centre lost operations of this device), refresh the reference data
(``sync.reference``). A failure of the link or the server ends the round
with a state and a full-jitter exponential backoff (honouring ``Retry-After``); 401
refreshes the token once; a failed refresh ends with ``signin_required`` and the queue
untouched.

``_checkpoint(name)`` is a no-op hook at each step of the cycle (tests kill the process
there); the names are listed in ``sync.rounds.CHECKPOINTS``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import col

import perisai_protocol as protocol
from agent_app.services.attention import attention_items
from agent_app.services.base import Clock, audit, get_meta, set_meta
from agent_app.services.privacy import ship_audit_log
from agent_app.services.users import CLOSED_AT_CENTRE, UserService
from agent_app.store.models import OutboxOp, OutboxState, User
from sync.client import AuthExpired, BatchRejected, Forbidden, SyncClient, SyncError
from sync.credentials import CredentialStoreUnavailable, Tokens, TokenStore
from sync.link import LinkPace
from sync.pull import Puller
from sync.push import Pusher
from sync.reconcile import Reconciler
from sync.reference import ReferenceRefresh
from sync.rounds import (
    RoundContext,
    RoundReport,
    Stop,
    bilingual,
    clock_warning,
    remember_centre_time,
    stop_for,
)

log = logging.getLogger(__name__)


class SyncEngine:
    def __init__(
        self,
        db,
        client: SyncClient,
        tokens: TokenStore,
        *,
        user_id: str,
        device_id: str,
        clock: Clock | None = None,
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
        reference_changed: Callable[[], dict | None] | None = None,
    ) -> None:
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
        self.failures = 0  # consecutive failed rounds (drives the backoff)
        # Called after each round's reference refresh: the app switches to the reference
        # set in force and returns a message when the tariff in force changed.
        self.reference_changed = reference_changed
        self.data_dir = Path(data_dir) if data_dir else Path(db.path).parent
        self._recovered = False
        if username is None:
            with db.read() as s:
                user = s.get(User, user_id)
                if user is None:
                    raise ValueError(f"unknown local user {user_id}")
                username = user.username
        self.username = username
        self.stats = {"retries": 0, "batch_rejections": 0, "refreshes": 0}
        self.link = LinkPace(db, client)
        ctx = RoundContext(db=db, client=client, clock=self.clock, user_id=user_id,
                           device_id=device_id, authorised=self._authorised,
                           checkpoint=lambda name: self._checkpoint(name), stats=self.stats,
                           link=self.link)
        self.pusher = Pusher(ctx, batch_start=batch_start, batch_min=batch_min,
                             batch_max=batch_max)
        self.puller = Puller(ctx, limit=pull_limit)
        self.reconciler = Reconciler(ctx, self.pusher)
        self.reference = ReferenceRefresh(ctx, self.data_dir)

    # --- hooks -----------------------------------------------------------------------

    def _checkpoint(self, name: str) -> None:
        """A named step of the cycle (no-op; crash tests patch it)."""

    # --- public --------------------------------------------------------------------

    def startup_recovery(self) -> int:
        """In-flight operations of this user go back to pending (the server deduplicates)."""
        with self.db.write() as s:
            result = s.exec(
                update(OutboxOp)
                .where(col(OutboxOp.user_id) == self.user_id,
                       col(OutboxOp.state) == OutboxState.IN_FLIGHT)
                .values(state=OutboxState.PENDING)
            )
            count = result.rowcount or 0
        self._recovered = True
        return count

    def reset_backoff(self) -> None:
        """Connectivity returned or the person pressed "Sync now"."""
        self.failures = 0

    def cancel(self) -> None:
        """From another thread: end the running round now (the request under way is cut).
        It ends ``cancelled``, its batch back to pending, nothing lost; the next round
        runs as usual."""
        self.client.cancel()

    def backoff_delay(self, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff after ``self.failures`` failed rounds."""
        exp = min(self.backoff_cap, self.backoff_base * (2 ** max(0, self.failures - 1)))
        delay = self.rng.uniform(0, exp)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap))
        return delay

    def pending_count(self) -> int:
        return self.pusher.pending_count()

    def sync_round(self, progress: Callable[[int, int], None] | None = None) -> RoundReport:
        """Push until drained, then pull. Never raises for network/server conditions."""
        report = RoundReport()
        requests_before = self.client.requests_sent
        self.client.centre_time = None
        self.link.load()  # what earlier runs learned of the link
        if not self._recovered:
            self.startup_recovery()
        try:
            self._tokens()
            # The processing log (views, changes, exports, syncs) goes to the centre too.
            ship_audit_log(self.db, self.clock, self.user_id)
            self.pusher.contiguous = self.pusher.epoch = self.puller.contiguous = None
            self.pusher.push_all(report, progress)
            self.reconciler.check_contiguous(self.pusher.contiguous)
            self.puller.notice_epoch(self.pusher.epoch)
            self.puller.pull_all(report)
            # A device with nothing to push learns from the pull that the centre lost some
            # of its operations (a restore): it sends them again in this round.
            self.reconciler.check_contiguous(self.puller.contiguous)
            self.reconciler.reconcile_if_due(report, progress)
            self.reference.refresh(report)
            if self.reference_changed is not None:
                report.tariff_notice = self.reference_changed()
            report.state = "up_to_date"
            self.failures = 0
        except Stop as stop:
            report.state = stop.state
            if stop.error is not None and stop.error.code in CLOSED_AT_CENTRE:
                UserService(self.db, self.clock).close_from_centre(self.user_id)
            if stop.error is not None and stop.error.code == "cancelled":
                report.state = "cancelled"  # the person stopped it: no failure, no backoff
            elif stop.error is not None:
                report.errors.append(f"{stop.error.code}: {stop.error.detail}"[:300])
                if stop.error.message is not None:
                    report.message = stop.error.message.model_dump()
            if stop.state == "signin_required" and report.message is None:
                report.message = bilingual("sync.signin_required")
            if report.state in ("offline", "retry_later", "problem"):
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
        self.client.resume()
        if report.state != "up_to_date":
            self.startup_recovery()  # nothing of ours stays in flight between rounds
        report.requests = self.client.requests_sent - requests_before
        remember_centre_time(self.db, self.clock, self.client)
        self.link.learn()
        report.clock_skew_seconds = self.clock.skew_seconds
        report.clock_warning = clock_warning(self.clock)
        report.pending = self.pending_count()
        if report.pending and report.state == "up_to_date":
            report.waiting = self.pusher.waiting_count()
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

    def last_success(self) -> str | None:
        """When this user's last complete round ended (device clock, information only)."""
        with self.db.read() as s:
            return get_meta(s, f"last_sync:{self.user_id}")

    # --- tokens --------------------------------------------------------------------

    def _tokens(self) -> Tokens:
        tokens = self.tokens.get(self.username)
        if tokens is None:
            raise Stop("signin_required")
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
        except (AuthExpired, Forbidden, BatchRejected) as exc:
            raise Stop("signin_required", exc) from None
        except SyncError as exc:
            raise stop_for(exc) from None
        self.stats["refreshes"] += 1
        fresh = Tokens(pair.access_token, pair.refresh_token, pair.user.id)
        self.tokens.set(self.username, fresh)
        UserService(self.db, self.clock).follow_centre(self.user_id, pair.user.model_dump())
        try:
            return self._guard(call, fresh.access_token)
        except _AuthNeeded as exc:
            raise Stop("signin_required", exc.error) from None

    @staticmethod
    def _guard(call: Callable[[str], Any], token: str) -> Any:
        try:
            return call(token)
        except AuthExpired as exc:
            raise _AuthNeeded(exc) from None

    # --- after the round -----------------------------------------------------------

    def _meta_out(self, report: RoundReport) -> None:
        with self.db.read() as s:
            report.latest_app_version = get_meta(s, "latest_app_version") or None
            report.download_url = get_meta(s, "download_url") or None

    def _audit(self, report: RoundReport) -> None:
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
