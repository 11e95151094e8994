"""Runs the Qt-free ``SyncEngine`` on a network thread of its own and reports to the GUI.

Triggers: start-up, a periodic timer (5 min), the server's ``/v1/health`` becoming
reachable again (probed every 30 s while offline: our own server, never a public site),
the engine's own backoff timer, and "Sinkronkan sekarang" (which resets the backoff).
The engine opens its own short transactions (SQLite ``BEGIN IMMEDIATE`` queues it behind
the GUI's database thread), so the window never waits on the network.

A round can be cancelled (``cancel()``: the request under way is cut, nothing is lost),
and the client's deadlines are the GUI's (``GUI_TIMEOUTS``): a server that accepts and
never answers ends the round within a minute instead of two. ``sign_in(password)`` signs
the person in at the server again when the session ended (``signin_required``); the queue
is kept and sent right after.

Wiring (main window)::

    self.sync = SyncController(core, session, server_url, parent=self)
    self.sync.status_changed.connect(self.status.set_sync_state)
    self.sync.round_finished.connect(lambda _r: self.status.refresh_pending())
    self.sync.start()
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from agent_app.services.retention import purge_expired
from sync.client import SyncClient, SyncError
from sync.credentials import CredentialStoreUnavailable
from sync.headless import make_engine, sign_in_online

log = logging.getLogger(__name__)

# Engine state -> StatusBar state (agent_app.ui.status.SYNC_STATES).
STATUS_OF = {
    "up_to_date": "up_to_date",
    "offline": "offline",
    "retry_later": "offline",
    "signin_required": "signin",
    "upgrade_required": "problem",
    "problem": "problem",
    "cancelled": "cancelled",
}
# (connect, between two bytes, whole request) in seconds: short enough that a frozen
# server frees the status bar soon, long enough for a batch on a slow 2G link.
GUI_TIMEOUTS = (10.0, 20.0, 60.0)


class SyncController(QObject):
    # (status-bar state, detail text in the UI language)
    status_changed = Signal(str, str)
    # raw engine state: offline | syncing | up_to_date | problem | signin_required | ...
    state_changed = Signal(str)
    progress = Signal(int, int)  # done, total operations of this round
    pending_changed = Signal(int)
    last_sync_changed = Signal(str)  # ISO time of the last successful round
    attention_changed = Signal(int)  # rejected / needs-review items of this user
    update_available = Signal(str, str)  # latest app version, download URL
    notice = Signal(str, object)  # kind ("clock", "tariff"), {"id": ..., "en": ...} or None
    round_finished = Signal(object)  # sync.engine.RoundReport
    signed_in = Signal(object)  # None, or why signing in at the server failed (an exception)

    # internal: from the network thread to the GUI thread
    _report_ready = Signal(object)
    _probe_result = Signal(bool)
    _progress_raw = Signal(int, int)
    _last_sync_raw = Signal(str)
    _signin_raw = Signal(object)

    def __init__(self, core, session, base_url: str, *,
                 engine_factory: Callable[[], object] | None = None,
                 interval_ms: int = 5 * 60_000, probe_ms: int = 30_000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.session = session
        self.base_url = base_url
        self._engine_factory = engine_factory or self._default_engine
        self._engine = None
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._busy = False
        self._again = False
        self._cancelling = False
        self.state = "never"
        self.last_report = None
        self.last_success: str | None = None

        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.request_sync)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.request_sync)
        self._probe = QTimer(self)
        self._probe.setInterval(probe_ms)
        self._probe.timeout.connect(self._probe_now)

        self._report_ready.connect(self._on_report)
        self._probe_result.connect(self._on_probe)
        self._progress_raw.connect(self._on_progress)
        self._last_sync_raw.connect(self._on_last_sync)
        self._signin_raw.connect(self._on_signed_in)

    # --- public --------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="perisai-sync", daemon=True)
            self._thread.start()
        self._timer.start()
        self._queue.put(("recover", None))
        self.request_sync()

    @Slot()
    def sync_now(self) -> None:
        """The person pressed "Sinkronkan sekarang": forget the backoff, sync at once."""
        self._queue.put(("reset_backoff", None))
        self.request_sync()

    @Slot()
    def request_sync(self) -> None:
        if self._thread is None:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._retry.stop()
        self._set_state("syncing", self.tr("Sending and receiving changes…"))
        self._queue.put(("round", None))

    @Slot()
    def cancel(self) -> None:
        """The person pressed "Batalkan" while syncing: end the round now."""
        if self._busy and self._engine is not None and not self._cancelling:
            self._cancelling = True
            self._engine.cancel()

    def sign_in(self, password: str) -> None:
        """Sign the person in at the server again (``signed_in`` answers on the GUI thread)."""
        self._queue.put(("signin", password))

    def shutdown(self, timeout: float = 10.0) -> None:
        self._timer.stop()
        self._retry.stop()
        self._probe.stop()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    @property
    def busy(self) -> bool:
        return self._busy

    # --- network thread ------------------------------------------------------------

    def _client(self) -> SyncClient:
        connect, read, deadline = GUI_TIMEOUTS
        return SyncClient(self.base_url, connect_timeout=connect, read_timeout=read,
                          deadline=deadline)

    def _default_engine(self):
        return make_engine(self.core, self.base_url, self.session.user.username,
                           client=self._client(), rng=random.Random())

    def _engine_or_none(self):
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, _arg = item
            try:
                if kind == "recover":
                    engine = self._engine_or_none()
                    engine.startup_recovery()
                    last = engine.last_success()
                    if last:
                        self._last_sync_raw.emit(last)
                elif kind == "reset_backoff":
                    self._engine_or_none().reset_backoff()
                elif kind == "round":
                    engine = self._engine_or_none()
                    report = engine.sync_round(progress=self._progress_raw.emit)
                    if report.state == "up_to_date":
                        # Only now is it known what the server holds: apply the retention
                        # rules (never touching anything unsynced).
                        purge_expired(self.core, self.session.user)
                    self._report_ready.emit(report)
                elif kind == "signin":
                    try:
                        sign_in_online(self.core, self.base_url, self.session.user.username, _arg,
                                       client=self._client())
                    except (SyncError, CredentialStoreUnavailable) as exc:
                        self._signin_raw.emit(exc)
                    else:
                        self._signin_raw.emit(None)
                elif kind == "probe":
                    engine = self._engine_or_none()
                    try:
                        engine.client.health()
                        ok = True
                    except Exception:
                        ok = False
                    self._probe_result.emit(ok)
            except BaseException as exc:  # a bug: log it and report a problem, keep the thread
                log.error("sync %s failed:\n%s", kind, "".join(traceback.format_exception(exc)))
                if kind == "round":
                    self._report_ready.emit(exc)
                elif kind == "signin":
                    self._signin_raw.emit(exc)

    # --- GUI thread ----------------------------------------------------------------

    def _set_state(self, state: str, detail: str) -> None:
        self.state = state
        self.state_changed.emit(state)
        self.status_changed.emit(STATUS_OF.get(state, state), detail)

    @Slot(str)
    def _on_last_sync(self, stamp: str) -> None:
        if self.last_success is None:
            self.last_success = stamp
            self.last_sync_changed.emit(stamp)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)
        if total:
            self.status_changed.emit(
                "syncing", self.tr("Sending %1 of %2…").replace("%1", str(done))
                .replace("%2", str(total)))

    @Slot(object)
    def _on_signed_in(self, error) -> None:
        self.signed_in.emit(error)
        if error is None:
            self.sync_now()  # what waited in the queue goes now

    @Slot(object)
    def _on_report(self, report) -> None:
        self._busy = False
        if self._cancelling:
            self._cancelling = False
            if self._engine is not None:
                self._engine.client.resume()  # a late cancel must not stop the next round
        if isinstance(report, BaseException):
            self._set_state("problem", self.tr("Unexpected error during sync; see the log."))
            self._schedule_retry(60.0)
            return
        self.last_report = report
        detail = self._detail(report)
        self._set_state(report.state, detail)
        self.pending_changed.emit(report.pending)
        if report.state == "up_to_date":
            self.last_success = datetime.now(UTC).isoformat(timespec="seconds")
            self.last_sync_changed.emit(self.last_success)
            self._probe.stop()
        elif report.state in ("offline", "retry_later", "problem"):
            self._probe.start()
            if report.next_retry_in is not None:
                self._schedule_retry(report.next_retry_in)
        else:
            self._probe.stop()  # cancelled, sign-in, upgrade: the person acts first
        if report.latest_app_version and report.download_url:
            self.update_available.emit(report.latest_app_version, report.download_url)
        self.notice.emit("clock", report.clock_warning)  # None: the clock is right (again)
        if report.tariff_notice:  # a change: it stays shown after the next round
            self.notice.emit("tariff", report.tariff_notice)
        self.attention_changed.emit(report.attention)
        self.round_finished.emit(report)
        if self._again:
            self._again = False
            self.request_sync()

    def _schedule_retry(self, seconds: float) -> None:
        self._retry.start(max(0, int(seconds * 1000)))

    @Slot()
    def _probe_now(self) -> None:
        if not self._busy and self._thread is not None:
            self._queue.put(("probe", None))

    @Slot(bool)
    def _on_probe(self, reachable: bool) -> None:
        if reachable and not self._busy:
            self._probe.stop()
            self.sync_now()  # connectivity returned: reset the backoff and sync

    def _detail(self, report) -> str:
        lang = getattr(self.session, "lang", "id")
        server_text = ""
        if report.message:
            server_text = report.message.get(lang) or report.message.get("id", "")
        if report.state == "up_to_date":
            text = self.tr("Sent %1, received %2.").replace("%1", str(report.acked)) \
                .replace("%2", str(report.pulled))
            if report.attention:
                text += " " + self.tr("%1 need attention.").replace("%1", str(report.attention))
            return text
        if report.state in ("offline", "retry_later"):
            return self.tr("Server not reachable; the data stays on this laptop. "
                           "Next try in %1 s.").replace("%1", str(int(report.next_retry_in or 0)))
        if report.state == "signin_required":
            return server_text or self.tr("Sign in again while online to continue syncing.")
        if report.state == "cancelled":
            return self.tr("Sync cancelled; nothing is lost. It runs again with \"Sync now\" "
                           "or in a few minutes.")
        if report.state == "upgrade_required":
            return server_text or self.tr("This version is too old; install the update. "
                                          "Unsent data stays on this laptop.")
        return server_text or self.tr("Sync problem: %1").replace(
            "%1", "; ".join(report.errors)[:200])
