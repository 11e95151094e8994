"""A participant's rights: data copy, correction with an audit trail, deletion request;
and the audit log's way to the server."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import func, select

import perisai_protocol as protocol
from agent_app.services import privacy
from agent_app.services.base import ServiceError, new_id
from agent_app.store.models import AuditEntry, OutboxOp, User, Worker
from tests.helpers.forms import make_form


def plain_user(core, username: str, full_name: str, role: str) -> User:
    # A plain row: argon2 sign-in is not what these tests are about (and it is slow).
    row = User(id=new_id(), username=username, full_name=full_name, role=role,
               password_hash="not-a-hash", created_at=core.clock.stamp())
    with core.db.write() as s:
        s.add(row)
    return row


@pytest.fixture
def user(core):
    return plain_user(core, "besse", "Besse Agen", "agent")


@pytest.fixture
def supervisor(core, user):
    return plain_user(core, "spv", "Andi Supervisor", "supervisor")


@pytest.fixture
def worker(core, user):
    return core.workers.register(user, make_form())


def ops(core, kind=None):
    with core.db.read() as s:
        stmt = select(OutboxOp).order_by(OutboxOp.seq)
        if kind:
            stmt = stmt.where(OutboxOp.kind == kind)
        return list(s.exec(stmt))


def audits(core, action):
    with core.db.read() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action)))


# --- correction ------------------------------------------------------------------------


def test_correction_updates_row_queues_update_and_audits_old_and_new(core, user, worker):
    fixed = privacy.correct_worker(core, user, worker.id,
                                   {"phone": "0813 1111 2222", "address": "Jl. Veteran 9"},
                                   "Nomor HP lama hilang")
    assert fixed.phone == "+6281311112222" and fixed.address == "Jl. Veteran 9"
    with core.db.read() as s:
        row = s.get(Worker, worker.id)
    assert (row.phone, row.address, row.sync_state) == ("+6281311112222", "Jl. Veteran 9", "pending")
    (op,) = ops(core, "worker.update")
    payload = json.loads(op.payload)
    assert payload["id"] == worker.id and payload["phone"] == "+6281311112222"
    assert payload["address"] == "Jl. Veteran 9" and payload["updated_by"] == user.id
    # The server accepts exactly these keys (reason only once the protocol carries it).
    extra = set(payload) - {"id"} - protocol.WORKER_UPDATE_META - protocol.WORKER_UPDATABLE
    assert not extra
    (entry,) = audits(core, "worker.correct")
    assert json.loads(entry.old) == {"phone": "+6281234567890", "address": "Jl. Sultan Alauddin No. 5"}
    assert json.loads(entry.new)["reason"] == "Nomor HP lama hilang"
    assert json.loads(entry.new)["phone"] == "+6281311112222"


def test_moving_kelurahan_brings_the_kecamatan_along(core, user, worker):
    fixed = privacy.correct_worker(core, user, worker.id, {"kelurahan_code": "73710201001"},
                                   "Pindah rumah")
    assert fixed.kecamatan_code == "7371020"
    payload = json.loads(ops(core, "worker.update")[0].payload)
    assert payload["kelurahan_code"] == "73710201001" and payload["kecamatan_code"] == "7371020"


def test_invalid_correction_writes_nothing_and_says_why(core, user, worker):
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, user, worker.id,
                               {"phone": "12345", "declared_income": 5}, "Salah ketik")
    assert info.value.code == "worker.invalid"
    fields = {i.field for i in info.value.issues}
    assert fields == {"phone", "declared_income"}
    assert all(i.text("id") and i.text("en") for i in info.value.issues)
    with core.db.read() as s:
        assert s.get(Worker, worker.id).phone == "+6281234567890"
    assert not ops(core, "worker.update") and not audits(core, "worker.correct")


@pytest.mark.parametrize("reason", ["", "   ", "abc"])
def test_correction_needs_a_reason(core, user, worker, reason):
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, user, worker.id, {"address": "Jl. Baru"}, reason)
    assert info.value.code == "privacy.reason_required"
    assert "5" in info.value.text("en")


def test_no_change_and_unknown_field_are_refused(core, user, worker):
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, user, worker.id, {"phone": "0812-3456-7890"}, "Cek ulang data")
    assert info.value.code == "privacy.no_change"
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, user, worker.id, {"kpj": "12345678901"}, "Cek ulang data")
    assert info.value.code == "privacy.field_unknown"


def test_nik_change_only_for_a_supervisor(core, user, supervisor, worker):
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, user, worker.id, {"nik": "7371014107900002"}, "Salah ketik NIK")
    assert info.value.code == "access.denied"
    fixed = privacy.correct_worker(core, supervisor, worker.id, {"nik": "7371014107900002"},
                                   "Salah ketik NIK")
    assert fixed.nik == "7371014107900002"
    assert core.workers.find_by_nik("7371014107900002").id == worker.id  # search index follows
    (entry,) = audits(core, "worker.correct")
    assert json.loads(entry.old) == {"nik": "7371014107900001"}


def test_nik_change_must_agree_with_birth_date_and_sex(core, supervisor, worker):
    # Day 01 means a man: the record says a woman born on the 1st.
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, supervisor, worker.id, {"nik": "7371010107900001"}, "Salah ketik NIK")
    assert any(i.field == "nik" for i in info.value.issues)


def test_nik_change_to_a_known_nik_is_refused(core, user, supervisor, worker):
    core.workers.register(user, make_form(nik="7371014107900002", full_name="Nur Aisyah"))
    with pytest.raises(ServiceError) as info:
        privacy.correct_worker(core, supervisor, worker.id, {"nik": "7371014107900002"}, "Salah ketik NIK")
    assert info.value.code == "worker.nik_exists"


def test_old_participant_can_still_be_corrected(core, user, clock):
    # Registered at 64; two years later a phone correction must not trip the age rule.
    worker = core.workers.register(user, make_form(nik="7371014107620001",
                                                   birth_date=date(1962, 7, 1)))
    clock.advance(days=730)
    fixed = privacy.correct_worker(core, user, worker.id, {"phone": "081299998888"}, "Ganti nomor")
    assert fixed.phone == "+6281299998888"


# --- deletion request ------------------------------------------------------------------


def test_deletion_request_is_recorded_queued_and_only_once(core, user, worker):
    record = privacy.request_deletion(core, user, worker.id, "Peserta minta data dihapus")
    assert privacy.deletion_request(core, worker.id) == record
    (op,) = ops(core, "worker.deletion_request")
    payload = json.loads(op.payload)
    protocol.DeletionRequestPayload.model_validate(payload)  # what the server parses
    assert payload == {"id": worker.id, "reason": "Peserta minta data dihapus",
                       "requested_at": record["at"], "by": user.id}
    assert len(audits(core, "worker.deletion_request")) == 1
    with pytest.raises(ServiceError) as info:
        privacy.request_deletion(core, user, worker.id, "Sekali lagi ya")
    assert info.value.code == "privacy.deletion_exists"
    assert len(ops(core, "worker.deletion_request")) == 1
    # The record itself stays until the server carries the request out.
    assert core.workers.find_by_nik(worker.nik) is not None


def test_deletion_request_for_unknown_worker(core, user):
    with pytest.raises(ServiceError) as info:
        privacy.request_deletion(core, user, "nope", "Peserta minta data dihapus")
    assert info.value.code == "worker.not_found"


# --- data copy -------------------------------------------------------------------------


def test_data_copy_holds_profile_consent_payments_history_and_is_audited(core, user, worker):
    core.payments.collect(user, worker.id, 1, "cash")
    privacy.correct_worker(core, user, worker.id, {"address": "Jl. Veteran 9"}, "Pindah rumah")
    data = privacy.export_participant_data(core, user, worker.id, "id")
    assert data["profile"]["nik"] == "7371014107900001"
    assert data["profile"]["kelurahan"] and data["profile"]["kecamatan"] != "7371010"
    assert data["consent"]["version"] == core.ref.consent.version
    assert data["consent"]["by"] == "Besse Agen" and data["consent"]["text"]
    assert [p["kind"] for p in data["payments"]] == ["payment"]
    actions = [h["action"] for h in data["history"]]
    assert actions == ["worker.register", "payment.collect", "worker.correct"]
    assert data["history"][-1]["fields"] == ["address"]
    (entry,) = audits(core, "export")
    assert entry.entity_id == worker.id and entry.user_id == user.id


# --- audit batch -----------------------------------------------------------------------


def test_audit_batch_packs_unsynced_entries_once(core, user, worker):
    core.workers.record_view(user, worker.id)
    with core.db.read() as s:
        unsynced = s.exec(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.synced == False)).one()  # noqa: E712
    assert unsynced >= 2  # worker.register, worker.view
    assert privacy.queue_audit_batch(core, user) == unsynced
    (op,) = ops(core, "audit.batch")
    payload = json.loads(op.payload)
    protocol.DocumentPayload.model_validate(payload)
    assert op.entity_id == payload["id"]
    assert "worker.view" in [e["action"] for e in payload["entries"]]
    assert privacy.queue_audit_batch(core, user) == 0
    assert len(ops(core, "audit.batch")) == 1


def test_audit_batch_splits_large_logs(core, user, worker):
    for _ in range(5):
        core.workers.record_view(user, worker.id)
    count = privacy.queue_audit_batch(core, user, batch_size=2)
    batches = ops(core, "audit.batch")
    assert len(batches) == (count + 1) // 2
    assert sum(len(json.loads(b.payload)["entries"]) for b in batches) == count
