"""The demo data set: realistic, and nothing in it is dated after the moment it is made."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from agent_app.demo import bulk_load
from agent_app.services.base import WITA, FixedClock
from agent_app.services.core import AgentCore
from agent_app.store.models import Payment, Worker


def test_demo_payments_and_registrations_are_never_in_the_future(tmp_path):
    # Early in a month, when most days of the month (and all of the next) lie ahead.
    clock = FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=WITA))
    core = AgentCore.open(tmp_path / "demo.db", clock=clock)
    try:
        written = bulk_load(core, workers=300)
        with core.db.read() as s:
            collected = [datetime.fromisoformat(at) for at in s.exec(select(Payment.collected_at))]
            registered = set(s.exec(select(Worker.registration_month)))
            paid_ahead = s.exec(select(Worker.id).where(Worker.paid_through > "2026-11")).all()
    finally:
        core.close()
    assert len(collected) == written > 0
    assert max(collected) <= clock.now()
    assert max(registered) <= "2026-11"
    assert paid_ahead  # people still pay ahead: only the dates of those payments moved
