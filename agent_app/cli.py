"""``perisai-agent``: the desktop app and its headless commands.

    perisai-agent [--data-dir DIR] [--lang id|en]        start the app
    perisai-agent demo [--data-dir DIR]                  local server + demo data + app
    perisai-agent import FILE --report REPORT.csv --user NAME
    perisai-agent login --server URL --user NAME
    perisai-agent sync --once [--server URL] --user NAME
    perisai-agent recover-key [--key-stdin]               put a recovered database key back
    perisai-agent --self-test [--data-dir DIR]

Passwords are read from the terminal, or from standard input with ``--password-stdin``
(scheduled tasks); never from the command line.

The installed Windows app is windowed and has no console: its commands are run with the
console companion ``perisai-agent-cli.exe`` beside it (the same program; the installer
puts it on the user's PATH), which prints, prompts and returns these exit statuses.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from agent_app.paths import app_paths

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_REFUSED_ROWS = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perisai-agent", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="folder for the database and logs (portable installs)")
    parser.add_argument("--lang", choices=("id", "en"), help="interface language")
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit")
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="start a local reference server with demo data, then the app")
    demo.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    demo.add_argument("--workers", type=int, default=1500, help="demo workers to generate")
    demo.add_argument("--no-gui", action="store_true", help="prepare everything, don't open the window")

    imp = sub.add_parser("import", help="import a CSV/XLSX list of workers")
    imp.add_argument("file", type=Path)
    imp.add_argument("--report", type=Path, required=True, help="where to write the row-by-row report (CSV)")
    imp.add_argument("--user", required=True, help="the local user importing the list")
    imp.add_argument("--password-stdin", action="store_true")
    imp.add_argument("--dry-run", action="store_true", help="only check and report")

    login = sub.add_parser("login", help="sign in online once; offline sign-in works afterwards")
    login.add_argument("--server", help="central server URL")
    login.add_argument("--user", required=True)
    login.add_argument("--password-stdin", action="store_true")

    sync = sub.add_parser("sync", help="push queued records and pull updates")
    sync.add_argument("--once", action="store_true", required=True, help="one round, then exit")
    sync.add_argument("--server", help="central server URL")
    sync.add_argument("--user", required=True)

    recover = sub.add_parser("recover-key", help="put a recovered database key back into the keyring "
                                                 "(docs/KEY_RECOVERY.md)")
    recover.add_argument("--key-stdin", action="store_true", help="read the 64 hex digits from stdin")
    return parser


def _password(args) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("Kata sandi / Password: ")


def _open_core(paths):
    """Open the store and the use cases; imported here, not at the top, so that starting the
    window does not wait for SQLAlchemy."""
    from agent_app.services.core import open_core

    return open_core(paths)


def _server_url(core, explicit: str | None) -> str:
    from agent_app.services.centre import centre_url, remember_centre_url

    if explicit:
        remember_centre_url(core.db, explicit)
        return explicit
    url = centre_url(core.db) or os.environ.get("PERISAI_SERVER_URL")
    if not url:
        raise SystemExit("Alamat server belum diatur: gunakan --server URL / No server URL: use --server URL")
    return url


def _cmd_import(args, paths) -> int:
    from agent_app.services.access import require
    from agent_app.services.base import ServiceError
    from agent_app.services.importer import describe

    core = _open_core(paths)
    try:
        user = core.users.authenticate(args.user, _password(args))
        require(user, "import")  # before the list is read: an agent is told at once
        report = core.importer.preview(args.file)
        report.write_csv(args.report)
        print(describe(report))
        imported = core.importer.commit(user, report) if report.valid and not args.dry_run else 0
    except ServiceError as exc:
        print(f"{exc.text('id')} / {exc.text('en')}", file=sys.stderr)
        return EXIT_PROBLEM
    except OSError as exc:  # the report could not be written
        print(f"Laporan tidak bisa disimpan / The report cannot be saved: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_PROBLEM
    finally:
        core.close()
    print(f"Diimpor / imported: {imported}")
    return EXIT_REFUSED_ROWS if (report.refused or report.file_issues) else EXIT_OK


def _cmd_login(args, paths) -> int:
    from sync.headless import login

    core = _open_core(paths)
    try:
        return login(core, _server_url(core, args.server), args.user, _password(args))
    finally:
        core.close()


def _cmd_sync(args, paths) -> int:
    from sync.headless import sync_once

    core = _open_core(paths)
    try:
        return sync_once(core, _server_url(core, args.server), args.user)
    finally:
        core.close()


def _cmd_recover_key(args, paths) -> int:
    """The key comes from the central administrators (perisai-server recover-key); it is
    proved against this database before it goes into the keyring."""
    from agent_app.store.db import StoreError, open_database
    from agent_app.store.keys import KeyStore

    raw = (sys.stdin.readline() if args.key_stdin
           else getpass.getpass("Kunci basis data / Database key (64 hex): ")).strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        print("Kunci harus 64 digit heksadesimal / The key must be 64 hex digits", file=sys.stderr)
        return EXIT_PROBLEM
    if not paths.database.exists():
        print(f"Basis data tidak ada / No database at {paths.database}", file=sys.stderr)
        return EXIT_PROBLEM
    try:
        open_database(paths.database, key, migrate=False).close()
    except StoreError as exc:
        print(f"Kunci tidak membuka basis data ini / This key does not open this database ({exc.code})",
              file=sys.stderr)
        return EXIT_PROBLEM
    KeyStore(paths.database).put(key)
    print("Kunci dipulihkan; buka aplikasi / Key restored; start the app")
    return EXIT_OK


def _cmd_gui(args, paths) -> int:
    """The window shows first; the store opens on the database thread behind it."""
    from agent_app.app import run_gui

    return run_gui(lambda: _open_core(paths), lang=args.lang, argv=sys.argv[:1], paths=paths)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = app_paths(args.data_dir)
    from agent_app.logs import setup_logging

    setup_logging(paths.logs)
    if args.self_test:
        from agent_app.selftest import run_self_test

        return run_self_test(paths.root)
    if args.command == "import":
        return _cmd_import(args, paths)
    if args.command == "login":
        return _cmd_login(args, paths)
    if args.command == "sync":
        return _cmd_sync(args, paths)
    if args.command == "recover-key":
        return _cmd_recover_key(args, paths)
    if args.command == "demo":
        from agent_app.demo_env import run_demo

        return run_demo(args, paths)
    return _cmd_gui(args, paths)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
