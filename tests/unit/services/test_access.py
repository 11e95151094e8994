"""The permission table per role, the void rule, NIK masking, and the use cases enforcing them."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from agent_app.services.access import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    can,
    mask_nik,
    may_void,
    require,
    shown_nik,
)
from agent_app.services.base import ServiceError
from agent_app.store.models import Payment, User, Worker
from tests.helpers.forms import PASSWORD, make_form

SUPERVISOR_ONLY = ("view_full_nik", "export", "import", "manage_users", "view_audit", "purge",
                   "correct_identity", "void_any")
DAILY = ("register", "collect", "void", "correct", "participant_copy", "request_deletion",
         "view_reports")


def person(role: str, **extra) -> User:
    return User(id=f"id-{role}", username=role, full_name=role.title(), role=role,
                password_hash="x", created_at="2026-11-24T02:00:00+00:00", **extra)


@pytest.mark.parametrize("role", ["agent", "clerk"])
def test_agents_and_clerks_do_the_daily_work_only(role):
    user = person(role)
    for permission in DAILY:
        assert can(user, permission), permission
        require(user, permission)
    for permission in set(SUPERVISOR_ONLY) - ({"import"} if role == "clerk" else set()):
        assert not can(user, permission), permission
        with pytest.raises(ServiceError) as info:
            require(user, permission)
        assert info.value.code == "access.denied"


def test_counter_clerks_import_the_city_lists_agents_do_not():
    assert can(person("clerk"), "import")
    assert not can(person("agent"), "import")


def test_supervisor_holds_every_declared_permission():
    assert ROLE_PERMISSIONS["supervisor"] == frozenset(PERMISSIONS)
    assert all(can(person("supervisor"), p) for p in PERMISSIONS)


def test_unknown_role_inactive_user_and_nobody_may_do_nothing():
    assert not can(person("admin"), "register")
    assert not can(person("supervisor", active=False), "register")
    assert not can(None, "register")
    with pytest.raises(KeyError):
        can(person("supervisor"), "fly")


def test_refusal_names_role_and_action_in_both_languages():
    with pytest.raises(ServiceError) as info:
        require(person("clerk"), "purge")
    assert info.value.text("id") == (
        "Peran Anda (petugas loket) tidak boleh menghapus data lama dari perangkat")
    assert info.value.text("en") == "Your role (counter clerk) may not purge old data from the device"


def test_mask_nik_keeps_region_and_serial_only():
    assert mask_nik("7371014107900001") == "7371********0001"
    assert mask_nik("7371 0141 0790 0001") == "7371********0001"
    assert mask_nik("") == "" and mask_nik(None) == ""
    assert mask_nik("12345") == "*****"  # too short to show anything safely
    assert shown_nik(person("agent"), "7371014107900001") == "7371********0001"
    assert shown_nik(person("supervisor"), "7371014107900001") == "7371014107900001"


def test_agent_voids_own_payment_same_day_only(core, user, clock):
    worker = core.workers.register(user, make_form())
    payment = core.payments.collect(user, worker.id, 1, "cash")
    today = clock.today()
    assert may_void(user, payment, today)
    other = person("agent")
    assert not may_void(other, payment, today)  # someone else's cash
    clock.advance(days=1)
    assert not may_void(user, payment, clock.today())  # yesterday's
    assert may_void(person("supervisor"), payment, clock.today())
    payment.closeout_id = "c1"
    assert not may_void(user, payment, today)  # already handed over


def test_use_cases_check_the_table_before_writing(core, user, clock):
    worker = core.workers.register(user, make_form())
    payment = core.payments.collect(user, worker.id, 1, "cash")
    clock.advance(days=1)
    with pytest.raises(ServiceError) as info:
        core.payments.void(user, payment.id, "salah bulan")
    assert info.value.code == "access.void_own_same_day"
    with core.db.read() as s:
        assert s.exec(select(func.count()).select_from(Payment)).one() == 1  # nothing written
    core.users.create_user(username="spv", full_name="Andi Spv", role="supervisor",
                           password=PASSWORD, actor=person("supervisor"))
    supervisor = core.users.authenticate("spv", PASSWORD)
    assert core.payments.void(supervisor, payment.id, "salah bulan").kind == "void"


def test_an_unknown_role_is_refused_without_writing(core, user):
    stranger = person("visitor")
    with pytest.raises(ServiceError) as info:
        core.workers.register(stranger, make_form())
    assert info.value.code == "access.denied"
    with core.db.read() as s:
        assert s.exec(select(func.count()).select_from(Worker)).one() == 0


def test_docs_privacy_roles_table_matches_the_code():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "PRIVACY.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        match = re.match(r"\| `(\w+)`[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|", line)
        if match:
            rows[match.group(1)] = [cell.strip() != "no" for cell in match.groups()[1:]]
    assert set(rows) == set(PERMISSIONS)
    for permission, allowed in rows.items():
        assert allowed == [can(person(r), permission) for r in ("agent", "clerk", "supervisor")], permission
