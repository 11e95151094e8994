"""Size and start-up of the frozen app, each beside its target.

    python installer/build.py --demo     # first: makes dist/ and dist/build-info.json
    python benchmarks/bundle.py          # sizes + start-up (3 runs)
    python benchmarks/bundle.py --no-start --runs 5 --dist DIR

Start to a usable window: the frozen ``perisai-agent --data-dir D`` (D holding a store
with a user, as on a laptop in use) from launch until its sign-in window is up and takes
input (the app logs "sign-in window shown"), beside the floor measured in the same run:
hello_window.py frozen by the same PyInstaller (built once under benchmarks/.cache/).

The self-test's main window: ``--self-test`` builds the real main window first on a new
store with a new user (QApplication, style, store created and migrated, argon2, main
window shown, painted and its first data loaded); the time to its ``window`` line is read
from the report file, which also works for a windowed Windows build without stdout.

Targets: installer <= 80 MB, start to the sign-in window <= 1 s, self-test window <= 2 s.
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from startup_timing import cpu_seconds, load_text, median_or_none, time_to_mark  # noqa: E402

INSTALLER_TARGET_MB = 80.0
SIGN_IN_TARGET_S = 1.0
START_TARGET_S = 2.0
EXE = "perisai-agent.exe" if sys.platform == "win32" else "perisai-agent"
HELLO = "hello_window"


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "OVER TARGET"


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
                            cpu = cpu_seconds(proc.pid)
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


def hello_bundle() -> Path:
    """hello_window.py frozen by this PyInstaller (built once, about a minute)."""
    cache = ROOT / "benchmarks" / ".cache" / "hello-frozen"
    exe = cache / "dist" / HELLO / (HELLO + (".exe" if sys.platform == "win32" else ""))
    if not exe.is_file():
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir",
                        "--distpath", str(cache / "dist"), "--workpath", str(cache / "build"),
                        "--specpath", str(cache), str(ROOT / "benchmarks" / f"{HELLO}.py")],
                       check=True, capture_output=True)
    return exe


def _signed_up_data_dir(folder: Path, env: dict) -> None:
    """A data folder as on a laptop in use: a store with a user (made by this checkout)."""
    script = ("import sys; from agent_app.services.core import open_core; from agent_app.paths import app_paths;"
              "core = open_core(app_paths(sys.argv[1]));"
              "core.users.create_user(username='bench', full_name='Bench', role='agent',"
              " password='bench-password'); core.close()")
    subprocess.run([sys.executable, "-c", script, str(folder)], env=env, check=True,
                   capture_output=True, cwd=ROOT)


def time_sign_in_window(bundle: Path, runs: int) -> dict:
    """Median wall and CPU seconds to the frozen app's sign-in window and to the frozen
    hello-world window, launched alternately."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PERISAI_DEV_KEY_FILE": "1"}
    hello_exe = hello_bundle()
    app_times, hello_times = [], []
    with tempfile.TemporaryDirectory(prefix="perisai-bench-") as tmp:
        data = Path(tmp) / "data"
        _signed_up_data_dir(data, env)
        mark = Path(tmp) / "hello.txt"
        for _ in range(max(1, runs)):
            hello_times.append(time_to_mark([str(hello_exe), str(mark)], mark,
                                            "hello window shown", env=env))
            app_times.append(time_to_mark([str(bundle / EXE), "--data-dir", str(data)],
                                          data / "logs" / "perisai-agent.log",
                                          "sign-in window shown", env=env))
    return {
        "app_s": statistics.median(w for w, _ in app_times),
        "app_cpu_s": median_or_none([c for _, c in app_times]),
        "hello_s": statistics.median(w for w, _ in hello_times),
        "hello_cpu_s": median_or_none([c for _, c in hello_times]),
    }


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
        print(f"# {load_text()}")
        signin = time_sign_in_window(bundle, args.runs)
        results.update({k: round(v, 3) for k, v in signin.items() if v is not None})
        cpu = (f"CPU {signin['app_cpu_s']:.2f} s, hello {signin['hello_cpu_s']:.2f} s"
               if signin["app_cpu_s"] and signin["hello_cpu_s"] else "CPU n/a")
        print(f"start to sign-in   {signin['app_s']:7.2f} s   target <= {SIGN_IN_TARGET_S:.0f} s     "
              f"{verdict(signin['app_s'], SIGN_IN_TARGET_S)}  (median of {args.runs}; {cpu})")
        print(f"  hello-world window (frozen, floor) {signin['hello_s']:.2f} s: ratio "
              f"{signin['app_s'] / signin['hello_s']:.1f}x")
        if signin["app_s"] > SIGN_IN_TARGET_S:
            status = 1
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
        print(f"self-test window   {median:7.2f} s   target <= {START_TARGET_S:.0f} s     "
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
