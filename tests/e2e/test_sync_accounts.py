"""Accounts on a laptop follow the centre: who may use the app at all, and with which role
and area (the real server on 127.0.0.1, a real device store)."""

from __future__ import annotations

import io

from sqlmodel import select

from agent_app.services.core import AgentCore
from agent_app.store.models import User
from sync import headless
from sync.credentials import TokenStore
from tests.helpers.central import seed_user

from .conftest import NOW, PASSWORD, FixedClock


def test_an_administrator_is_told_at_sign_in_to_use_the_console(central, tmp_path):
    """An admin account used to sign in here and pull the whole city's personal data."""
    seed_user(central.db_url, "admin.kota", PASSWORD, role="admin", kecamatan=None)
    core = AgentCore.open(tmp_path / "p.db", clock=FixedClock(NOW))
    try:
        out = io.StringIO()
        rc = headless.login(core, central.base_url, "admin.kota", PASSWORD, out=out)
        assert rc == headless.EXIT_PROBLEM
        said = out.getvalue()
        assert "Akun ini untuk konsol web pusat, bukan untuk aplikasi agen" in said
        assert "sign in with an agent, counter clerk or supervisor account" in said
        assert "console_only" not in said
        with core.db.read() as s:
            assert s.exec(select(User)).all() == []  # no offline sign-in either
        assert TokenStore(central.base_url).get("admin.kota") is None
    finally:
        core.close()
