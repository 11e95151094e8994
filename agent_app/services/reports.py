"""Reports: collections per kelurahan / user / day, registrations per kecamatan, flags.

Money reports cover what was recorded on this device (``Payment.origin == "local"``):
payments pulled from the centre were collected and accounted for elsewhere.

Long work takes ``progress(done, total)`` and a ``cancel`` token (anything with a truthy
``cancelled`` attribute) and checks them between chunks, so the GUI's progress dialog can
show movement and stop it. Aggregation runs per rowid chunk in SQL and is merged here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import func
from sqlmodel import col, select

from agent_app.domain import coverage
from agent_app.domain.messages import register
from agent_app.domain.reference import ReferenceData
from agent_app.services.base import Clock, ServiceError, audit
from agent_app.services.dashboard import day_window, month_bounds, not_deleted, wita_date
from agent_app.store.db import Database, select_columns
from agent_app.store.models import Payment, User, Worker

register({
    "task.cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
})

CHUNK = 20_000
ProgressFn = Callable[[int, int], None]


class CancelLike(Protocol):
    cancelled: bool


class CancelToken:
    """Set from the GUI thread, read by the worker thread (a plain flag is enough)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()


class Cancelled(ServiceError):
    def __init__(self) -> None:
        super().__init__("task.cancelled")


def checkpoint(cancel: CancelLike | None, progress: ProgressFn | None, done: int, total: int) -> None:
    if cancel is not None and cancel.cancelled:
        raise Cancelled()
    if progress is not None:
        progress(done, total)


@dataclass
class Collections:
    """Net collections (payments minus voids) of a day or a month."""

    period: str  # "day" | "month"
    first: date
    last: date
    by_kelurahan: list[dict] = field(default_factory=list)  # code, name, kecamatan, receipts, voids, cash, noncash, net
    by_user: list[dict] = field(default_factory=list)  # user_id, name, receipts, voids, cash, noncash, net
    by_day: list[dict] = field(default_factory=list)  # day, receipts, net

    @property
    def total(self) -> int:
        return sum(r["net"] for r in self.by_kelurahan)

    @property
    def receipts(self) -> int:
        return sum(r["receipts"] for r in self.by_kelurahan)


@dataclass
class Registrations:
    month: str
    by_kecamatan: list[dict] = field(default_factory=list)  # code, name, new, total, active, grace, inactive


class ReportService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock

    def _range(self, s, table: str) -> tuple[int, int]:
        row = s.connection().exec_driver_sql(
            f"SELECT coalesce(min(rowid), 0), coalesce(max(rowid), 0) FROM {table}").one()
        return int(row[0]), int(row[1])

    def collections(self, period: str, day: date, *, progress: ProgressFn | None = None,
                    cancel: CancelLike | None = None) -> Collections:
        if period == "day":
            first = last = day
        elif period == "month":
            first, last = month_bounds(coverage.month_of(day))
        else:
            raise ValueError(period)
        lo, hi = day_window(first, last)
        kel: dict[str, dict] = {}
        users: dict[str, dict] = {}
        days: dict[str, dict] = {}
        d = wita_date(Payment.collected_at)
        cash = func.sum(func.iif(Payment.method == "cash", Payment.amount, 0))
        with self.db.read() as s:
            start, end = self._range(s, "payment")
            total = max(0, end - start + 1)
            for chunk in range(start, end + 1, CHUNK):
                checkpoint(cancel, progress, chunk - start, total)
                rows = s.exec(
                    select_columns(Worker.kelurahan_code, Payment.collected_by, d,
                                   func.sum(func.iif(Payment.kind == "payment", 1, 0)),
                                   func.sum(func.iif(Payment.kind == "void", 1, 0)),
                                   cash, func.sum(Payment.amount))
                    .join(Worker, col(Worker.id) == Payment.worker_id)
                    .where(col(Payment.collected_at) >= lo, col(Payment.collected_at) < hi,
                           d >= first.isoformat(), d <= last.isoformat(),
                           Payment.origin == "local")
                    .where(text_rowid_between(chunk, chunk + CHUNK - 1))
                    .group_by(Worker.kelurahan_code, Payment.collected_by, d)
                ).all()
                for code, user, dd, n, v, c, net in rows:
                    for bucket, key, seed in (
                        (kel, code, {"code": code}), (users, user, {"user_id": user}),
                        (days, dd, {"day": dd}),
                    ):
                        row = bucket.setdefault(key, {**seed, "receipts": 0, "voids": 0,
                                                      "cash": 0, "noncash": 0, "net": 0})
                        row["receipts"] += n
                        row["voids"] += v
                        row["cash"] += c
                        row["noncash"] += net - c
                        row["net"] += net
            names = dict(s.exec(select(User.id, User.full_name)).all())
        checkpoint(cancel, progress, total, total)
        for row in kel.values():
            k = self.ref.kelurahan_by_code.get(row["code"])
            row["name"] = k.name if k else row["code"]
            row["kecamatan"] = k.kecamatan_name if k else ""
        for row in users.values():
            row["name"] = names.get(row["user_id"], row["user_id"])
        return Collections(
            period, first, last,
            by_kelurahan=sorted(kel.values(), key=lambda r: (r["kecamatan"], r["name"])),
            by_user=sorted(users.values(), key=lambda r: (-r["net"], r["name"])),
            by_day=sorted(days.values(), key=lambda r: r["day"]),
        )

    def registrations(self, month: str, *, progress: ProgressFn | None = None,
                      cancel: CancelLike | None = None) -> Registrations:
        current = coverage.month_of(self.clock.today())
        grace_floor = coverage.add_months(current, -coverage.MAX_ARREARS_MONTHS)
        paid = col(Worker.paid_through)
        out: dict[str, dict] = {}
        with self.db.read() as s:
            start, end = self._range(s, "worker")
            total = max(0, end - start + 1)
            for chunk in range(start, end + 1, CHUNK):
                checkpoint(cancel, progress, chunk - start, total)
                rows = s.exec(
                    select_columns(Worker.kecamatan_code,
                                   func.sum(func.iif(Worker.registration_month == month, 1, 0)),
                                   func.count(),
                                   func.sum(func.iif(paid >= current, 1, 0)),
                                   func.sum(func.iif((paid < current) & (paid >= grace_floor), 1, 0)),
                                   func.sum(func.iif(paid < grace_floor, 1, 0)))
                    .where(not_deleted(False))
                    .where(text_rowid_between(chunk, chunk + CHUNK - 1, "worker"))
                    .group_by(Worker.kecamatan_code)
                ).all()
                for code, new, n, a, g, i in rows:
                    row = out.setdefault(code, {"code": code, "new": 0, "total": 0,
                                                "active": 0, "grace": 0, "inactive": 0})
                    row["new"] += new or 0
                    row["total"] += n
                    row["active"] += a or 0
                    row["grace"] += g or 0
                    row["inactive"] += i or 0
        checkpoint(cancel, progress, total, total)
        for code, _name in self.ref.kecamatan:
            out.setdefault(code, {"code": code, "new": 0, "total": 0, "active": 0,
                                  "grace": 0, "inactive": 0})
        for row in out.values():
            row["name"] = self.ref.kecamatan_by_code.get(row["code"], row["code"])
        return Registrations(month, sorted(out.values(), key=lambda r: r["name"]))

    def flagged(self, limit: int = 5000) -> list[dict]:
        """Payments the server flagged (e.g. possible double collection), newest first."""
        with self.db.read() as s:
            rows = s.exec(
                select(Payment, Worker.full_name, Worker.nik, User.full_name)
                .join(Worker, col(Worker.id) == Payment.worker_id)
                .join(User, col(User.id) == Payment.collected_by, isouter=True)
                .where(col(Payment.server_flag).is_not(None), Payment.origin == "local")
                .order_by(col(Payment.collected_at).desc()).limit(limit)
            ).all()
        return [
            {"receipt_no": p.receipt_no, "collected_at": p.collected_at, "worker": name,
             "nik": nik, "amount": p.amount, "method": p.method, "flag": p.server_flag,
             "collected_by": user or p.collected_by, "payment_id": p.id}
            for p, name, nik, user in rows
        ]

    def record_export(self, actor: User, what: str, path: str, rows: int) -> None:
        """UU PDP: an export of personal or money data is logged."""
        with self.db.write() as s:
            audit(s, user_id=actor.id, action="export", entity="report", entity_id=what,
                  now=self.clock.stamp(), new={"path": path, "rows": rows})


def text_rowid_between(lo: int, hi: int, table: str = "payment"):
    from sqlalchemy import text

    return text(f"{table}.rowid BETWEEN :lo AND :hi").bindparams(lo=lo, hi=hi)
