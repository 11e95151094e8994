"""Local users: argon2 hashes, first-user rule, growing delays after failed sign-ins."""

from __future__ import annotations

import pytest
from sqlmodel import select

from agent_app.services.base import ServiceError
from agent_app.services.users import failure_delay
from agent_app.store.models import User
from tests.helpers.forms import PASSWORD


def test_first_user_then_only_a_supervisor_adds_users(core):
    assert core.users.needs_first_user()
    core.users.create_user(username="Spv", full_name="Andi", role="supervisor", password="rahasia-123")
    assert not core.users.needs_first_user()
    with pytest.raises(ServiceError) as info:
        core.users.create_user(username="x", full_name="X", role="agent", password="rahasia-123")
    assert info.value.code == "user.not_allowed"
    spv = core.users.authenticate("spv", "rahasia-123")
    core.users.create_user(username="agen", full_name="Agen", role="agent", password="rahasia-456", actor=spv)
    with core.db.read() as s:
        hashes = [u.password_hash for u in s.exec(select(User))]
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_wrong_password_then_growing_delays(core, user, clock):
    for _ in range(3):
        with pytest.raises(ServiceError) as info:
            core.users.authenticate("besse", "salah")
        assert info.value.code == "auth.invalid"
    # The 3rd failure starts a 30 s wait; even the right password waits.
    with pytest.raises(ServiceError) as info:
        core.users.authenticate("besse", PASSWORD)
    assert info.value.code == "auth.throttled" and 0 < info.value.params["seconds"] <= 31
    assert "detik" in info.value.text("id")
    clock.advance(seconds=31)
    assert core.users.authenticate("besse", PASSWORD).username == "besse"


def test_failure_delay_grows_and_is_capped():
    assert [failure_delay(n) for n in range(6)] == [0, 0, 0, 30, 60, 120]
    assert failure_delay(50) == 15 * 60


def test_short_password_and_duplicate_username(core, user):
    spv = core.users.create_user  # noqa: F841
    with pytest.raises(ServiceError) as info:
        core.users.create_user(username="a", full_name="A", role="agent", password="123", actor=None)
    assert info.value.code in ("user.password_short", "user.not_allowed")
