"""``perisai-agent demo`` as a new user meets it: every run starts in a working state, and
the demo server never outlives the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers.central import REPO_ROOT


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERISAI_", "QT_"))}
    env.update({"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "HOME": str(home),
                "XDG_DATA_HOME": str(home / "xdg"), "PERISAI_SERVER_ARGON2": "fast"})
    return env


def _agent(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent_app", *args], capture_output=True, text=True,
                          env=env, cwd=REPO_ROOT, timeout=timeout, stdin=subprocess.DEVNULL)


def _refused(url: str) -> bool:
    try:
        requests.get(f"{url}/v1/health", timeout=1)
    except requests.ConnectionError:
        return True
    return False


@pytest.mark.slow
def test_a_second_demo_run_still_syncs(tmp_path):
    """The second run on the same data used to come up with "Sesi sinkronisasi berakhir":
    the server listened on another port, and the sync session of the first run was gone."""
    env = _env(tmp_path)
    data = tmp_path / "data"
    for _ in range(2):
        run = _agent(env, "--data-dir", str(data), "demo", "--no-gui", "--workers", "5")
        assert run.returncode == 0, run.stdout + run.stderr
        url = next(line.split(": ")[-1] for line in run.stdout.splitlines() if "demo central server" in line)
        assert _refused(url), "the demo server must stop when the app exits"
    port = url.rsplit(":", 1)[1]
    demo = data / "demo"
    server = subprocess.Popen(
        [sys.executable, "-m", "central_server", "serve", "--port", port, "--log-level", "warning",
         "--db", f"sqlite:///{demo / 'central' / 'central.db'}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while _refused(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        synced = _agent(env, "--data-dir", str(demo), "sync", "--once", "--user", "agen.demo")
        assert synced.returncode == 0, synced.stdout + synced.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)


CHILD = """
import sys, time
from pathlib import Path
from agent_app.demo_env import demo_server
with demo_server(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]) as url:
    print(url, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_demo_server_stops_when_the_app_is_killed(tmp_path):
    """An app that aborts (inside Qt, or killed) runs no clean-up code of its own."""
    from tests.helpers.central import free_port

    env = _env(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path), str(free_port()), f"sqlite:///{tmp_path / 'central.db'}"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
    try:
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        assert not _refused(url)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 15
        while not _refused(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _refused(url), "the demo server outlived the app"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        child.stdout.close()
