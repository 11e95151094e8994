"""Timing a process from its launch to a line it writes (start-up benchmarks' shared part).

    wall, cpu = time_to_mark([exe, ...], mark_file, "sign-in window shown", env=env)

The process is launched, ``mark_file`` polled every few milliseconds for a line containing
the marker, and the process ended once it is there: the wall time from launch and the CPU
time the process used until then. CPU time hardly changes when other jobs share the cores,
so it is printed beside wall time on a busy machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

POLL_SECONDS = 0.003


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far; Linux only (None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _has_mark(path: Path, marker: str) -> bool:
    try:
        return marker in path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False


def time_to_mark(command: list[str], mark_file: Path, marker: str, *, env: dict,
                 timeout: float = 120.0) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds or None) from launching ``command`` to ``marker`` in
    ``mark_file`` (removed first); the process is ended afterwards."""
    mark_file.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not _has_mark(mark_file, marker):
            if proc.poll() is not None and not _has_mark(mark_file, marker):
                raise RuntimeError(f"{Path(command[-1]).name} ended (exit {proc.returncode}) "
                                   f"before {marker!r}:\n{proc.stderr.read().decode()[-2000:]}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"no {marker!r} after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        return wall, cpu_seconds(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()


def median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def load_text() -> str:
    if not hasattr(os, "getloadavg"):
        return "load average n/a"
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
