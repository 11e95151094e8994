"""SQLModel tables of the central server.

Portable SQLAlchemy only (SQLite and PostgreSQL). The database is the server's only state,
so several server processes can share one PostgreSQL database.

Times are stored as aware-UTC ISO-8601 text ("2026-01-31T08:00:00.000000+00:00"): they
sort lexicographically, compare the same on both databases and need no timezone support.
JSON columns are canonical JSON text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, UniqueConstraint, false
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ServerModel(SQLModel, registry=registry()):
    """Base of the server's tables, with its own metadata: a process that also imports the
    client's store models (tests, the demo) must not create client tables in the central
    database, nor server tables in a device's database."""


class Wadah(ServerModel, table=True):
    """An organisation with a cooperation agreement (koperasi, union, ...)."""

    __tablename__ = "wadah"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=128)
    created_at: str


class ServerUser(ServerModel, table=True):
    __tablename__ = "users"
    id: str = Field(primary_key=True, max_length=36)
    username: str = Field(unique=True, index=True, max_length=64)
    full_name: str = Field(max_length=128)
    role: str = Field(max_length=16)  # agent | clerk | supervisor | admin
    wadah_id: int | None = Field(default=None, foreign_key="wadah.id")
    kecamatan_code: str | None = Field(default=None, max_length=7)  # 7 digits, "7371100"
    kelurahan_code: str | None = Field(default=None, max_length=11)  # 11 digits or None
    password_hash: str  # argon2id
    active: bool = True
    # Set when a device of the user is revoked (a stolen laptop's password is known): no
    # sign-in anywhere until an administrator sets a new password.
    password_reset_required: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: str


class Enrollment(ServerModel, table=True):
    """One (device, user) stream: tokens, sequence tracking and receipt key hang off it."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("device_id", "user_id"),)
    id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(index=True, max_length=64)
    user_id: str = Field(foreign_key="users.id", index=True)
    device_name: str = Field(default="", max_length=128)
    app_version: str = Field(default="", max_length=32)
    receipt_key: str = Field(max_length=64)  # HMAC key for receipt QR codes
    created_at: str
    last_seen_at: str
    revoked_at: str | None = None
    # As the device last reported at a push (web console: agents' devices).
    last_sync_at: str | None = None
    pending_ops: int | None = None  # operations still queued on the device after that push
    clock_offset_seconds: int | None = None  # device clock minus server clock


class AuthToken(ServerModel, table=True):
    """Only the SHA-256 of a token is stored."""

    __tablename__ = "tokens"
    token_hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=8)  # access | refresh
    enrollment_id: str = Field(foreign_key="enrollments.id", index=True)
    user_id: str = Field(foreign_key="users.id", index=True)
    issued_at: str
    expires_at: str = Field(index=True)
    rotated_at: str | None = None  # refresh tokens: when exchanged for a new pair
    revoked: bool = False


class LoginFailure(ServerModel, table=True):
    """One failed sign-in, counted per key for the sign-in delays (central_server.signin):
    "pair:<hash of username and client address>" and "client:<hash of the address>"."""

    __tablename__ = "login_failures"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=128)
    at: str = Field(index=True)


class AppliedOp(ServerModel, table=True):
    """Every operation with an effect, kept forever (idempotency across long offline spells)."""

    __tablename__ = "applied_ops"
    op_id: str = Field(primary_key=True, max_length=36)
    payload_hash: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    entity_id: str = Field(max_length=64)
    status: str = Field(max_length=16)  # applied | needs_review
    result: str  # JSON of protocol.OpResult as first answered
    device_id: str = Field(max_length=64)
    user_id: str = Field(max_length=36)
    seq: int = Field(sa_type=BigInteger)
    applied_at: str
    # Seconds its own time stamp (collected_at, registered_at, ...) lay ahead of the centre's
    # clock on arrival, when more than FUTURE_STAMP_TOLERANCE: a device clock set wrong.
    stamped_ahead_s: int | None = None


class StreamSeq(ServerModel, table=True):
    """Highest contiguous seq received per (device, user) stream, and seen seqs above it."""

    __tablename__ = "stream_seq"
    device_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=36)
    contiguous_seq: int = Field(default=0, sa_type=BigInteger)
    seen_above: str = "[]"  # JSON list of seqs > contiguous_seq already received
    updated_at: str


class Counter(ServerModel, table=True):
    """Named counters (KPJ numbers, change sequence). Updating a row also serves as a lock."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0, sa_type=BigInteger)


class Participant(ServerModel, table=True):
    """Server copy of a worker. An alias row (alias_of set) points at its canonical row."""

    __tablename__ = "participants"
    # Export pages walk participants in creation order (keyset on created_at, id); the
    # console's counts read only this covering index on PostgreSQL (an index-only scan).
    __table_args__ = (
        Index("ix_participants_created", "created_at", "id"),
        Index("ix_participants_coverage", "scope_kecamatan", "scope_kelurahan", "paid_through",
              postgresql_include=["created_at", "desil", "jht_funding", "alias_of", "deleted_at", "review_state"]),
    )
    id: str = Field(primary_key=True, max_length=64)  # the client's worker id
    canonical_id: str = Field(index=True, max_length=64)  # own id, or alias_of
    alias_of: str | None = Field(default=None, index=True, max_length=64)
    nik: str = Field(index=True, max_length=16)
    full_name: str = Field(max_length=128)
    name_key: str  # case-folded, single spaces (may be longer than the name: "ß" -> "ss")
    birth_date: str = Field(max_length=10)
    kecamatan_code: str = Field(max_length=7)  # as the client sent it
    kelurahan_code: str = Field(max_length=11)
    scope_kecamatan: str = Field(index=True, max_length=7)  # normalised 7-digit form
    scope_kelurahan: str = Field(index=True, max_length=11)  # normalised 11-digit form
    kpj: str | None = Field(default=None, unique=True, max_length=11)
    review_state: str = Field(default="ok", max_length=16)  # ok | needs_review | rejected
    review_reason: str | None = None  # JSON BilingualText: why a review rejected it
    data: str  # JSON: the validated worker payload (current state)
    # Kept in columns for the console's counts (derived from data and payment_months).
    paid_through: str | None = Field(default=None, max_length=7)  # latest month paid, not voided
    desil: int | None = None
    jht_funding: str | None = Field(default=None, max_length=16)  # funding source of JHT, or None
    # JSON: what this participant adds to coverage_changes (summary.Coverage), or None
    # when it does not count (an alias, erased, or refused by a review)
    coverage: str | None = None
    registered_by_user: str = Field(max_length=36)  # server user id of the pushing account
    created_at: str
    updated_at: str
    deleted_at: str | None = None


PARTICIPANT_COLUMNS = tuple(column.key for column in sa_inspect(Participant).columns)


class Registered:
    """A participant this batch registers, as the values of its row. The batch's new rows
    are written in one INSERT (``Participants.write``) before anything reads the table
    again: an ORM object and its flush cost more than the rest of a registration."""

    __slots__ = ("values",)

    def __init__(self, **values: Any) -> None:
        object.__setattr__(self, "values", dict.fromkeys(PARTICIPANT_COLUMNS) | values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.values:
            raise AttributeError(name)
        self.values[name] = value


class ServerPayment(ServerModel, table=True):
    """Payments and voids (kind="void", negative amount): append-only, as on the client."""

    __tablename__ = "payments"
    # Money pages read a period's payments from these covering indexes alone (PostgreSQL),
    # export pages walk them in (collected_on, id) order.
    __table_args__ = (
        Index("ix_payments_collected", "collected_on", "id",
              postgresql_include=["kind", "amount", "user_id", "scope_kecamatan", "scope_kelurahan", "method"]),
        Index("ix_payments_area_collected", "scope_kecamatan", "collected_on",
              postgresql_include=["kind", "amount", "user_id", "scope_kelurahan", "method"]),
    )
    id: str = Field(primary_key=True, max_length=64)
    receipt_no: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=8)  # payment | void
    worker_id: str = Field(max_length=64)  # as sent
    participant_id: str = Field(index=True, max_length=64)  # canonical, resolved via alias
    months: str  # JSON list
    amount: int = Field(sa_type=BigInteger)
    data: str  # JSON: the validated payload
    voids_payment_id: str | None = Field(default=None, index=True, max_length=64)
    voided_by: str | None = Field(default=None, max_length=64)  # id of the void row
    flag: str | None = Field(default=None, max_length=32)
    enrollment_id: str = Field(max_length=36)  # whose receipt key signs its receipt
    user_id: str = Field(max_length=36)
    scope_kecamatan: str = Field(index=True, max_length=7)
    scope_kelurahan: str = Field(index=True, max_length=11)
    received_at: str
    collected_on: str | None = Field(default=None, max_length=10)  # date in Makassar (WITA)
    method: str | None = Field(default=None, max_length=16)


class PaymentMonth(ServerModel, table=True):
    """Months covered by a payment, to find double collections with one indexed query."""

    __tablename__ = "payment_months"
    __table_args__ = (Index("ix_payment_months_participant_month", "participant_id", "month"),)
    payment_id: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)
    participant_id: str = Field(max_length=64)


class ReviewItem(ServerModel, table=True):
    """A case the centre decides: a registration whose NIK is already registered.

    kind "nik_conflict": same NIK, another name or birth date, within the registering
    user's reach; "nik_elsewhere": same NIK as a participant beyond their reach (told
    nothing of that person). The two participants are ``participant_id`` (the new
    registration, no KPJ while the case is open) and ``other_participant_id``. What each
    side holds: ``sent`` (the registration as the device sent it, by ``sent_by`` from
    ``sent_from``) and ``other_data`` (the other participant's record as the centre held it
    when the case opened, registered by ``other_registered_by``). The decision
    (``resolution``: "distinct" or "alias"), who took it, when and why close the case
    (``ops.resolve_review``). Cases from before these columns existed have them empty.
    """

    __tablename__ = "review_queue"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # nik_conflict | nik_elsewhere
    participant_id: str = Field(index=True, max_length=64)
    other_participant_id: str | None = Field(default=None, max_length=64)
    op_id: str = Field(max_length=36)
    sent_by: str | None = Field(default=None, max_length=36)  # server user id
    sent_from: str | None = Field(default=None, max_length=64)  # device id
    sent: str | None = None  # JSON: the registration payload as received
    other_registered_by: str | None = Field(default=None, max_length=36)  # server user id
    other_data: str | None = None  # JSON: the other participant's record then
    status: str = Field(default="open", index=True, max_length=16)  # open | resolved
    resolution: str | None = Field(default=None, max_length=32)  # distinct | alias | reject
    resolved_by: str | None = Field(default=None, max_length=64)
    reason: str | None = None  # why it was decided so (a rejection's reason reaches the device)
    created_at: str
    resolved_at: str | None = None


class DeletionRequest(ServerModel, table=True):
    __tablename__ = "deletion_requests"
    id: int | None = Field(default=None, primary_key=True)
    participant_id: str = Field(index=True, max_length=64)
    reason: str
    requested_at: str
    requested_by: str = Field(max_length=64)
    op_id: str = Field(max_length=36)
    status: str = Field(default="open", max_length=16)  # open | carried_out
    created_at: str


class Document(ServerModel, table=True):
    """closeout.create and audit.batch payloads, stored as received."""

    __tablename__ = "documents"
    # Close-outs of a period, and the handover of a close-out.
    __table_args__ = (Index("ix_documents_kind_received", "kind", "received_at"),
                      Index("ix_documents_kind_entity", "kind", "entity_id"))
    op_id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(index=True, max_length=64)
    entity_id: str = Field(max_length=64)
    user_id: str = Field(max_length=36)
    device_id: str = Field(max_length=64)
    data: str
    received_at: str


class ChangeRow(ServerModel, table=True):
    """The pull log. seq comes from the "change" counter, taken under its row lock at the end
    of the writing transaction, so seqs are gapless and in commit order (a plain
    autoincrement can commit out of order on PostgreSQL). The log is compacted on write:
    an entity keeps only its latest row per scope."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_entity", "entity", "entity_id"),)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    entity: str = Field(max_length=16)  # worker | payment
    entity_id: str = Field(max_length=64)
    op: str = Field(max_length=8)  # upsert | delete
    scope_kecamatan: str = Field(index=True, max_length=7)
    scope_kelurahan: str = Field(index=True, max_length=11)
    created_at: str = Field(index=True)


class ServerMeta(ServerModel, table=True):
    """Small key/value facts: tombstone horizon, app version overrides."""

    __tablename__ = "server_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class ReferenceVersion(ServerModel, table=True):
    """Each distinct reference bundle served, with when it was first published."""

    __tablename__ = "reference_versions"
    version: str = Field(primary_key=True, max_length=64)
    published_at: str
    files: str  # JSON list of file names


class WebSession(ServerModel, table=True):
    """A web console sign-in: the cookie holds the token, only its SHA-256 is stored."""

    __tablename__ = "web_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: str
    expires_at: str = Field(index=True)
    last_seen_at: str


class ApiToken(ServerModel, table=True):
    """A token for the export API (BPJS's systems, a BI tool): only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    token_hash: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=128)
    kecamatan_code: str | None = Field(default=None, max_length=7)  # None: the whole city
    created_by: str = Field(max_length=64)
    created_at: str
    last_used_at: str | None = None
    revoked_at: str | None = None


class RateHit(ServerModel, table=True):
    """One request counted against a rate limit (public receipt lookups), per key."""

    __tablename__ = "rate_hits"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=128)
    at: str = Field(index=True)


class MoneyDay(ServerModel, table=True):
    """Money per Makassar day and kecamatan, by one dimension at a time (an agent's user
    id, a kelurahan code, or a payment method; "" when the method is unknown), so a
    period's money page sums a few hundred rows a day instead of every payment. Kept by
    the push handlers in the batch's transaction (summary.Summaries); a void adds its
    negative amount to ``voided``, a payment moved to another area moves its money."""

    __tablename__ = "money_days"
    day: str = Field(primary_key=True, max_length=10)
    scope_kecamatan: str = Field(primary_key=True, max_length=7)
    dimension: str = Field(primary_key=True, max_length=9)  # agent | kelurahan | method
    value: str = Field(primary_key=True, max_length=36)
    receipts: int = 0
    collected: int = Field(default=0, sa_type=BigInteger)
    voided: int = Field(default=0, sa_type=BigInteger)


class CoverageChange(ServerModel, table=True):
    """How many participants of a kelurahan enter (+) or leave (-) each coverage status in a
    month; a month's figures are the sums up to it. Kept with ``Participant.coverage``
    (summary.Summaries)."""

    __tablename__ = "coverage_changes"
    month: str = Field(primary_key=True, max_length=7)
    scope_kecamatan: str = Field(primary_key=True, max_length=7)
    scope_kelurahan: str = Field(primary_key=True, max_length=11)
    active: int = 0
    grace: int = 0
    inactive: int = 0
    never: int = 0
