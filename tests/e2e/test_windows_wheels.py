"""Every runtime dependency of the app resolves to a locked win_amd64 (or pure-Python) wheel
for the Windows workflow's Python: the script the workflow runs, run here against the
package index (skipped, saying so, when the index cannot be reached)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "installer" / "check_windows_wheels.py"
EXIT_UNREACHABLE = 75


def _run(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                            timeout=600)
    if result.returncode == EXIT_UNREACHABLE:
        pytest.skip(f"package index unreachable: {result.stderr.strip()[-300:]}")
    return result


@pytest.mark.timeout(660)
def test_every_runtime_dependency_has_a_locked_windows_wheel():
    result = _run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 missing" in result.stdout
    wheels = result.stdout
    for name in ("sqlcipher3-", "pyside6_essentials-", "cryptography-"):
        assert any(line.startswith(f"ok  {name}") and "win_amd64" in line for line in wheels.splitlines()), name
    # Windows-only dependencies are followed (keyring's Credential Manager backend needs it)
    assert "ok  pywin32_ctypes-" in wheels
    # no test or build tool, nothing of the central server
    for name in ("pytest", "pyinstaller", "fastapi", "uvicorn", "psycopg2"):
        assert f"ok  {name}" not in wheels


@pytest.mark.timeout(660)
def test_a_release_without_windows_wheels_is_caught(tmp_path):
    old = tmp_path / "app.txt"
    lock = (REPO / "requirements" / "app.txt").read_text(encoding="utf-8")
    old.write_text(re.sub(r"^sqlcipher3==\S+", "sqlcipher3==0.6.0", lock, flags=re.M), encoding="utf-8")
    assert old.read_text(encoding="utf-8") != lock
    result = _run("--lock", str(old))
    assert result.returncode == 1
    assert "MISSING" in result.stdout and "sqlcipher3==0.6.0" in result.stdout
