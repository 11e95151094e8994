"""AgentCore: the use cases of the app, bundled over one database and one reference set."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from agent_app.domain.reference import ReferenceData, load_reference
from agent_app.services.attention import AttentionService
from agent_app.services.base import (
    CLOCK_LEARNED_KEY,
    CLOCK_OFFSET_KEY,
    Clock,
    device_id,
    get_meta,
    heal_outbox_counters,
    pending_count,
)
from agent_app.services.closeout import CloseoutService
from agent_app.services.dashboard import DashboardService
from agent_app.services.followup import FollowupService
from agent_app.services.importer import ImportService
from agent_app.services.payments import PaymentService
from agent_app.services.reference import note_tariff_in_force, reference_in_force
from agent_app.services.reports import ReportService
from agent_app.services.users import UserService
from agent_app.services.workers import WorkerService
from agent_app.store.db import Database, open_database


class AgentCore:
    """The use cases over one database. ``ref`` is the reference data shipped with the app
    (default ``resources/reference``); the set in force may be a newer bundle the centre
    published (``refresh_reference``)."""

    def __init__(self, db: Database, ref: ReferenceData | None = None, clock: Clock | None = None) -> None:
        self.db = db
        self.shipped_ref = ref or load_reference()
        self.ref = self.shipped_ref
        self.clock = clock or Clock()
        self.users = UserService(db, self.clock)
        self.workers = WorkerService(db, self.ref, self.clock)
        self.payments = PaymentService(db, self.ref, self.clock, self.workers)
        self.importer = ImportService(self.workers, self.clock)
        self.closeouts = CloseoutService(db, self.clock)
        self.followup = FollowupService(db, self.ref, self.clock)
        self.dashboard = DashboardService(db, self.ref, self.clock)
        self.reports = ReportService(db, self.ref, self.clock)
        self.attention = AttentionService(db, self.ref, self.clock)
        with db.write() as s:
            self.device_id = device_id(s)
            heal_outbox_counters(s)
            offset = get_meta(s, CLOCK_OFFSET_KEY)
            learned = get_meta(s, CLOCK_LEARNED_KEY)
        if offset is not None and learned is not None:  # the centre's time, as last learned
            self.clock.follow(float(offset), datetime.fromisoformat(learned))
        self.importer.recover()  # an import a stopped process left: finished or discarded
        # A message for the person when the tariff in force changed since the last start.
        self.tariff_notice = self.refresh_reference()

    def refresh_reference(self) -> dict[str, str] | None:
        """Use the reference set in force today (a bundle the centre sent, by its effective
        date); returns a message for the person when the tariff in force changed."""
        ref = reference_in_force(self.db, self.clock.today(), self.shipped_ref)
        if ref is not self.ref:
            self.ref = ref
            for service in (self.workers, self.payments, self.importer, self.followup,
                            self.dashboard, self.reports, self.attention):
                service.ref = ref
        with self.db.write() as s:
            return note_tariff_in_force(s, ref)

    @classmethod
    def open(cls, path: Path, *, key: bytes | None = None, clock: Clock | None = None,
             ref: ReferenceData | None = None) -> AgentCore:
        return cls(open_database(path, key), ref=ref, clock=clock)

    def pending_operations(self, user_id: str | None = None) -> int:
        with self.db.read() as s:
            return pending_count(s, user_id)

    def close(self) -> None:
        self.db.close()


def open_core(paths) -> AgentCore:
    """Open the store of an app data folder (decrypting it when a key exists) and the use cases."""
    from agent_app.store.keys import open_store

    return AgentCore(open_store(paths))
