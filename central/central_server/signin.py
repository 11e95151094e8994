"""Sign-in delays: failed attempts slow down the (username, client) pair that made them,
never the right password typed from somewhere else.

Every failed sign-in is remembered for the pair of the username and the client's address
(``LoginFailure`` rows: every server process sees them). After ``free`` failures in a row
the pair's next attempt must wait, 30 s, then twice as long after each further failure, up
to 15 minutes; an attempt during the wait is answered 429 with ``Retry-After`` and its
password is not even checked, so guessing stays slow. A success clears the pair. Another
client is not delayed by them: behind the reverse proxy a city's devices do not share one
lockout any more, and nobody can lock a user out by typing wrong passwords elsewhere.

The client alone (any username) gets the same treatment, with more free attempts and a
cap of a minute: one address spraying a password over many usernames stays slow, and the
centre's CPU (argon2 per attempt) stays its own, while honest users behind the same
carrier address wait a minute at worst.

The client's address is the connection's peer, or what a trusted reverse proxy forwarded:
``perisai-server serve --forwarded-allow-ips`` (uvicorn's option) names the proxies whose
X-Forwarded-For is believed; nobody else's is.

Reusable: the web console's sign-in calls ``check`` before verifying a password, then
``failed`` or ``succeeded`` (``central_server.auth.login`` is the example).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from central_server.db import iso, parse_iso
from central_server.errors import ApiError
from central_server.models import LoginFailure


@dataclass(frozen=True)
class Schedule:
    free: int  # failures in a row that cost nothing
    first: timedelta  # the wait after one more
    cap: timedelta  # the longest wait

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.first * 2 ** (failures - self.free), self.cap)


PAIR = Schedule(free=3, first=timedelta(seconds=30), cap=timedelta(minutes=15))
CLIENT = Schedule(free=30, first=timedelta(seconds=5), cap=timedelta(minutes=1))


def _key(kind: str, *parts: str) -> str:
    # Hashed: people type passwords into the username field, and addresses are personal.
    return f"{kind}:" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:48]


class SignInDelays:
    """The sign-in delays of one deployment (``memory``: how long a failure counts)."""

    def __init__(self, memory: timedelta = timedelta(hours=24), pair: Schedule = PAIR,
                 client: Schedule = CLIENT) -> None:
        self.memory, self.pair, self.client = memory, pair, client

    def _keys(self, username: str, client: str) -> list[tuple[str, Schedule]]:
        return [(_key("pair", username.strip().lower(), client), self.pair), (_key("client", client), self.client)]

    def wait(self, session: Session, username: str, client: str, now: datetime) -> int:
        """Seconds before (username, client) may try again; 0: now."""
        since = iso(now - self.memory)
        longest = 0
        for key, schedule in self._keys(username, client):
            count, last = session.exec(select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > since)).one()
            if count:
                free_at = parse_iso(last) + schedule.wait_after(count)
                longest = max(longest, math.ceil((free_at - now).total_seconds()))
        return longest

    def check(self, session: Session, username: str, client: str, now: datetime) -> None:
        """429 ``too_many_attempts`` with Retry-After while (username, client) must wait."""
        seconds = self.wait(session, username, client, now)
        if seconds > 0:
            raise ApiError(429, "too_many_attempts", headers={"Retry-After": str(seconds)}, seconds=seconds)

    def failed(self, session: Session, username: str, client: str, now: datetime) -> None:
        for key, _schedule in self._keys(username, client):
            session.add(LoginFailure(key=key, at=iso(now)))
        # Failures older than the memory count for nothing any more: keep the table small.
        session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= iso(now - self.memory)))

    def succeeded(self, session: Session, username: str, client: str) -> None:
        """The pair starts afresh (the client's count stays: it spans other usernames)."""
        session.exec(delete(LoginFailure).where(col(LoginFailure.key) == self._keys(username, client)[0][0]))
