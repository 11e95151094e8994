"""``perisai-agent demo``: the whole system on one machine, with no set-up by hand.

Starts the reference central server on 127.0.0.1 with a demo wadah and users, fills a
separate demo data directory with generated Makassar workers, signs the demo agent in
online once (so offline sign-in works), then opens the app pointed at that server.
Demo users: agen.demo / supervisor.demo, password "perisai-demo".
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

DEMO_USERS = ("agen.demo", "supervisor.demo")
DEMO_PASSWORD = "perisai-demo"


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


def run_demo(args, paths) -> int:
    from agent_app.cli import _open_core, _server_url
    from agent_app.demo import bulk_load
    from agent_app.paths import app_paths
    from sync.headless import login
    from sync.server import cli as server_cli
    from sync.server.testing import run_server

    _ensure_keyring()
    demo_paths = app_paths(paths.root / "demo")
    server_dir = demo_paths.root / "central"
    server_dir.mkdir(exist_ok=True)
    db_url = f"sqlite:///{server_dir / 'central.db'}"
    with open(os.devnull, "w") as quiet:
        server_cli.main(["seed-demo", "--db", db_url], stdout=quiet)
    with run_server(server_dir, port=args.port or None, db_url=db_url) as url:
        print(f"Server pusat demo / demo central server: {url}")
        core = _open_core(demo_paths)
        try:
            _server_url(core, url)
            if core.users.needs_first_user():
                for username in DEMO_USERS:
                    if login(core, url, username, DEMO_PASSWORD) != 0:
                        return 1
                print("Membuat data demo / generating demo data ...")
                bulk_load(core, workers=args.workers, seed=2026)
            print("Masuk dengan / sign in with: agen.demo / perisai-demo")
            if args.no_gui:
                return 0
            from agent_app.app import run_gui

            return run_gui(core, lang=args.lang, argv=sys.argv[:1], paths=demo_paths)
        finally:
            core.close()
