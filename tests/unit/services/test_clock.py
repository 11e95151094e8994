"""The app's clock follows the centre's time once learned, across restarts, until the
person sets the laptop's clock back (then it is trusted again until the next contact)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent_app.services.base import Clock, FixedClock, learn_centre_time
from agent_app.services.core import AgentCore

REAL = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 29 November, 10:00 WITA


class LaptopClock(Clock):
    def __init__(self, reads: datetime) -> None:
        super().__init__()
        self.reads = reads

    def device_now(self) -> datetime:
        return self.reads


def test_the_clock_follows_the_centre_once_learned(tmp_path):
    clock = LaptopClock(REAL + timedelta(days=3))  # three days fast: 2 December
    core = AgentCore.open(tmp_path / "p.db", clock=clock)
    try:
        assert clock.skew_seconds is None and clock.today().isoformat() == "2026-12-02"
        with core.db.write() as s:
            learn_centre_time(s, clock, REAL, clock.device_now())
        assert clock.today().isoformat() == "2026-11-29"
        assert clock.skew_seconds == 3 * 24 * 3600
    finally:
        core.close()
    # Restarted offline, the clock still wrong: the centre's date holds.
    again = LaptopClock(REAL + timedelta(days=3, hours=2))
    AgentCore.open(tmp_path / "p.db", clock=again).close()
    assert again.now() == REAL + timedelta(hours=2)
    # Restarted after the person set the clock right: it is trusted, not "corrected" again.
    fixed = LaptopClock(REAL + timedelta(hours=3))
    AgentCore.open(tmp_path / "p.db", clock=fixed).close()
    assert fixed.now() == REAL + timedelta(hours=3) and fixed.skew_seconds is None


def test_setting_the_clock_back_while_running_stops_the_correction():
    clock = LaptopClock(REAL + timedelta(days=3))
    clock.follow(-3 * 24 * 3600)
    assert clock.now() == REAL
    clock.reads = REAL + timedelta(minutes=5)  # the person fixed the Windows clock
    assert clock.now() == REAL + timedelta(minutes=5)
    assert clock.skew_seconds is None


def test_a_test_clock_stays_where_the_test_put_it():
    clock = FixedClock(REAL)
    clock.follow(3600)
    assert clock.now() == REAL and clock.skew_seconds is None
