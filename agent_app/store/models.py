"""SQLModel tables of the local store.

Conventions:
- every id is a client-generated UUID string (hex with dashes), so records can be created offline;
- months are "YYYY-MM" text (lexicographic order is chronological);
- money is an integer number of rupiah; money rows are append-only (a void is a new row);
- timestamps are UTC ISO-8601 text from the device clock (information only, see docs/PROTOCOL.md).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class OutboxState(StrEnum):
    """Where an outbox operation stands (stored as its text)."""

    PENDING = "pending"  # waiting to be sent
    IN_FLIGHT = "in_flight"  # in a batch whose answer has not come yet
    ACKED = "acked"  # the server applied it (now or before: a duplicate)
    REJECTED = "rejected"  # the server (or a batch-level refusal) refused it, with the reason
    NEEDS_REVIEW = "needs_review"  # kept by the server; a person there must decide

    @classmethod
    def queued(cls) -> tuple[OutboxState, ...]:
        """Not yet answered: to be sent, or being sent."""
        return (cls.PENDING, cls.IN_FLIGHT)

    @classmethod
    def on_server(cls) -> tuple[OutboxState, ...]:
        """Recorded by the server."""
        return (cls.ACKED, cls.NEEDS_REVIEW)

    @classmethod
    def refused_or_held(cls) -> tuple[OutboxState, ...]:
        """What the "Perlu perhatian" page lists."""
        return (cls.REJECTED, cls.NEEDS_REVIEW)


class Meta(SQLModel, table=True):
    """Small key/value facts of this device: device id, receipt prefix, counters, sync cursors."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class User(SQLModel, table=True):
    """A person who signs in on this device (agent, counter clerk or supervisor)."""

    __tablename__ = "user"
    id: str = Field(primary_key=True)
    username: str = Field(index=True, unique=True)
    full_name: str
    role: str  # "agent" | "clerk" | "supervisor"
    password_hash: str  # argon2id, never the password
    kecamatan_code: str | None = None  # area scope, e.g. "7371010"; None = whole city
    kelurahan_code: str | None = None
    language: str = "id"
    server_user_id: str | None = None  # set once the user has signed in online
    active: bool = True
    failed_attempts: int = 0
    locked_until: str | None = None
    created_at: str


class Worker(SQLModel, table=True):
    """A BPU participant registered or pulled on this device."""

    __tablename__ = "worker"
    # Every list query filters on `deleted` and is ordered by name (or by NIK / phone when
    # searching a number): these indexes serve each filter in its order, so a page comes
    # without sorting the table and OFFSET skips index entries without reading rows.
    __table_args__ = (
        Index("ix_worker_list", "deleted", "name_key", "id"),
        Index("ix_worker_nik", "deleted", "nik", "id"),
        Index("ix_worker_phone", "deleted", "phone", "id"),
        Index("ix_worker_kelurahan", "deleted", "kelurahan_code", "name_key", "id"),
        Index("ix_worker_kecamatan", "deleted", "kecamatan_code", "name_key", "id"),
    )
    id: str = Field(primary_key=True)
    nik: str
    full_name: str
    name_key: str  # normalised name for search (lower case, variants folded)
    birth_date: str  # YYYY-MM-DD
    sex: str  # "M" | "F"
    phone: str | None = None  # E.164 "+628..."
    address: str = ""
    kecamatan_code: str  # 7 digits, e.g. "7371010"
    kelurahan_code: str  # 11 digits, e.g. "73710101001"
    occupations: str  # JSON list of 1..2 occupation names
    policy_sector: str  # "transport" | "other" (from the first occupation)
    is_employer: bool = False
    declared_income: int
    programmes: str  # JSON {"jkk": "self", "jkm": "self", "jht": "apbd"}: programme -> funding source
    desil: int | None = None
    desil_source: str | None = None
    desil_date: str | None = None
    disability: bool = False
    disability_kind: str | None = None
    heir_name: str | None = None
    heir_relation: str | None = None
    consent_version: str
    consent_at: str
    consent_user_id: str
    registered_at: str
    registered_by: str  # user id
    registration_month: str  # YYYY-MM: first month of coverage
    paid_through: str | None = Field(default=None, index=True)  # YYYY-MM, derived cache of payments
    kpj: str | None = None  # 11 digits, assigned by the central system
    # Set when the server aliased this record to another one; indexed because pulled
    # payments name the canonical participant and are attached through it.
    canonical_id: str | None = Field(default=None, index=True)
    # Set when that alias was merged here into its canonical record (then also ``deleted``):
    # its payments and follow-up marks moved there; the row stays for its history and ops.
    merged_into: str | None = Field(default=None, index=True)
    origin: str = "local"  # "local" (registered here) | "pulled" (from the server)
    sync_state: str = Field(default="pending", index=True)  # pending | synced | rejected | review
    server_version: int = 0  # change sequence of the last pulled state
    updated_at: str
    deleted: bool = False  # hidden: erased at the centre (deletion request), or merged_into


class Payment(SQLModel, table=True):
    """A contribution collected (kind="payment") or the reversal of one (kind="void").

    Never updated except for sync bookkeeping columns (sync_state, server_flag, closeout_id).
    ``origin="pulled"`` rows were recorded on another device (another agent, the kelurahan
    counter) and came from the centre: read-only here, never queued, never in this device's
    cash figures (close-out, dashboard, reports); they do count as paid months.
    """

    __tablename__ = "payment"
    id: str = Field(primary_key=True)
    receipt_no: str = Field(index=True, unique=True)
    kind: str = "payment"  # "payment" | "void"
    worker_id: str = Field(foreign_key="worker.id", index=True)
    months: str  # JSON list of "YYYY-MM" covered (for a void: those of the voided payment)
    amount: int  # rupiah; negative for a void
    breakdown: str  # JSON {"YYYY-MM": {"jkk": n, "jkm": n, "jht": n}}
    method: str  # "cash" | "qris" | "transfer"
    tariff_version: str
    voids_payment_id: str | None = Field(default=None, foreign_key="payment.id", index=True)
    void_reason: str | None = None
    collected_at: str = Field(index=True)
    collected_by: str = Field(index=True)  # user id
    device_id: str
    closeout_id: str | None = Field(default=None, index=True)
    sync_state: str = Field(default="pending", index=True)
    server_flag: str | None = None  # e.g. "possible_double_collection"
    origin: str = "local"  # "local" (recorded on this device) | "pulled" (from the server)


class ParkedPayment(SQLModel, table=True):
    """A pulled payment or void that arrived before what it hangs on.

    The server's pull log emits a participant after its payments (its paid months change
    with each one) and a voided payment after its void, so a page can hold money rows whose
    worker, or whose voided payment, only comes in a later page. They wait here, stored
    with the page that brought them, and become Payment rows when it arrives.
    """

    __tablename__ = "parked_payment"
    id: str = Field(primary_key=True)  # the payment's id
    change_seq: int  # server change sequence that brought it (information)
    worker_id: str = Field(index=True)  # the worker id the collecting device used
    participant_id: str | None = Field(default=None, index=True)  # canonical, per the server
    voids_payment_id: str | None = Field(default=None, index=True)
    data: str  # the pulled change's data (JSON)
    parked_at: str


class OutboxOp(SQLModel, table=True):
    """One change waiting to reach (or having reached) the central server.

    Written in the same transaction as the record it describes; payload is never rewritten.
    The sequence is strictly increasing per (device, user) stream.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("user_id", "seq", name="uq_outbox_stream_seq"),)
    op_id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    seq: int = Field(index=True)
    kind: str  # "worker.register", "payment.collect", "payment.void", ...
    entity_id: str = Field(index=True)
    schema_version: int = 1
    payload: str  # canonical JSON
    payload_hash: str  # sha256 hex of payload
    state: str = Field(default=OutboxState.PENDING, index=True)  # an OutboxState
    attempts: int = 0
    last_error: str | None = None
    result: str | None = None  # JSON result from the server
    created_at: str
    acked_at: str | None = None


class AuditEntry(SQLModel, table=True):
    """Who did what to which record, when, with old and new values (UU PDP processing log)."""

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(index=True)
    user_id: str | None = Field(default=None, index=True)
    action: str  # "worker.register", "payment.collect", "worker.view", "export", "sync", ...
    entity: str
    entity_id: str | None = None
    old: str | None = None  # JSON
    new: str | None = None  # JSON
    synced: bool = False


class Closeout(SQLModel, table=True):
    """A cash close-out (tutup kas) of one user on this device: locked once written.

    The period is every payment of the user on this device not yet in a close-out
    (Payment.closeout_id is NULL); period_start/period_end are the collected_at range for
    print only. Only the handover fields are filled later, once (see services.closeout).
    """

    __tablename__ = "closeout"
    id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    period_start: str | None = None  # collected_at of the first entry (None: empty period)
    period_end: str  # moment of the close-out
    expected_cash: int  # cash payments minus cash voids of the period
    counted_cash: int
    variance: int  # counted - expected
    explanation: str = ""
    noncash_amount: int = 0  # QRIS + transfer of the period (not in the drawer)
    entries: int = 0  # payment + void rows closed
    created_at: str = Field(index=True)
    locked: bool = True
    handed_to: str | None = None  # treasurer who received the cash (set once)
    handed_at: str | None = None
    handover_by: str | None = None  # user id who recorded the handover
    sync_state: str = Field(default="pending", index=True)


class FollowupContact(SQLModel, table=True):
    """"Contacted" marks of the follow-up list (local to this device, append-only)."""

    __tablename__ = "followup_contact"
    id: str = Field(primary_key=True)
    worker_id: str = Field(foreign_key="worker.id", index=True)
    user_id: str
    contacted_on: str  # YYYY-MM-DD (WITA) the person was reached
    note: str = ""
    created_at: str


class ImportBatch(SQLModel, table=True):
    """An import of a list being written (see services.importer): its rows wait in
    StagedWorker while "staging" (invisible, discarded if the import stops), then move into
    the worker list chunk by chunk while "publishing" (decided: finished even after a crash)."""

    __tablename__ = "import_batch"
    id: str = Field(primary_key=True)
    user_id: str  # who imports: the outbox stream and audit entries of the rows
    created_at: str  # the registration stamp of every row
    state: str = "staging"  # staging | publishing
    rows: int = 0  # rows staged


class StagedWorker(SQLModel, table=True):
    """A worker row of an ImportBatch, built by the registration rules, not yet visible."""

    __tablename__ = "staged_worker"
    batch_id: str = Field(primary_key=True, foreign_key="import_batch.id")
    position: int = Field(primary_key=True)  # order of the list
    nik: str = Field(index=True)  # reserved against registrations while publishing
    worker_id: str
    data: str  # JSON: {"worker": its columns, "op_id": the id of its outbox operation}
