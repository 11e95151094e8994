"""Accounts on a laptop follow the centre: who may use the app at all, and with which role
and area (the real server on 127.0.0.1, a real device store)."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import Session, select

from agent_app.services.access import can
from agent_app.services.base import ServiceError
from agent_app.services.core import AgentCore
from agent_app.store.models import AuditEntry, OutboxOp, User
from central_server.reference import load_regions
from central_server.settings import Settings
from sync import headless
from sync.credentials import TokenStore
from tests.helpers.central import seed_user

from .conftest import KECAMATAN, KELURAHAN, NOW, PASSWORD, FixedClock, register


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


def _centre(central):
    from central_server import admin

    engine = admin.open_db(central.db_url)
    return engine, load_regions(Settings().reference_dir)


def test_a_role_and_area_changed_at_the_centre_reach_the_laptop_at_its_next_sync(central, device):
    """An agent made supervisor at the centre kept the agent's role on the laptop (and a
    supervisor made agent kept the supervisor's actions, which the centre then refused)."""
    from central_server import admin

    seed_user(central.db_url, "agen.naik", PASSWORD, kecamatan=KECAMATAN, kelurahan=KELURAHAN)
    dev = device("naik", "agen.naik")
    assert (dev.user.role, dev.user.kelurahan_code) == ("agent", KELURAHAN)
    assert not can(dev.user, "correct_identity")
    engine, regions = _centre(central)
    with Session(engine) as s:
        admin.set_role(s, regions, "agen.naik", "supervisor", KECAMATAN)
        s.commit()
    engine.dispose()
    assert dev.engine().sync_round().state == "up_to_date"
    user = dev.core.users.authenticate("agen.naik", PASSWORD)
    assert (user.role, user.kecamatan_code, user.kelurahan_code) == ("supervisor", KECAMATAN, None)
    assert can(user, "correct_identity")
    with dev.db.read() as s:
        [entry] = s.exec(select(AuditEntry).where(AuditEntry.action == "user.follow_centre")).all()
        assert json.loads(entry.new) == {"role": "supervisor", "kelurahan_code": None}


@pytest.mark.parametrize("change", ["deactivated", "made_admin"])
def test_an_account_closed_at_the_centre_closes_on_the_laptop_and_keeps_its_queue(central, device, change):
    """A deactivated agent went on signing in offline, with every participant of their area."""
    from central_server import admin

    username = f"agen.{change.replace('_', '')}"
    seed_user(central.db_url, username, PASSWORD, kecamatan=KECAMATAN)
    dev = device(change, username)
    worker = register(dev)
    engine, regions = _centre(central)
    with Session(engine) as s:
        if change == "deactivated":
            admin.set_active(s, username, False)
        else:
            admin.set_role(s, regions, username, "admin")
        s.commit()
    report = dev.engine().sync_round()
    assert report.state in ("signin_required", "problem") and report.message["id"]
    with pytest.raises(ServiceError) as refused:
        dev.core.users.authenticate(username, PASSWORD)
    assert refused.value.code == "auth.closed"
    assert "pusat menonaktifkannya atau mengubah perannya" in refused.value.text("id")
    with pytest.raises(ServiceError) as wrong:
        dev.core.users.authenticate(username, "bukan-sandinya")
    assert wrong.value.code == "auth.invalid"  # nothing said to whoever lacks the password
    with dev.db.read() as s:
        assert [op.state for op in s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker.id))] == ["pending"]

    with Session(engine) as s:  # the centre opens the account again: an online sign-in opens it here
        if change == "deactivated":
            admin.set_active(s, username, True)
        else:
            admin.set_role(s, regions, username, "agent", KECAMATAN)
        s.commit()
    engine.dispose()
    assert headless.login(dev.core, central.base_url, username, PASSWORD, out=io.StringIO()) == headless.EXIT_OK
    user = dev.core.users.authenticate(username, PASSWORD)
    assert dev.engine().sync_round().state == "up_to_date"
    with dev.db.read() as s:
        assert [op.state for op in s.exec(select(OutboxOp).where(OutboxOp.entity_id == worker.id))] == ["acked"]
    assert user.active
