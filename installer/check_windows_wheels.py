"""Check that every runtime dependency of the app has a locked Windows wheel.

    python installer/check_windows_wheels.py            # Python version from windows.yml
    python installer/check_windows_wheels.py --python-version 3.12

Starting from the app's runtime dependencies (pyproject.toml and protocol/pyproject.toml,
no dev tools, no central server), it follows every requirement that applies on 64-bit
Windows through the wheels' own metadata, and for each one asks pip for the version pinned
in requirements/app.txt as a win_amd64 (or pure-Python) wheel, checked against the lock's
hashes. So a release built on the Windows runner from the lock can never meet a missing
wheel, a dependency the lock leaves out on Windows, or a file the lock did not pin.

Exit status: 0 all found, 1 something is missing, 75 the package index cannot be reached
(the check says so and proves nothing).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "app.txt"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
LOCAL = {"perisai-agent", "perisai-protocol", "perisai-central"}
EXIT_UNREACHABLE = 75
_UNREACHABLE = ("Failed to establish a new connection", "Temporary failure in name resolution",
                "Network is unreachable", "Connection refused", "Max retries exceeded")


@dataclass
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: list[str] = field(default_factory=list)


def read_lock(path: Path = LOCK) -> dict[str, Pin]:
    """The pins of a compiled requirements file (``name==version ; marker`` and hashes)."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip().rstrip("\\").strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash="):
            if current is not None:
                current.hashes.append(stripped.removeprefix("--hash="))
            continue
        req = Requirement(stripped)
        (spec,) = req.specifier
        current = Pin(canonicalize_name(req.name), spec.version, req.marker)
        pins[current.name] = current
    return pins


def workflow_python() -> str:
    match = re.search(r'python-version:\s*"?([0-9.]+)"?', WORKFLOW.read_text(encoding="utf-8"))
    if not match:
        raise SystemExit(f"no python-version in {WORKFLOW}")
    return match.group(1)


def windows_environment(python_version: str) -> dict[str, str]:
    return {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
        "platform_machine": "AMD64", "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "python_version": python_version,
        "python_full_version": f"{python_version}.0", "platform_release": "10", "extra": "",
    }


def runtime_roots() -> list[Requirement]:
    roots = []
    for project in (ROOT / "pyproject.toml", ROOT / "protocol" / "pyproject.toml"):
        with open(project, "rb") as f:
            roots += [Requirement(text) for text in tomllib.load(f)["project"]["dependencies"]]
    return [r for r in roots if canonicalize_name(r.name) not in LOCAL]


def applies(req: Requirement, env: dict[str, str], extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in extras | {""})


def download(pins: list[Pin], python_version: str, dest: Path) -> subprocess.CompletedProcess:
    requirements = dest / "level.txt"
    requirements.write_text("".join(
        f"{p.name}=={p.version} " + " ".join(f"--hash={h}" for h in p.hashes) + "\n" for p in pins),
        encoding="utf-8")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--platform", "win_amd64", "--python-version", python_version,
           "--implementation", "cp", "--require-hashes", "-r", str(requirements), "-d", str(dest)]
    return subprocess.run(cmd, capture_output=True, text=True)


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def check(python_version: str, dest: Path, lock: Path = LOCK) -> tuple[list[str], list[str]]:
    """(wheels found, problems) for the app's runtime closure on Windows."""
    env = windows_environment(python_version)
    pins = read_lock(lock)
    found: list[str] = []
    problems: list[str] = []
    wanted: dict[str, set[str]] = {}  # name -> extras asked for
    for req in runtime_roots():
        if applies(req, env, set()):
            wanted.setdefault(canonicalize_name(req.name), set()).update(req.extras)
    done: set[str] = set()
    while set(wanted) - done:
        level = []
        for name in sorted(set(wanted) - done):
            done.add(name)
            pin = pins.get(name)
            if pin is None:
                problems.append(f"{name}: needed on Windows, not in {lock.name}")
            elif pin.marker is not None and not pin.marker.evaluate(env):
                problems.append(f"{name}: needed on Windows, but the lock leaves it out ({pin.marker})")
            else:
                level.append(pin)
        if not level:
            continue
        result = download(level, python_version, dest)
        if result.returncode != 0:
            if any(sign in result.stderr for sign in _UNREACHABLE):
                raise ConnectionError(result.stderr.strip().splitlines()[-1])
            problems.append(f"pip download failed:\n{result.stderr.strip()}")
            continue
        for pin in level:
            wheels = [w for w in dest.glob("*.whl") if parse_wheel_filename(w.name)[0] == pin.name]
            if not wheels:
                problems.append(f"{pin.name}=={pin.version}: no win_amd64 wheel")
                continue
            wheel = wheels[0]
            tags = {t.platform for t in parse_wheel_filename(wheel.name)[3]}
            found.append(f"{wheel.name} ({', '.join(sorted(tags))})")
            for req in wheel_requirements(wheel):
                if applies(req, env, wanted[pin.name]):
                    wanted.setdefault(canonicalize_name(req.name), set()).update(req.extras)
    return found, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python-version", default=None,
                        help="the Windows runner's Python (default: from .github/workflows/windows.yml)")
    parser.add_argument("--lock", type=Path, default=LOCK, help="the compiled requirements to check")
    args = parser.parse_args(argv)
    python_version = args.python_version or workflow_python()
    with tempfile.TemporaryDirectory(prefix="win-wheels-") as tmp:
        try:
            found, problems = check(python_version, Path(tmp), args.lock)
        except ConnectionError as exc:
            print(f"package index unreachable, nothing checked: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
    for line in found:
        print(f"ok  {line}")
    for line in problems:
        print(f"MISSING  {line}")
    print(f"windows wheels for Python {python_version}: {len(found)} found, {len(problems)} missing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
