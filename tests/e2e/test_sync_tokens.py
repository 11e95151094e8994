"""A token refresh whose answer is lost on the link: the centre rotated the refresh token,
the device never heard. Its next round, minutes or hours later, asks again with the old
token and gets the same new pair: the device is not signed out. A real theft (the old
token presented after the device used its new one) still ends every session."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import requests
from sqlalchemy import text

from sync.client import SyncClient
from sync.credentials import Tokens, TokenStore
from tests.helpers.faultproxy import FaultProxy

from .conftest import register


def rotated_at(central, token: str) -> str | None:
    [(at,)] = central.query("SELECT rotated_at FROM tokens WHERE token_hash = :h",
                            h=hashlib.sha256(token.encode()).hexdigest())
    return at


def set_rotated_at(central, token: str, when: datetime) -> None:
    engine = central.engine()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE tokens SET rotated_at = :t WHERE token_hash = :h"),
                         {"t": when.isoformat(timespec="microseconds"),
                          "h": hashlib.sha256(token.encode()).hexdigest()})
    finally:
        engine.dispose()


def expire_access(store: TokenStore, username: str) -> Tokens:
    """The access token no longer works: the next request refreshes."""
    tokens = store.get(username)
    store.set(username, Tokens("expired-access-token-0000", tokens.refresh_token,
                               tokens.server_user_id))
    return tokens


def test_a_lost_refresh_answer_does_not_sign_the_device_out(central, device):
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=11) as proxy:
        dev = device("lost-refresh", base_url=proxy.url)
        store = TokenStore(proxy.url)
        register(dev)
        first = expire_access(store, dev.username)
        proxy.inject("cut_after_commit", path="/v1/auth/refresh")
        client = SyncClient(proxy.url, connect_timeout=2, read_timeout=5, deadline=20)
        report = dev.engine(client=client).sync_round()
        assert report.state == "offline" and report.pending == 1
        assert rotated_at(central, first.refresh_token) is not None  # the centre rotated
        assert store.get(dev.username).refresh_token == first.refresh_token  # nobody told us
        # The next round comes a while later (the link is back, the agent presses Sync).
        set_rotated_at(central, first.refresh_token, datetime.now(UTC) - timedelta(minutes=3))
        report = dev.engine().sync_round()
        assert report.state == "up_to_date", report
        assert (report.acked, report.pending) == (1, 0)
        second = store.get(dev.username)
        assert second.refresh_token != first.refresh_token

        # Later the device refreshes with its new token; the old one, presented now, can
        # only be a stolen copy: every session of the device ends.
        expire_access(store, dev.username)
        assert dev.engine().sync_round().state == "up_to_date"
        stolen = requests.post(f"{central.base_url}/v1/auth/refresh", timeout=10, json={
            "refresh_token": first.refresh_token, "device_id": dev.core.device_id})
        assert (stolen.status_code, stolen.json()["code"]) == (401, "token_reused")
        register(dev)
        report = dev.engine().sync_round()
        assert report.state == "signin_required" and report.pending == 1
