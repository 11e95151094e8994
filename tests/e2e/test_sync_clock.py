"""A laptop clock set wrong. The device learns the centre's time at every contact: it
registers and bills by the centre's date (registration month, payment months, the
receipt number's year), warns the person, and keeps the corrected date after a restart;
the centre flags operations a wrong clock stamped in the future.

The clock is set to 2 January of next year, whatever day the test runs, so that the month
and the year it would bill are both wrong (on 29 November a clock three days ahead billed
December)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from agent_app.services.base import WITA, Clock
from agent_app.services.core import AgentCore
from sync import headless

from .conftest import PASSWORD, nik_for

NEXT_JANUARY = datetime(datetime.now(WITA).year + 1, 1, 2, 10, 0, tzinfo=WITA)


class LaptopClock(Clock):
    """The machine's clock, set ``ahead`` of the real time."""

    def __init__(self, ahead: timedelta) -> None:
        super().__init__()
        self.ahead = ahead

    def device_now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def form(serial: int):
    from agent_app.services.workers import RegistrationForm
    from tests.e2e.conftest import KELURAHAN

    birth = datetime(1984, 4, 5).date()
    return RegistrationForm(
        nik=nik_for(birth, "M", serial), full_name=f"Daeng Jam {'ABCDEFGH'[serial % 8]}",
        birth_date=birth, sex="M", phone="081234567890", address="Jl. Nuri", kelurahan_code=KELURAHAN,
        occupations=["Pedagang pasar"], declared_income=1_500_000, consent_given=True)


def engine(core, base_url):
    from sync.client import SyncClient

    return headless.make_engine(core, base_url, "agen1", client=SyncClient(base_url))


def the_centres_month() -> str:
    return f"{datetime.now(WITA):%Y-%m}"


def test_a_clock_set_ahead_bills_by_the_centres_date_and_warns(tmp_path, central):
    ahead = NEXT_JANUARY - datetime.now(UTC)
    path = tmp_path / "fast" / "p.db"
    core = AgentCore.open(path, clock=LaptopClock(ahead))
    try:
        assert headless.login(core, central.base_url, "agen1", PASSWORD, out=io.StringIO()) == 0
        user = core.users.authenticate("agen1", PASSWORD)
        worker = core.workers.register(user, form(8701))  # offline after the sign-in
        assert worker.registration_month == the_centres_month()
        paid = core.payments.collect(user, worker.id, 1, "cash")
        assert json.loads(paid.months) == [the_centres_month()]
        assert paid.receipt_no.split("-")[2] == f"{datetime.now(WITA).year % 100:02d}"
        assert abs(datetime.fromisoformat(paid.collected_at) - datetime.now(UTC)) < timedelta(minutes=1)
        assert abs(core.clock.skew_seconds - ahead.total_seconds()) < 60

        report = engine(core, central.base_url).sync_round()
        assert report.state == "up_to_date" and report.acked == 2
        assert report.clock_skew_seconds > 24 * 3600
        assert "lebih cepat" in report.clock_warning["id"] and "ahead" in report.clock_warning["en"]
        flagged = central.query("SELECT stamped_ahead_s FROM applied_ops WHERE device_id = :d",
                                d=core.device_id)
        assert flagged and all(ahead_s is None for (ahead_s,) in flagged)  # nothing from the future
        said = io.StringIO()
        assert headless.sync_once(core, central.base_url, "agen1", out=said) == 0
        assert "lebih cepat dari jam server pusat" in said.getvalue()
    finally:
        core.close()
    # The next morning, offline: the laptop restarts with its clock still wrong.
    core = AgentCore.open(path, clock=LaptopClock(ahead))
    try:
        user = core.users.authenticate("agen1", PASSWORD)
        assert core.workers.register(user, form(8702)).registration_month == the_centres_month()
    finally:
        core.close()


def test_the_centre_flags_operations_stamped_in_the_future(tmp_path, central):
    """The clock jumped ahead after the last contact (a flat CMOS battery): what the device
    records meanwhile carries its wrong time; the centre keeps it and flags it, and from
    that contact on the device bills by the centre's date again."""
    clock = LaptopClock(timedelta(0))
    core = AgentCore.open(tmp_path / "jump" / "p.db", clock=clock)
    try:
        assert headless.login(core, central.base_url, "agen1", PASSWORD, out=io.StringIO()) == 0
        user = core.users.authenticate("agen1", PASSWORD)
        clock.ahead = NEXT_JANUARY - datetime.now(UTC)
        stamped = core.workers.register(user, form(8703))
        report = engine(core, central.base_url).sync_round()
        assert report.state == "up_to_date"
        [(ahead_s,)] = central.query("SELECT stamped_ahead_s FROM applied_ops WHERE entity_id = :w",
                                     w=stamped.id)
        assert ahead_s is not None and ahead_s > 24 * 3600
        assert report.clock_warning is not None
        assert core.workers.register(user, form(8704)).registration_month == the_centres_month()
    finally:
        core.close()


def test_the_centres_console_sees_the_devices_queue_and_clock(tmp_path, central):
    """What the centre's console shows of an agent's laptop: how many operations it still
    holds and how far its clock is off, as it said at its last push. The link drops in the
    middle of a round (after the first batch's answer): the centre knows the rest waits."""
    from sync.client import SyncClient
    from sync.rounds import Stop

    ahead = timedelta(days=3)
    core = AgentCore.open(tmp_path / "report" / "p.db", clock=LaptopClock(ahead))
    try:
        assert headless.login(core, central.base_url, "agen1", PASSWORD, out=io.StringIO()) == 0
        user = core.users.authenticate("agen1", PASSWORD)
        for serial in (8705, 8706, 8707):
            core.workers.register(user, form(serial))
        sync = headless.make_engine(core, central.base_url, "agen1", client=SyncClient(central.base_url),
                                    batch_start=1, batch_max=1)

        def link_drops(name: str) -> None:
            if name == "answer_received":
                raise Stop("offline")

        sync._checkpoint = link_drops
        assert sync.sync_round().state == "offline"
        queued = sync.pending_count()
        assert queued >= 3

        def console():
            [row] = central.query("SELECT pending_ops, clock_offset_seconds FROM enrollments "
                                  "WHERE device_id = :d", d=core.device_id)
            return row

        pending, offset = console()
        assert pending == queued - 1  # the batch it sent is the centre's now
        assert abs(offset - ahead.total_seconds()) < 120  # the laptop's own clock, uncorrected
        assert engine(core, central.base_url).sync_round().state == "up_to_date"
        pending, offset = console()
        assert pending == 0 and abs(offset - ahead.total_seconds()) < 120
    finally:
        core.close()
