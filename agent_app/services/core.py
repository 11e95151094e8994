"""AgentCore: the use cases of the app, bundled over one database and one reference set."""

from __future__ import annotations

from pathlib import Path

from agent_app.domain.reference import ReferenceData, load_reference
from agent_app.services.attention import AttentionService
from agent_app.services.base import Clock, device_id, heal_outbox_counters, pending_count
from agent_app.services.closeout import CloseoutService
from agent_app.services.dashboard import DashboardService
from agent_app.services.followup import FollowupService
from agent_app.services.importer import ImportService
from agent_app.services.payments import PaymentService
from agent_app.services.reports import ReportService
from agent_app.services.users import UserService
from agent_app.services.workers import WorkerService
from agent_app.store.db import Database, open_database


class AgentCore:
    def __init__(self, db: Database, ref: ReferenceData | None = None, clock: Clock | None = None) -> None:
        self.db = db
        self.ref = ref or load_reference()
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
        self.importer.recover()  # an import a stopped process left: finished or discarded

    @classmethod
    def open(cls, path: Path, *, key: bytes | None = None, clock: Clock | None = None,
             ref: ReferenceData | None = None) -> AgentCore:
        return cls(open_database(path, key), ref=ref, clock=clock)

    def pending_operations(self, user_id: str | None = None) -> int:
        with self.db.read() as s:
            return pending_count(s, user_id)

    def close(self) -> None:
        self.db.close()
