"""A participant's rights under UU PDP 27/2022, and the processing log's way to the server.

* ``export_participant_data``: the right of access, a copy of everything held about one
  participant (the GUI renders it as a PDF: ``agent_app.ui.privacy_dialogs``).
* ``correct_worker``: the right to correction, with the same rules as registration, one
  transaction (row + ``worker.update`` operation + audit entry with old and new values).
* ``request_deletion``: the right to erasure is decided centrally (payments are financial
  records the BPJS must keep): the request is recorded here and synced; the server's
  ``delete-participant`` carries it out and the pull brings back a tombstone.
* ``queue_audit_batch``: unsynced audit entries (views, exports, syncs, changes) packed into
  ``audit.batch`` operations so the controller holds the processing log.

No schema change: a deletion request lives in the audit log, the outbox and one ``meta``
row per participant (``deletion_request:<worker id>``) that the UI reads.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from agent_app.domain.messages import register
from agent_app.domain.person import MAX_AGE, age_on, as_date, check_registration
from agent_app.domain.reference import search_key
from agent_app.services.access import require
from agent_app.services.base import ServiceError, audit, enqueue, get_meta, new_id, set_meta
from agent_app.services.merge import current_worker
from agent_app.services.workers import EMPLOYER_OCCUPATION, worker_payload
from agent_app.store.models import AuditEntry, Payment, User, Worker

MIN_REASON = 5
MAX_REASON = 500
AUDIT_BATCH_SIZE = 100  # entries per audit.batch op: keeps each op far below the body limit
DELETION_META = "deletion_request:"

# Form fields (RegistrationForm names) a correction may change.
CORRECTABLE = (
    "nik", "full_name", "birth_date", "sex", "phone", "address", "kelurahan_code",
    "occupations", "declared_income", "programmes", "desil", "desil_source", "desil_date",
    "disability", "disability_kind", "heir_name", "heir_relation",
)
# The NIK encodes birth date and sex: changing any of them is a supervisor's decision.
IDENTITY_FIELDS = frozenset({"nik", "birth_date", "sex"})

register({
    "privacy.reason_required": {
        "id": "Tulis alasannya (minimal {min} karakter)",
        "en": "Give the reason (at least {min} characters)",
    },
    "privacy.reason_too_long": {
        "id": "Alasan terlalu panjang (maksimal {max} karakter)",
        "en": "The reason is too long (at most {max} characters)",
    },
    "privacy.field_unknown": {
        "id": "Data ini tidak bisa dikoreksi di sini: {fields}",
        "en": "These data cannot be corrected here: {fields}",
    },
    "privacy.no_change": {
        "id": "Tidak ada data yang berubah",
        "en": "Nothing was changed",
    },
    "privacy.deletion_exists": {
        "id": "Permintaan penghapusan untuk peserta ini sudah dicatat ({at})",
        "en": "A deletion request for this participant was already recorded ({at})",
    },
})


# --- helpers ---------------------------------------------------------------------------


def _clean_reason(reason: Any) -> str:
    text = " ".join(str(reason or "").split())
    if len(text) < MIN_REASON:
        raise ServiceError("privacy.reason_required", {"min": MIN_REASON})
    if len(text) > MAX_REASON:
        raise ServiceError("privacy.reason_too_long", {"max": MAX_REASON})
    return text


def live_worker(s: Session, worker_id: str) -> Worker:
    worker = current_worker(s, worker_id)
    if worker is None or worker.deleted:
        raise ServiceError("worker.not_found")
    return worker


def form_values(worker: Worker) -> dict[str, Any]:
    """A stored worker as registration-form values (what check_registration reads)."""
    return {
        "nik": worker.nik,
        "full_name": worker.full_name,
        "birth_date": as_date(worker.birth_date),
        "sex": worker.sex,
        "phone": worker.phone or "",
        "address": worker.address,
        "kelurahan_code": worker.kelurahan_code,
        "occupations": json.loads(worker.occupations),
        "declared_income": worker.declared_income,
        "programmes": json.loads(worker.programmes),
        "desil": worker.desil,
        "desil_source": worker.desil_source,
        "desil_date": as_date(worker.desil_date),
        "disability": worker.disability,
        "disability_kind": worker.disability_kind,
        "heir_name": worker.heir_name,
        "heir_relation": worker.heir_relation,
        "consent_given": True,  # recorded at registration; a correction does not revoke it
    }


def _normalise(name: str, value: Any) -> Any:
    """Changed values in the form the stored record compares with."""
    if name in ("birth_date", "desil_date"):
        return as_date(value) if value not in (None, "") else None
    if name == "nik":
        return "".join(ch for ch in str(value or "") if ch.isdigit())
    if name == "full_name":
        return " ".join(str(value or "").split())
    if name == "phone":
        from agent_app.domain.phone import check_phone, normalize_phone

        text = str(value or "").strip()
        if text and not check_phone(text):
            return normalize_phone(text)
        return text
    if name in ("address", "desil_source", "disability_kind", "heir_name", "heir_relation"):
        text = " ".join(str(value or "").split())
        return text if (text or name == "address") else None
    if name == "occupations":
        return [str(o) for o in (value or []) if str(o).strip()]
    if name == "desil":
        return None if value in (None, "") else value
    return value


def _apply(worker: Worker, values: dict[str, Any], ref) -> None:
    """Write merged form values onto the row, with the derived columns."""
    from agent_app.domain.phone import normalize_phone

    worker.nik = values["nik"]
    worker.full_name = values["full_name"]
    worker.name_key = search_key(values["full_name"])
    worker.birth_date = values["birth_date"].isoformat()
    worker.sex = values["sex"]
    worker.phone = normalize_phone(values["phone"]) if values["phone"] else None
    worker.address = values["address"]
    worker.kelurahan_code = values["kelurahan_code"]
    worker.kecamatan_code = ref.kelurahan_by_code[values["kelurahan_code"]].kecamatan_code
    occupations = values["occupations"]
    worker.occupations = json.dumps(occupations, ensure_ascii=False)
    worker.policy_sector = ref.occupations[occupations[0]][1]
    worker.is_employer = EMPLOYER_OCCUPATION in occupations
    worker.declared_income = int(values["declared_income"])
    worker.programmes = json.dumps(values["programmes"], sort_keys=True)
    worker.desil = values["desil"]
    worker.desil_source = values["desil_source"] if values["desil"] else None
    worker.desil_date = (values["desil_date"].isoformat()
                         if values["desil"] and values["desil_date"] else None)
    worker.disability = bool(values["disability"])
    worker.disability_kind = values["disability_kind"] if values["disability"] else None
    worker.heir_name = values["heir_name"] or None
    worker.heir_relation = values["heir_relation"] or None


def _blocking(issues: list, original: list, changed: set[str], birth: Any, registered_on: date) -> list:
    """Errors the correction must fix: new ones, or ones in a field being changed.

    An error the record already had and the correction does not touch (say a rule that
    changed since registration) does not block correcting a phone number. Age is judged on
    the registration day: the rule is "under 65 at registration", and people grow older.
    """
    before = {(i.code, i.field) for i in original if i.severity == "error"}
    out = []
    for issue in issues:
        if issue.severity != "error":
            continue
        if issue.code == "age.too_old":
            if isinstance(birth, date) and age_on(birth, registered_on) < MAX_AGE:
                continue
        if issue.field in changed or (issue.code, issue.field) not in before:
            out.append(issue)
    return out


# --- (b) correction --------------------------------------------------------------------


def correct_worker(core, actor: User, worker_id: str, changes: dict[str, Any], reason: str) -> Worker:
    """Correct a participant's data: validated, one transaction, audited, synced."""
    require(actor, "correct")
    reason = _clean_reason(reason)
    now = core.clock.stamp()
    with core.db.write() as s:
        worker = live_worker(s, worker_id)
        old_payload, new_payload, diff = apply_correction(s, core.ref, core.clock.today(), actor,
                                                          worker, changes)
        worker.updated_at = now
        worker.sync_state = "pending"
        s.add(worker)
        payload: dict[str, Any] = {"id": worker.id, "updated_at": now, "updated_by": actor.id}
        payload.update({k: new_payload[k] for k in diff})
        payload["reason"] = reason
        enqueue(s, user_id=actor.id, kind="worker.update", entity_id=worker.id,
                payload=payload, now=now)
        audit(s, user_id=actor.id, action="worker.correct", entity="worker",
              entity_id=worker.id, now=now,
              old={k: old_payload[k] for k in diff},
              new={**{k: new_payload[k] for k in diff}, "reason": reason})
    return worker


def apply_correction(s: Session, ref, today: date, actor: User, worker: Worker,
                     changes: dict[str, Any], *, identity_permission: str = "correct_identity",
                     ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Check ``changes`` (registration-form values) by the rules of registration and write
    them onto ``worker`` in transaction ``s``: fields a correction may change, something
    changed, identity fields only with ``identity_permission``, no new error, the kelurahan
    one of the reference list, no NIK another participant holds. Returns the worker payload
    before and after, and the payload keys that changed (derived ones included)."""
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ServiceError("privacy.field_unknown", {"fields": ", ".join(unknown)})
    before = form_values(worker)
    wanted = {name: _normalise(name, value) for name, value in changes.items()}
    changed = {name: value for name, value in wanted.items() if value != before[name]}
    if not changed:
        raise ServiceError("privacy.no_change")
    if IDENTITY_FIELDS & set(changed):
        require(actor, identity_permission)
    merged = {**before, **changed}
    issues = check_registration(merged, ref=ref, today=today)
    original = check_registration(before, ref=ref, today=today)
    registered_on = as_date(worker.registered_at[:10]) or today
    blocking = _blocking(issues, original, set(changed), merged["birth_date"], registered_on)
    if blocking:
        raise ServiceError("worker.invalid", issues=blocking)
    if "nik" in changed:
        clash = s.exec(select(Worker.id).where(
            Worker.nik == merged["nik"], Worker.id != worker.id,
            Worker.deleted == False)).first()  # noqa: E712
        if clash:
            raise ServiceError("worker.nik_exists", {"nik": merged["nik"]})
    old_payload = worker_payload(worker)
    _apply(worker, merged, ref)
    new_payload = worker_payload(worker)
    diff = sorted(k for k in new_payload if new_payload[k] != old_payload[k])
    return old_payload, new_payload, diff


# --- (c) deletion request --------------------------------------------------------------


def deletion_request(core, worker_id: str) -> dict[str, str] | None:
    """The recorded deletion request of a participant ({at, by, reason}) or None."""
    with core.db.read() as s:
        raw = get_meta(s, DELETION_META + worker_id)
    return json.loads(raw) if raw else None


def request_deletion(core, actor: User, worker_id: str, reason: str) -> dict[str, str]:
    """Record a participant's erasure request (audit + outbox op + marker), all or nothing."""
    require(actor, "request_deletion")
    reason = _clean_reason(reason)
    now = core.clock.stamp()
    with core.db.write() as s:
        worker = live_worker(s, worker_id)
        worker_id = worker.id  # an alias merged here stands for its canonical record
        existing = get_meta(s, DELETION_META + worker_id)
        if existing:
            raise ServiceError("privacy.deletion_exists", {"at": json.loads(existing)["at"]})
        record = {"at": now, "by": actor.id, "reason": reason}
        enqueue(s, user_id=actor.id, kind="worker.deletion_request", entity_id=worker.id,
                payload={"id": worker.id, "reason": reason, "requested_at": now, "by": actor.id},
                now=now)
        audit(s, user_id=actor.id, action="worker.deletion_request", entity="worker",
              entity_id=worker.id, now=now, new={"reason": reason})
        set_meta(s, DELETION_META + worker_id, json.dumps(record, ensure_ascii=False))
    return record


# --- (a) data copy ---------------------------------------------------------------------


def export_participant_data(core, actor: User, worker_id: str, lang: str = "id") -> dict[str, Any]:
    """Everything this device holds about one participant, for their copy (audited "export")."""
    require(actor, "participant_copy")
    now = core.clock.stamp()
    with core.db.write() as s:
        worker = live_worker(s, worker_id)
        worker_id = worker.id  # an alias merged here stands for its canonical record
        payments = list(s.exec(select(Payment).where(Payment.worker_id == worker_id)
                               .order_by(Payment.collected_at, Payment.receipt_no)))
        ids = [worker_id] + [p.id for p in payments]
        entries = list(s.exec(select(AuditEntry).where(col(AuditEntry.entity_id).in_(ids))
                              .order_by(col(AuditEntry.id))))
        names = {u.id: u.full_name for u in s.exec(select(User))}
        deletion = get_meta(s, DELETION_META + worker_id)
        audit(s, user_id=actor.id, action="export", entity="worker", entity_id=worker_id,
              now=now, new={"kind": "participant_copy"})
    ref = core.ref
    kelurahan = ref.kelurahan_by_code.get(worker.kelurahan_code)
    kecamatan = dict(ref.kecamatan).get(worker.kecamatan_code, worker.kecamatan_code)
    voided = {p.voids_payment_id for p in payments if p.kind == "void"}
    consent = ref.consent
    return {
        "generated_at": now,
        "generated_by": actor.full_name,
        "device_id": core.device_id,
        "profile": {
            "full_name": worker.full_name,
            "nik": worker.nik,  # the participant's own copy: the full number
            "kpj": worker.kpj,
            "birth_date": worker.birth_date,
            "sex": worker.sex,
            "phone": worker.phone,
            "address": worker.address,
            "kelurahan": kelurahan.name if kelurahan else worker.kelurahan_code,
            "kecamatan": kecamatan,
            "occupations": json.loads(worker.occupations),
            "declared_income": worker.declared_income,
            "programmes": json.loads(worker.programmes),
            "desil": worker.desil,
            "desil_source": worker.desil_source,
            "desil_date": worker.desil_date,
            "disability": worker.disability,
            "disability_kind": worker.disability_kind,
            "heir_name": worker.heir_name,
            "heir_relation": worker.heir_relation,
            "registered_at": worker.registered_at,
            "registered_by": names.get(worker.registered_by, worker.registered_by),
            "registration_month": worker.registration_month,
            "paid_through": worker.paid_through,
        },
        "consent": {
            "version": worker.consent_version,
            "at": worker.consent_at,
            "by": names.get(worker.consent_user_id, worker.consent_user_id),
            # The text itself only when this device still holds that version.
            "title": (consent.title.get(lang) or consent.title.get("id", "")
                      if consent.version == worker.consent_version else ""),
            "text": (consent.text.get(lang) or consent.text.get("id", "")
                     if consent.version == worker.consent_version else ""),
        },
        "payments": [
            {
                "receipt_no": p.receipt_no,
                "kind": p.kind,
                "months": json.loads(p.months),
                "amount": p.amount,
                "method": p.method,
                "collected_at": p.collected_at,
                "collected_by": names.get(p.collected_by, p.collected_by),
                "voided": p.id in voided,
                "void_reason": p.void_reason,
            }
            for p in payments
        ],
        "history": [
            {
                "at": e.at,
                "action": e.action,
                "by": names.get(e.user_id, e.user_id or ""),
                "fields": sorted(k for k in json.loads(e.new or "{}") if k != "reason")
                if e.action == "worker.correct" else [],
            }
            for e in entries
        ],
        "deletion_request": json.loads(deletion) if deletion else None,
    }


# --- (d) audit log to the server -------------------------------------------------------


def queue_audit_batch(core, user: User, *, batch_size: int = AUDIT_BATCH_SIZE) -> int:
    """Pack this user's unsynced audit entries (and device entries with no user) into
    ``audit.batch`` operations and mark them synced, in one transaction. Returns the count.

    Each user's stream carries that user's entries, pushed with that user's credentials.
    """
    return queue_audit_entries(core.db, core.clock, user.id, device_id=core.device_id,
                               batch_size=batch_size)


AUDIT_SHIP_AFTER = timedelta(hours=1)


def ship_audit_log(db, clock, user_id: str) -> int:
    """Queue the processing log for the centre when it is worth a request: a full batch,
    or an entry older than AUDIT_SHIP_AFTER. A 2G link should not carry one small batch
    per sync round (every round itself adds a "sync" entry)."""
    unsynced = (AuditEntry.synced == False,  # noqa: E712
                or_(col(AuditEntry.user_id) == user_id, col(AuditEntry.user_id).is_(None)))
    with db.read() as s:
        oldest, count = s.exec(select(func.min(AuditEntry.at), func.count()).where(*unsynced)).one()
    if not count:
        return 0
    age = clock.now() - datetime.fromisoformat(oldest)
    if count < AUDIT_BATCH_SIZE and age < AUDIT_SHIP_AFTER:
        return 0
    return queue_audit_entries(db, clock, user_id)


def queue_audit_entries(db, clock, user_id: str, *, device_id: str | None = None,
                        batch_size: int = AUDIT_BATCH_SIZE) -> int:
    """``queue_audit_batch`` for callers without an AgentCore (the sync engine)."""
    now = clock.stamp()
    with db.write() as s:
        device = device_id or get_meta(s, "device_id")
        entries = list(s.exec(
            select(AuditEntry)
            .where(AuditEntry.synced == False,  # noqa: E712
                   or_(col(AuditEntry.user_id) == user_id, col(AuditEntry.user_id).is_(None)))
            .order_by(col(AuditEntry.id))
        ))
        for start in range(0, len(entries), batch_size):
            chunk = entries[start:start + batch_size]
            batch_id = new_id()
            payload = {
                "id": batch_id,
                "device_id": device,
                "created_at": now,
                "entries": [
                    {
                        "local_id": e.id,
                        "at": e.at,
                        "user_id": e.user_id,
                        "action": e.action,
                        "entity": e.entity,
                        "entity_id": e.entity_id,
                        "old": json.loads(e.old) if e.old else None,
                        "new": json.loads(e.new) if e.new else None,
                    }
                    for e in chunk
                ],
            }
            enqueue(s, user_id=user_id, kind="audit.batch", entity_id=batch_id,
                    payload=payload, now=now)
            for e in chunk:
                e.synced = True
                s.add(e)
    return len(entries)
