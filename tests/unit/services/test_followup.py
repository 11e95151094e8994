"""Follow-up list: buckets, urgency order, reminder text, contacted marks, area scope."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agent_app.domain.reference import search_key
from agent_app.services.base import ServiceError, new_id
from agent_app.services.followup import FollowupQuery, reminder_text
from agent_app.store.models import User, Worker


def add(core, user, n, *, paid_through, kelurahan="73710101001", name="Pekerja", start=0):
    now = core.clock.stamp()
    rows = []
    for i in range(start, start + n):
        full = f"{name} {i:05d}"
        rows.append(Worker(
            id=new_id(), nik=f"7371010101{80 + i % 20:02d}{i % 9999 + 1:04d}", full_name=full,
            name_key=search_key(full), birth_date="1980-01-01", sex="M",
            phone=f"+62812{i:08d}", kecamatan_code=kelurahan[:7], kelurahan_code=kelurahan,
            occupations=json.dumps(["Pedagang pasar"]), policy_sector="other",
            declared_income=1_000_000, programmes=json.dumps({"jkk": "self", "jkm": "self"}),
            consent_version="1", consent_at=now, consent_user_id=user.id, registered_at=now,
            registered_by=user.id, registration_month="2025-01", paid_through=paid_through,
            updated_at=now))
    with core.db.write() as s:
        s.add_all(rows)
    return [w.id for w in rows]


@pytest.fixture
def agent(core):
    user = User(id=new_id(), username="a", full_name="Besse Agen", role="agent",
                password_hash="-", created_at="2026-01-01", kecamatan_code="7371010")
    with core.db.write() as s:
        s.add(user)
    return user


def test_buckets_and_order(core, agent):
    # today 2026-11-24: ends=2026-11, grace1=2026-10, grace3=2026-08, inactive=2026-07
    add(core, agent, 2, paid_through="2026-11", start=0)
    add(core, agent, 1, paid_through="2026-10", start=10)
    add(core, agent, 1, paid_through="2026-08", start=20)
    add(core, agent, 1, paid_through="2026-07", start=30)
    add(core, agent, 1, paid_through="2026-12", start=40)  # paid ahead: not listed
    add(core, agent, 1, paid_through="2026-01", start=50)  # long inactive: not listed
    add(core, agent, 1, paid_through="2026-10", start=60, kelurahan="73710201001")  # other area
    counts = core.followup.count(agent)
    assert counts == {"grace3": 1, "grace2": 0, "grace1": 1, "ends": 2, "inactive": 1, "total": 5}
    rows = core.followup.page(agent)
    assert [r.kind for r in rows] == ["grace3", "grace1", "ends", "ends", "inactive"]
    g3 = rows[0]
    assert g3.months_due == ["2026-09", "2026-10", "2026-11"] and g3.unpaid == 3
    assert g3.amount_due > 0 and g3.phone.startswith("+62812")
    assert rows[2].months_due == ["2026-12"]
    text = reminder_text(g3, agent_name="Besse Agen", place="Koperasi Mariso")
    assert "September 2026 s.d. November 2026" in text and "Rp " in text
    assert "Koperasi Mariso" in text and g3.full_name in text
    assert core.followup.page(agent, offset=4, limit=10)[0].kind == "inactive"


def test_contacted_mark(core, agent, clock):
    [wid] = add(core, agent, 1, paid_through="2026-10")
    with pytest.raises(ServiceError):
        core.followup.mark_contacted(agent, wid, date(2026, 12, 1))
    core.followup.mark_contacted(agent, wid, date(2026, 11, 23), "ditelepon, bayar Jumat")
    [row] = core.followup.page(agent)
    assert row.contacted_on == "2026-11-23"
    assert core.followup.count(agent, FollowupQuery(only_uncontacted=True))["total"] == 0
