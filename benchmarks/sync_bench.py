"""Sync benchmarks (a script, not a test). Everything on 127.0.0.1, seeded.

    .venv/bin/python benchmarks/sync_bench.py                      # the full run
    .venv/bin/python benchmarks/sync_bench.py --ops 1000 --slow-ops 500 --devices 20

1. push N operations to a loopback server with the engine (gzip batches, adaptive size)
   beside a one-operation-per-request baseline (plain JSON, same keep-alive session) in the
   same run: time, ops/s, requests, bytes/op raw and gzip;
2. drain time of --slow-ops operations through the fault proxy at 384 kbit/s + 400 ms RTT
   and 100 kbit/s + 700 ms RTT, with 5 % of requests' connections reset;
   and a rural 2G link at 250 B/s: 40 queued operations drained by scheduled
   ``sync --once`` runs (target: within 5 minutes), beside the link's floor;
3. the centre restored from a backup: each device's next round puts back what the centre
   lost (--restore-devices devices, 10 operations lost each), beside a normal round;
4. a load run of --devices simulated devices, spread over the city's kelurahan, pushing and
   pulling at once against --server-workers server processes (SQLite, or PostgreSQL when
   PERISAI_BENCH_PG_URL is set): ops/s, request latency p50/p95, and a check that every
   operation is on the server exactly once; beside the server's pace, the floor measured
   right after it: the registrations per second the database alone takes from two
   connections (the rows the server writes for each, in batches), and the ratio.
   Then a second window, the light client's (``light_client_window``; ``--skip replay``
   leaves it out): each device queues as many registrations again, and the requests its
   engine sends in its next round (the push, then the pull) are recorded; a light load
   generator in a process of its own sends them again byte for byte, all devices at once,
   so the centre's pace is measured as the floor is, without the simulated devices'
   CPU on the machine; then every device drains for real (the centre answers duplicates)
   and every operation must still be on the server exactly once.

    PERISAI_BENCH_PG_URL=postgresql+psycopg2://perisai:perisai@127.0.0.1:5432/perisai_bench \
        .venv/bin/python benchmarks/sync_bench.py --skip batch --skip slow --server-workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PASSWORD = "rahasia-bench-2026"
KECAMATAN, KELURAHAN = "7371010", "73710101001"
LIGHT_CLIENT_SERIAL0 = 3_000_000  # the light client's window registers NIKs of its own


def _cheap_hashing() -> None:
    """The benchmark measures sync, not argon2 (hashes carry their own parameters)."""
    from argon2 import PasswordHasher

    import agent_app.services.users as users
    import central_server.auth as server_auth

    users._hasher = server_auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1)


def _keyring() -> None:
    """Tokens of the simulated devices live in this process only."""
    import keyring
    from keyring.backend import KeyringBackend

    class BenchKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.data: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.data.get((service, username))

        def set_password(self, service, username, password):
            self.data[(service, username)] = password

        def delete_password(self, service, username):
            self.data.pop((service, username), None)

    keyring.set_keyring(BenchKeyring())


def _device(tmp: Path, name: str, base_url: str, username: str):
    import io

    from agent_app.services.core import AgentCore
    from sync import headless

    core = AgentCore.open(tmp / name / "p.db")
    rc = headless.login(core, base_url, username, PASSWORD, out=io.StringIO())
    if rc != 0:
        raise SystemExit(f"login failed for {username}: {rc}")
    user = core.users.authenticate(username, PASSWORD)
    return core, user


def fill_outbox(core, user, n: int, *, serial0: int = 0, kecamatan: str = KECAMATAN,
                kelurahan: str = KELURAHAN) -> None:
    """n worker.register operations (valid for the server), written like the service does."""
    from agent_app.domain.reference import search_key
    from agent_app.services.base import enqueue
    from agent_app.services.workers import worker_payload
    from agent_app.store.models import Worker

    now = core.clock.stamp()
    start = date(1970, 1, 1)
    done = 0
    while done < n:
        with core.db.write() as s:
            for _ in range(min(1000, n - done)):
                i = serial0 + done
                birth = start + timedelta(days=i // 9000)
                sex = "M" if i % 2 else "F"
                day = birth.day + (40 if sex == "F" else 0)
                nik = f"{kecamatan[:6]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{i % 9000 + 1:04d}"
                name = "Peserta " + "".join("abcdefghij"[int(c)] for c in str(i)).capitalize()
                w = Worker(
                    id=str(uuid.uuid4()), nik=nik, full_name=name, name_key=search_key(name),
                    birth_date=birth.isoformat(), sex=sex, phone="+6281234567890",
                    address="Jl. Nuri No. 7, Makassar", kecamatan_code=kecamatan,
                    kelurahan_code=kelurahan, occupations=json.dumps(["Pedagang pasar"]),
                    policy_sector="other", declared_income=1_500_000,
                    programmes=json.dumps({"jkk": "self", "jkm": "self"}, sort_keys=True),
                    consent_version=core.ref.consent.version, consent_at=now,
                    consent_user_id=user.id, registered_at=now, registered_by=user.id,
                    registration_month=now[:7], updated_at=now,
                )
                s.add(w)
                enqueue(s, user_id=user.id, kind="worker.register", entity_id=w.id,
                        payload=worker_payload(w), now=now)
                done += 1


def _engine(core, base_url, username, client=None, **kw):
    from sync.client import SyncClient
    from sync.headless import make_engine

    return make_engine(core, base_url, username, client=client or SyncClient(base_url),
                       rng=random.Random(1), **kw)


def bench_batched_vs_single(tmp: Path, base_url: str, n: int) -> dict:
    import gzip

    import requests

    import perisai_protocol as protocol
    from sync.credentials import TokenStore

    # Batched: the engine as the app runs it.
    core, user = _device(tmp, "batched", base_url, "bench1")
    fill_outbox(core, user, n, serial0=0)
    engine = _engine(core, base_url, "bench1")
    from sync.rounds import RoundReport

    engine.startup_recovery()
    t0 = time.perf_counter()
    engine.pusher.push_all(RoundReport(), None)  # push until drained (what the baseline does)
    batched_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    report = engine.sync_round()  # then the pull of everything just pushed
    pull_s = time.perf_counter() - t1
    batched = {
        "state": report.state, "ops": n, "seconds": round(batched_s, 2),
        "then_pull_seconds": round(pull_s, 2), "pulled": report.pulled,
        "ops_per_s": round(n / batched_s, 1), "requests": engine.client.requests_sent,
        "bytes_per_op_gzip": round(engine.client.bytes_sent / n, 1),
    }
    # Raw (uncompressed) size of the same batches, for the bytes/op comparison.
    from sqlmodel import select

    from agent_app.store.models import OutboxOp

    with core.db.read() as s:
        ops = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
    raw_total = gz_total = 0
    for i in range(0, len(ops), 100):
        chunk = ops[i:i + 100]
        body = json.dumps({"batch_id": uuid.uuid4().hex, "device_id": core.device_id,
                           "ops": [dict(op_id=o.op_id, seq=o.seq, kind=o.kind,
                                        entity_id=o.entity_id, schema_version=1,
                                        payload=json.loads(o.payload),
                                        payload_hash=o.payload_hash) for o in chunk]},
                          separators=(",", ":")).encode()
        raw_total += len(body)
        gz_total += len(gzip.compress(body, 6))
    batched["bytes_per_op_raw_batch100"] = round(raw_total / n, 1)
    batched["bytes_per_op_gzip_batch100"] = round(gz_total / n, 1)
    core.close()

    # Baseline: one op per request, plain JSON, same keep-alive session.
    core, user = _device(tmp, "single", base_url, "bench2")
    fill_outbox(core, user, n, serial0=n)
    token = TokenStore(base_url).get("bench2").access_token
    with core.db.read() as s:
        ops = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
    session = requests.Session()
    sent = 0
    t0 = time.perf_counter()
    for o in ops:
        body = json.dumps({"batch_id": uuid.uuid4().hex, "device_id": core.device_id,
                           "ops": [dict(op_id=o.op_id, seq=o.seq, kind=o.kind,
                                        entity_id=o.entity_id, schema_version=1,
                                        payload=json.loads(o.payload),
                                        payload_hash=o.payload_hash)]},
                          separators=(",", ":")).encode()
        sent += len(body)
        r = session.post(base_url + protocol.API_PREFIX + "/push", data=body, timeout=30,
                         headers={"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"})
        r.raise_for_status()
    single_s = time.perf_counter() - t0
    core.close()
    single = {"ops": n, "seconds": round(single_s, 2), "ops_per_s": round(n / single_s, 1),
              "requests": n, "bytes_per_op_raw": round(sent / n, 1)}
    return {
        "batched": batched, "one_per_request": single,
        "speedup": round(single_s / batched_s, 2),
        "bytes_ratio": round(single["bytes_per_op_raw"] / batched["bytes_per_op_gzip"], 2),
    }


def bench_slow_link(tmp: Path, base_url: str, n: int, *, bytes_per_s: int, rtt_ms: int,
                    reset_p: float, name: str, username: str, seed: int = 7) -> dict:
    from sync.client import SyncClient
    from tests.helpers.faultproxy import FaultProxy

    u = urlparse(base_url)
    with FaultProxy(u.hostname, u.port, seed=seed) as proxy:
        core, user = _device(tmp, name, proxy.url, username)
        fill_outbox(core, user, n, serial0=hash(name) % 50 * 10_000 + 300_000)
        proxy.latency_ms = rtt_ms / 2
        proxy.bandwidth = bytes_per_s
        proxy.reset_probability = reset_p
        engine = _engine(core, proxy.url, username,
                         client=SyncClient(proxy.url, connect_timeout=10, read_timeout=30,
                                           deadline=120),
                         backoff_base=0.5, backoff_cap=5)
        from sync.rounds import RoundReport, Stop

        engine.startup_recovery()
        t0 = time.perf_counter()
        rounds = 0
        while engine.pending_count() and rounds < 500:  # push until drained, with backoff
            rounds += 1
            try:
                engine.pusher.push_all(RoundReport(), None)
            except Stop as stop:
                engine.failures += 1
                time.sleep(engine.backoff_delay(stop.retry_after))
        seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        report = engine.drain(max_rounds=50)  # the pull (this scope's whole history)
        pull_seconds = time.perf_counter() - t1
        from sqlmodel import func, select

        from agent_app.store.models import OutboxOp

        with core.db.read() as s:
            attempts = s.exec(select(func.sum(OutboxOp.attempts))).one() or 0
            acked = s.exec(select(func.count()).select_from(OutboxOp)
                           .where(OutboxOp.state == "acked")).one()
        core.close()
        return {"ops": n, "acked": acked, "state": report.state, "push_seconds": round(seconds, 1),
                "then_pull_seconds": round(pull_seconds, 1), "pulled": report.pulled,
                "per_10000_ops_s": round(seconds * 10_000 / n, 1),
                "requests": engine.client.requests_sent,
                "requests_per_1000_ops": round(engine.client.requests_sent * 1000 / n, 1),
                "resets": proxy.stats["resets"], "retries_per_op": round(attempts / n, 3),
                "seed": seed}


def bench_2g(tmp: Path, base_url: str, *, ops: int = 40, bytes_per_s: int = 250,
             rtt_ms: int = 700, target_s: float = 300.0) -> dict:
    """A rural 2G link: ``ops`` queued operations (half registrations, half payments)
    through the fault proxy at ``bytes_per_s``, drained by scheduled ``sync --once`` runs
    (a new engine and client each time, the app's timeouts), one after the other. Beside
    it, the floor: the time the link needs for the batch and its answer alone."""
    import gzip

    from sqlmodel import select

    import perisai_protocol as protocol
    from agent_app.store.models import OutboxOp, Worker
    from sync.client import SyncClient
    from tests.helpers.faultproxy import FaultProxy

    u = urlparse(base_url)
    with FaultProxy(u.hostname, u.port, seed=250) as proxy:
        core, user = _device(tmp, "twog", proxy.url, "twog")
        fill_outbox(core, user, ops // 2, serial0=900_000)
        with core.db.read() as s:
            workers = [w.id for w in s.exec(select(Worker))]
        for worker_id in workers[: ops - ops // 2]:
            core.payments.collect(user, worker_id, 1, "cash")
        with core.db.read() as s:
            queued = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
        body = SyncClient.encode_push(protocol.PushRequest(
            batch_id=uuid.uuid4().hex, device_id=core.device_id, ops=[protocol.Operation(
                op_id=o.op_id, seq=o.seq, kind=o.kind, entity_id=o.entity_id, schema_version=1,
                payload=json.loads(o.payload), payload_hash=o.payload_hash) for o in queued]))
        answer = gzip.compress(json.dumps([{"op_id": o.op_id, "status": "applied", "assigned": {
            "kpj": "00000000001", "canonical_id": o.entity_id}} for o in queued]).encode())
        floor = (len(body) + len(answer)) / bytes_per_s + rtt_ms / 1000
        proxy.bandwidth, proxy.latency_ms = bytes_per_s, rtt_ms / 2
        runs = []
        t0 = time.perf_counter()
        while len(runs) < 20:
            engine = _engine(core, proxy.url, "twog", client=SyncClient(proxy.url))
            report = engine.sync_round()
            runs.append(f"{report.state}:{report.acked}")
            if report.state == "up_to_date" and report.pending == 0:
                break
        seconds = time.perf_counter() - t0
        with core.db.read() as s:
            acked = sum(1 for o in s.exec(select(OutboxOp)) if o.state == "acked")
        core.close()
        return {"link": f"{bytes_per_s} B/s, {rtt_ms} ms RTT", "ops": ops, "acked": acked,
                "drain_s": round(seconds, 1), "target_s": target_s,
                "within_target": acked == ops and seconds <= target_s,
                "floor_s": round(floor, 1), "push_body_bytes": len(body), "runs": runs,
                "bytes_up": proxy.stats["bytes_up"], "bytes_down": proxy.stats["bytes_down"]}


def bench_restore(tmp: Path, devices: int, ops_before: int, ops_after: int) -> dict:
    """The centre restored from last night's backup: how long each device's next round
    takes to put back what the centre lost (every device syncs once, one after the other,
    through a 384 kbit/s + 400 ms link), beside the same device's next, normal round."""
    import subprocess

    from sync.client import SyncClient
    from sync.credentials import TokenStore
    from tests.helpers.central import copy_sqlite, free_port, run_server, seed_user
    from tests.helpers.faultproxy import FaultProxy

    root = tmp / "restore"
    root.mkdir()
    db_path = root / "central.db"
    url, port = f"sqlite:///{db_path}", free_port()
    names = [f"restore{i}" for i in range(devices)]
    cores: list = []
    with run_server(root, port=port, db_url=url) as base:
        for i, name in enumerate(names):
            seed_user(base.db_url, name, PASSWORD, kecamatan=KECAMATAN)
            core, user = _device(tmp, name, base, name)
            fill_outbox(core, user, ops_before, serial0=700_000 + i * 1000)
            assert _engine(core, base, name).sync_round().state == "up_to_date"
            cores.append((core, user))
    copy_sqlite(db_path, root / "backup.db")  # last night's backup
    with run_server(root, port=port, db_url=url) as base:
        for i, (name, (core, user)) in enumerate(zip(names, cores, strict=True)):
            fill_outbox(core, user, ops_after, serial0=700_000 + i * 1000 + ops_before)
            assert _engine(core, base, name).sync_round().state == "up_to_date"
    copy_sqlite(root / "backup.db", db_path)  # the disk died; the backup comes back
    subprocess.run([sys.executable, "-m", "central_server", "new-epoch", "--db", url],
                   check=True, capture_output=True, cwd=REPO)
    repair, normal, resent = [], [], []
    with run_server(root, port=port, db_url=url) as base, \
            FaultProxy("127.0.0.1", port, seed=3) as proxy:
        proxy.latency_ms, proxy.bandwidth = 200, 48_000
        restarted = time.perf_counter()
        for name, (core, _user) in zip(names, cores, strict=True):
            engine = _engine(core, proxy.url, name, client=SyncClient(proxy.url),
                             tokens=TokenStore(base))  # signed in without the proxy
            t0 = time.perf_counter()
            report = engine.sync_round()
            assert report.state == "up_to_date", report
            repair.append(time.perf_counter() - t0)
            resent.append(report.resent)
            t0 = time.perf_counter()
            engine.sync_round()
            normal.append(time.perf_counter() - t0)
        all_done = time.perf_counter() - restarted
        from sqlalchemy import create_engine, text

        server = create_engine(url)
        with server.connect() as conn:
            applied = conn.execute(text("SELECT count(*) FROM applied_ops "
                                        "WHERE kind = 'worker.register'")).scalar_one()
        server.dispose()
    for core, _user in cores:
        core.close()
    return {"devices": devices, "ops_before_backup": ops_before, "ops_lost_each": ops_after,
            "link": "384 kbit/s, 400 ms RTT",
            "repair_round_s_min": round(min(repair), 2),
            "repair_round_s_median": round(statistics.median(repair), 2),
            "repair_round_s_max": round(max(repair), 2),
            "normal_round_s_median": round(statistics.median(normal), 2),
            "resent_each": sorted(set(resent)),
            "all_devices_repaired_after_s": round(all_done, 1),
            "nothing_lost": applied == devices * (ops_before + ops_after)}


def city_scopes() -> list[tuple[str, str]]:
    """(kecamatan, kelurahan) of every kelurahan of Makassar, 7 and 11 digits."""
    from central_server.reference import load_regions

    regions = load_regions(REPO / "resources" / "reference")
    return sorted((kec, kel) for kel, (kec, _name) in regions.kelurahan.items())


def _timed_client(base_url: str, calls: list[tuple[str, float, float]], lock: threading.Lock):
    """The engine's client, recording (kind, start, end) of each push and pull request."""
    from sync.client import SyncClient

    class TimedClient(SyncClient):
        def _timed(self, kind, call, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                with lock:
                    calls.append((kind, t0, time.perf_counter()))

        def push(self, *args, **kwargs):
            return self._timed("push", super().push, *args, **kwargs)

        def pull(self, *args, **kwargs):
            return self._timed("pull", super().pull, *args, **kwargs)

    return TimedClient(base_url)


def _cpu_seconds(root_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (root_pid and its descendants) and by the
    database's processes (named "postgres"), from /proc; empty where there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    procs: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = entry.read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        procs[int(entry.parent.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / ticks)
    if not procs:
        return {}
    server, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _n, _c) in procs.items() if ppid == parent and pid not in server]
        server.update(children)
        frontier.extend(children)
    return {"server": sum(procs[pid][2] for pid in server if pid in procs),
            "database": sum(c for _pp, name, c in procs.values() if name == "postgres")}


def _p(values: list[float], q: float) -> float:
    return round(values[int(q * (len(values) - 1))] * 1000, 1) if values else 0.0


def database_floor(db_url: str, ops: int, *, batch: int = 20, connections: int = 2) -> float:
    """Registrations per second the database alone takes: what the server writes for one
    (its participant, applied-op and change-log rows, as the server shapes them), in
    transactions of ``batch`` from ``connections`` connections at once, each INSERT one
    multi-row statement, into temporary copies of the server's tables (indexes included).
    The floor the load run's pace is compared with, measured in the same run."""
    from sqlalchemy import MetaData, insert, text

    from central_server.db import make_engine
    from central_server.models import AppliedOp, ChangeRow, Participant

    engine = make_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    tables = [(model.__table__, f"floor_{model.__table__.name}") for model in (Participant, AppliedOp, ChangeRow)]
    # A stored worker payload (about 800 bytes as JSON) and a first answer, by size.
    payload = json.dumps({f"field_{i:02d}": "x" * 24 for i in range(27)})
    result = json.dumps({"op_id": "x" * 36, "status": "applied",
                         "assigned": {"kpj": "0" * 11, "canonical_id": "y" * 36}})

    def rows(worker: int, i: int) -> list[list[dict]]:
        wid, now = f"{worker}-{i}-{uuid.uuid4()}", "2026-11-24T10:00:00+00:00"
        seq = worker * 10_000_000 + i
        return [[dict(id=wid, canonical_id=wid, nik=f"7371014107{seq % 10**6:06d}", full_name="Peserta Abc",
                      name_key="peserta abc", birth_date="1990-07-01", kecamatan_code="7371010",
                      kelurahan_code="73710101001", scope_kecamatan="7371010", scope_kelurahan="73710101001",
                      kpj=f"{seq:011d}", review_state="ok", data=payload, registered_by_user="u" * 36,
                      created_at=now, updated_at=now)],
                [dict(op_id=str(uuid.uuid4()), payload_hash="h" * 64, kind="worker.register", entity_id=wid,
                      status="applied", result=result, device_id="d" * 36, user_id="u" * 36, seq=i,
                      applied_at=now)],
                [dict(seq=seq, entity="worker", entity_id=wid, op="upsert", scope_kecamatan="7371010",
                      scope_kelurahan="73710101001", created_at=now)]]

    def run(worker: int, share: int, ready: threading.Barrier) -> None:
        meta = MetaData()
        with engine.connect() as conn:
            copies = []
            for table, name in tables:
                conn.exec_driver_sql(f"CREATE TEMP TABLE {name} AS SELECT * FROM {table.name} WHERE false"
                                     if sqlite else f"CREATE TEMP TABLE {name} (LIKE {table.name} INCLUDING ALL)")
                copies.append(table.to_metadata(meta, name=name))
            conn.commit()
            ready.wait()
            for start in range(0, share, batch):
                made = [rows(worker, i) for i in range(start, min(share, start + batch))]
                for k, copy in enumerate(copies):
                    conn.execute(insert(copy), [r for op in made for r in op[k]])
                conn.execute(text("SELECT 1"))  # the stream/counter row a batch also touches
                conn.commit()

    share = ops // connections
    ready = threading.Barrier(connections + 1)
    threads = [threading.Thread(target=run, args=(w, share, ready)) for w in range(connections)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    engine.dispose()
    return share * connections / seconds


def _state(report) -> str:
    """A round's state, with the server's message when it did not end up to date."""
    return report.state if report.state == "up_to_date" \
        else f"{report.state}: {(report.message or {}).get('en')}"


def _drain_at_once(engines, go, ready=None) -> tuple[list[float], list, float]:
    """Every engine drains in a thread of its own once ``go`` is set (``ready`` passed first,
    when given): the seconds and the report of each, and this process's CPU seconds."""
    lock = threading.Lock()
    times: list[float] = []
    reports: list = []

    def run(engine) -> None:
        go.wait()
        t0 = time.perf_counter()
        report = engine.drain(max_rounds=30)
        dt = time.perf_counter() - t0
        with lock:
            times.append(dt)
            reports.append(report)

    cpu = _cpu_of_threads([threading.Thread(target=run, args=(engine,)) for engine in engines], ready)
    return times, reports, cpu


def _cpu_of_threads(threads: list[threading.Thread], ready=None) -> float:
    """Start ``threads``, pass ``ready`` (when given) once they wait for their start, and
    return this process's CPU seconds from then until every thread has ended."""
    for t in threads:
        t.start()
    if ready is not None:
        ready.wait()
    own0 = time.process_time()
    for t in threads:
        t.join()
    return time.process_time() - own0


def _acked(cores) -> int:
    """Operations acknowledged by the centre, on all these devices."""
    from sqlalchemy import func as sa_func
    from sqlmodel import select

    from agent_app.store.models import OutboxOp

    acked = 0
    for core in cores:
        with core.db.read() as s:
            acked += s.exec(select(sa_func.count()).select_from(OutboxOp).where(OutboxOp.state == "acked")).one()
    return acked


def _next_round_requests(core, base_url: str, username: str) -> dict[str, dict]:
    """The push and the pull after it that this device's engine sends in its next round,
    recorded instead of sent: method, URL, headers and body bytes, as the app's client
    builds them. Each is answered 426 (the centre wants a newer app): after that answer the
    engine puts the batch back in the queue as it was (no attempt counted, so the next round
    pushes it again instead of asking the centre about it), and a pull stores nothing."""
    import io

    import urllib3
    from requests.adapters import HTTPAdapter

    from sync.client import PATHS, SyncClient
    from sync.rounds import RoundReport, Stop

    sent: list[dict] = []

    class Recorder(HTTPAdapter):
        def send(self, request, *args, **kwargs):
            sent.append({"method": request.method, "url": request.url,
                         "headers": dict(request.headers), "body": request.body})
            return self.build_response(request, urllib3.HTTPResponse(
                body=io.BytesIO(b"{}"), headers={"Content-Type": "application/json"}, status=426,
                preload_content=False))

    client = SyncClient(base_url)
    for scheme in ("http://", "https://"):
        client.session.mount(scheme, Recorder())
    engine = _engine(core, base_url, username, client=client)
    engine.link.load()  # as a round starts: the link's pace sizes the batch and the page
    for step in (lambda: engine.pusher.push_all(RoundReport(), None),
                 lambda: engine.puller.pull_all(RoundReport())):
        try:
            step()
        except Stop as stop:
            if stop.state != "upgrade_required":
                raise
    client.close()
    if [urlparse(request["url"]).path for request in sent] != [PATHS["push"], PATHS["pull"]]:
        raise SystemExit(f"{username}'s next round would not be one push and a pull: {sent}")
    return {"push": sent[0], "pull": sent[1]}


def _device_group(tmp: Path, base_url: str, numbers: list[int], ops_each: int,
                  scopes: list[tuple[str, str]], ready, go, out, light=None) -> None:
    """A process of simulated devices (one thread each): set up before the window, one
    round each once ``go`` is set; what they saw goes to ``out``. With ``light`` (begin,
    hand, replayed), for the light client's window: once ``begin`` is set each device
    queues ``ops_each`` more and its next round's requests go to ``hand``; once
    ``replayed`` is set every device drains (the centre has those operations already) and
    what they saw goes to ``hand``."""
    _cheap_hashing()
    _keyring()
    calls: list[tuple[str, float, float]] = []
    lock = threading.Lock()
    devices = []
    for i in numbers:
        kec, kel = scopes[i % len(scopes)]
        core, user = _device(tmp, f"load{i}", base_url, f"load{i}")
        engine = _engine(core, base_url, f"load{i}", client=_timed_client(base_url, calls, lock),
                         backoff_base=0.2, backoff_cap=2)
        # At month-end the app has been open since the morning: it synced then (one
        # registration, and the city's reference bundle, which a round then only checks
        # within its age), before the measured window. The window's round is the day's
        # next one, as on a real device, not a cold start of the app.
        serial0 = 500_000 + i * (ops_each + 1)
        fill_outbox(core, user, 1, serial0=serial0, kecamatan=kec, kelurahan=kel)
        morning = engine.drain(max_rounds=5)
        if morning.state != "up_to_date":
            raise SystemExit(f"morning sync of load{i}: {morning.state} {morning.errors}")
        fill_outbox(core, user, ops_each, serial0=serial0 + 1, kecamatan=kec, kelurahan=kel)
        devices.append((i, core, user, engine))
    calls.clear()
    cores = [device[1] for device in devices]
    engines = [device[3] for device in devices]
    times, reports, cpu = _drain_at_once(engines, go, ready)
    out.put({"calls": list(calls), "times": times, "states": [_state(r) for r in reports], "cpu": cpu,
             "acked": _acked(cores)})
    if light is not None:
        begin, hand, replayed = light
        begin.wait()  # the devices' window and its floor are over
        requests = []
        for i, core, user, _round in devices:
            kec, kel = scopes[i % len(scopes)]
            fill_outbox(core, user, ops_each, serial0=LIGHT_CLIENT_SERIAL0 + i * ops_each,
                        kecamatan=kec, kelurahan=kel)
            requests.append(_next_round_requests(core, base_url, f"load{i}"))
        hand.put(requests)
        replayed.wait()
        _times, reports, _cpu = _drain_at_once(engines, replayed)
        hand.put({"states": [_state(r) for r in reports], "acked": _acked(cores),
                  "duplicates": sum(r.duplicates for r in reports)})
    for core in cores:
        core.close()


def _light_client(devices: list[dict], ready, go, out) -> None:
    """The light client (as HTTP load generators are): each device's recorded push, then its
    pull, sent again byte for byte on a keep-alive connection of its own (a thread each),
    all at once when ``go`` is set. Answers are read, not parsed. (kind, start, end) of
    each request, the statuses, the push answers as they came and this process's CPU
    seconds go to ``out``."""
    import http.client

    calls: list[tuple[str, float, float]] = []
    statuses: list[int | str] = []
    answers: list[tuple[int, str | None, bytes]] = []
    lock = threading.Lock()

    def run(device: dict) -> None:
        requests = []
        for kind in ("push", "pull"):
            url = urlparse(device[kind]["url"])
            requests.append((kind, url.path + (f"?{url.query}" if url.query else ""), device[kind]))
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        go.wait()
        try:
            for kind, target, request in requests:
                t0 = time.perf_counter()
                conn.request(request["method"], target, body=request["body"], headers=request["headers"])
                answer = conn.getresponse()
                body = answer.read()
                t1 = time.perf_counter()
                with lock:
                    calls.append((kind, t0, t1))
                    statuses.append(answer.status)
                    if kind == "push":
                        answers.append((answer.status, answer.getheader("Content-Encoding"), body))
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                statuses.append(type(exc).__name__)
        finally:
            conn.close()

    cpu = _cpu_of_threads([threading.Thread(target=run, args=(device,)) for device in devices], ready)
    out.put({"calls": calls, "statuses": statuses, "answers": answers, "cpu": cpu})


def _on_server(db_url: str) -> tuple[int, int, int]:
    """Registrations applied, participants, and distinct applied operation ids on the server."""
    from sqlalchemy import func as sa_func
    from sqlmodel import Session, select

    from central_server.db import make_engine
    from central_server.models import AppliedOp, Participant

    server = make_engine(db_url)
    with Session(server) as s:
        applied = s.exec(select(sa_func.count()).select_from(AppliedOp)
                         .where(AppliedOp.kind == "worker.register")).one()
        participants = s.exec(select(sa_func.count()).select_from(Participant)).one()
        distinct_ops = s.exec(select(sa_func.count(sa_func.distinct(AppliedOp.op_id)))).one()
    server.dispose()
    return applied, participants, distinct_ops


def _load_average() -> float | None:
    return round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None


def _window(calls: list[tuple[str, float, float]], ops: int, seconds: float, floor: float,
            cpu: dict[str, float]) -> dict:
    """A window's figures: the server's pace while the pushes ran (every op was pushed
    between the first push and the last answer) beside the floor, request latency, and
    the CPU per operation of each party."""
    latencies = sorted(end - start for _kind, start, end in calls)
    pushes = [(start, end) for kind, start, end in calls if kind == "push"]
    push_window = max(end for _s, end in pushes) - min(start for start, _e in pushes)
    return {"database_floor_ops_per_s": round(floor, 1),
            "ratio_push_window_pace_to_floor": f"1/{floor / (ops / push_window):.1f}",
            "seconds": round(seconds, 1), "ops_per_s": round(ops / seconds, 1),
            "push_window_s": round(push_window, 1), "ops_per_s_in_push_window": round(ops / push_window, 1),
            "requests": len(latencies), "request_p50_ms": _p(latencies, 0.5), "request_p95_ms": _p(latencies, 0.95),
            **{f"{kind}_p95_ms": _p(sorted(e - s for k, s, e in calls if k == kind), 0.95)
               for kind in ("push", "pull")},
            **{f"cpu_s_{k}": round(v, 1) for k, v in cpu.items()},
            **{f"cpu_ms_per_op_{k}": round(v * 1000 / ops, 2) for k, v in cpu.items()}}


def bench_load(tmp: Path, base_url, devices: int, ops_each: int, scopes: list[tuple[str, str]],
               processes: int = 2, light_client: bool = True) -> dict:
    """The devices run in ``processes`` processes of their own (a real device is a laptop
    of its own: 200 in one process would queue on one interpreter lock, and their waits
    would count as the centre's latency). With ``light_client``, a second window follows:
    the centre's own pace, without the devices' CPU (``light_client_window``)."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    ready, go, out = spawn.Barrier(processes + 1), spawn.Event(), spawn.Queue()
    light = (spawn.Event(), spawn.Queue(), spawn.Event()) if light_client else None
    groups = [spawn.Process(target=_device_group, args=(tmp, str(base_url), list(range(k, devices, processes)),
                                                          ops_each, scopes, ready, go, out, light))
              for k in range(processes)]
    for group in groups:
        group.start()
    ready.wait()  # every device set up, its round's thread waiting for ``go``
    load_before = _load_average()
    cpu0 = _cpu_seconds(base_url.process.pid)
    t0 = time.perf_counter()
    go.set()
    answers = [out.get() for _ in groups]
    total = time.perf_counter() - t0
    cpu1 = _cpu_seconds(base_url.process.pid)
    calls = [call for answer in answers for call in answer["calls"]]
    times = sorted(t for answer in answers for t in answer["times"])
    states = [state for answer in answers for state in answer["states"]]
    acked = sum(answer["acked"] for answer in answers)
    # Nothing lost, nothing twice: every queued op acknowledged on its device, and on the
    # server exactly one applied op and one participant per op.
    applied, participants, distinct_ops = _on_server(base_url.db_url)
    # The rest of a device's round is local work, which here shares one disk and two cores.
    expected = devices * ops_each  # in the window; the morning's one per device is on the server too
    on_server = devices * (ops_each + 1)
    floor = database_floor(base_url.db_url, expected, connections=2)
    cpu = {"devices": sum(answer["cpu"] for answer in answers), **{k: cpu1[k] - cpu0[k] for k in cpu1}}
    result = {"devices": devices, "ops_each": ops_each, "kelurahan": min(devices, len(scopes)),
              # The machine's load before the run (other work) and at its end (the run's own too).
              "load_average_before": load_before, "load_average": _load_average(),
              # Where the machine's CPU went during the run: the simulated devices share it with
              # the server and the database, so request latency includes the devices' own waits.
              **_window(calls, expected, total, floor, cpu),
              "device_drain_p50_s": round(statistics.median(times), 2),
              "device_drain_p95_s": round(times[int(0.95 * (len(times) - 1))], 2),
              "up_to_date": states.count("up_to_date"), "other_states": sorted(set(states) - {"up_to_date"}),
              "acked_on_devices": acked, "applied_on_server": applied, "participants_on_server": participants,
              "nothing_lost_nothing_twice": acked == applied == participants == distinct_ops == on_server}
    if light is not None:
        result["light_client_window"] = _light_client_window(spawn, base_url, devices, ops_each, light, processes)
    for group in groups:
        group.join()
    return result


def _light_client_window(spawn, base_url, devices: int, ops_each: int, light, processes: int) -> dict:
    """The centre's own pace, in the floor's conditions: each device queues ``ops_each``
    more registrations and its engine's next round (a push, then a pull) is recorded; a
    light client in a process of its own sends every device's requests again, all devices
    at once, while nothing else runs; then every device's engine drains for real (the
    centre answers duplicates), and every operation must be on the server exactly once."""
    import gzip
    from collections import Counter

    begin, hand, replayed = light
    begin.set()
    recorded = [device for _ in range(processes) for device in hand.get()]
    ready, go, out = spawn.Barrier(2), spawn.Event(), spawn.Queue()
    client = spawn.Process(target=_light_client, args=(recorded, ready, go, out))
    client.start()
    ready.wait()
    load_before = _load_average()
    cpu0 = _cpu_seconds(base_url.process.pid)
    t0 = time.perf_counter()
    go.set()
    sent = out.get()
    total = time.perf_counter() - t0
    cpu1 = _cpu_seconds(base_url.process.pid)
    client.join()
    expected = devices * ops_each
    floor = database_floor(base_url.db_url, expected, connections=2)
    load_after = _load_average()
    replayed.set()
    drained = [hand.get() for _ in range(processes)]
    states = [state for answer in drained for state in answer["states"]]
    acked = sum(answer["acked"] for answer in drained)
    duplicates = sum(answer["duplicates"] for answer in drained)
    applied, participants, distinct_ops = _on_server(base_url.db_url)
    on_server = devices * (2 * ops_each + 1)  # the morning's, the devices' window's and this one's
    first = Counter(result["status"] for status, encoding, body in sent["answers"] if status == 200
                    for result in json.loads(gzip.decompress(body) if encoding == "gzip" else body)["results"])
    statuses = Counter(str(status) for status in sent["statuses"])
    cpu = {"light_client": sent["cpu"], **{k: cpu1[k] - cpu0[k] for k in cpu1}}
    return {"load_average_before": load_before, "load_average": load_after,
            **_window(sent["calls"], expected, total, floor, cpu),
            "statuses": dict(statuses), "every_request_200": statuses == {"200": 2 * devices},
            "applied_by_light_client": first.get("applied", 0),
            "duplicates_in_devices_drain": duplicates,
            "up_to_date": states.count("up_to_date"), "other_states": sorted(set(states) - {"up_to_date"}),
            "acked_on_devices": acked, "applied_on_server": applied, "participants_on_server": participants,
            "nothing_lost_nothing_twice": acked == applied == participants == distinct_ops == on_server
            and first == {"applied": expected} and duplicates == expected}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ops", type=int, default=10_000)
    ap.add_argument("--slow-ops", type=int, default=10_000)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--ops-per-device", type=int, default=20)
    ap.add_argument("--server-workers", type=int, default=1, help="server processes for the load run")
    ap.add_argument("--device-processes", type=int, default=2, help="processes the load run's devices run in")
    ap.add_argument("--restore-devices", type=int, default=5)
    ap.add_argument("--skip", action="append", default=[],
                    choices=["batch", "slow", "2g", "load", "restore", "replay"],
                    help="leave a part out (replay: the load run's light-client window)")
    args = ap.parse_args(argv)

    from tests.helpers.central import run_server, seed_user

    _cheap_hashing()
    _keyring()
    results: dict = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pg = os.environ.get("PERISAI_BENCH_PG_URL")
        scopes = city_scopes()
        with run_server(tmp, db_url=pg or None, workers=args.server_workers) as url:
            for name in ["bench1", "bench2", "slow1", "slow2", "twog"]:
                seed_user(url.db_url, name, PASSWORD, kecamatan=KECAMATAN)
            for i in range(args.devices):  # each agent works one kelurahan
                kec, kel = scopes[i % len(scopes)]
                seed_user(url.db_url, f"load{i}", PASSWORD, kecamatan=kec, kelurahan=kel)
            if "batch" not in args.skip:
                results["push"] = bench_batched_vs_single(tmp, url, args.ops)
                print(json.dumps({"push": results["push"]}, indent=1), flush=True)
            if "slow" not in args.skip:
                results["link_384k_400ms_5pct_resets"] = bench_slow_link(
                    tmp, url, args.slow_ops, bytes_per_s=48_000, rtt_ms=400, reset_p=0.05,
                    name="slow1", username="slow1")
                print(json.dumps({"384k": results["link_384k_400ms_5pct_resets"]}), flush=True)
                results["link_100k_700ms_5pct_resets"] = bench_slow_link(
                    tmp, url, args.slow_ops, bytes_per_s=12_500, rtt_ms=700, reset_p=0.05,
                    name="slow2", username="slow2")
                print(json.dumps({"100k": results["link_100k_700ms_5pct_resets"]}), flush=True)
            if "2g" not in args.skip:
                results["link_250B_per_s"] = bench_2g(tmp, url)
                print(json.dumps({"2g": results["link_250B_per_s"]}), flush=True)
            if "restore" not in args.skip:
                results["restore"] = bench_restore(tmp, args.restore_devices, 20, 10)
                print(json.dumps({"restore": results["restore"]}), flush=True)
            if "load" not in args.skip:
                results["load"] = bench_load(tmp, url, args.devices, args.ops_per_device, scopes,
                                             processes=args.device_processes,
                                             light_client="replay" not in args.skip)
                results["load"].update(database="postgresql" if pg else "sqlite", server_workers=args.server_workers,
                                       device_processes=args.device_processes)
                print(json.dumps({"load": results["load"]}), flush=True)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
