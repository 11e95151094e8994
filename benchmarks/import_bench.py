"""Import benchmark: the city's 45,000-row list, beside the floor of the same rows.

Generates a list in the format of ``resources/samples/daftar_pekerja_apbd_contoh.csv``
(seeded, in a temporary folder, never in the repository), then measures in one run:

* the floor: the same rows parsed with the csv module and inserted as worker rows with
  sqlite3 ``executemany`` (one transaction, the worker table with its indexes);
* the import as the app does it (``core.importer.preview`` then ``commit``) into an
  encrypted store, in a child process that reports its peak memory;
* meanwhile, another process registering a worker and collecting a payment every 200 ms:
  the longest any of its writes took, beside the same writes with no import running.

    python benchmarks/import_bench.py [--rows 45000] [--no-writer]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent_app.services.base import WITA, FixedClock  # noqa: E402

BENCH_KEY = bytes(range(32))  # benchmark data only: generated people, never real ones
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
PASSWORD = "bench-password"
HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "telepon", "alamat", "kelurahan",
          "pekerjaan", "penghasilan", "jht", "sumber_dana", "desil", "desil_sumber",
          "desil_tanggal", "disabilitas", "jenis_disabilitas", "ahli_waris",
          "hubungan_ahli_waris", "persetujuan"]
TARGET_RATIO = 10  # the import within 10x of the floor
TARGET_WAIT_S = 1.0  # no other write waits longer


def line(name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISS")
    print(f"{verdict:4} {name:52} {value:12,.1f} {unit:7} {target}")


# --- the list -----------------------------------------------------------------------------

def write_list(path: Path, rows: int, seed: int) -> None:
    """A list as the city sends it: kelurahan by name, dates DD/MM/YYYY, ya/tidak."""
    from agent_app.demo import DemoGenerator
    from agent_app.domain.reference import load_reference, search_key

    ref = load_reference()
    names = [search_key(k.name) for k in ref.kelurahan]
    gen = DemoGenerator(ref, seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for _ in range(rows):
            form = gen.worker(NOW.date()).form
            kelurahan = ref.kelurahan_by_code[form.kelurahan_code]
            # A name shared by two kelurahan is written as its code, as the city does.
            place = kelurahan.name if names.count(search_key(kelurahan.name)) == 1 else kelurahan.code
            funding = "APBD" if form.programmes["jkk"] == "apbd" else "mandiri"
            writer.writerow([
                form.nik, form.full_name, form.birth_date.strftime("%d/%m/%Y"),
                "L" if form.sex == "M" else "P", form.phone, form.address, place,
                ";".join(form.occupations), str(form.declared_income),
                "ya" if "jht" in form.programmes else "tidak", funding,
                form.desil or "", form.desil_source or "",
                form.desil_date.strftime("%d/%m/%Y") if form.desil_date else "",
                "ya" if form.disability else "tidak", form.disability_kind or "",
                form.heir_name or "", form.heir_relation or "", "ya",
            ])


# --- the floor ----------------------------------------------------------------------------

def floor_rows_per_s(list_path: Path, folder: Path) -> float:
    """csv + sqlite3 executemany of the same rows into the worker table and its indexes."""
    from agent_app.domain.reference import load_reference
    from agent_app.store.db import open_database

    schema_db = folder / "schema.db"
    open_database(schema_db).close()
    with sqlite3.connect(schema_db) as source:
        ddl = [sql for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'worker' AND type IN ('table', 'index') "
            "AND sql IS NOT NULL ORDER BY type DESC")]
    by_name = {k.name: k for k in load_reference().kelurahan}
    by_code = load_reference().kelurahan_by_code
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in ddl:
        conn.execute(sql)
    columns = ("id", "nik", "full_name", "name_key", "birth_date", "sex", "phone", "address",
               "kecamatan_code", "kelurahan_code", "occupations", "policy_sector", "is_employer",
               "declared_income", "programmes", "consent_version", "consent_at",
               "consent_user_id", "registered_at", "registered_by", "registration_month",
               "origin", "sync_state", "server_version", "updated_at", "deleted", "disability")
    insert = (f"INSERT INTO worker ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' for _ in columns)})")
    started = time.perf_counter()
    with list_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = []
        for r in reader:
            kel = by_name.get(r[6]) or by_code[r[6]]
            rows.append((str(uuid.uuid4()), r[0], r[1], r[1].lower(), r[2], r[3], r[4], r[5],
                         kel.kecamatan_code, kel.code, r[7], "other", 0, int(r[8]), r[10],
                         "1", "now", "u", "now", "u", "2026-11", "local", "pending", 0, "now",
                         0, 0))
    conn.execute("BEGIN")
    conn.executemany(insert, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


# --- the store, the import and the other writer ------------------------------------------

def open_core(store: Path):
    from agent_app.services.core import AgentCore
    from agent_app.store.db import open_database

    return AgentCore(open_database(store, BENCH_KEY), clock=FixedClock(NOW))


def make_store(store: Path) -> None:
    core = open_core(store)
    core.users.create_user(username="spv", full_name="Bench Supervisor", role="supervisor",
                           password=PASSWORD)
    spv = core.users.authenticate("spv", PASSWORD)
    for username, role in (("loket", "clerk"), ("kasir", "clerk")):
        core.users.create_user(username=username, full_name=username.title(), role=role,
                               password=PASSWORD, actor=spv)
    core.close()


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        kb = next(int(row.split()[1]) for row in status if row.startswith(field + ":"))
    return kb / 1024


def reset_peak_rss() -> float:
    """Start the peak-memory count afresh (the sign-in's argon2 used more than the
    import may); returns the resident memory now."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_mb("VmRSS")


def peak_rss() -> float:
    return _status_mb("VmHWM")


def import_child(store: Path, list_path: Path) -> int:
    """Preview and commit the list as the app does; one JSON line of figures."""
    core = open_core(store)
    clerk = core.users.authenticate("loket", PASSWORD)
    print("READY", flush=True)
    sys.stdin.readline()
    base_rss = reset_peak_rss()
    started = time.perf_counter()
    report = core.importer.preview(list_path)
    previewed = time.perf_counter()
    imported = core.importer.commit(clerk, report)
    done = time.perf_counter()
    core.close()
    print(json.dumps({
        "imported": imported, "rows": len(report.rows), "preview_s": previewed - started,
        "commit_s": done - previewed, "total_s": done - started, "base_rss_mb": base_rss,
        "peak_rss_mb": peak_rss(),
    }), flush=True)
    return 0


def writer_child(store: Path, seed: int) -> int:
    """Register a worker and collect a payment every 200 ms until told to stop; prints the
    duration of every write as JSON (a write that failed counts as failed)."""
    from agent_app.demo import DemoGenerator

    core = open_core(store)
    clerk = core.users.authenticate("kasir", PASSWORD)
    gen = DemoGenerator(core.ref, seed)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    phase = "idle"
    samples: dict[str, list[float]] = {"idle": [], "import": []}
    failures: list[str] = []
    print("READY", flush=True)
    while not stop.is_set():
        if os.path.exists(str(store) + ".importing"):
            phase = "import"
        form = gen.worker(NOW.date()).form
        for write in ("register", "collect"):
            started = time.perf_counter()
            try:
                if write == "register":
                    worker = core.workers.register(clerk, form)
                else:
                    core.payments.collect(clerk, worker.id, 1, "cash")
            except Exception as exc:  # noqa: BLE001 - counted and reported, not hidden
                failures.append(f"{write}: {exc}"[:200])
                samples[phase].append(time.perf_counter() - started)
                break
            samples[phase].append(time.perf_counter() - started)
        stop.wait(0.2)
    core.close()
    print(json.dumps({"samples": samples, "failures": failures}), flush=True)
    return 0


def child(args: list[str]) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    ready = process.stdout.readline()
    if not ready.startswith("READY"):
        raise SystemExit(f"child {args[0]} did not start")
    return process


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=45_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-writer", action="store_true", help="no concurrent writer")
    parser.add_argument("--import-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--writer-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        return import_child(Path(args.import_child[0]), Path(args.import_child[1]))
    if args.writer_child:
        return writer_child(Path(args.writer_child), args.seed + 1)

    with tempfile.TemporaryDirectory(prefix="perisai-import-bench-") as tmp:
        folder = Path(tmp)
        list_path = folder / "daftar_pekerja_apbd.csv"
        write_list(list_path, args.rows, args.seed)
        size_mb = list_path.stat().st_size / 1e6
        print(f"# list: {args.rows:,} rows, {size_mb:.1f} MB CSV; store: SQLCipher, WAL")
        floor = floor_rows_per_s(list_path, folder)
        store = folder / "perisai.db"
        make_store(store)

        writer = None if args.no_writer else child(["--writer-child", str(store)])
        time.sleep(2)  # the writer's idle figures
        importer = child(["--import-child", str(store), str(list_path)])
        (Path(str(store) + ".importing")).touch()
        importer.stdin.write("go\n")
        importer.stdin.flush()
        result = json.loads(importer.stdout.readline())
        importer.wait(timeout=60)
        Path(str(store) + ".importing").unlink()
        writes = None
        if writer is not None:
            writer.stdin.write("stop\n")
            writer.stdin.flush()
            writes = json.loads(writer.stdout.readline())
            writer.wait(timeout=60)

    # The machine may be shared: the ratio is what compares runs, the load says how busy.
    print("# load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    rate = result["imported"] / result["total_s"]
    ratio = floor / rate
    print(f"# imported {result['imported']:,} of {result['rows']:,} rows: preview "
          f"{result['preview_s']:.1f} s, commit {result['commit_s']:.1f} s")
    line("floor: csv + sqlite3 executemany (worker rows)", floor, "rows/s")
    line("import: preview + commit (worker+outbox+audit+search)", rate, "rows/s")
    line("  ratio floor / import", ratio, "x", f"target <= {TARGET_RATIO} x", ratio <= TARGET_RATIO)
    line("  peak memory of the importing process", result["peak_rss_mb"], "MB",
         f"(before the import: {result['base_rss_mb']:.0f} MB)")
    if writes is not None:
        idle, during = writes["samples"]["idle"], writes["samples"]["import"]
        longest = max(during, default=0.0)
        line("other writer: longest write during the import", longest, "s",
             f"target <= {TARGET_WAIT_S:g} s", longest <= TARGET_WAIT_S and not writes["failures"])
        if idle:
            line("  the same writes with no import (median)", statistics.median(idle) * 1000, "ms")
        print(f"     writes during the import: {len(during)}, failed: {len(writes['failures'])}"
              + (f" (first: {writes['failures'][0]})" if writes["failures"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
