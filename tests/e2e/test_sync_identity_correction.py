"""A supervisor corrects a participant's NIK on the laptop; the centre makes it a case, an
administrator decides it on the web console's review page, and the laptop learns the
outcome at its next sync (the real server on 127.0.0.1, a real device store, the console
over real HTTP). Before, the app said "saved" and the centre refused the correction for
good (``field_not_updatable``)."""

from __future__ import annotations

import re
from datetime import date

import httpx

from agent_app.services.privacy import correct_worker
from agent_app.store.models import OutboxOp, Worker
from sync.engine import attention_items
from tests.helpers.central import seed_user
from tests.helpers.console import csrf_of, sign_in

from .conftest import KECAMATAN, PASSWORD, nik_for, register

BIRTH = date(1977, 6, 29)  # no other test of the shared centre registers it


def _corrected(central, device, name: str, serial: int):
    """A supervisor's laptop with a synced participant whose NIK they corrected and synced."""
    seed_user(central.db_url, name, PASSWORD, role="supervisor", kecamatan=KECAMATAN, full_name="Supervisor Mariso")
    dev = device(name, name)
    worker = register(dev, serial, birth=BIRTH)
    assert dev.engine().sync_round().state == "up_to_date"
    new_nik = nik_for(BIRTH, "M", serial + 1)
    correct_worker(dev.core, dev.user, worker.id, {"nik": new_nik, "phone": "081299990000"},
                   "NIK salah ketik, dilihat dari KTP")
    report = dev.engine().sync_round()
    assert report.needs_review == 1 and report.rejected == 0, report
    [item] = [i for i in attention_items(dev.db, dev.user.id) if i.worker_id == worker.id]
    assert item.state == "needs_review"
    assert "menunggu keputusan admin pusat" in item.reason("id")
    with dev.db.read() as s:  # until the centre decides, its record stands; the phone applied
        row = s.get(Worker, worker.id)
        assert (row.nik, row.phone) == (worker.nik, "+6281299990000")
    return dev, worker, new_nik


def _console_decides(central, worker_id: str, decision: str, reason: str) -> str:
    seed_user(central.db_url, f"admin.{decision}", PASSWORD, role="admin", kecamatan=None)
    http = httpx.Client(base_url=central.base_url, timeout=10)
    signed = sign_in(http, f"admin.{decision}", PASSWORD)
    assert signed.status_code == 303, signed.text[-3000:]
    page = http.get("/console/review").text
    [(review_id,)] = central.query("SELECT id FROM review_queue WHERE status = 'open' AND participant_id = :p",
                                   p=worker_id)
    case = re.search(rf'id="case-{review_id}">(.*?)</article>', page, re.S).group(1)
    r = http.post(f"/console/review/{review_id}", data={"decision": decision, "reason": reason,
                                                       "csrf": csrf_of(page)})
    http.close()
    assert r.status_code == 303 and r.headers["location"] == f"/console/review?decided={review_id}"
    return case


def test_a_correction_applied_at_the_centre_reaches_the_laptop(central, device):
    dev, worker, new_nik = _corrected(central, device, "spv.koreksi1", 8101)
    case = _console_decides(central, worker.id, "apply", "KTP asli sudah diperiksa")
    assert new_nik in case and worker.nik in case and "Supervisor Mariso" in case
    assert dev.engine().sync_round().state == "up_to_date"
    assert not [i for i in attention_items(dev.db, dev.user.id) if i.worker_id == worker.id]
    with dev.db.read() as s:
        assert s.get(Worker, worker.id).nik == new_nik
        assert s.get(Worker, worker.id).sync_state == "synced"
        ops = s.exec(OutboxOp.__table__.select().where(OutboxOp.entity_id == worker.id,
                                                       OutboxOp.kind == "worker.update")).all()
        assert [op.state for op in ops] == ["acked"]


def test_a_refused_correction_waits_in_perlu_perhatian_with_the_reason(central, device):
    dev, worker, _new_nik = _corrected(central, device, "spv.koreksi2", 8201)
    _console_decides(central, worker.id, "reject", "NIK di KTP sama dengan data lama")
    dev.engine().sync_round()
    [item] = [i for i in attention_items(dev.db, dev.user.id) if i.worker_id == worker.id]
    assert item.state == "rejected" and item.code == "correction_rejected"
    assert item.reason("id") == ("Koreksi NIK, tanggal lahir atau jenis kelamin ditolak admin pusat: "
                                 "NIK di KTP sama dengan data lama")
    assert "refused by the central administrators" in item.reason("en")
    with dev.db.read() as s:
        row = s.get(Worker, worker.id)
        assert (row.nik, row.sync_state) == (worker.nik, "synced")  # the centre's record, as it was
