"""Size and start-up of the frozen app, each beside its target.

    python installer/build.py --demo     # first: makes dist/ and dist/build-info.json
    python benchmarks/bundle.py          # sizes + start-up (3 runs)
    python benchmarks/bundle.py --no-start --runs 5 --dist DIR

Start-up is measured on the frozen executable with ``--self-test``: the self-test builds
the real main window first (QApplication, style, store opened and migrated, translator,
main window shown, painted and its first data loaded), so the time from launching the
process to its ``window`` line is the start-to-usable-window time (without the sign-in
dialog a person fills in). The line is read from the self-test's report file, which
also works for a windowed Windows build that has no stdout.

Targets: installer <= 80 MB, start <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLER_TARGET_MB = 80.0
START_TARGET_S = 2.0
EXE = "perisai-agent.exe" if sys.platform == "win32" else "perisai-agent"


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "OVER TARGET"


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far; Linux only (None elsewhere).
    Unlike wall time it hardly changes when other jobs share the cores."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def time_start(bundle: Path, timeout: float = 120.0) -> tuple[float, float | None, str]:
    """(wall seconds, CPU seconds or None) from launching the frozen app to its 'window' line."""
    with tempfile.TemporaryDirectory(prefix="perisai-bench-") as tmp:
        data = Path(tmp) / "data"
        report = data / "self-test-report.txt"
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        if sys.platform != "win32":
            env.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
            env.setdefault("XDG_DATA_HOME", str(Path(tmp) / "xdg"))
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(bundle / EXE), "--self-test", "--data-dir", str(data)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        line = ""
        elapsed = None
        cpu = None
        try:
            while time.perf_counter() - started < timeout:
                if report.exists():
                    for candidate in report.read_text(encoding="utf-8", errors="replace").splitlines():
                        if candidate.split()[1:2] == ["window"]:
                            elapsed = time.perf_counter() - started
                            cpu = _cpu_seconds(proc.pid)
                            line = candidate
                            break
                if elapsed is not None or proc.poll() is not None:
                    break
                time.sleep(0.005)
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if elapsed is None:
            raise RuntimeError(f"no window line from the self-test (exit {proc.returncode})")
        if not line.startswith("PASS"):
            raise RuntimeError(f"window check failed: {line}")
        return elapsed, cpu, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-start", action="store_true", help="sizes only")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    bundle = args.dist / "perisai-agent"
    if not (bundle / EXE).is_file():
        print(f"no bundle in {bundle}: run python installer/build.py --demo (or --recovery-public-key FILE) first",
              file=sys.stderr)
        return 2
    results: dict = {"platform": sys.platform}
    bundle_bytes = tree_size(bundle)
    results["bundle_mb"] = round(bundle_bytes / 1e6, 1)
    print(f"bundle size        {bundle_bytes / 1e6:7.1f} MB  (no target; uncompressed one-folder)")

    installers = sorted(args.dist.glob("PerisaiAgent-*.exe"), key=lambda p: p.stat().st_mtime)
    if installers:
        inst = installers[-1]
        mb = inst.stat().st_size / 1e6
        results["installer_mb"] = round(mb, 1)
        note = "" if sys.platform == "win32" else "  [Linux payload: a check, not the Windows size]"
        info = args.dist / "build-info.json"
        if info.exists():
            compressor = json.loads(info.read_text(encoding="utf-8")).get("installer_compressor")
            if compressor and compressor != "lzma":
                note += f"  [{compressor}, release uses lzma]"
        print(f"installer size     {mb:7.1f} MB  target <= {INSTALLER_TARGET_MB:.0f} MB  "
              f"{verdict(mb, INSTALLER_TARGET_MB)}  {inst.name}{note}")
    else:
        print("installer size         n/a   (build without --skip-installer)")

    status = 0
    if not args.no_start:
        times, cpus = [], []
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        for i in range(max(1, args.runs)):
            seconds, cpu, line = time_start(bundle)
            times.append(seconds)
            if cpu is not None:
                cpus.append(cpu)
            cpu_text = f", CPU {cpu:.2f} s" if cpu is not None else ""
            print(f"  run {i + 1}: {seconds:.2f} s{cpu_text}  ({line.split(None, 2)[2]})")
        median = statistics.median(times)
        results.update(start_first_s=round(times[0], 2), start_median_s=round(median, 2))
        print(f"start to window    {median:7.2f} s   target <= {START_TARGET_S:.0f} s     "
              f"{verdict(median, START_TARGET_S)}  (median of {len(times)}; first run {times[0]:.2f} s)")
        if cpus:
            results["start_cpu_median_s"] = round(statistics.median(cpus), 2)
            print(f"  CPU time to window {statistics.median(cpus):.2f} s (median; robust to other "
                  f"jobs on the machine)")
        if load is not None:
            results["load_average"] = round(load, 2)
            print(f"  load average at start: {load:.2f} on {os.cpu_count()} cores "
                  "(wall times are inflated when it exceeds the core count)")
        if median > START_TARGET_S:
            status = 1
    if results.get("installer_mb", 0) > INSTALLER_TARGET_MB and sys.platform == "win32":
        status = 1
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
