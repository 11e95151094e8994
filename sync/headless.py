"""What the ``perisai-agent login`` / ``sync --once`` commands call. No Qt.

Exit codes of ``sync_once``: 0 drained and pulled, 2 offline (or the server asked to retry
later), 3 sign-in required, 4 rejected / needs-review operations present, 5 upgrade
required, 1 any other problem. ``login``: 0 signed in, 2 offline, 3 wrong credentials,
5 upgrade required, 1 other.

Several users can share a counter laptop: every call works on one user's stream only.
"""

from __future__ import annotations

import random
import socket
import sys
from collections.abc import Callable
from typing import TextIO

from sqlmodel import select

from agent_app.services.attention import attention_items
from agent_app.services.users import CLOSED_AT_CENTRE
from agent_app.store.models import User
from sync.client import (
    AuthExpired,
    Forbidden,
    InvalidCredentials,
    Offline,
    RetryLater,
    SyncClient,
    SyncError,
    UpgradeRequired,
)
from sync.credentials import CredentialStoreUnavailable, Tokens, TokenStore
from sync.engine import SyncEngine
from sync.rounds import remember_centre_time

EXIT_OK, EXIT_PROBLEM, EXIT_OFFLINE, EXIT_SIGNIN, EXIT_REJECTED, EXIT_UPGRADE = 0, 1, 2, 3, 4, 5

_STATE_EXIT = {
    "up_to_date": EXIT_OK,
    "offline": EXIT_OFFLINE,
    "retry_later": EXIT_OFFLINE,
    "signin_required": EXIT_SIGNIN,
    "upgrade_required": EXIT_UPGRADE,
    "problem": EXIT_PROBLEM,
    "cancelled": EXIT_OFFLINE,  # nothing cancels a headless round; listed for completeness
}


def _say(out: TextIO, id_text: str, en_text: str) -> None:
    print(f"{id_text} / {en_text}", file=out)


def client_for(core, base_url: str) -> SyncClient:
    """The sync client with this laptop's network settings (the office proxy, if set)."""
    from agent_app.settings import get_setting

    return SyncClient(base_url, proxy=get_setting(core.db, "proxy_url") or None)


def sign_in_online(core, base_url: str, username: str, password: str, *,
                   client: SyncClient | None = None, tokens: TokenStore | None = None):
    """Sign in at the central server: tokens to the keyring, the local user created or
    refreshed so that offline sign-in works afterwards. Returns the local user; raises
    ``CredentialStoreUnavailable`` or the client's ``SyncError`` (the queue is untouched)."""
    tokens = tokens or TokenStore(base_url)
    tokens.check()
    own = client is None
    client = client or client_for(core, base_url)
    try:
        pair = client.login(username, password, core.device_id, device_name=socket.gethostname())
    finally:
        if own:
            client.close()
    tokens.set(pair.user.username, Tokens(pair.access_token, pair.refresh_token, pair.user.id))
    remember_centre_time(core.db, core.clock, client)
    user = core.users.upsert_from_server(pair.user.model_dump(), password)
    if pair.receipt_key:  # receipts from now on open the centre's check of their MAC
        from agent_app.services.centre import set_centre_url
        from agent_app.services.receipt_mac import store_server_key

        with core.db.write() as s:
            store_server_key(s, user.id, pair.receipt_key)
            set_centre_url(s, base_url)
    return user


def login(core, base_url: str, username: str, password: str, *,
          client: SyncClient | None = None, tokens: TokenStore | None = None,
          out: TextIO | None = None) -> int:
    """``perisai-agent login``: ``sign_in_online`` with a line in both languages and an
    exit code."""
    out = out or sys.stdout
    try:
        user = sign_in_online(core, base_url, username, password, client=client, tokens=tokens)
    except CredentialStoreUnavailable as exc:
        _say(out, exc.text("id"), exc.text("en"))
        return EXIT_PROBLEM
    except InvalidCredentials as exc:
        if exc.code in CLOSED_AT_CENTRE:  # deactivated at the centre: no offline sign-in either
            core.users.close_from_centre(username=username)
        _say(out, exc.text("id"), exc.text("en"))
        return EXIT_SIGNIN
    except Offline as exc:
        _say(out, "Server tidak dapat dihubungi", f"Server unreachable ({exc.code})")
        return EXIT_OFFLINE
    except RetryLater as exc:
        _say(out, exc.text("id"), exc.text("en"))
        return EXIT_OFFLINE
    except UpgradeRequired as exc:
        _say(out, exc.text("id"), exc.text("en"))
        return EXIT_UPGRADE
    except (AuthExpired, Forbidden, SyncError) as exc:
        if exc.code in CLOSED_AT_CENTRE:  # an administrator's or viewer's now
            core.users.close_from_centre(username=username)
        _say(out, exc.text("id"), exc.text("en"))
        return EXIT_PROBLEM
    _say(out, f"Masuk sebagai {user.full_name} ({user.username})",
         f"Signed in as {user.full_name} ({user.username})")
    return EXIT_OK


def make_engine(core, base_url: str, username: str, *, client: SyncClient | None = None,
                tokens: TokenStore | None = None, rng: random.Random | None = None,
                **engine_kw) -> SyncEngine:
    with core.db.read() as s:
        user = s.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise LookupError(username)
    return SyncEngine(
        core.db, client or client_for(core, base_url), tokens or TokenStore(base_url),
        user_id=user.id, username=user.username, device_id=core.device_id,
        clock=core.clock, rng=rng or random.Random(), reference_changed=core.refresh_reference,
        **engine_kw,
    )


def sync_once(core, base_url: str, username: str, *, client: SyncClient | None = None,
              tokens: TokenStore | None = None, out: TextIO | None = None,
              engine_factory: Callable[..., SyncEngine] | None = None) -> int:
    """One sync round for one user; prints a short summary; returns the exit code."""
    out = out or sys.stdout
    try:
        engine = (engine_factory or make_engine)(core, base_url, username, client=client,
                                                 tokens=tokens)
    except LookupError:
        _say(out, f"Pengguna {username} belum pernah masuk online di perangkat ini",
             f"User {username} has never signed in online on this device")
        return EXIT_SIGNIN
    try:
        engine.startup_recovery()
        report = engine.sync_round()
    finally:
        if client is None:
            engine.client.close()
    _say(out,
         f"Terkirim {report.pushed}, diterima {report.acked} (duplikat {report.duplicates}), "
         f"ditolak {report.rejected}, perlu diperiksa {report.needs_review}, "
         f"diunduh {report.pulled}, antrean {report.pending}",
         f"pushed {report.pushed}, acked {report.acked} (duplicates {report.duplicates}), "
         f"rejected {report.rejected}, needs review {report.needs_review}, "
         f"pulled {report.pulled}, queued {report.pending}")
    if report.resent:
        _say(out, f"{report.resent} operasi dikirim ulang: server pusat tidak lagi menyimpannya",
             f"{report.resent} operations sent again: the central server no longer had them")
    if report.waiting:
        _say(out, f"{report.waiting} operasi menunggu: pengguna lain di laptop ini belum mengirim "
                  "pendaftaran peserta yang dibutuhkannya",
             f"{report.waiting} operations wait until another user of this laptop sends the "
             "registration they need")
    for message in (report.message, report.clock_warning, report.tariff_notice):
        if message:
            _say(out, message.get("id", ""), message.get("en", ""))
    if report.state != "up_to_date":
        _say(out, f"Status: {report.state}", f"State: {report.state}")
        return _STATE_EXIT.get(report.state, EXIT_PROBLEM)
    attention = attention_items(core.db, engine.user_id)
    if attention:
        _say(out, f"{len(attention)} data perlu perhatian (lihat halaman Perlu perhatian)",
             f"{len(attention)} records need attention (see the Needs attention page)")
        return EXIT_REJECTED
    return EXIT_OK
