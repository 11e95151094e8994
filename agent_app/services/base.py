"""What every use case shares: the clock, errors, ids, the outbox and the audit log."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, overload

from sqlalchemy import Integer, String, cast, func
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from agent_app.store.models import AuditEntry, Meta, OutboxOp, OutboxState, User
from perisai_protocol import OP_SCHEMAS, canonical_hash, canonical_json

log = logging.getLogger(__name__)

# Makassar keeps WITA (UTC+8) all year: no daylight saving, so a fixed offset is exact and
# needs no time-zone database on Windows.
WITA = timezone(timedelta(hours=8), "WITA")


CLOCK_OFFSET_KEY = "clock_offset_seconds"  # meta: the centre's time minus the device's
CLOCK_LEARNED_KEY = "clock_learned_at"  # meta: the device's own time when it was learned
CLOCK_SET_BACK = timedelta(minutes=1)  # the device's clock going back more than this was set


class Clock:
    """Time as the app sees it: the device's clock corrected by the centre's time, learned
    at every contact with the centre (``learn_centre_time``, kept in meta). A laptop clock
    days off would otherwise bill the wrong month and stamp receipts with the wrong year.
    Before the first contact the device's own clock is all there is; and when that clock is
    set back (the person corrected it after the warning), it is trusted again until the
    centre next answers."""

    def __init__(self) -> None:
        self.offset = timedelta(0)  # centre minus device
        self.known = False  # the centre's time was learned (and still applies)
        self._last_seen: datetime | None = None  # the device's time, as last read

    def device_now(self) -> datetime:
        """The device's own clock, uncorrected."""
        return datetime.now(UTC)

    def now(self) -> datetime:
        device = self.device_now()
        if self.known and self._last_seen is not None and device < self._last_seen - CLOCK_SET_BACK:
            self.offset, self.known = timedelta(0), False  # set back by hand: trust it now
        if self._last_seen is None or device > self._last_seen:
            self._last_seen = device
        return device + self.offset

    def today(self) -> date:
        return self.now().astimezone(WITA).date()

    def stamp(self) -> str:
        """UTC, so stored stamps compare correctly as text whatever clock made them."""
        return self.now().astimezone(UTC).isoformat(timespec="seconds")

    def follow(self, offset_seconds: float, device_time: datetime | None = None) -> None:
        """The centre's time is the device's plus ``offset_seconds`` (learned when the
        device's clock said ``device_time``, default now)."""
        self.offset = timedelta(seconds=offset_seconds)
        self.known = True
        self._last_seen = device_time or self.device_now()

    @property
    def skew_seconds(self) -> float | None:
        """How far the device's clock is ahead of the centre's (behind: negative); None
        until the centre's time is known. The status bar warns above CLOCK_WARN_SECONDS."""
        return -self.offset.total_seconds() if self.known else None


CLOCK_WARN_SECONDS = 5 * 60  # a device clock off by more than this is worth a warning


def learn_centre_time(session: Session, clock: Clock, centre: datetime, device: datetime) -> None:
    """The centre said it was ``centre`` when the device's own clock said ``device``: the
    clock follows the centre from now on, and remembers it (inside the caller's
    transaction)."""
    offset = (centre - device).total_seconds()
    clock.follow(offset, device)
    set_meta(session, CLOCK_OFFSET_KEY, f"{offset:.3f}")
    set_meta(session, CLOCK_LEARNED_KEY, device.isoformat())


class FixedClock(Clock):
    """A clock pinned to ``moment`` for tests: it does not follow the centre's time."""

    def __init__(self, moment: datetime) -> None:
        super().__init__()
        self.moment = moment

    def device_now(self) -> datetime:
        return self.moment

    def follow(self, offset_seconds: float, device_time: datetime | None = None) -> None:
        pass  # pinned: a test's date is the date

    def advance(self, **delta: float) -> None:
        self.moment = self.moment + timedelta(**delta)


@dataclass
class ServiceError(Exception):
    """A refusal a person must read: a message code (see agent_app.domain.messages)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    issues: list = field(default_factory=list)

    def __str__(self) -> str:
        return self.code

    def text(self, lang: str = "id") -> str:
        from agent_app.domain.messages import render

        return render(self.code, lang, **self.params)


def new_id() -> str:
    return str(uuid.uuid4())


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def next_counter(session: Session, key: str, count: int = 1) -> int:
    """Increment a persisted counter by ``count`` and return the first of the ``count``
    numbers given out (inside the caller's write transaction).

    One SQL statement, never a changed ORM object: a pending change can be thrown away
    (``expire_all``, ``refresh``) while the rows written with the number stay, and the same
    number would then be given out again.
    """
    stmt = (
        sqlite_insert(Meta).values(key=key, value=str(count))
        .on_conflict_do_update(index_elements=[Meta.key],
                               set_={"value": cast(cast(Meta.value, Integer) + count, String)})
        .returning(col(Meta.value))
    )
    return int(session.execute(stmt).scalar_one()) - count + 1


@overload
def get_meta(session: Session, key: str, default: str) -> str: ...


@overload
def get_meta(session: Session, key: str, default: None = None) -> str | None: ...


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Meta, key)
    return row.value if row is not None else default


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key) or Meta(key=key, value=value)
    row.value = value
    session.add(row)


def outbox_seq_key(user_id: str) -> str:
    """The meta counter of a user's outbox sequence (the last seq given out)."""
    return f"outbox_seq:{user_id}"


def heal_outbox_counters(session: Session) -> int:
    """Raise every user's outbox counter to at least the highest seq stored for them.

    A counter behind its stream makes every new operation of that user collide with a
    stored one (nothing can be saved), so the store is checked on every open. Cheap: one
    index lookup per user. Returns how many counters were raised.
    """
    raised = 0
    highest = session.execute(
        select(User.id, select(func.max(OutboxOp.seq)).where(OutboxOp.user_id == User.id)
               .scalar_subquery())
    ).all()
    for user_id, seq in highest:
        if seq is None:
            continue
        key = outbox_seq_key(user_id)
        counter = int(get_meta(session, key, "0"))
        if counter < seq:
            log.warning("outbox counter of user %s was %d, below its stored seq %d: raised",
                        user_id, counter, seq)
            set_meta(session, key, str(seq))
            raised += 1
    return raised


def enqueue(
    session: Session, *, user_id: str, kind: str, entity_id: str, payload: dict, now: str
) -> OutboxOp:
    """Queue one operation for the central server, in the caller's transaction.

    The sequence is per user on this device: each user pushes their own stream with their
    own credentials, so one user's queue never waits on (or touches) another's; it is the
    server's (device, user) stream, whose sequence tracking the sync reconcile compares.
    """
    [row] = number_ops(session, user_id, op_rows(kind, [(entity_id, payload)], now))
    op = OutboxOp(**row)
    session.add(op)
    return op


def op_rows(kind: str, items: Sequence[tuple[str, dict]], now: str,
            op_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Outbox rows of operations (entity id, payload), not yet numbered: the serialising
    can happen before the write transaction that ``number_ops`` belongs to. Each gets a
    new op id unless ``op_ids`` gives them."""
    ids = op_ids if op_ids is not None else [new_id() for _ in items]
    rows = []
    for op_id, (entity_id, payload) in zip(ids, items, strict=True):
        text = canonical_json(payload)
        rows.append({"op_id": op_id, "kind": kind, "entity_id": entity_id,
                     "schema_version": OP_SCHEMAS[kind], "payload": text,
                     "payload_hash": canonical_hash(text), "created_at": now})
    return rows


def number_ops(session: Session, user_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give ``op_rows`` the next seqs of the user's stream, as one block taken with one
    counter update in the caller's write transaction; the caller inserts them there."""
    first = next_counter(session, outbox_seq_key(user_id), len(rows)) if rows else 0
    for index, row in enumerate(rows):
        row["user_id"], row["seq"] = user_id, first + index
    return rows


def audit(
    session: Session,
    *,
    user_id: str | None,
    action: str,
    entity: str,
    entity_id: str | None,
    now: str,
    old: Any = None,
    new: Any = None,
) -> None:
    session.add(AuditEntry(**audit_row(user_id=user_id, action=action, entity=entity,
                                       entity_id=entity_id, now=now, old=old, new=new)))


def audit_row(*, user_id: str | None, action: str, entity: str, entity_id: str | None, now: str,
              old: Any = None, new: Any = None) -> dict[str, Any]:
    """The audit entry of one action (``audit`` adds it; bulk writers insert many)."""
    return {"at": now, "user_id": user_id, "action": action, "entity": entity,
            "entity_id": entity_id, "old": None if old is None else to_json(old),
            "new": None if new is None else to_json(new), "synced": False}


def device_id(session: Session) -> str:
    """This installation's id and receipt prefix, made on first use."""
    existing = get_meta(session, "device_id")
    if existing:
        return existing
    from agent_app.domain.receipts import new_device_prefix

    value = new_id()
    set_meta(session, "device_id", value)
    set_meta(session, "receipt_prefix", new_device_prefix())
    return value


def pending_count(session: Session, user_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(OutboxOp).where(
        col(OutboxOp.state).in_(OutboxState.queued())
    )
    if user_id:
        stmt = stmt.where(OutboxOp.user_id == user_id)
    return session.exec(stmt).one()
