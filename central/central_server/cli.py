"""``perisai-server``: run and administer the reference central server.

The database comes from --db, else $PERISAI_SERVER_DB, else sqlite:///perisai-central.db.
Passwords are read from standard input (--password-stdin) or asked for; --password on the
command line exists only for demos and tests (it is visible in the process list).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session, col, select

from central_server import SERVER_VERSION, admin
from central_server.auth import revoke_device
from central_server.db import init_db, make_engine
from central_server.demo import DEMO_PASSWORD, seed_demo
from central_server.epoch import start_new_epoch
from central_server.models import Enrollment, ServerUser, Wadah
from central_server.reference import load_regions
from central_server.settings import Settings, utcnow

DEFAULT_DB = "sqlite:///perisai-central.db"


def _db_url(args: argparse.Namespace) -> str:
    return getattr(args, "db", None) or os.environ.get("PERISAI_SERVER_DB") or DEFAULT_DB


def _read_password(args: argparse.Namespace, stdin=None) -> str:
    if getattr(args, "password", None):
        return args.password
    if getattr(args, "password_stdin", False):
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Kata sandi / Password: ")
    if getpass.getpass("Ulangi / Repeat: ") != first:
        raise admin.AdminError("Kata sandi tidak sama / Passwords differ")
    return first


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: the option may stand before or after the subcommand without one erasing the other
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help=f"SQLAlchemy database URL (default $PERISAI_SERVER_DB or {DEFAULT_DB})")
    parser = argparse.ArgumentParser(prog="perisai-server", parents=[common],
                                     description="Perisai central server (reference implementation)")
    parser.add_argument("--version", action="version", version=SERVER_VERSION)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", parents=[common], help="run the HTTP server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--forwarded-allow-ips", metavar="ADDRESSES",
                   help="the reverse proxies (comma-separated addresses or networks) whose X-Forwarded-For "
                        "and X-Forwarded-Proto are believed; default: none")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when standard input closes (a parent process that started this server ended)")

    sub.add_parser("init-db", parents=[common], help="create the database, or upgrade it to this version (migrations)")

    p = sub.add_parser("add-wadah", parents=[common], help="add an organisation")
    p.add_argument("name")

    def password_opts(p: argparse.ArgumentParser) -> None:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        g.add_argument("--password", help="demo/tests only: visible in the process list")

    p = sub.add_parser("add-user", parents=[common], help="add a user")
    p.add_argument("username")
    p.add_argument("--role", default="agent", choices=admin.ROLES)
    p.add_argument("--full-name", required=True)
    p.add_argument("--wadah")
    p.add_argument("--kecamatan", help="7 digits, e.g. 7371100 (Tamalate); 73.71.10 also accepted")
    p.add_argument("--kelurahan", help="11 digits, e.g. 73711001001; 73.71.10.1001 also accepted")
    password_opts(p)

    p = sub.add_parser("set-role", parents=[common],
                       help="give a user another role or area (their laptops follow at the next sign-in or refresh)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=admin.ROLES)
    p.add_argument("--kecamatan", help="7 digits; without it a supervisor works city-wide")
    p.add_argument("--kelurahan", help="11 digits; only that kelurahan of the kecamatan")

    p = sub.add_parser("reset-password", parents=[common], help="set a new password")
    p.add_argument("username")
    password_opts(p)

    p = sub.add_parser("deactivate-user", parents=[common], help="block a user (tokens stop working)")
    p.add_argument("username")
    p = sub.add_parser("activate-user", parents=[common], help="unblock a user")
    p.add_argument("username")

    p = sub.add_parser("revoke-device", parents=[common], help="revoke a device's enrollments")
    p.add_argument("device_id")
    p.add_argument("--user", help="only this user's enrollment on the device")

    sub.add_parser("list-users", parents=[common], help="list users")
    sub.add_parser("review-list", parents=[common], help="open review cases (duplicate NIKs, corrections of identity)")
    p = sub.add_parser("review-resolve", parents=[common], help="settle a review case")
    p.add_argument("review_id", type=int)
    p.add_argument("--as", dest="decision", required=True, choices=["distinct", "alias", "reject", "apply"],
                   help="a duplicate NIK: distinct, alias or reject; a correction of identity: apply or reject")
    p.add_argument("--by", default="admin", help="who decides")
    p.add_argument("--reason", required=True,
                   help="why (kept with the case; a rejection's reason also reaches the agent's device)")

    sub.add_parser("deletion-list", parents=[common], help="open deletion requests")
    p = sub.add_parser("delete-participant", parents=[common], help="carry out a deletion request")
    p.add_argument("participant_id")

    p = sub.add_parser("export", parents=[common], help="export to CSV (atomic write)")
    p.add_argument("what", choices=["participants", "payments"])
    p.add_argument("--out", required=True, type=Path)

    sub.add_parser("new-epoch", parents=[common],
                   help="after restoring the database from a backup: devices re-send what it lost")

    p = sub.add_parser("set-app-version", parents=[common], help="announce the latest app version")
    p.add_argument("version")
    p.add_argument("--url")
    p.add_argument("--installer", type=Path,
                   help="the installer file at --url: its SHA-256 and size are published with it, "
                        "so apps can download and check it themselves")

    p = sub.add_parser("recover-key", parents=[common],
                       help="open a device's key-recovery.json with the organisation's private key")
    p.add_argument("recovery_file", type=Path)
    p.add_argument("--private-key", type=Path, required=True)
    p.add_argument("--passphrase-stdin", action="store_true")

    p = sub.add_parser("seed-demo", parents=[common], help="demo wadah, users and participants")
    p.add_argument("--password", default=DEMO_PASSWORD, help="demo users' password (default %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None, *, stdin=None, stdout=None) -> int:
    out = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    url = _db_url(args)
    if args.command == "serve":
        return _serve(args, url)
    if args.command == "recover-key":
        return _recover_key(args, stdin, out)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    engine = admin.open_db(url)
    regions = load_regions(Settings().reference_dir)

    def say(*parts: object) -> None:
        print(*parts, file=out)

    try:
        with Session(engine) as session:
            cmd = args.command
            if cmd == "init-db":
                say(f"Basis data siap / Database ready: {engine.url.render_as_string(hide_password=True)}")
            elif cmd == "add-wadah":
                w = admin.add_wadah(session, args.name)
                session.commit()
                say(f"wadah {w.id}: {w.name}")
            elif cmd == "add-user":
                password = _read_password(args, stdin)
                u = admin.add_user(session, regions, username=args.username, password=password, role=args.role,
                                   full_name=args.full_name, wadah=args.wadah, kecamatan=args.kecamatan,
                                   kelurahan=args.kelurahan)
                session.commit()
                say(f"Pengguna dibuat / User created: {u.username} ({u.role}) id={u.id}")
            elif cmd == "set-role":
                u = admin.set_role(session, regions, args.username, args.role, args.kecamatan, args.kelurahan)
                session.commit()
                say(f"Peran diganti / Role changed: {u.username} ({u.role}, "
                    f"{u.kecamatan_code or 'kota'}{'/' + u.kelurahan_code if u.kelurahan_code else ''})")
            elif cmd == "reset-password":
                admin.set_password(session, args.username, _read_password(args, stdin))
                session.commit()
                say(f"Kata sandi diganti / Password changed: {args.username}")
            elif cmd in ("deactivate-user", "activate-user"):
                admin.set_active(session, args.username, cmd == "activate-user")
                session.commit()
                say(f"{cmd}: {args.username}")
            elif cmd == "revoke-device":
                users = revoke_device(session, args.device_id, args.user, utcnow())
                session.commit()
                if not users:
                    raise admin.AdminError(f"Tidak ada pendaftaran aktif / No active enrollment: {args.device_id}")
                say(f"Dicabut / Revoked: {args.device_id} ({', '.join(users)})")
                say("Pengguna ini perlu kata sandi baru (reset-password) sebelum bisa masuk lagi / These users need "
                    f"a new password (reset-password) before they can sign in again: {', '.join(users)}")
            elif cmd == "list-users":
                wadah = {w.id: w.name for w in session.exec(select(Wadah))}
                for u in session.exec(select(ServerUser).order_by(ServerUser.username)):
                    devices = len(session.exec(select(Enrollment.id).where(Enrollment.user_id == u.id,
                                                                           col(Enrollment.revoked_at).is_(None))).all())
                    say("\t".join([u.username, u.role, u.full_name, wadah.get(u.wadah_id, "-") if u.wadah_id else "-",
                                   u.kecamatan_code or "-", u.kelurahan_code or "-",
                                   "active" if u.active else "inactive", f"devices={devices}",
                                   "new-password-needed" if u.password_reset_required else "-"]))
            elif cmd == "review-list":
                for r in admin.open_reviews(session):
                    say("\t".join([str(r.id), r.kind, r.participant_id, r.other_participant_id or "-", r.created_at]))
            elif cmd == "review-resolve":
                from central_server.errors import MESSAGES
                from central_server.ops import CorrectionRefused, resolve_review

                if not " ".join(args.reason.split()):
                    raise admin.AdminError("Alasan keputusan wajib diisi / The decision needs a reason")
                try:
                    resolve_review(session, utcnow(), args.review_id, args.decision, args.by, args.reason)
                except LookupError:
                    raise admin.AdminError(
                        f"Kasus tidak ada atau sudah selesai / No open case: {args.review_id}") from None
                except CorrectionRefused as exc:
                    raise admin.AdminError(" / ".join(MESSAGES.get(exc.code, (exc.code, exc.code)))) from None
                except ValueError:
                    raise admin.AdminError(f"Keputusan ini tidak cocok untuk kasus ini / This decision does not "
                                           f"fit this case: {args.decision}") from None
                session.commit()
                say(f"Selesai / Resolved: {args.review_id} as {args.decision}")
            elif cmd == "deletion-list":
                for d in admin.open_deletions(session):
                    say("\t".join([str(d.id), d.participant_id, d.requested_at, d.requested_by, d.reason]))
            elif cmd == "delete-participant":
                from central_server.ops import carry_out_deletion

                if not carry_out_deletion(session, utcnow(), args.participant_id):
                    raise admin.AdminError(f"Peserta tidak ada atau sudah dihapus / No such participant: "
                                           f"{args.participant_id}")
                session.commit()
                say(f"Dihapus / Deleted: {args.participant_id}")
            elif cmd == "export":
                n = admin.export(session, args.what, args.out)
                say(f"Diekspor / Exported {n} {args.what} -> {args.out}")
            elif cmd == "new-epoch":
                epoch = start_new_epoch(session)
                session.commit()
                say(f"Epoch baru / New epoch: {epoch}")
            elif cmd == "set-app-version":
                admin.set_app_version(session, args.version, args.url, args.installer)
                session.commit()
                say(f"latest_app_version={args.version}")
            elif cmd == "seed-demo":
                summary = seed_demo(session, engine, regions, args.password)
                say(json.dumps(summary, indent=2))
    except admin.AdminError as exc:
        print(f"Gagal / Failed: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _recover_key(args: argparse.Namespace, stdin=None, out=None) -> int:
    """Print a device's database key (docs/KEY_RECOVERY.md): only the holder of the
    organisation's private key can do this; the agent's app takes the key back with
    ``perisai-agent recover-key``."""
    from central_server.recovery import open_sealed_key

    out = out or sys.stdout
    passphrase = ((stdin or sys.stdin).readline().rstrip("\r\n") if args.passphrase_stdin
                  else getpass.getpass("Frasa sandi kunci privat / Private key passphrase (Enter = none): "))
    try:
        key = open_sealed_key(args.recovery_file, args.private_key.read_bytes(), passphrase.encode() or None)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        print(f"Tidak bisa dibuka / Cannot open: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(key.hex(), file=out)
    return 0


def _exit_when_stdin_closes() -> None:
    """The parent holds our stdin open; EOF means it ended, however it ended."""
    import threading

    def watch() -> None:
        sys.stdin.buffer.read()
        logging.getLogger(__name__).warning("parent process ended: stopping the server")
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _serve(args: argparse.Namespace, url: str) -> int:
    import uvicorn

    from central_server.app import create_app

    logging.basicConfig(level=getattr(logging, args.log_level.upper()),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.exit_with_parent:
        _exit_when_stdin_closes()
    # The client's address (sign-in delays, logs) is the connection's peer, unless the peer
    # is one of the reverse proxies named here: then what it forwarded.
    options = dict(host=args.host, port=args.port, log_level=args.log_level, timeout_keep_alive=30,
                   proxy_headers=bool(args.forwarded_allow_ips), forwarded_allow_ips=args.forwarded_allow_ips or "")
    if args.workers > 1:
        # Several processes share the database, its only state. The tables are created here
        # first, so the workers do not race to create them; each builds its app from the
        # environment ("--factory").
        init_db(make_engine(url))
        os.environ["PERISAI_SERVER_DB"] = url
        uvicorn.run("central_server.app:create_app", factory=True, workers=args.workers, **options)
        return 0
    uvicorn.run(create_app(Settings.from_env(database_url=url)), workers=1, **options)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
