"""Registration save p95 with and without SQLCipher, in the same run (target: <= 1.5x).

    .venv/bin/python benchmarks/encryption_bench.py [--n 300] [--rounds 3]

Both stores are real files in one temporary directory, opened with the app's one engine
factory (``open_database(path, key)``: WAL, synchronous=FULL, BEGIN IMMEDIATE), so the
only difference is the key. Rounds alternate plaintext/encrypted so that disk and CPU
noise from other processes falls on both alike. Each timed call is the whole use case
``core.workers.register`` (validation, row, outbox operation, audit entry, commit+fsync).
Exit code 1 when the ratio is above the target (CI can run it as a check).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_app.domain.reference import load_reference  # noqa: E402
from agent_app.services.base import WITA, FixedClock  # noqa: E402
from agent_app.services.core import AgentCore  # noqa: E402
from agent_app.services.workers import RegistrationForm  # noqa: E402
from agent_app.store.db import open_database  # noqa: E402

TARGET = 1.5


def _letters(i: int) -> str:
    out = ""
    for _ in range(5):  # names take letters only
        i, r = divmod(i, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
    return out.title()


def form(i: int) -> RegistrationForm:
    # Women born 1 July 1990 in Mariso, serials 0001..9999 then next birth day.
    day = 41 + (i // 9999) % 28
    return RegistrationForm(
        nik=f"737101{day:02d}0790{i % 9999 + 1:04d}", full_name=f"Pekerja {_letters(i)}",
        birth_date=date(1990, 7, day - 40), sex="F", phone=f"0812{i:08d}",
        address="Jl. Sultan Alauddin No. 5", kelurahan_code="73710101001",
        occupations=["Pedagang pasar"], declared_income=1_500_000,
        programmes={"jkk": "self", "jkm": "self"}, consent_given=True,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="registrations per store per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    ref = load_reference()
    clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=WITA))
    times: dict[str, list[float]] = {"plaintext": [], "encrypted": []}
    with tempfile.TemporaryDirectory(prefix="perisai-bench-") as tmp:
        cores = {
            "plaintext": AgentCore(open_database(Path(tmp) / "plain.db"), ref=ref, clock=clock),
            "encrypted": AgentCore(open_database(Path(tmp) / "enc.db", secrets.token_bytes(32)),
                                   ref=ref, clock=clock),
        }
        actors = {}
        for mode, core in cores.items():
            core.users.create_user(username="bench", full_name="Bench Agent", role="agent",
                                   password="bench-password")
            actors[mode] = core.users.authenticate("bench", "bench-password")
            for i in range(20):  # warm-up: caches, first pages
                core.workers.register(actors[mode], form(900_000 + i))
        counter = 0
        for _round in range(args.rounds):
            for mode in ("plaintext", "encrypted") if _round % 2 == 0 else ("encrypted", "plaintext"):
                core, actor = cores[mode], actors[mode]
                for i in range(args.n):
                    f = form(counter + i)
                    start = time.perf_counter()
                    core.workers.register(actor, f)
                    times[mode].append((time.perf_counter() - start) * 1000)
            counter += args.n
        for core in cores.values():
            core.close()
    print(f"registration save, {len(times['plaintext'])} saves per store "
          f"({args.rounds} alternating rounds of {args.n})")
    print(f"{'store':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for mode, values in times.items():
        print(f"{mode:<10} {statistics.median(values):8.2f} {percentile(values, 95):8.2f} "
              f"{max(values):8.2f}")
    ratio = percentile(times["encrypted"], 95) / percentile(times["plaintext"], 95)
    verdict = "OK" if ratio <= TARGET else "ABOVE TARGET"
    print(f"p95 ratio encrypted/plaintext: {ratio:.2f}x (target <= {TARGET}x) {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
