"""Store benchmark: search-as-you-type, list paging, saves, start-up and memory.

Builds (once, cached under benchmarks/.cache/) an encrypted store with 150,000 workers
and about 600,000 payments from the seeded demo generator, then prints each figure beside
its target and, for search, the ratio to the bare SQLite query for the same search
measured in the same run.

    python benchmarks/store_bench.py [--workers 150000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3  # noqa: F401  (bare-query baseline goes through the same driver family)
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent_app.services.base import WITA, FixedClock  # noqa: E402
from agent_app.services.core import AgentCore  # noqa: E402
from agent_app.services.workers import WorkerQuery  # noqa: E402
from agent_app.store.db import open_database  # noqa: E402

BENCH_KEY = bytes(range(32))  # benchmark data only: generated people, never real ones
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
TYPED = ("sitti rahma", "7371", "0812", "daeng n", "hasnaw")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def line(name: str, value: float, target: float | None, unit: str = "ms", extra: str = "") -> None:
    verdict = ""
    if target is not None:
        verdict = "OK " if value <= target else "MISS"
        target_text = f"target <= {target:g} {unit}"
    else:
        target_text = ""
    print(f"{verdict:4} {name:48} {value:10.1f} {unit:3} {target_text:22} {extra}")


def build(path: Path, workers: int, seed: int) -> None:
    from agent_app.demo import bulk_load

    started = time.perf_counter()
    core = AgentCore(open_database(path, BENCH_KEY), clock=FixedClock(NOW))
    payments = bulk_load(core, workers=workers, seed=seed)
    core.close()
    print(f"# built {workers:,} workers and {payments:,} payments in {time.perf_counter() - started:.0f} s")


def cached_store(workers: int, seed: int) -> Path:
    """The benchmark store (built once, about five minutes) with its user "bench"."""
    cache = REPO / "benchmarks" / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"store-{workers}-{seed}.db"
    if not path.exists():
        build(path, workers, seed)
    core = AgentCore(open_database(path, BENCH_KEY), clock=FixedClock(NOW))
    if core.users.needs_first_user():
        core.users.create_user(username="bench", full_name="Bench", role="supervisor",
                               password="bench-password")
    core.close()
    return path


def bare_query_ms(db, query: WorkerQuery, core) -> float:
    """The same statements the list runs per keystroke (first block + capped count), on a
    raw connection with literal SQL: the floor that the app's layers are compared with."""
    from sqlalchemy import text
    from sqlmodel import func, select

    from agent_app.services.workers import ROW_COLUMNS, SEARCH_COUNT_CAP
    from agent_app.store.models import Worker

    with db.read() as s:
        terms = core.workers._text_terms(s, query)
    page = core.workers._filtered(select(*ROW_COLUMNS), query, terms).order_by(*terms.order).limit(200)
    if terms.fts:  # counted in the trigram index, as the app does
        count = text("SELECT count(*) FROM (SELECT rowid FROM worker_search WHERE worker_search "
                     f"MATCH '{terms.fts}' LIMIT {SEARCH_COUNT_CAP + 1})")
    else:
        matches = core.workers._filtered(select(Worker.id), query, terms).limit(SEARCH_COUNT_CAP + 1)
        count = select(func.count()).select_from(matches.subquery())
    sqls = [str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True})) for stmt in (page, count)]
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        for sql in sqls:
            cur.execute(sql).fetchall()
        return (time.perf_counter() - started) * 1000
    finally:
        raw.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    path = cached_store(args.workers, args.seed)
    db = open_database(path, BENCH_KEY)
    core = AgentCore(db, clock=FixedClock(NOW))
    with db.read() as s:
        from sqlmodel import func, select

        from agent_app.store.models import Payment, Worker

        n_workers = s.exec(select(func.count()).select_from(Worker)).one()
        n_payments = s.exec(select(func.count()).select_from(Payment)).one()
    print(f"# store: {n_workers:,} workers, {n_payments:,} payments (SQLCipher, WAL)")

    # --- search as you type: every prefix of each typed string is one keystroke --------
    # One pass first, unmeasured: a running app has its page cache warm, and the measured
    # pass must not favour whichever of app and bare query runs second.
    for typed in TYPED:
        for end in range(1, len(typed) + 1):
            core.workers.first_page(WorkerQuery(text=typed[:end]), 200)
    service_ms, bare_ms = [], []
    for typed in TYPED:
        for end in range(1, len(typed) + 1):
            query = WorkerQuery(text=typed[:end])
            started = time.perf_counter()
            core.workers.first_page(query, 200)  # what the list asks per keystroke
            service_ms.append((time.perf_counter() - started) * 1000)
            bare_ms.append(bare_query_ms(db, query, core))
    ratio = statistics.median(service_ms) / max(statistics.median(bare_ms), 0.001)
    line("search-as-you-type p95 (first block + count)", p95(service_ms), 50)
    line("  bare SQLite query p95 (same searches)", p95(bare_ms), None)
    print(f"{'OK ' if ratio <= 5 else 'MISS':4} {'  ratio app / bare (median)':48} {ratio:10.1f} x   target <= 5 x")

    # --- worker list: first rows, then jumps anywhere -----------------------------------
    started = time.perf_counter()
    everyone = WorkerQuery()
    total = core.workers.count(everyone)
    core.workers.search(everyone, 0, 200)
    line("worker list: first rows (count + first block)", (time.perf_counter() - started) * 1000, 300)
    import random

    rng = random.Random(args.seed)
    jumps = []
    for _ in range(40):
        offset = rng.randrange(0, max(1, total - 200))
        started = time.perf_counter()
        core.workers.search(everyone, offset, 200)
        jumps.append((time.perf_counter() - started) * 1000)
    line("worker list: jump to any position p95", p95(jumps), 50)

    # --- saves: registration and payment (record + outbox + audit) ----------------------
    from agent_app.demo import DemoGenerator

    actor = core.users.authenticate("bench", "bench-password")
    gen = DemoGenerator(core.ref, seed=n_workers)  # new people on every run of a cached store
    regs, pays = [], []
    for _ in range(60):
        form = gen.worker(NOW.date()).form
        if core.workers.find_by_nik(form.nik):
            continue
        started = time.perf_counter()
        worker = core.workers.register(actor, form)
        regs.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        core.payments.collect(actor, worker.id, 1, "cash")
        pays.append((time.perf_counter() - started) * 1000)
    line("save registration p95 (record+outbox+audit)", p95(regs), 20)
    line("save payment p95 (record+outbox+audit)", p95(pays), 20)
    core.close()

    # --- memory: a fresh process signed in, the list shown (start-up: startup_bench.py) -
    from startup_bench import data_dir, sign_in_probe

    result = sign_in_probe(data_dir(args.workers, args.seed))
    if result is None:
        print("MISS start-up probe failed (startup_bench.py says why)")
    else:
        line("resident memory with the list shown", result[1], 300, unit="MB")
    print(f"# this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
