"""The commit of an import: all or nothing, nothing of it queued before it is decided,
other writes go on meanwhile, a crash is finished or discarded by the next start."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from filelock import FileLock
from sqlmodel import col, func, select

from agent_app.services import importer as importer_module
from agent_app.services.base import ServiceError, to_json
from agent_app.services.core import AgentCore
from agent_app.services.reports import CancelToken
from agent_app.services.workers import worker_payload
from agent_app.store.models import AuditEntry, ImportBatch, OutboxOp, StagedWorker, Worker
from perisai_protocol import canonical_json, payload_hash
from tests.helpers.forms import make_form, make_list

REPO = Path(__file__).resolve().parents[3]


def counts(core) -> dict[str, int]:
    with core.db.read() as s:
        return {name: s.exec(select(func.count()).select_from(model)).one()
                for name, model in (("workers", Worker), ("ops", OutboxOp), ("audit", AuditEntry),
                                    ("staged", StagedWorker), ("batches", ImportBatch))}


def seqs(core, user_id: str) -> list[int]:
    with core.db.read() as s:
        return sorted(s.exec(select(OutboxOp.seq).where(OutboxOp.user_id == user_id)))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer_module, "STAGE_CHUNK", 7)
    monkeypatch.setattr(importer_module, "PUBLISH_CHUNK", 5)
    monkeypatch.setattr(importer_module, "PUBLISH_MAX", 5)


def test_nothing_shows_or_is_queued_while_staging_and_cancel_leaves_nothing(
        core, clerk, tmp_path, small_chunks):
    report = core.importer.preview(make_list(tmp_path / "daftar.csv", 30))
    before = counts(core)
    token = CancelToken()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(counts(core))  # another reader, between the import's transactions
        if done >= 14:
            token.cancel()

    with pytest.raises(ServiceError) as info:
        core.importer.commit(clerk, report, progress=progress, cancel=token)
    assert info.value.text("id") == "Dibatalkan"
    assert any(c["staged"] for c in seen), "rows were staged before the cancel"
    assert all((c["workers"], c["ops"]) == (before["workers"], before["ops"]) for c in seen)
    assert counts(core) == before


def test_other_writes_go_on_between_chunks_and_seqs_stay_gapless(core, clerk, tmp_path, small_chunks):
    report = core.importer.preview(make_list(tmp_path / "daftar.csv", 30))
    registered = []

    def progress(done: int, total: int) -> None:
        if done > 30 and len(registered) < 3:  # publishing: the same clerk registers someone
            form = make_form(nik=f"737101410790{len(registered) + 2:04d}")
            registered.append(core.workers.register(clerk, form))

    assert core.importer.commit(clerk, report, progress=progress) == 30
    assert len(registered) == 3
    assert counts(core) | {"staged": 0} == {"workers": 33, "ops": 33, "audit": counts(core)["audit"],
                                            "staged": 0, "batches": 0}
    assert seqs(core, clerk.id) == list(range(1, 34))
    with core.db.read() as s:
        register_audits = s.exec(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "worker.register")).one()
    assert register_audits == 33
    # The search index follows: every imported worker is found by name.
    first = report.valid[0].form
    from agent_app.services.workers import WorkerQuery

    assert any(r.nik == first.nik for r in core.workers.search(WorkerQuery(text=first.full_name)))


def test_a_nik_being_published_is_taken_for_registrations(core, clerk, tmp_path, small_chunks):
    report = core.importer.preview(make_list(tmp_path / "daftar.csv", 20))
    forms = {row.form.nik: row.form for row in report.valid if row.form}
    refused = []

    def progress(done: int, total: int) -> None:
        if done == 25 and not refused:  # publishing: 5 rows visible, 15 not yet
            with core.db.read() as s:
                waiting = s.exec(select(StagedWorker.nik).where(
                    col(StagedWorker.worker_id).not_in(select(Worker.id)))).all()
            assert len(waiting) == 15
            refused.append(waiting[-1])
            form = forms[waiting[-1]]
            with pytest.raises(ServiceError) as info:
                core.workers.register(clerk, make_form(
                    nik=form.nik, full_name=form.full_name, birth_date=form.birth_date,
                    sex=form.sex, kelurahan_code=form.kelurahan_code))
            refused.append(info.value.code)

    core.importer.commit(clerk, report, progress=progress)
    nik = refused[0]
    assert refused == [nik, "worker.nik_exists"]
    with core.db.read() as s:
        assert s.exec(select(func.count()).select_from(Worker).where(Worker.nik == nik)).one() == 1


def test_one_import_at_a_time(core, clerk, tmp_path):
    report = core.importer.preview(make_list(tmp_path / "daftar.csv", 3))
    with FileLock(core.importer.lock_path):  # another process importing into this store
        with pytest.raises(ServiceError) as info:
            core.importer.commit(clerk, report)
    assert info.value.code == "import.busy" and "Another import" in info.value.text("en")
    assert counts(core)["workers"] == 0
    assert core.importer.commit(clerk, report) == 3


CRASHING_IMPORT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from agent_app.services import importer
    from agent_app.services.core import AgentCore
    from tests.helpers.forms import NOW, PASSWORD
    from agent_app.services.base import FixedClock

    importer.STAGE_CHUNK, importer.PUBLISH_CHUNK, importer.PUBLISH_MAX = 7, 5, 5
    core = AgentCore.open(Path(sys.argv[1]), clock=FixedClock(NOW))
    clerk = core.users.authenticate("loket", PASSWORD)
    report = core.importer.preview(Path(sys.argv[2]))
    crash_at = int(sys.argv[3])

    def progress(done, total):
        if done >= crash_at:
            os._exit(9)  # the process dies: no rollback, no cleanup, no lock release

    core.importer.commit(clerk, report, progress=progress)
""")


@pytest.mark.parametrize("crash_at, imported", [(14, 0), (40, 30)],
                         ids=["while staging: discarded", "while publishing: finished"])
def test_a_crash_is_discarded_or_finished_by_the_next_start(tmp_path, clock, clerk, core,
                                                             crash_at, imported):
    path = core.db.path
    core.close()
    listing = make_list(tmp_path / "daftar.csv", 30)
    child = subprocess.run([sys.executable, "-c", CRASHING_IMPORT, str(path), str(listing),
                            str(crash_at)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert child.returncode == 9, child.stderr
    reopened = AgentCore.open(path, clock=clock)  # the next start
    try:
        after = counts(reopened)
        assert (after["staged"], after["batches"]) == (0, 0)
        assert (after["workers"], after["ops"]) == (imported, imported)
        assert seqs(reopened, clerk.id) == list(range(1, imported + 1))
        if not imported:  # nothing half-done is in the way of importing it again
            assert reopened.importer.commit(clerk, reopened.importer.preview(listing)) == 30
    finally:
        reopened.close()



def test_every_imported_worker_is_queued_and_audited_as_a_registration(core, clerk, tmp_path):
    listing = make_list(tmp_path / "daftar.csv", 12)
    with listing.open("a", encoding="utf-8", newline="") as handle:  # accents and quotes
        handle.write('7371014107900001,Andi Nur\'aini Daéng Ṭayyibah,01/07/1990,P,'
                     '081234567890,"Jl. Sultan Alauddin — Blok ""C"" \u2018D\u2019",Bontorannu,'
                     'Pedagang pasar,1500000,tidak,APBD,ya\n')
    report = core.importer.preview(listing)
    assert len(report.valid) == 13, [row.messages("en") for row in report.refused]
    core.importer.commit(clerk, report)
    core.workers.register(clerk, make_form(nik="7371014107900002"))  # one registration
    with core.db.read() as s:
        workers = {w.id: w for w in s.exec(select(Worker))}
        ops = {op.entity_id: op for op in s.exec(select(OutboxOp))}
        audits = {a.entity_id: a for a in s.exec(select(AuditEntry)
                                                 .where(AuditEntry.action == "worker.register"))}
    assert len(workers) == len(ops) == len(audits) == 14
    for worker_id, worker in workers.items():
        payload = worker_payload(worker)
        op, entry = ops[worker_id], audits[worker_id]
        assert (op.kind, op.user_id, op.state) == ("worker.register", clerk.id, "pending")
        assert op.payload == canonical_json(payload)  # byte for byte
        assert op.payload_hash == payload_hash(payload)
        assert (entry.user_id, entry.entity, entry.new) == (clerk.id, "worker", to_json(payload))
    assert any("Ṭayyibah" in op.payload for op in ops.values())
    assert sorted(op.seq for op in ops.values()) == list(range(1, 15))


def test_a_batch_staged_by_the_previous_version_is_finished(core, clerk):
    """Before operation ids were staged, a staged row held the worker columns alone."""
    form = make_form()
    now = core.clock.stamp()
    worker = core.workers.worker_row(form, clerk.id, now=now, today=core.clock.today())
    with core.db.write() as s:
        s.add(ImportBatch(id="b1", user_id=clerk.id, created_at=now, state="publishing", rows=1))
        s.flush()
        s.add(StagedWorker(batch_id="b1", position=0, nik=worker["nik"], worker_id=worker["id"],
                           data=json.dumps(worker)))
    assert core.importer.recover() == 1
    assert counts(core) | {"audit": 0} == {"workers": 1, "ops": 1, "audit": 0, "staged": 0,
                                           "batches": 0}
    assert core.workers.find_by_nik(form.nik).id == worker["id"]
