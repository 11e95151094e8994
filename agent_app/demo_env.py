"""``perisai-agent demo``: the whole system on one machine, with no set-up by hand.

Starts the reference central server (``python -m central_server``, a separate install:
the app never imports it) as a child process on 127.0.0.1 with a demo wadah and users,
fills a separate demo data directory with generated Makassar workers, signs the demo users
in online (on every run, so the sync session always starts fresh), then opens the app
pointed at that server. The server runs only as long as this process: it is stopped when
the app exits, and it stops by itself if this process dies (it watches its stdin).
Demo users: agen.demo / supervisor.demo, password "perisai-demo".
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_USERS = ("agen.demo", "supervisor.demo")
DEMO_PASSWORD = "perisai-demo"
PORT_FILE = "port"  # the demo server's port, kept so the server's address stays the same
STARTUP_TIMEOUT = 60.0


class DemoError(Exception):
    """The demo cannot start; the message says why in both languages."""


def _ensure_keyring() -> None:
    """The demo needs a keyring for the database key and tokens. A developer's Linux box
    often has none: then (demo only) use keyrings.alt's file backend, and say so loudly."""
    import keyring

    from agent_app.store.keys import keyring_usable

    if not keyring_usable(keyring.get_keyring()):
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        from keyrings.alt.file import PlaintextKeyring

        keyring.set_keyring(PlaintextKeyring())
        print("PERINGATAN/WARNING: tidak ada keyring sistem; demo menyimpan kunci di berkas "
              "(keyrings.alt) / no system keyring: the demo keeps its keys in a plain file.",
              file=sys.stderr)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _choose_port(server_dir: Path, requested: int) -> int:
    """The requested port, else the one used last time (the stored server address stays
    valid), else a free one, remembered for the next run."""
    stored = server_dir / PORT_FILE
    port = requested
    if not port and stored.exists():
        text = stored.read_text().strip()
        port = int(text) if text.isdigit() and _port_free(int(text)) else 0
    if not port:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    stored.write_text(str(port))
    return port


def _server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "central_server", *args]


def _require_server_package() -> None:
    import importlib.util

    if importlib.util.find_spec("central_server") is None:
        raise DemoError("Server pusat demo belum terpasang (paket perisai-central); jalankan `make run` dari "
                        "kode sumber / The demo central server is not installed (package perisai-central); "
                        "run `make run` from the source tree")


@contextmanager
def demo_server(server_dir: Path, port: int, db_url: str) -> Iterator[str]:
    """Seed the demo data and run the central server until the block ends."""
    import requests

    _require_server_package()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERISAI_SERVER_")}
    seeded = subprocess.run(_server_command("seed-demo", "--db", db_url, "--password", DEMO_PASSWORD),
                            capture_output=True, text=True, env=env, timeout=STARTUP_TIMEOUT)
    if seeded.returncode != 0:
        raise DemoError(f"Data demo server gagal dibuat / Could not seed the demo server:\n{seeded.stderr[-2000:]}")
    log_path = server_dir / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "ab") as server_log:
        # stdin is a pipe the child watches: when this process ends in any way (even killed,
        # or aborted inside Qt), the pipe closes and the server stops by itself.
        proc = subprocess.Popen(
            _server_command("serve", "--host", "127.0.0.1", "--port", str(port), "--db", db_url,
                            "--log-level", "warning", "--exit-with-parent"),
            stdin=subprocess.PIPE, stdout=server_log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise DemoError(f"Server demo berhenti / The demo server stopped (exit {proc.returncode}); "
                                f"see {log_path}")
            try:
                if requests.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise DemoError(f"Server demo tidak menjawab / The demo server does not answer; see {log_path}")
            time.sleep(0.1)
        yield url
    finally:
        stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def run_demo(args, paths) -> int:
    from agent_app.demo import bulk_load
    from agent_app.paths import app_paths
    from agent_app.services.centre import remember_centre_url
    from agent_app.services.core import open_core
    from sync.headless import login

    if not args.no_gui:
        from agent_app.qt_platform import require_gui_libraries

        require_gui_libraries()  # before any server starts: nothing to clean up if it fails
    _ensure_keyring()
    demo_paths = app_paths(paths.root / "demo")
    server_dir = demo_paths.root / "central"
    server_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{server_dir / 'central.db'}"
    try:
        with demo_server(server_dir, _choose_port(server_dir, args.port), db_url) as url:
            print(f"Server pusat demo / demo central server: {url}")
            core = open_core(demo_paths)
            try:
                remember_centre_url(core.db, url)
                first_run = core.users.needs_first_user()
                # Every run: a fresh online sign-in, whatever happened to the last session.
                for username in DEMO_USERS:
                    if login(core, url, username, DEMO_PASSWORD) != 0:
                        return 1
                if first_run:
                    print("Membuat data demo / generating demo data ...")
                    bulk_load(core, workers=args.workers, seed=2026)
                print("Masuk dengan / sign in with: agen.demo / perisai-demo")
                if args.no_gui:
                    return 0
                from agent_app.app import run_gui

                return run_gui(lambda: core, lang=args.lang, argv=sys.argv[:1], paths=demo_paths)
            finally:
                core.close()
    except DemoError as exc:
        print(exc, file=sys.stderr)
        return 1
