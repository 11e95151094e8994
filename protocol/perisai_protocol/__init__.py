"""Wire schemas of the sync protocol, shared by the client engine and the reference server.

Version 1, served under ``/v1/``. The prose description lives in docs/PROTOCOL.md.
No Qt, no database: only pydantic models and the canonical payload hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"
# Additive (server 0.2): every answer of the server carries its clock (UTC ISO-8601), so a
# device learns the centre's time at every contact.
TIME_HEADER = "X-Perisai-Time"

# Operation kinds and the schema version each one is written with today.
OP_SCHEMAS: dict[str, int] = {
    "worker.register": 1,
    "worker.update": 1,
    "worker.deletion_request": 1,
    "payment.collect": 1,
    "payment.void": 1,
    "closeout.create": 1,
    "closeout.handover": 1,
    "audit.batch": 1,
}

MAX_BATCH_OPS = 500
MAX_BODY_BYTES = 8 * 1024 * 1024  # after decompression
# Every sequence number and cursor: exact as a JSON number everywhere, and far inside a
# database BIGINT. A device makes a few thousand operations a year.
MAX_SEQ = 2**53 - 1
MAX_AMOUNT = 1_000_000_000  # rupiah: a bound on any sum of money on the wire
MAX_INCOME = 1_000_000_000_000  # rupiah a month: a bound, not a rule


def region_code(text: str | None) -> str | None:
    """The wire form of a Makassar region code, or None if ``text`` is not one.

    Kemendagri writes "73.71.10" (kecamatan) and "73.71.10.1001" (kelurahan). On the wire and
    in both databases a kecamatan is 7 digits and a kelurahan 11: the two-digit kecamatan
    number gets a trailing 0 ("7371100", "73711001001"); the first six digits are what a NIK
    carries. Accepts the dotted form, the plain digits (6 / 10) and the wire form (7 / 11).
    """
    if not text:
        return None
    s = text.strip()
    if "." in s:
        parts = s.split(".")
        if not all(p.isdigit() for p in parts) or [len(p) for p in parts[:3]] != [2, 2, 2]:
            return None
        if len(parts) == 3:
            return "".join(parts) + "0"
        if len(parts) == 4 and len(parts[3]) == 4:
            return "".join(parts[:3]) + "0" + parts[3]
        return None
    if not s.isdigit():
        return None
    if len(s) == 6:
        return s + "0"
    if len(s) == 10:
        return s[:6] + "0" + s[6:]
    if len(s) in (7, 11) and s[6] == "0":
        return s
    return None


def kecamatan_code(text: str | None) -> str | None:
    """The 7-digit kecamatan code ``text`` names, or None (a kelurahan code is not one)."""
    code = region_code(text)
    return code if code is not None and len(code) == 7 else None


def kelurahan_code(text: str | None) -> str | None:
    """The 11-digit kelurahan code ``text`` names, or None."""
    code = region_code(text)
    return code if code is not None and len(code) == 11 else None


def canonical_json(payload: Any) -> str:
    """The one serialisation used for payload hashes on both ends."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: Any) -> str:
    return canonical_hash(canonical_json(payload))


def canonical_hash(text: str) -> str:
    """The payload hash of ``canonical_json(payload)``, for a sender that keeps the text
    (serialising a payload once for both)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Characters no name, address, reason or identifier may hold: C0 and C1 controls (line
# breaks, tabs, NUL, escape), Unicode line/paragraph separators, and the invisible direction
# marks and overrides that make a text display as something else. They would break CSV
# files and log lines, and nobody types them into a form.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _plain(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("must not contain control characters (line breaks, tabs, NUL, direction marks)")
    return value


Plain = Annotated[str, AfterValidator(_plain)]
"""Text without control characters; bound its length with ``Field(max_length=...)``."""


class Strict(BaseModel):
    """Requests: a key the server does not know is an error."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """The server's answers: a client ignores keys it does not know yet, so that a newer
    server can add fields within v1."""

    model_config = ConfigDict(extra="ignore")


class BilingualText(Answer):
    id: str
    en: str


# --- authentication -------------------------------------------------------------------


class LoginRequest(Strict):
    username: Plain = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_id: Plain = Field(min_length=8, max_length=64)
    device_name: Plain = Field(default="", max_length=128)
    app_version: Plain = Field(default="", max_length=32)


class UserInfo(Answer):
    id: str
    username: str
    full_name: str
    role: Literal["agent", "clerk", "supervisor", "admin"]
    wadah: str | None = None
    kecamatan_code: str | None = None
    kelurahan_code: str | None = None


class TokenPair(Answer):
    access_token: str
    refresh_token: str
    expires_in: int  # seconds of validity of the access token
    refresh_expires_in: int
    user: UserInfo
    # Additive (server 0.1): per-enrollment secret for receipt QR MACs, see receipt_mac().
    # The same key is returned on every login/refresh of this (device, user) enrollment.
    receipt_key: str | None = None


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=16, max_length=512)
    device_id: Plain = Field(min_length=8, max_length=64)


# --- push ------------------------------------------------------------------------------


class Operation(Strict):
    op_id: Plain = Field(min_length=32, max_length=36)
    seq: int = Field(ge=1, le=MAX_SEQ)
    kind: Plain = Field(max_length=64)
    entity_id: Plain = Field(min_length=1, max_length=64)
    schema_version: int = Field(ge=1, le=1000)
    payload: dict[str, Any]
    payload_hash: str = Field(min_length=64, max_length=64)


class PushRequest(Strict):
    batch_id: Plain = Field(min_length=8, max_length=64)
    device_id: Plain = Field(min_length=8, max_length=64)
    app_version: Plain = Field(default="", max_length=32)
    ops: list[Operation] = Field(min_length=1, max_length=MAX_BATCH_OPS)
    # Additive (server 0.2.0): what the device reports of itself, shown in the web console.
    pending_ops: int | None = Field(default=None, ge=0, le=10_000_000)  # still queued after this batch
    device_time: str | None = Field(default=None, max_length=40)  # the device's clock when sending, ISO-8601


OpStatus = Literal["applied", "duplicate", "rejected", "needs_review"]


class OpResult(Answer):
    op_id: str
    status: OpStatus
    code: str | None = None  # machine code of a rejection / review reason
    message: BilingualText | None = None
    # Server-assigned values: {"kpj": "...", "canonical_id": "...", "flag": "..."}
    assigned: dict[str, Any] = Field(default_factory=dict)
    # Additive (server 0.1): for status "duplicate", the status the op got the first time
    # ("applied" or "needs_review"), so a client that lost the first answer can settle it.
    original_status: OpStatus | None = None


class PushResponse(Answer):
    batch_id: str
    results: list[OpResult]
    contiguous_seq: int  # highest seq with no gap received from this (device, user) stream
    server_time: str
    # Additive (server 0.2): the change log's epoch (see PullResponse.epoch).
    epoch: str | None = None


# --- pull ------------------------------------------------------------------------------


class Change(Answer):
    seq: int  # server change sequence, assigned in commit order
    entity: Literal["worker", "payment", "reference"]
    id: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None


class PullResponse(Answer):
    changes: list[Change]
    cursor: int  # store this and send it back as ?cursor=
    has_more: bool
    # Additive (server 0.2): the epoch of the change log this cursor belongs to; send it
    # back as ?epoch=. A restored or new centre database has another one (410).
    epoch: str | None = None
    # Additive (server 0.2): the caller's stream, as PushResponse.contiguous_seq says it,
    # so that a device with nothing to push still learns that the centre lost some of it.
    contiguous_seq: int | None = None


class ReferenceBundle(Answer):
    version: str
    published_at: str
    files: dict[str, Any]  # name -> content (tariffs.json, consent.json, targets.json, ...)
    latest_app_version: str | None = None
    download_url: str | None = None


class Health(Answer):
    status: Literal["ok"]
    service: Literal["perisai-central"]
    protocol: int
    min_app_version: str


class ErrorBody(Answer):
    """Body of every non-2xx answer from the server."""

    code: str
    message: BilingualText


# --- additive (server 0.2): what the centre already applied ----------------------------


class AckRequest(Strict):
    """POST /v1/acks: operations of the caller's stream whose answer never arrived."""

    op_ids: list[Annotated[Plain, Field(min_length=32, max_length=36)]] = Field(
        min_length=1, max_length=MAX_BATCH_OPS)


class AckResponse(Answer):
    """The first answer of each of those operations the centre applied (status "applied" or
    "needs_review"); an operation not listed was never applied (not received, or rejected:
    send it again)."""

    results: list[OpResult]


# --- additive (server 0.1): stream reconciliation --------------------------------------


class StreamStatus(Answer):
    """GET /v1/stream: what the server received from the caller's (device, user) stream.

    A client compares it with its outbox: a seq in missing_seqs, or acknowledged ops beyond
    what applied_ops counts, was lost on the way and is sent again (the server deduplicates).
    """

    device_id: str
    contiguous_seq: int  # highest seq with no gap below it
    highest_seq: int  # highest seq received at all
    missing_seqs: list[int]  # gaps between them (at most the first 1000)
    applied_ops: int  # operations of this stream recorded as applied / needs_review


# --- additive (server 0.1): receipt verification --------------------------------------


def receipt_mac(key: str, receipt_no: str, amount: int, months: list[str]) -> str:
    """HMAC-SHA256 (hex) of a receipt's canonical fields, printed in the receipt QR code.

    key is TokenPair.receipt_key of the (device, user) enrollment that issued the receipt.
    Canonical message: "<receipt_no>|<amount>|<months sorted, comma separated>" in UTF-8.
    """
    message = f"{receipt_no}|{int(amount)}|{','.join(sorted(months))}"
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


# --- additive (server 0.2.0): the receipt's QR opens the centre's public check page ------
# ``<centre>/r/<receipt_no>?a=<amount>&m=<months>&s=<mac>``: any phone camera opens it, no
# account needed. months: "YYYYMM" items and "YYYYMM-YYYYMM" runs, comma separated
# ("202601-202603,202606"); s: the receipt_mac as unpadded base64url (43 characters).

RECEIPT_CHECK_PATH = "/r/"
MAX_RECEIPT_MONTHS = 36


def months_param(months: list[str]) -> str:
    """["2026-01", "2026-02", "2026-03", "2026-06"] -> "202601-202603,202606"."""
    index = sorted({int(m[:4]) * 12 + int(m[5:7]) - 1 for m in months})
    parts: list[str] = []
    start = 0
    for i in range(1, len(index) + 1):
        if i == len(index) or index[i] != index[i - 1] + 1:
            first, last = index[start], index[i - 1]
            text = f"{first // 12:04d}{first % 12 + 1:02d}"
            parts.append(text if first == last else f"{text}-{last // 12:04d}{last % 12 + 1:02d}")
            start = i
    return ",".join(parts)


def parse_months_param(text: str) -> list[str] | None:
    """The months of ``months_param`` text, sorted; None when malformed or too many."""
    months: list[str] = []
    for part in text.split(","):
        bounds = part.split("-")
        if len(bounds) > 2 or not all(re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", b) for b in bounds):
            return None
        first, last = (int(b[:4]) * 12 + int(b[4:]) - 1 for b in (bounds[0], bounds[-1]))
        if last < first or last - first >= MAX_RECEIPT_MONTHS:
            return None
        months.extend(f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1))
        if len(months) > MAX_RECEIPT_MONTHS:
            return None
    return sorted(set(months))


def receipt_check_url(centre_url: str, key: str, receipt_no: str, amount: int, months: list[str]) -> str:
    """The URL printed in a receipt's QR code (the centre's public receipt check)."""
    from base64 import urlsafe_b64encode
    from urllib.parse import quote

    mac = urlsafe_b64encode(bytes.fromhex(receipt_mac(key, receipt_no, amount, months))).decode().rstrip("=")
    return (f"{centre_url.rstrip('/')}{RECEIPT_CHECK_PATH}{quote(receipt_no, safe='')}"
            f"?a={int(amount)}&m={months_param(months)}&s={mac}")


class ReceiptVerifyRequest(Strict):
    receipt_no: Plain = Field(min_length=1, max_length=64)
    amount: int = Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)
    months: list[Annotated[str, Field(max_length=7)]] = Field(min_length=1, max_length=36)
    mac: str = Field(min_length=64, max_length=64)


class ReceiptVerifyResponse(Answer):
    valid: bool  # True only when the receipt is known, the MAC matches and it is not voided
    # "valid" | "voided" | "unknown" (not on the server yet) | "mismatch" (MAC or fields differ)
    status: Literal["valid", "voided", "unknown", "mismatch"]
    payment_status: Literal["active", "voided"] | None = None
    flag: str | None = None  # e.g. "possible_double_collection"
    message: BilingualText


# --- additive (server 0.1): operation payloads ------------------------------------------
# Payloads mirror the client's store columns (agent_app/store/models.py). Unknown keys are
# ignored (kept verbatim in the server's copy of the payload) so that a newer client can add
# columns without breaking an older server. occupations/programmes/months/breakdown may be
# sent as JSON text (as stored locally) or as JSON values.


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _json_text(cls, value: Any, info: Any) -> Any:
        if info.field_name in _JSON_FIELDS and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value  # let the field's own type report the error
        return value


_JSON_FIELDS = {"occupations", "programmes", "months", "breakdown"}

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"


class WorkerPayload(Payload):
    """Payload of "worker.register" (schema 1)."""

    id: Plain = Field(min_length=1, max_length=64)
    nik: str = Field(pattern=r"^\d{16}$")
    full_name: Plain = Field(min_length=1, max_length=128)
    birth_date: str = Field(pattern=_DATE)
    sex: Literal["M", "F"]
    phone: str | None = Field(default=None, pattern=r"^\+628\d{7,11}$")
    address: Plain = Field(default="", max_length=512)
    kecamatan_code: str = Field(pattern=r"^\d{6,7}$")
    kelurahan_code: str = Field(pattern=r"^\d{10,11}$")
    occupations: list[Annotated[Plain, Field(min_length=1, max_length=128)]] = Field(min_length=1, max_length=2)
    policy_sector: Plain = Field(min_length=1, max_length=32)
    is_employer: bool = False
    declared_income: int = Field(ge=1_000_000, le=MAX_INCOME)
    # programme ("jkk", "jkm", "jht") -> who pays it
    programmes: dict[Annotated[Plain, Field(max_length=8)], Annotated[Plain, Field(max_length=32)]] = Field(
        max_length=8)
    desil: int | None = Field(default=None, ge=1, le=10)
    desil_source: Annotated[Plain, Field(max_length=64)] | None = None
    desil_date: Annotated[Plain, Field(max_length=32)] | None = None
    disability: bool = False
    disability_kind: Annotated[Plain, Field(max_length=64)] | None = None
    heir_name: Annotated[Plain, Field(max_length=128)] | None = None
    heir_relation: Annotated[Plain, Field(max_length=32)] | None = None
    consent_version: Plain = Field(min_length=1, max_length=32)
    consent_at: Plain = Field(min_length=10, max_length=40)
    consent_user_id: Plain = Field(min_length=1, max_length=64)
    registered_at: Plain = Field(min_length=10, max_length=40)
    registered_by: Plain = Field(min_length=1, max_length=64)
    registration_month: str = Field(pattern=_MONTH)


# Fields a "worker.update" may change (identity fields go through review, not update).
# NIK, birth date and sex are checked against each other: correcting them is a review case.
WORKER_UPDATABLE = frozenset(WorkerPayload.model_fields) - {
    "id", "nik", "birth_date", "sex", "registered_at", "registered_by", "registration_month",
}
# Fields a supervisor's "worker.update" may correct only through the centre's review
# (the NIK encodes birth date and sex): the answer is "needs_review" / "identity_review".
WORKER_IDENTITY = frozenset({"nik", "birth_date", "sex"})
# Bookkeeping keys a "worker.update" payload may carry besides "id" and the changed fields.
WORKER_UPDATE_META = frozenset({"updated_at", "updated_by", "reason"})


class DeletionRequestPayload(Payload):
    """Payload of "worker.deletion_request" (schema 1): UU PDP erasure request."""

    id: Plain = Field(min_length=1, max_length=64)
    reason: Plain = Field(min_length=1, max_length=512)
    requested_at: Plain = Field(min_length=10, max_length=40)
    by: Plain = Field(min_length=1, max_length=64)


class PaymentPayload(Payload):
    """Payload of "payment.collect" (schema 1)."""

    id: Plain = Field(min_length=1, max_length=64)
    receipt_no: Plain = Field(min_length=1, max_length=64)
    worker_id: Plain = Field(min_length=1, max_length=64)
    months: list[str] = Field(min_length=1, max_length=36)
    amount: int = Field(gt=0, le=MAX_AMOUNT)
    # month -> programme -> rupiah
    breakdown: dict[Annotated[str, Field(max_length=7)],
                    dict[Annotated[Plain, Field(max_length=8)], Annotated[int, Field(ge=0, le=MAX_AMOUNT)]]] = Field(
        default_factory=dict, max_length=36)
    method: Literal["cash", "qris", "transfer"]
    tariff_version: Plain = Field(min_length=1, max_length=64)
    collected_at: Plain = Field(min_length=10, max_length=40)
    collected_by: Plain = Field(min_length=1, max_length=64)
    device_id: Plain = Field(min_length=1, max_length=64)

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[str]) -> list[str]:
        for m in months:
            if not re.match(_MONTH, m):
                raise ValueError("months must be YYYY-MM")
        if len(set(months)) != len(months):
            raise ValueError("months must not repeat")
        return months


class VoidPayload(Payload):
    """Payload of "payment.void" (schema 1): a reversal row (amount negative)."""

    id: Plain = Field(min_length=1, max_length=64)
    receipt_no: Plain = Field(min_length=1, max_length=64)
    voids_payment_id: Plain = Field(min_length=1, max_length=64)
    reason: Plain = Field(min_length=1, max_length=512)
    amount: int = Field(lt=0, ge=-MAX_AMOUNT)
    worker_id: Annotated[Plain, Field(max_length=64)] | None = None
    months: list[Annotated[str, Field(max_length=7)]] = Field(default_factory=list, max_length=36)
    method: Annotated[Plain, Field(max_length=16)] | None = None
    collected_at: Plain = Field(min_length=10, max_length=40)
    collected_by: Plain = Field(min_length=1, max_length=64)
    device_id: Plain = Field(min_length=1, max_length=64)

    @model_validator(mode="before")
    @classmethod
    def _void_reason(cls, data: Any) -> Any:
        # The local Payment row calls the reason "void_reason": accept either name.
        if isinstance(data, dict) and "reason" not in data and "void_reason" in data:
            data = {**data, "reason": data["void_reason"]}
        return data


class DocumentPayload(Payload):
    """Payload of "closeout.create" and "audit.batch": stored as-is, must carry an id."""

    model_config = ConfigDict(extra="allow")
    id: Plain = Field(min_length=1, max_length=64)


OP_PAYLOADS: dict[str, type[Payload]] = {
    "worker.register": WorkerPayload,
    "worker.deletion_request": DeletionRequestPayload,
    "payment.collect": PaymentPayload,
    "payment.void": VoidPayload,
    "closeout.create": DocumentPayload,
    "closeout.handover": DocumentPayload,
    "audit.batch": DocumentPayload,
}
