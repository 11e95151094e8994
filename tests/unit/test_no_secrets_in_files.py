"""After a realistic working session, no file in the data directory holds a password, the
database key, or a participant's NIK or name in a readable form (UU PDP: a stolen laptop
with a readable database is a breach)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from agent_app.logs import setup_logging, shutdown_logging
from agent_app.paths import app_paths
from agent_app.services import privacy, retention
from agent_app.services.base import ServiceError
from agent_app.services.core import AgentCore
from agent_app.store.db import open_database
from agent_app.store.keys import open_store
from agent_app.store.models import Meta
from tests.helpers.forms import make_form

SUPERVISOR_PASSWORD = "Sentinel-Spv-Pw-4417"
AGENT_PASSWORD = "Sentinel-Agen-Pw-9203"
WRONG_PASSWORD = "Sentinel-Typo-Pw-5560"
NIK = "7371015507850002"  # a woman born 15 July 1985 in Mariso
NAME = "Sentinelia Hasnawati"
IMPORT_NIK = "7371015507850003"
IMPORT_NAME = "Importina Sentinela"
PHONE = "081377665544"


def leaks(root: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    """(file, needle name) for every needle found in any file under root, as UTF-8 and
    UTF-16 (Windows tools write that)."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name, needle in needles.items():
            variants = {needle, needle.lower(), needle.upper()}
            try:
                variants.add(needle.decode("utf-8").encode("utf-16-le"))
            except UnicodeDecodeError:
                pass
            if any(v in data for v in variants):
                found.append((str(path.relative_to(root)), name))
    return found


def working_session(paths, clock, outside: Path) -> None:
    db = open_store(paths)
    core = AgentCore(db, clock=clock)
    try:
        core.users.create_user(username="spv", full_name="Andi Supervisor", role="supervisor",
                               password=SUPERVISOR_PASSWORD)
        spv = core.users.authenticate("spv", SUPERVISOR_PASSWORD)
        core.users.create_user(username="besse", full_name="Besse Agen", role="agent",
                               password=AGENT_PASSWORD, kecamatan_code="7371010", actor=spv)
        with pytest.raises(ServiceError):
            core.users.authenticate("besse", WRONG_PASSWORD)
        agent = core.users.authenticate("besse", AGENT_PASSWORD)
        assert core.users.verify_password(agent, AGENT_PASSWORD)
        worker = core.workers.register(agent, make_form(
            nik=NIK, full_name=NAME, birth_date=date(1985, 7, 15), phone=PHONE))
        core.workers.record_view(agent, worker.id)
        payment = core.payments.collect(agent, worker.id, 3, "cash")
        core.payments.void(agent, payment.id, "salah jumlah bulan")
        core.payments.collect(agent, worker.id, 1, "qris")
        privacy.correct_worker(core, agent, worker.id, {"address": "Jl. Rahasia 7"}, "Pindah rumah")
        copy = privacy.export_participant_data(core, agent, worker.id)
        assert copy["profile"]["nik"] == NIK
        source = outside / "daftar-apbd.csv"
        source.write_text(
            "nik,nama,tanggal_lahir,jenis_kelamin,alamat,kelurahan,pekerjaan,penghasilan,persetujuan\n"
            f"{IMPORT_NIK},{IMPORT_NAME},15/07/1985,P,Jl. Impor 1,Bontorannu,Pedagang pasar,1500000,ya\n",
            encoding="utf-8")
        report = core.importer.preview(source)
        assert core.importer.commit(spv, report) == 1
        report.write_csv(outside / "laporan-impor.csv")  # the user's export: outside the data dir
        privacy.request_deletion(core, agent, worker.id, "Peserta minta data dihapus")
        privacy.queue_audit_batch(core, agent)
        retention.purge_expired(core, agent)
        logging.getLogger("perisai.test").info("session done for %s", agent.username)
        # The kind of line a careless developer writes: the masking must catch it.
        logging.getLogger("perisai.test").warning("check nik=%s password=%s", NIK, AGENT_PASSWORD)
    finally:
        core.close()


def test_no_password_key_nik_or_name_in_any_file_of_the_data_dir(tmp_path, clock, memory_keyring):
    paths = app_paths(tmp_path / "data")
    outside = tmp_path / "Documents"
    outside.mkdir()
    log_file = setup_logging(paths.logs, level=logging.DEBUG)
    try:
        working_session(paths, clock, outside)
        # Reopen (as the next start does): the backup, WAL and recovery files all exist now.
        db = open_store(paths)
        with db.read() as s:
            assert s.get(Meta, "device_id") is not None
        db.close()
    finally:
        shutdown_logging()
    (key_hex,) = memory_keyring.secrets.values()
    assert log_file.stat().st_size > 0  # the scan below covers a real log
    assert paths.database.stat().st_size > 0
    needles = {
        "supervisor password": SUPERVISOR_PASSWORD.encode(),
        "agent password": AGENT_PASSWORD.encode(),
        "mistyped password": WRONG_PASSWORD.encode(),
        "db key (hex)": key_hex.encode(),
        "db key (raw)": bytes.fromhex(key_hex),
        "NIK": NIK.encode(),
        "name": NAME.encode(),
        "imported NIK": IMPORT_NIK.encode(),
        "imported name": IMPORT_NAME.encode(),
        "phone": PHONE[1:].encode(),  # stored +6281377665544
    }
    files = [p.name for p in paths.root.rglob("*") if p.is_file()]
    assert "perisai.db" in files and "key-recovery.json" in files
    assert leaks(paths.root, needles) == []
    # The user's own exports hold the people (by design), never the secrets.
    assert leaks(outside, {k: v for k, v in needles.items() if "password" in k or "key" in k}) == []


def test_the_scan_does_find_a_plaintext_store(tmp_path):
    """The scanner is not blind: an unencrypted database shows the sentinel."""
    db = open_database(tmp_path / "plain.db")
    with db.write() as s:
        s.add(Meta(key="x", value=NAME))
    db.close()
    assert ("plain.db", "name") in leaks(tmp_path, {"name": NAME.encode()})
