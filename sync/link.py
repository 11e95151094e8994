"""The link's pace, remembered between runs.

A rural 2G link may carry 250 bytes/s. A request there must fit the client's deadline with
its answer, and the client's read timeout must wait for the body to go out first (the
server answers once all of it arrived). A scheduled ``sync --once`` is a new process each
time, so what a run learns of the link is kept in meta (``PACE_KEY``) for the next one:
pushes and pull pages are sized to it (``budget``), and the client waits accordingly.

The pace is learned from the round's requests that moved enough bytes to say something
(small ones mostly measure the latency), and bounded from above by a large request that
did not get its answer in time.
"""

from __future__ import annotations

from agent_app.services.base import get_meta, set_meta
from sync.client import SyncClient

PACE_KEY = "link_pace"  # meta: bytes/s
BUDGET_SHARE = 0.4  # a request may take this share of the client's deadline
MEASURE_BYTES = 3_000  # a request moving fewer bytes says little about the pace
FAILED_SHARE = 0.5  # a request that timed out moved less than its bytes: assume half


class LinkPace:
    def __init__(self, db, client: SyncClient) -> None:
        self.db = db
        self.client = client
        self.pace: float | None = None

    def load(self) -> None:
        """The pace the last runs learned, for this run's client."""
        with self.db.read() as s:
            stored = get_meta(s, PACE_KEY)
        self.pace = float(stored) if stored else None
        self.client.pace = self.pace

    def budget(self) -> float | None:
        """Bytes a request (body and answer) may move; None while the pace is unknown."""
        return self.pace * BUDGET_SHARE * self.client.deadline if self.pace else None

    def learn(self) -> None:
        """Fold this round's requests into the pace and remember it."""
        transfers, self.client.transfers = self.client.transfers, []
        answered = [(size, seconds) for size, seconds, ok in transfers
                    if ok and size >= MEASURE_BYTES and seconds > 0]
        pace = self.pace
        if answered:
            sample = sum(size for size, _ in answered) / sum(seconds for _, seconds in answered)
            pace = sample if pace is None else (pace + sample) / 2
        for size, seconds, ok in transfers:
            if not ok and size >= MEASURE_BYTES and seconds > 0:
                pace = min(pace or float("inf"), FAILED_SHARE * size / seconds)
        if pace is None or pace == self.pace:
            return
        self.pace = self.client.pace = pace
        with self.db.write() as s:
            set_meta(s, PACE_KEY, f"{pace:.1f}")
