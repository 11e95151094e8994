"""What every part of a sync round shares: its report, the way it ends early, its
checkpoints, and the context the parts work in (store, link, whose stream, hooks).

No Qt. The round itself is ``sync.engine.SyncEngine``; its parts are ``sync.push``,
``sync.pull``, ``sync.reconcile`` and ``sync.reference``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent_app.domain.messages import register, render
from agent_app.services.base import CLOCK_WARN_SECONDS, Clock, learn_centre_time
from sync.client import DeviceRevoked, Offline, RetryLater, SyncClient, SyncError, UpgradeRequired
from sync.link import LinkPace

CHECKPOINTS = (
    "batch_chosen",       # ops chosen, nothing written yet
    "marked_in_flight",   # in_flight committed, request not sent
    "server_committed",   # answer headers received (server committed), body not read
    "answer_received",    # a well-formed answer in hand, nothing applied locally
    "local_commit",       # inside the result transaction, before COMMIT
    "pull_page",          # a pull page applied inside its transaction, cursor not saved
)

STATES = ("up_to_date", "offline", "retry_later", "signin_required", "upgrade_required",
          "problem", "cancelled")

# The engine's own codes (the server's codes come with their own bilingual text).
register({
    "sync.poison_batch": {"id": "Server menolak operasi ini: {detail}",
                          "en": "The server refused this operation: {detail}"},
    "sync.signin_required": {"id": "Sesi sinkronisasi berakhir; masuk lagi saat online. "
                                   "Data tetap tersimpan di perangkat.",
                             "en": "The sync session ended; sign in again while online. "
                                   "Your data stays on the device."},
    "sync.clock_ahead": {"id": "Jam laptop ini {amount_id} lebih cepat dari jam server pusat. "
                               "Tanggal, bulan iuran dan nomor kuitansi memakai jam server; "
                               "cocokkan jam Windows.",
                         "en": "This laptop's clock is {amount_en} ahead of the central "
                               "server's. Dates, contribution months and receipt numbers use "
                               "the server's time; set the Windows clock right."},
    "sync.clock_behind": {"id": "Jam laptop ini {amount_id} lebih lambat dari jam server pusat. "
                                "Tanggal, bulan iuran dan nomor kuitansi memakai jam server; "
                                "cocokkan jam Windows.",
                          "en": "This laptop's clock is {amount_en} behind the central "
                                "server's. Dates, contribution months and receipt numbers use "
                                "the server's time; set the Windows clock right."},
})


def bilingual(code: str, **params: Any) -> dict[str, str]:
    """A message of the catalogue in both languages, as the status bar and results keep it."""
    return {"id": render(code, "id", **params), "en": render(code, "en", **params)}


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
    # How far this device's clock is ahead of the centre's (seconds; None: not known yet)
    # and, when it is off by more than a few minutes, a message for the status bar.
    clock_skew_seconds: float | None = None
    clock_warning: dict | None = None
    # {"id": ..., "en": ...} when this round changed the tariff in force (a bundle of the
    # centre, or its effective date reached): the person is told.
    tariff_notice: dict | None = None

    def summary(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k not in ("message", "clock_warning", "tariff_notice")}


class Stop(Exception):
    """End the round with this state."""

    def __init__(self, state: str, error: SyncError | None = None, retry_after: float | None = None):
        super().__init__(state)
        self.state = state
        self.error = error
        self.retry_after = retry_after


def stop_for(exc: SyncError) -> Stop:
    """How a failed request ends the round, when nothing more particular applies."""
    if isinstance(exc, Offline):
        return Stop("offline", exc)
    if isinstance(exc, RetryLater):
        return Stop("retry_later", exc, exc.retry_after)
    if isinstance(exc, UpgradeRequired):
        return Stop("upgrade_required", exc)
    if isinstance(exc, DeviceRevoked):
        return Stop("signin_required", exc)
    return Stop("problem", exc)


@dataclass
class RoundContext:
    """The store, the link and the stream a round works on, and the engine's hooks: the
    authorised call (refreshing the token once on 401) and the named checkpoints."""

    db: Any
    client: SyncClient
    clock: Any
    user_id: str
    device_id: str
    authorised: Callable[[Callable[[str], Any]], Any]
    checkpoint: Callable[[str], None]
    stats: dict[str, int]
    link: LinkPace


def remember_centre_time(db, clock: Clock, client: SyncClient) -> None:
    """The clock follows the centre's time its answers said (the shortest request's),
    remembered for the next start; then the client forgets the sample."""
    sample = client.centre_time
    if sample is None:
        return
    centre, at, _spread = sample
    device = clock.device_now() - timedelta(seconds=client.monotonic() - at)
    with db.write() as s:
        learn_centre_time(s, clock, centre, device)
    client.centre_time = None


def clock_warning(clock: Clock) -> dict[str, str] | None:
    """A message for the person when the device's clock is off by more than a few
    minutes (what the status bar shows); None otherwise."""
    skew = clock.skew_seconds
    if skew is None or abs(skew) <= CLOCK_WARN_SECONDS:
        return None
    minutes = round(abs(skew) / 60)
    if minutes >= 2 * 24 * 60:
        amount = (minutes // (24 * 60), "hari", "days")
    elif minutes >= 120:
        amount = (minutes // 60, "jam", "hours")
    else:
        amount = (minutes, "menit", "minutes")
    return bilingual("sync.clock_ahead" if skew > 0 else "sync.clock_behind",
                     amount_id=f"{amount[0]} {amount[1]}", amount_en=f"{amount[0]} {amount[2]}")


def older_than(clock, stamp: str | None, seconds: float) -> bool:
    """Whether a stored stamp lies more than ``seconds`` from now (unreadable: yes)."""
    try:
        then = datetime.fromisoformat(stamp or "")
        return abs((clock.now() - then).total_seconds()) > seconds
    except (TypeError, ValueError):
        return True
