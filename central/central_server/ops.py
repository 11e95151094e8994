"""Applying pushed operations.

A batch is applied in ONE database transaction. One commit per batch instead of one per
op is what makes batching pay on SQLite with synchronous=FULL (an fsync costs tens of
milliseconds here). A crash before the commit leaves nothing: the client re-sends the batch.

The transaction first runs every op without savepoints (a savepoint costs two round trips
and was most of an op's time at month-end). If an op is rejected or fails, that attempt is
rolled back whole and the batch applied again with a SAVEPOINT per operation: an
operation's effect is released or rolled back alone, so a poison op (a rejection, a value
the database refuses, even a bug in its handler) is undone alone and the others go on.

What every op of a batch needs is done once per batch, in the same transaction: the
applied_ops lookup (one query) and insert (one executemany), the participants its
registrations name (one query, see Participants), the stream's sequence tracking, the
locks on the NIKs it registers, and the pull log (see ChangeLog). That keeps the cost of
an op near the handful of statements its own effect takes.

Nothing global is held for a batch's whole run, so batches of different devices proceed
side by side on PostgreSQL: registrations lock their NIKs (two devices registering the
same person queue, the others do not), KPJ numbers are reserved before the batch in a
short transaction of their own, and the change counter is taken only just before the
commit.

If the batch transaction itself fails (a concurrent request committed the same op id,
receipt number or stream row first, or PostgreSQL broke a lock cycle between two batches),
it is rolled back and the batch is applied again one transaction per op, each retried a
few times; dedup by op_id makes that safe.

Rejections are not recorded in applied_ops (they have no effect), so a rejection caused by
state, e.g. "unknown_worker", is re-evaluated when the client sends the same op again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, insert, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from central_server.authz import (
    Caller,
    attributed,
    out_of_area,
    reaches,
    reaches_payment,
    require,
    wita_day,
)
from central_server.db import IN_LIST_SIZE, dumps, in_chunks, iso, loads, lock_keys, next_value, reserve, table_of
from central_server.epoch import current_epoch
from central_server.errors import OpRejected, log_bug, printable, text
from central_server.models import (
    AppliedOp,
    ChangeRow,
    DeletionRequest,
    Document,
    Participant,
    PaymentMonth,
    Registered,
    ReviewItem,
    ServerPayment,
    StreamSeq,
)
from central_server.reference import Regions, kecamatan7, kelurahan11
from central_server.summary import Summaries, record_device_report, refresh_paid_through, set_worker_facts, wita_date
from perisai_protocol.permissions import OP_PERMISSIONS, role_can

log = logging.getLogger("perisai.server.push")

ASSIGNED_STATUSES = ("applied", "needs_review")

# Payload fields that say when the device did something, by its own clock.
STAMP_FIELDS = ("collected_at", "registered_at", "consent_at", "updated_at", "requested_at", "created_at")
FUTURE_STAMP_TOLERANCE = timedelta(minutes=5)  # clocks drift; beyond this one is set wrong


def stamped_ahead(payload: dict[str, Any], now: datetime) -> int | None:
    """How many seconds the latest time stamp of ``payload`` lies ahead of ``now``, when
    more than FUTURE_STAMP_TOLERANCE (None otherwise)."""
    ahead = None
    for name in STAMP_FIELDS:
        try:
            stamp = datetime.fromisoformat(str(payload.get(name) or ""))
        except ValueError:
            continue
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        if stamp - now > FUTURE_STAMP_TOLERANCE:
            ahead = max(ahead or 0, int((stamp - now).total_seconds()))
    return ahead


CHANGES = table_of(ChangeRow)
CHANGE_ROWS_OF = CHANGES.select().where(CHANGES.c.entity == bindparam("entity"),
                                        CHANGES.c.entity_id.in_(bindparam("ids", expanding=True)))


class ChangeLog:
    """The pull-log rows a transaction publishes, written in one go just before it commits.

    The log is compacted: an entity keeps one row per scope, and when it leaves a scope
    (the worker moved) that scope gets a "delete" so its devices drop it. Seqs come from the
    "change" counter in ONE update at write time, so its row lock is held only from there
    to the commit: seqs are gapless and in commit order, and concurrent batches queue on
    that lock for a moment instead of for their whole run.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[str, str, str, str, str]] = []

    def emit(self, entity: str, entity_id: str, op: str, scope_kec: str, scope_kel: str) -> None:
        self._pending.append((entity, entity_id, op, scope_kec, scope_kel))

    def mark(self) -> int:
        return len(self._pending)

    def rollback_to(self, mark: int) -> None:
        """Forget what an operation emitted when its savepoint is rolled back."""
        del self._pending[mark:]

    def write(self, session: Session, now: datetime) -> None:
        latest: dict[tuple[str, str], tuple[str, str, str]] = {}
        for entity, entity_id, op, kec, kel in self._pending:
            latest.pop((entity, entity_id), None)  # the last emission wins, in its place
            latest[(entity, entity_id)] = (op, kec, kel)
        self._pending.clear()
        if not latest:
            return
        existing: dict[tuple[str, str], list[Any]] = {}
        for entity in sorted({e for e, _ in latest}):
            ids = [i for e, i in latest if e == entity]
            for chunk in in_chunks(ids):
                for row in session.execute(CHANGE_ROWS_OF, {"entity": entity, "ids": chunk}):
                    existing.setdefault((row.entity, row.entity_id), []).append(row)
        stale: list[int] = []
        rows: list[tuple[str, str, str, str, str]] = []
        for key, (op, kec, kel) in latest.items():
            for row in existing.get(key, ()):
                if (row.scope_kecamatan, row.scope_kelurahan) == (kec, kel):
                    stale.append(row.seq)
                elif row.op == "upsert":
                    stale.append(row.seq)
                    rows.append((*key, "delete", row.scope_kecamatan, row.scope_kelurahan))
            rows.append((*key, op, kec, kel))
        for chunk in in_chunks(stale):
            session.execute(delete(CHANGES).where(CHANGES.c.seq.in_(chunk)))
        created = iso(now)
        values: list[dict[str, Any]] = [
            dict(entity=entity, entity_id=entity_id, op=op, scope_kecamatan=kec, scope_kelurahan=kel,
                 created_at=created) for entity, entity_id, op, kec, kel in rows]
        first = next_value(session, "change", len(rows)) - len(rows) + 1  # the lock, held to the commit
        for i, value in enumerate(values):
            value["seq"] = first + i
        session.execute(insert(CHANGES), values)


PARTICIPANTS_BY_ID_OR_NIK = select(Participant).where(or_(col(Participant.id).in_(bindparam("ids", expanding=True)),
                                                          col(Participant.nik).in_(bindparam("niks", expanding=True))))


class Participants:
    """The participants a batch's registrations name (by id, and by NIK for the matching),
    read in one query when the batch opens instead of two per registration, and kept
    current as the batch registers (a NIK can come twice in one batch). The rows the
    batch registers wait here until ``write``."""

    def __init__(self, rows: list[Participant], ids: set[str]) -> None:
        self._ids = ids  # looked up: a worker id missing from by_id is not on the server
        self.by_id: dict[str, Participant | Registered] = {row.id: row for row in rows}
        self.by_nik: dict[str, list[Participant | Registered]] = {}
        for row in rows:
            self.by_nik.setdefault(row.nik, []).append(row)
        self._added: list[Participant | Registered] = []
        self._unwritten: list[Registered] = []

    @classmethod
    def load(cls, session: Session, registrations: list[protocol.Operation]) -> Participants:
        ids = sorted({str(op.payload.get("id")) for op in registrations})
        niks = sorted({str(op.payload.get("nik")) for op in registrations})
        rows: dict[str, Participant] = {}
        for start in range(0, max(len(ids), len(niks)), IN_LIST_SIZE):
            for row in session.execute(PARTICIPANTS_BY_ID_OR_NIK, {
                    "ids": ids[start:start + IN_LIST_SIZE], "niks": niks[start:start + IN_LIST_SIZE]}).scalars():
                rows[row.id] = row
        return cls(list(rows.values()), set(ids))

    def get(self, session: Session, worker_id: str) -> Participant | Registered | None:
        if worker_id in self._ids or worker_id in self.by_id:
            return self.by_id.get(worker_id)
        return session.get(Participant, worker_id)

    def matching_nik(self, nik: str) -> list[Participant | Registered]:
        """Canonical, not erased, oldest first: whom a new registration of ``nik`` meets."""
        rows = [row for row in self.by_nik.get(nik, ()) if row.alias_of is None and row.deleted_at is None]
        return sorted(rows, key=lambda row: (row.created_at, row.id))

    def add(self, row: Participant | Registered) -> None:
        self.by_id[row.id] = row
        self.by_nik.setdefault(row.nik, []).append(row)
        self._added.append(row)
        if isinstance(row, Registered):
            self._unwritten.append(row)

    def write(self, session: Session) -> None:
        """Insert the rows registered since the last write (one statement)."""
        if self._unwritten:
            session.execute(insert(table_of(Participant)), [row.values for row in self._unwritten])
            self._unwritten.clear()

    def mark(self) -> int:
        return len(self._added)

    def rollback_to(self, mark: int) -> None:
        """Forget the rows an operation added when its savepoint is rolled back."""
        for row in self._added[mark:]:
            del self.by_id[row.id]
            self.by_nik[row.nik].remove(row)
            if row in self._unwritten:
                self._unwritten.remove(row)
        del self._added[mark:]


@dataclass
class Ctx:
    session: Session
    now: datetime
    caller: Caller
    regions: Regions
    op: protocol.Operation
    changes: ChangeLog
    summaries: Summaries  # the console's summary rows this op changes
    kpj_numbers: list[int]  # reserved for this batch's registrations
    participants: Participants  # those the batch's registrations name, loaded at once


# A review case's kind for a correction of NIK, birth date or sex (``_identity_case``); the
# duplicate-NIK cases of registrations are "nik_conflict" and "nik_elsewhere".
IDENTITY_CASE = "identity_correction"


@dataclass
class Outcome:
    status: str = "applied"
    code: str | None = None
    message: protocol.BilingualText | None = None
    assigned: dict[str, Any] | None = None


# --- helpers ---------------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err["loc"]) or "payload"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def parse(model: type[protocol.Payload], payload: dict[str, Any]) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise OpRejected("invalid_payload", reason=_validation_reason(exc)) from None


# Statements a push runs every time, built once: building one again (and its cache key)
# cost about as much CPU as running it.
STREAMS = table_of(StreamSeq)
STREAM_FOR_UPDATE = (select(STREAMS.c.contiguous_seq, STREAMS.c.seen_above)
                     .where(STREAMS.c.device_id == bindparam("device"), STREAMS.c.user_id == bindparam("user"))
                     .with_for_update())
STREAM_UPDATE = update(STREAMS).where(STREAMS.c.device_id == bindparam("device"),
                                      STREAMS.c.user_id == bindparam("user"))  # SET: the columns given


def track_seqs(session: Session, device_id: str, user_id: str, seqs: list[int], now: datetime) -> int:
    """Record the seqs a (device, user) stream has delivered and advance its contiguous mark
    (returned)."""
    key = {"device": device_id, "user": user_id}
    row = session.execute(STREAM_FOR_UPDATE, key).first()
    known, seen_above = (row.contiguous_seq, row.seen_above) if row else (0, "[]")
    seen = set(loads(seen_above) or [])
    seen.update(seq for seq in seqs if seq > known)
    contiguous = known
    while contiguous + 1 in seen:
        contiguous += 1
        seen.discard(contiguous)
    values = {"contiguous_seq": contiguous, "seen_above": dumps(sorted(seen)), "updated_at": iso(now)}
    if row is None:
        session.execute(insert(STREAMS), {"device_id": device_id, "user_id": user_id, **values})
    else:
        session.execute(STREAM_UPDATE, {**key, **values})
    return contiguous


def missing_seqs(contiguous: int, seen_above: list[int], cap: int) -> list[int]:
    """The first ``cap`` seqs above ``contiguous`` not in ``seen_above`` (sorted), below its
    highest: work in proportion to ``cap`` and the list, never to the size of a gap (a
    device may send seq 10**9 after seq 5)."""
    missing: list[int] = []
    expected = contiguous + 1
    for seq in seen_above:
        while expected < seq and len(missing) < cap:
            missing.append(expected)
            expected += 1
        if len(missing) >= cap:
            break
        expected = seq + 1
    return missing


def contiguous_seq(session: Session, device_id: str, user_id: str) -> int:
    row = session.get(StreamSeq, (device_id, user_id))
    return row.contiguous_seq if row else 0


def resolve(session: Session, worker_id: str, *, lock_row: bool = False) -> Participant:
    """The canonical participant of a worker id (following an alias)."""
    row = session.get(Participant, worker_id, with_for_update=lock_row, populate_existing=lock_row)
    if row is None:
        raise OpRejected("unknown_worker", worker_id=worker_id)
    if row.canonical_id != row.id:
        row = session.get(Participant, row.canonical_id, with_for_update=lock_row, populate_existing=lock_row)
        assert row is not None
    return row


# --- validation of a worker record -----------------------------------------------------


def check_nik_birth_sex(nik: str, birth_date: str, sex: str) -> date:
    """The birth date and sex a NIK encodes (DDMMYY, day + 40 for women) are the record's."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    nik_sex = "F" if day > 40 else "M"
    day = day - 40 if day > 40 else day
    try:
        birth = date.fromisoformat(birth_date)
    except ValueError:
        raise OpRejected("invalid_payload", reason="birth_date") from None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise OpRejected("nik_invalid", reason="date DDMMYY")
    if (birth.day, birth.month, birth.year % 100) != (day, month, yy) or nik_sex != sex:
        raise OpRejected("nik_birth_mismatch")
    return birth


def check_worker(w: protocol.WorkerPayload, regions: Regions) -> tuple[str, str]:
    """Checks pydantic cannot express; returns the normalised (kecamatan, kelurahan) scope."""
    nik = w.nik
    if nik[:2] not in regions.provinces or nik[:4] not in regions.regencies:
        raise OpRejected("nik_invalid", reason="province/regency code unknown / kode provinsi/kabupaten tidak dikenal")
    if nik[4:6] == "00":
        raise OpRejected("nik_invalid", reason="kecamatan 00")
    if nik[12:] == "0000":
        raise OpRejected("nik_invalid", reason="serial 0000")
    birth = check_nik_birth_sex(nik, w.birth_date, w.sex)
    kec, kel = kecamatan7(w.kecamatan_code), kelurahan11(w.kelurahan_code)
    if kec is None or kel is None or regions.kelurahan.get(kel, ("", ""))[0] != kec:
        raise OpRejected("region_unknown", kelurahan=w.kelurahan_code, kecamatan=w.kecamatan_code)
    try:
        registered = date.fromisoformat(w.registered_at[:10])
    except ValueError:
        raise OpRejected("invalid_payload", reason="registered_at") from None
    age = registered.year - birth.year - ((registered.month, registered.day) < (birth.month, birth.day))
    if age >= 65 or age < 0:
        raise OpRejected("age_limit")
    programmes = {k.lower(): v for k, v in w.programmes.items()}
    if "jkk" not in programmes or "jkm" not in programmes:
        raise OpRejected("programmes_invalid")
    if w.is_employer and "jht" not in programmes:
        raise OpRejected("programmes_invalid", extra=", dan JHT untuk pemilik usaha",
                         extra_en=", and JHT for an employer")
    if any(not isinstance(v, str) or not v for v in programmes.values()):
        raise OpRejected("invalid_payload", reason="programmes: funding source")
    return kec, kel


def _require_reach(ctx: Ctx, participant: Participant) -> None:
    if not reaches(ctx.caller, participant):
        raise out_of_area(ctx.caller, ctx.regions)


def _named(ctx: Ctx, worker_id: str) -> Participant:
    """The participant row an operation names (an alias row, not followed): within reach."""
    row = ctx.session.get(Participant, worker_id)
    if row is None:
        raise OpRejected("unknown_worker", worker_id=worker_id)
    _require_reach(ctx, row)
    return row


def _check_own_same_day(ctx: Ctx, target: ServerPayment, void: protocol.VoidPayload) -> None:
    """Agents and clerks void only their own payment, on the day (WITA) they collected it,
    before its close-out, as in the app (agent_app.services.access.may_void). The day is the
    void's own stamp, not the centre's clock: a void made offline arrives days later."""
    collected = loads(target.data).get("collected_at", "")
    closed = ctx.session.exec(select(Document.op_id).where(
        Document.kind == "closeout.create", Document.user_id == target.user_id,
        col(Document.data).contains(f'"{target.id}"', autoescape=True))).first()
    if (target.user_id != ctx.caller.user_id or closed is not None
            or wita_day(void.collected_at) != wita_day(collected)):
        raise OpRejected("void_own_same_day")


def _kpj_of(ctx: Ctx, participant: Participant | Registered) -> str | None:
    if participant.canonical_id == participant.id:
        return participant.kpj
    canonical = ctx.participants.get(ctx.session, participant.canonical_id)
    return canonical.kpj if canonical else None


# --- handlers --------------------------------------------------------------------------


def _same_entity(ctx: Ctx, payload_id: str) -> None:
    if ctx.op.entity_id != payload_id:
        raise OpRejected("entity_mismatch")


def worker_register(ctx: Ctx) -> Outcome:
    s = ctx.session
    w = parse(protocol.WorkerPayload, ctx.op.payload)
    _same_entity(ctx, w.id)
    kec, kel = check_worker(w, ctx.regions)
    # NIK matching below is safe from a concurrent registration of the same NIK: the
    # transaction locked every NIK its ops register before applying any (Batch.open).
    existing = ctx.participants.get(s, w.id)
    if existing is not None:
        if existing.nik != w.nik or not reaches(ctx.caller, existing):
            raise OpRejected("worker_exists")
        # The same worker registered again under a new op id: answer with what it has.
        return Outcome(status="applied" if existing.review_state == "ok" else "needs_review",
                       assigned={"kpj": _kpj_of(ctx, existing), "canonical_id": existing.canonical_id})
    key = name_key(w.full_name)
    matches = ctx.participants.matching_nik(w.nik)
    # Only people within the caller's reach may be named in the answer: a match elsewhere is
    # for the centre to decide, and the answer must not tell whether name and birth date matched.
    visible = [m for m in matches if reaches(ctx.caller, m)]
    hidden = [m for m in matches if not reaches(ctx.caller, m)]
    same = [m for m in visible if m.name_key == key and m.birth_date == w.birth_date]
    values = dict(id=w.id, canonical_id=w.id, nik=w.nik, full_name=w.full_name, name_key=key,
                  birth_date=w.birth_date, kecamatan_code=w.kecamatan_code, kelurahan_code=w.kelurahan_code,
                  scope_kecamatan=kec, scope_kelurahan=kel, data=dumps(w.model_dump()), review_state="ok",
                  registered_by_user=ctx.caller.user_id, created_at=iso(ctx.now), updated_at=iso(ctx.now))
    if same:
        canonical = same[0]
        alias = Registered(**values)
        set_worker_facts(alias, w)
        alias.canonical_id = alias.alias_of = canonical.id
        alias.review_state = canonical.review_state
        ctx.participants.add(alias)
        ctx.changes.emit("worker", alias.id, "upsert", kec, kel)
        return Outcome(status="applied", assigned={"canonical_id": canonical.id, "kpj": canonical.kpj, "alias": True})
    if matches:
        row = Participant(**values)
        set_worker_facts(row, w)
        row.review_state = "needs_review"
        s.add(row)
        ctx.participants.add(row)
        ctx.summaries.coverage(s, row, [])
        s.flush()
        if hidden:
            kind, code = "nik_elsewhere", "nik_review"
            hidden.sort(key=lambda m: not (m.name_key == key and m.birth_date == w.birth_date))
            other = hidden[0]
        else:
            kind, code, other = "nik_conflict", "nik_conflict", visible[0]
        item = ReviewItem(kind=kind, participant_id=row.id, other_participant_id=other.id, op_id=ctx.op.op_id,
                          sent_by=ctx.caller.user_id, sent_from=ctx.caller.device_id, sent=dumps(ctx.op.payload),
                          other_registered_by=other.registered_by_user, other_data=other.data,
                          created_at=iso(ctx.now))
        s.add(item)
        s.flush()  # the review id
        ctx.changes.emit("worker", row.id, "upsert", kec, kel)
        return Outcome(status="needs_review", code=code, message=text(code),
                       assigned={"canonical_id": row.id, "review_id": item.id})
    new = Registered(**values, kpj=f"{ctx.kpj_numbers.pop(0):011d}")
    set_worker_facts(new, w)
    ctx.participants.add(new)
    ctx.summaries.coverage(s, new, [])
    ctx.changes.emit("worker", new.id, "upsert", kec, kel)
    return Outcome(assigned={"kpj": new.kpj, "canonical_id": new.id})


def worker_update(ctx: Ctx) -> Outcome:
    s = ctx.session
    payload = ctx.op.payload
    worker_id = payload.get("id")
    if not isinstance(worker_id, str) or not worker_id:
        raise OpRejected("invalid_payload", reason="id")
    _same_entity(ctx, worker_id)
    changed = {k: v for k, v in payload.items() if k != "id" and k not in protocol.WORKER_UPDATE_META}
    identity = {k: v for k, v in changed.items() if k in protocol.WORKER_IDENTITY}
    refused = sorted(set(changed) - protocol.WORKER_UPDATABLE - set(identity))
    if refused:
        raise OpRejected("field_not_updatable", fields=", ".join(refused))
    if identity:
        require(ctx.caller, "correct_identity")
    row = resolve(s, worker_id, lock_row=True)
    _require_reach(ctx, row)  # the record that changes: the canonical one
    if row.deleted_at is not None:
        raise OpRejected("worker_deleted")
    if identity:  # the record as corrected must hold together: the NIK encodes birth date and sex
        check_worker(parse(protocol.WorkerPayload, {**loads(row.data), **changed}), ctx.regions)
    merged = {**loads(row.data), **{k: v for k, v in changed.items() if k not in identity}}
    w = parse(protocol.WorkerPayload, merged)
    kec, kel = check_worker(w, ctx.regions)
    row.data = dumps(w.model_dump())
    row.full_name, row.name_key = w.full_name, name_key(w.full_name)
    row.kecamatan_code, row.kelurahan_code = w.kecamatan_code, w.kelurahan_code
    row.scope_kecamatan, row.scope_kelurahan = kec, kel
    set_worker_facts(row, w)
    row.updated_at = iso(ctx.now)
    s.add(row)
    ctx.changes.emit("worker", row.id, "upsert", kec, kel)
    ctx.summaries.coverage(s, row)
    _rescope_payments(ctx, row)
    if identity:
        return _identity_case(ctx, row, identity)
    return Outcome(assigned={"canonical_id": row.id, "kpj": row.kpj})


def _identity_case(ctx: Ctx, row: Participant, identity: dict[str, Any]) -> Outcome:
    """A supervisor's correction of NIK, birth date or sex waits for the centre: the NIK is
    the person's key at BPJS, and the new one may be someone else's. The rest of the update
    is applied; the case keeps the correction (``sent``), the record as it stood
    (``other_data``) and, when the new NIK is already registered, that participant. The
    device hears the same answer either way (nothing about the other person)."""
    s = ctx.session
    holder = _nik_holder(s, identity["nik"], row.id) if "nik" in identity else None
    item = ReviewItem(kind=IDENTITY_CASE, participant_id=row.id, other_participant_id=holder.id if holder else None,
                      op_id=ctx.op.op_id, sent_by=ctx.caller.user_id, sent_from=ctx.caller.device_id,
                      sent=dumps(ctx.op.payload), other_registered_by=row.registered_by_user, other_data=row.data,
                      created_at=iso(ctx.now))
    s.add(item)
    s.flush()  # the review id
    return Outcome(status="needs_review", code="identity_review", message=text("identity_review"),
                   assigned={"canonical_id": row.id, "kpj": row.kpj, "review_id": item.id})


def _nik_holder(s: Session, nik: str, participant_id: str) -> Participant | None:
    """Another live participant registered under ``nik``, if any."""
    return s.exec(select(Participant).where(Participant.nik == nik, Participant.id != participant_id,
                                            Participant.canonical_id == Participant.id,
                                            col(Participant.deleted_at).is_(None))).first()


def _rescope_payments(ctx: Ctx, participant: Participant) -> None:
    """A worker who moved takes their payments to the new scope."""
    s = ctx.session
    for pay in s.exec(select(ServerPayment).where(ServerPayment.participant_id == participant.id)).all():
        if (pay.scope_kecamatan, pay.scope_kelurahan) != (participant.scope_kecamatan, participant.scope_kelurahan):
            move_payment(ctx.summaries, pay, participant)
            s.add(pay)
            ctx.changes.emit("payment", pay.id, "upsert", pay.scope_kecamatan, pay.scope_kelurahan)


def move_payment(summaries: Summaries, pay: ServerPayment, participant: Participant) -> None:
    """A payment takes its participant's area, and its money moves with it."""
    summaries.money(pay, -1)
    pay.scope_kecamatan, pay.scope_kelurahan = participant.scope_kecamatan, participant.scope_kelurahan
    summaries.money(pay, 1)


def worker_deletion_request(ctx: Ctx) -> Outcome:
    s = ctx.session
    d = parse(protocol.DeletionRequestPayload, ctx.op.payload)
    _same_entity(ctx, d.id)
    _named(ctx, d.id)
    s.add(DeletionRequest(participant_id=d.id, reason=d.reason, requested_at=d.requested_at,
                          requested_by=ctx.caller.user_id, op_id=ctx.op.op_id, created_at=iso(ctx.now)))
    return Outcome(assigned={"deletion": "requested"})


def _paid_months_changed(ctx: Ctx, participant: Participant) -> None:
    """Devices see the new paid_through; an erased participant keeps its tombstone."""
    refresh_paid_through(ctx.session, ctx.summaries, participant)
    if participant.deleted_at is None:
        ctx.changes.emit("worker", participant.id, "upsert", participant.scope_kecamatan,
                         participant.scope_kelurahan)


def _check_new_money_row(s: Session, payment_id: str, receipt_no: str) -> None:
    taken = s.exec(select(ServerPayment.id).where(or_(col(ServerPayment.id) == payment_id,
                                                      col(ServerPayment.receipt_no) == receipt_no))).all()
    if payment_id in taken:
        raise OpRejected("payment_exists")
    if taken:
        raise OpRejected("receipt_reused", receipt_no=receipt_no)


def payment_collect(ctx: Ctx) -> Outcome:
    s = ctx.session
    p = parse(protocol.PaymentPayload, ctx.op.payload)
    _same_entity(ctx, p.id)
    if p.breakdown:
        total = sum(sum(v.values()) for v in p.breakdown.values())
        if total != p.amount or set(p.breakdown) != set(p.months):
            raise OpRejected("amount_mismatch")
    _named(ctx, p.worker_id)
    _check_new_money_row(s, p.id, p.receipt_no)
    participant = resolve(s, p.worker_id, lock_row=True)  # row lock: concurrent payments queue here
    overlap = sorted(set(s.exec(
        select(PaymentMonth.month)
        .join(ServerPayment, col(ServerPayment.id) == PaymentMonth.payment_id)
        .where(col(PaymentMonth.participant_id) == participant.id, col(PaymentMonth.month).in_(p.months),
               col(ServerPayment.kind) == "payment", col(ServerPayment.voided_by).is_(None))
    ).all()))
    flag = "possible_double_collection" if overlap else None
    pay = ServerPayment(id=p.id, receipt_no=p.receipt_no, kind="payment", worker_id=p.worker_id,
                        participant_id=participant.id, months=dumps(sorted(p.months)), amount=p.amount,
                        data=dumps(attributed(p.model_dump(), ctx.caller)), flag=flag,
                        enrollment_id=ctx.caller.enrollment_id,
                        user_id=ctx.caller.user_id, scope_kecamatan=participant.scope_kecamatan,
                        scope_kelurahan=participant.scope_kelurahan, received_at=iso(ctx.now),
                        collected_on=wita_date(p.collected_at), method=p.method)
    s.add(pay)
    ctx.summaries.money(pay, 1)
    for month in p.months:
        s.add(PaymentMonth(payment_id=p.id, month=month, participant_id=participant.id))
    ctx.changes.emit("payment", p.id, "upsert", participant.scope_kecamatan, participant.scope_kelurahan)
    _paid_months_changed(ctx, participant)
    assigned: dict[str, Any] = {"canonical_id": participant.id}
    if flag:
        assigned.update(flag=flag, overlap_months=overlap)
        return Outcome(code=flag, message=text(flag, months=", ".join(overlap)), assigned=assigned)
    return Outcome(assigned=assigned)


def payment_void(ctx: Ctx) -> Outcome:
    s = ctx.session
    v = parse(protocol.VoidPayload, ctx.op.payload)
    _same_entity(ctx, v.id)
    target = s.get(ServerPayment, v.voids_payment_id)
    if target is None or target.kind != "payment":
        raise OpRejected("unknown_payment", payment_id=v.voids_payment_id)
    named = s.get(Participant, target.worker_id)
    if not reaches_payment(ctx.caller, target, named):
        raise out_of_area(ctx.caller, ctx.regions)
    if not role_can(ctx.caller.role, "void_any"):
        _check_own_same_day(ctx, target, v)
    participant = resolve(s, target.participant_id, lock_row=True)
    s.refresh(target)  # re-read under the participant lock: another void may just have landed
    if target.voided_by is not None:
        raise OpRejected("already_voided")
    if v.amount != -target.amount:
        raise OpRejected("void_amount_mismatch", amount=-target.amount)
    _check_new_money_row(s, v.id, v.receipt_no)
    void = ServerPayment(id=v.id, receipt_no=v.receipt_no, kind="void", worker_id=v.worker_id or target.worker_id,
                         participant_id=participant.id, months=target.months, amount=v.amount,
                         data=dumps(attributed(v.model_dump(), ctx.caller)), voids_payment_id=target.id,
                         enrollment_id=ctx.caller.enrollment_id, user_id=ctx.caller.user_id,
                         scope_kecamatan=participant.scope_kecamatan, scope_kelurahan=participant.scope_kelurahan,
                         received_at=iso(ctx.now), collected_on=wita_date(v.collected_at), method=target.method)
    s.add(void)
    ctx.summaries.money(void, 1)
    target.voided_by = v.id
    s.add(target)
    for pid in (v.id, target.id):
        ctx.changes.emit("payment", pid, "upsert", participant.scope_kecamatan, participant.scope_kelurahan)
    _paid_months_changed(ctx, participant)
    return Outcome(assigned={"voided": target.id, "canonical_id": participant.id})


def document(ctx: Ctx) -> Outcome:
    d = parse(protocol.DocumentPayload, ctx.op.payload)
    ctx.session.add(Document(op_id=ctx.op.op_id, kind=ctx.op.kind, entity_id=d.id, user_id=ctx.caller.user_id,
                             device_id=ctx.caller.device_id, data=dumps(attributed(ctx.op.payload, ctx.caller)),
                             received_at=iso(ctx.now)))
    return Outcome()


HANDLERS: dict[str, Callable[[Ctx], Outcome]] = {
    "worker.register": worker_register,
    "worker.update": worker_update,
    "worker.deletion_request": worker_deletion_request,
    "payment.collect": payment_collect,
    "payment.void": payment_void,
    "closeout.create": document,
    "closeout.handover": document,
    "audit.batch": document,
}
assert set(HANDLERS) == set(protocol.OP_SCHEMAS)


# --- the push loop ---------------------------------------------------------------------


def _rejected(op: protocol.Operation, code: str, message: protocol.BilingualText) -> protocol.OpResult:
    return protocol.OpResult(op_id=op.op_id, status="rejected", code=code, message=message)


APPLIED = table_of(AppliedOp)
APPLIED_OPS = select(APPLIED.c.op_id, APPLIED.c.payload_hash, APPLIED.c.result).where(
    APPLIED.c.op_id.in_(bindparam("ids", expanding=True)))


@dataclass
class Batch:
    """What the ops of one transaction share, written by ``finish`` just before the commit."""

    caller: Caller
    now: datetime
    known: dict[str, tuple[str, str]]  # op_id -> (payload hash, stored result JSON)
    changes: ChangeLog = field(default_factory=ChangeLog)
    summaries: Summaries = field(default_factory=Summaries)
    applied: list[dict[str, Any]] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    kpj_numbers: list[int] = field(default_factory=list)
    participants: Participants = field(default_factory=lambda: Participants([], set()))
    contiguous: int | None = None  # the stream's contiguous seq, once ``finish`` wrote it
    epoch: str | None = None  # the change log's epoch, as ``finish`` read it

    @classmethod
    def open(cls, bind: Engine | Connection, session: Session, caller: Caller, now: datetime,
             ops: list[protocol.Operation], kpj_numbers: list[int] | None = None) -> Batch:
        """Reserve KPJ numbers (before the session's transaction begins: on SQLite a second
        writer would wait for it; a batch applied again passes the ones it has), load what
        is known of the ops, lock the NIKs they register, then read the participants those
        name."""
        registrations = [op for op in ops if op.kind == "worker.register"]
        if kpj_numbers is None:
            kpj_numbers = reserve(bind, "kpj", len(registrations))
        known: dict[str, tuple[str, str]] = {}
        for chunk in in_chunks(sorted({op.op_id for op in ops})):
            for row in session.execute(APPLIED_OPS, {"ids": chunk}):
                known[row.op_id] = (row.payload_hash, row.result)
        # Locked up front, outside the ops' savepoints: rolling one back must not unlock.
        lock_keys(session, [str(op.payload.get("nik")) for op in registrations if op.op_id not in known])
        participants = Participants.load(session, [op for op in registrations if op.op_id not in known])
        return cls(caller=caller, now=now, known=known, kpj_numbers=list(kpj_numbers),
                   participants=participants)

    def record(self, op: protocol.Operation, result: protocol.OpResult) -> None:
        stored = result.model_dump_json()
        self.known[op.op_id] = (op.payload_hash, stored)  # the same op twice in a batch: a duplicate
        self.applied.append(dict(op_id=op.op_id, payload_hash=op.payload_hash, kind=op.kind, entity_id=op.entity_id,
                                 status=result.status, result=stored, device_id=self.caller.device_id,
                                 user_id=self.caller.user_id, seq=op.seq, applied_at=iso(self.now),
                                 stamped_ahead_s=result.assigned.get("stamped_ahead_s")))

    def finish(self, session: Session) -> None:
        """Write what the ops share. The pull log comes last, just before the caller
        commits: its counter's row lock serialises every batch of the centre, so nothing
        else (no round trip, no flush) runs while it is held."""
        self.participants.write(session)
        if self.applied:
            session.execute(insert(APPLIED), self.applied)
        self.summaries.write(session)
        if self.seqs:
            self.contiguous = track_seqs(session, self.caller.device_id, self.caller.user_id, self.seqs,
                                         self.now)
        self.epoch = current_epoch(session)
        session.flush()
        self.changes.write(session, self.now)


class SavepointsNeeded(Exception):
    """An operation of a batch applied without savepoints failed: the batch's transaction is
    rolled back and the batch applied again with a savepoint per operation."""


def _apply_one(session: Session, regions: Regions, batch: Batch, op: protocol.Operation, *,
               savepoint: bool = True) -> protocol.OpResult:
    batch.seqs.append(op.seq)
    stored = batch.known.get(op.op_id)
    if stored is not None:
        payload_hash, result_json = stored
        if payload_hash != op.payload_hash:
            return _rejected(op, "op_id_reused", text("op_id_reused"))
        first = protocol.OpResult.model_validate_json(result_json)
        # The device has the first answer or only needs what it assigned: no message again
        # (on a slow link every byte of a re-sent batch's answer counts), unless in review.
        return protocol.OpResult(op_id=op.op_id, status="duplicate", code=first.code,
                                 message=first.message if first.status == "needs_review" else None,
                                 assigned=first.assigned, original_status=first.status)
    if protocol.payload_hash(op.payload) != op.payload_hash:
        return _rejected(op, "hash_mismatch", text("hash_mismatch"))
    if op.kind not in HANDLERS:
        return _rejected(op, "unknown_kind", text("unknown_kind", kind=op.kind))
    if op.schema_version > protocol.OP_SCHEMAS[op.kind]:
        return _rejected(op, "schema_unsupported", text("schema_unsupported", kind=op.kind, version=op.schema_version))
    ctx = Ctx(session=session, now=batch.now, caller=batch.caller, regions=regions, op=op, changes=batch.changes,
              summaries=batch.summaries, kpj_numbers=batch.kpj_numbers, participants=batch.participants)
    if op.kind != "worker.register":
        batch.participants.write(session)  # the handler may read the rows registered before it
    if not savepoint:
        try:
            require(batch.caller, OP_PERMISSIONS[op.kind])
            outcome = HANDLERS[op.kind](ctx)
        except (IntegrityError, OperationalError, DBAPIError) as exc:
            if isinstance(exc, DataError):
                raise SavepointsNeeded from exc
            raise  # as in the savepoint way: a conflict with another request, or the database
        except Exception as exc:  # a rejection or a bug: nothing of the batch is kept
            raise SavepointsNeeded from exc
    else:
        marks = batch.changes.mark(), batch.participants.mark(), batch.summaries.mark()
        try:
            # Whatever the handler wrote is undone if it rejects the op or fails; the release
            # flushes, so a value the database refuses surfaces here too.
            with session.begin_nested():
                require(batch.caller, OP_PERMISSIONS[op.kind])
                outcome = HANDLERS[op.kind](ctx)
                batch.participants.write(session)  # a row the database refuses is this op's
        except BaseException as exc:
            batch.changes.rollback_to(marks[0])
            batch.participants.rollback_to(marks[1])
            batch.summaries.rollback_to(marks[2])
            if isinstance(exc, OpRejected):
                return _rejected(op, exc.code, exc.message)
            raise
    assigned = dict(outcome.assigned or {})
    ahead = stamped_ahead(op.payload, batch.now)
    if ahead is not None:  # kept (never refused), flagged for the people who run the centre
        assigned["stamped_ahead_s"] = ahead
        log.warning("op %s (%s) of device %s stamped %d s ahead of the centre's clock", op.op_id,
                    op.kind, batch.caller.device_id, ahead)
    result = protocol.OpResult(op_id=op.op_id, status=outcome.status, code=outcome.code,  # type: ignore[arg-type]
                               message=outcome.message, assigned=assigned)
    batch.record(op, result)
    return result


def process_op(bind: Engine | Connection, clock: Callable[[], datetime], caller: Caller, regions: Regions,
               op: protocol.Operation) -> protocol.OpResult:
    attempts = 3
    for attempt in range(attempts):
        try:
            with Session(bind) as session:
                batch = Batch.open(bind, session, caller, clock(), [op])
                result = _apply_one(session, regions, batch, op)
                batch.finish(session)
                session.commit()
                return result
        except (IntegrityError, OperationalError) as exc:
            # A concurrent request committed the same op id / receipt / stream row first, or
            # PostgreSQL chose this transaction as a deadlock victim: run it again, it will
            # see the other one's effect.
            if attempt == attempts - 1:
                if isinstance(exc, OperationalError):
                    raise  # the database is unwell: 503 for the batch, the client retries
                log_bug(log, f"op {op.op_id} ({op.kind}) failed on a constraint after retries", exc)
                return _rejected(op, "internal_error", text("internal_error"))
        except DataError:
            # A value the database refuses (too long, out of range): that op's fault alone.
            log.warning("op %s (%s) refused by the database", printable(op.op_id), printable(op.kind))
            return _rejected(op, "invalid_payload", text("invalid_payload", reason="value out of range"))
        except DBAPIError:
            raise  # connection lost and the like: 503 for the batch, the client retries
        except Exception as exc:  # a bug in one handler must not block the rest of the batch
            log_bug(log, f"op {op.op_id} ({op.kind}) crashed", exc)
            return _rejected(op, "internal_error", text("internal_error"))
    raise AssertionError("unreachable")


def _apply_in_batch(session: Session, regions: Regions, batch: Batch, op: protocol.Operation) -> protocol.OpResult:
    """One op inside the batch transaction (its savepoint is in _apply_one)."""
    try:
        return _apply_one(session, regions, batch, op)
    except (IntegrityError, OperationalError):
        raise  # a conflict with another request: the whole batch goes the per-op way
    except DataError:
        log.warning("op %s (%s) refused by the database", printable(op.op_id), printable(op.kind))
        return _rejected(op, "invalid_payload", text("invalid_payload", reason="value out of range"))
    except DBAPIError:
        raise
    except Exception as exc:  # a bug in one handler must not block the rest of the batch
        log_bug(log, f"op {op.op_id} ({op.kind}) crashed", exc)
        return _rejected(op, "internal_error", text("internal_error"))


def _apply_batch(bind: Engine | Connection, now: datetime, caller: Caller, regions: Regions,
                 request: protocol.PushRequest, *, savepoints: bool,
                 kpj_numbers: list[int] | None = None) -> tuple[list[protocol.OpResult], Batch]:
    with Session(bind) as session:
        batch = Batch.open(bind, session, caller, now, request.ops, kpj_numbers)
        if savepoints:
            results = [_apply_in_batch(session, regions, batch, op) for op in request.ops]
        else:
            results = [_apply_one(session, regions, batch, op, savepoint=False) for op in request.ops]
        record_device_report(session, batch.now, caller.enrollment_id, request)
        batch.finish(session)
        session.commit()
    return results, batch


def process_push(bind: Engine | Connection, clock: Callable[[], datetime], caller: Caller, regions: Regions,
                 request: protocol.PushRequest) -> protocol.PushResponse:
    """Apply a batch in one transaction. First without savepoints (they cost a round trip
    each and most of an operation's time on the server); if an operation is rejected or
    fails, that transaction is rolled back whole and the batch applied again with a
    savepoint per operation, so the others still apply. The KPJ numbers reserved by the
    first attempt serve the second.

    ``bind``: an engine, or the one connection a request holds (each transaction here
    begins and ends on it, so the request checks out one connection, not three)."""
    now = clock()
    registrations = sum(op.kind == "worker.register" for op in request.ops)
    kpj_numbers = reserve(bind, "kpj", registrations)
    batch: Batch | None = None
    try:
        try:
            results, batch = _apply_batch(bind, now, caller, regions, request, savepoints=False,
                                          kpj_numbers=kpj_numbers)
        except (SavepointsNeeded, DataError):
            results, batch = _apply_batch(bind, now, caller, regions, request, savepoints=True,
                                          kpj_numbers=kpj_numbers)
    except (IntegrityError, OperationalError) as exc:
        log.info("batch %s: %s, applying it one op per transaction", printable(request.batch_id),
                 type(exc).__name__)
        results = [process_op(bind, clock, caller, regions, op) for op in request.ops]
        batch = None
    if batch is not None and batch.contiguous is not None:
        contiguous, epoch = batch.contiguous, batch.epoch  # read by the batch's own transaction
    else:
        with Session(bind) as session:
            contiguous = contiguous_seq(session, caller.device_id, caller.user_id)
            epoch = current_epoch(session)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    log.info("push batch=%s user=%s device=%s ops=%d %s contiguous=%d", printable(request.batch_id),
             caller.user_id, printable(caller.device_id), len(results), counts, contiguous)
    return protocol.PushResponse(batch_id=request.batch_id, results=results, contiguous_seq=contiguous,
                                 server_time=iso(clock()), epoch=epoch)


# --- admin actions shared by the CLI ---------------------------------------------------


def carry_out_deletion(session: Session, now: datetime, participant_id: str) -> bool:
    """Erase a participant's personal data (payments stay: money is append-only) and emit a
    tombstone so devices drop their copy."""
    row = session.get(Participant, participant_id)
    if row is None or row.deleted_at is not None:
        return False
    row.deleted_at = iso(now)
    row.data = dumps({"id": row.id})
    row.full_name = row.name_key = ""
    row.updated_at = iso(now)
    session.add(row)
    for req in session.exec(select(DeletionRequest).where(DeletionRequest.participant_id == participant_id)).all():
        req.status = "carried_out"
        session.add(req)
    summaries = Summaries()
    summaries.coverage(session, row)
    summaries.write(session)
    changes = ChangeLog()
    changes.emit("worker", row.id, "delete", row.scope_kecamatan, row.scope_kelurahan)
    changes.write(session, now)
    return True


def resolve_review(session: Session, now: datetime, review_id: int, decision: str, by: str,
                   reason: str) -> ReviewItem:
    """decision "alias": the same person as the other participant (typo in name or birth
    date, or the person moved), becomes its alias; "reject": a different person, the
    registration is refused, and ``reason`` reaches the registering device with the pulled
    record (review_state "rejected", review_reason); "distinct": a different person who
    keeps their own KPJ. ``by`` decided it for ``reason``, which the case keeps.

    A correction of identity (``IDENTITY_CASE``) is decided "apply" or "reject"; see
    ``_decide_correction``. A decision that does not fit the case raises ValueError."""
    item = session.get(ReviewItem, review_id)
    if item is None or item.status != "open":
        raise LookupError(review_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("a decision needs its reason")
    changes, summaries = ChangeLog(), Summaries()
    row = session.get(Participant, item.participant_id, with_for_update=True)
    assert row is not None
    if item.kind == IDENTITY_CASE:
        _decide_correction(session, item, row, decision)
        return _close_case(session, now, item, row, decision, by, reason, changes, summaries)
    lock_keys(session, [row.nik])  # no registration of this NIK meanwhile
    row.review_state = "ok"
    if decision == "distinct":
        row.kpj = f"{next_value(session, 'kpj'):011d}"
    elif decision == "reject":
        row.review_state = "rejected"
        row.review_reason = dumps(text("review_rejected", reason=reason).model_dump())
    elif decision == "alias" and item.other_participant_id:
        other = session.get(Participant, item.other_participant_id)
        assert other is not None
        canonical = session.get(Participant, other.canonical_id)
        assert canonical is not None
        row.alias_of = row.canonical_id = canonical.id
        for pm in session.exec(select(PaymentMonth).where(PaymentMonth.participant_id == row.id)).all():
            pm.participant_id = canonical.id
            session.add(pm)
        for pay in session.exec(select(ServerPayment).where(ServerPayment.participant_id == row.id)).all():
            pay.participant_id = canonical.id
            move_payment(summaries, pay, canonical)
            session.add(pay)
            changes.emit("payment", pay.id, "upsert", pay.scope_kecamatan, pay.scope_kelurahan)
        refresh_paid_through(session, summaries, canonical)
        row.paid_through = None
        # its paid months changed
        changes.emit("worker", canonical.id, "upsert", canonical.scope_kecamatan, canonical.scope_kelurahan)
    else:
        raise ValueError(decision)
    return _close_case(session, now, item, row, decision, by, reason, changes, summaries)


def _close_case(session: Session, now: datetime, item: ReviewItem, row: Participant, decision: str, by: str,
                reason: str, changes: ChangeLog, summaries: Summaries) -> ReviewItem:
    """The decision kept with the case; devices pull the participant again, and with it
    the decision (``pull.worker_data``)."""
    row.updated_at = iso(now)
    item.status, item.resolution, item.resolved_by, item.resolved_at = "resolved", decision, by, iso(now)
    item.reason = reason
    session.add(row)
    session.add(item)
    summaries.coverage(session, row)  # counted again, or no more (refused, or an alias now)
    summaries.write(session)
    changes.emit("worker", row.id, "upsert", row.scope_kecamatan, row.scope_kelurahan)
    changes.write(session, now)
    return item


class CorrectionRefused(ValueError):
    """A correction of identity that cannot be applied as it stands (``code``: bilingual
    in ``errors.MESSAGES``); the case stays open to be refused with a reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _decide_correction(session: Session, item: ReviewItem, row: Participant, decision: str) -> None:
    """"apply": the participant takes the corrected NIK, birth date or sex; "reject": the
    record stays as it is, and the reason reaches the supervisor's device."""
    if decision == "reject":
        return
    if decision != "apply":
        raise ValueError(decision)
    correction = {k: v for k, v in loads(item.sent).items() if k in protocol.WORKER_IDENTITY}
    data = {**loads(row.data), **correction}
    if row.deleted_at is not None:
        raise CorrectionRefused("worker_deleted")
    lock_keys(session, [row.nik, data["nik"]])
    if data["nik"] != row.nik and _nik_holder(session, data["nik"], row.id) is not None:
        raise CorrectionRefused("correction_nik_taken")
    try:  # another correction applied meanwhile may have changed the rest of the identity
        check_nik_birth_sex(data["nik"], data["birth_date"], data["sex"])
    except OpRejected as exc:
        raise CorrectionRefused(exc.code) from None
    row.data = dumps(data)
    row.nik, row.birth_date = data["nik"], data["birth_date"]
