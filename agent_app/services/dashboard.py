"""The agent's dashboard figures: today, this month, the incentive estimate, coverage.

Dates are WITA days. Stored stamps may carry any UTC offset, so day and month filters
use SQLite's date functions (which honour the offset) after a cheap prefilter on the
indexed text column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from agent_app.domain import coverage
from agent_app.domain.reference import ReferenceData
from agent_app.services.base import Clock
from agent_app.store.db import Database, select_columns
from agent_app.store.models import Payment, User, Worker


def not_deleted(area_filtered: bool):
    """``worker.deleted = 0`` written to steer SQLite's planner (devices have no ANALYZE
    statistics). Every row matches ``deleted = 0``, yet the planner prefers any index that
    starts with ``deleted`` and then reads the whole table through it (8x slower than a
    scan at 150,000 workers). With an area filter the (deleted, kecamatan/kelurahan, ...)
    indexes are right; without one, the unary ``+`` keeps the column out of index choice.
    """
    if area_filtered:
        return Worker.deleted == False  # noqa: E712
    return text("+worker.deleted = 0")


# GROUP BY on a bare kelurahan_code makes the planner walk the (deleted, kelurahan_code)
# index over the whole table to avoid a sort; sorting a few hundred groups is cheaper.
GROUP_KELURAHAN = text("+worker.kelurahan_code")


def wita_date(column):
    """SQL expression: the WITA calendar date (YYYY-MM-DD) of a stamp column."""
    return func.date(column, "+8 hours")


def day_window(first: date, last: date):
    """Loose text bounds around [first, last] for a prefilter on an ISO stamp column."""
    return (first - timedelta(days=1)).isoformat(), (last + timedelta(days=2)).isoformat()


def month_bounds(month: str) -> tuple[date, date]:
    first = date(int(month[:4]), int(month[5:]), 1)
    nxt = coverage.add_months(month, 1)
    return first, date(int(nxt[:4]), int(nxt[5:]), 1) - timedelta(days=1)


@dataclass(frozen=True)
class IncentiveEstimate:
    new_participants: int
    per_participant: int
    registration_part: int
    collected_early: int  # contributions of participants' months 1-24 collected this month
    collected_late: int  # months 25-60
    early_rate: Decimal
    late_rate: Decimal
    collection_part: int
    target_new: int

    @property
    def total(self) -> int:
        return self.registration_part + self.collection_part


@dataclass(frozen=True)
class KelurahanCoverage:
    code: str
    name: str
    registered: int
    active: int
    grace: int
    population: int | None  # from targets.json when the city publishes it

    @property
    def percent(self) -> float | None:
        return 100.0 * self.active / self.population if self.population else None


@dataclass
class DashboardData:
    today: date
    month: str
    registrations_today: int
    registrations_month: int
    collected_today: int
    receipts_today: int
    collected_month: int
    receipts_month: int
    daily: list[tuple[date, int]]  # this month's net collections per day
    incentive: IncentiveEstimate
    kelurahan: list[KelurahanCoverage] = field(default_factory=list)
    city_target_percent: Decimal = Decimal("72.5")
    has_population: bool = False
    jht_enrolled: int = 0  # APBD-funded JHT, desil 1-3, known on this device
    jht_quota: int = 45000


def incentive_rates(targets) -> tuple[int, Decimal, Decimal, int]:
    rules = targets.get("agent_incentive", {})
    per = int(rules.get("new_participant_jkk_jkm", 10000))
    early, late = Decimal("0.15"), Decimal("0.05")
    for band in rules.get("collection_share", []):
        if int(band["from_month"]) == 1:
            early = Decimal(str(band["rate"]))
        else:
            late = Decimal(str(band["rate"]))
    return per, early, late, int(rules.get("monthly_new_nik_target", 25))


def collection_bands(entries, targets) -> tuple[int, int, int]:
    """(early, late, share) from (breakdown json, sign, registration_month) entries."""
    _, early_rate, late_rate, _ = incentive_rates(targets)
    bands = {int(b["from_month"]): (int(b["from_month"]), int(b["to_month"]))
             for b in targets.get("agent_incentive", {}).get("collection_share", [])}
    early_to = bands.get(1, (1, 24))[1]
    late_to = max((b[1] for b in bands.values()), default=60)
    early = late = 0
    for breakdown, sign, registration_month in entries:
        for month, amounts in json.loads(breakdown).items():
            n = coverage.months_between(registration_month, month) + 1
            amount = sign * sum(amounts.values())
            if 1 <= n <= early_to:
                early += amount
            elif early_to < n <= late_to:
                late += amount
    share = int((early * early_rate + late * late_rate).to_integral_value())
    return early, late, share


class DashboardService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock

    def area_kelurahan(self, actor: User) -> list[str]:
        if actor.kelurahan_code:
            return [actor.kelurahan_code]
        if actor.kecamatan_code:
            return [k.code for k in self.ref.kelurahan if k.kecamatan_code == actor.kecamatan_code]
        return [k.code for k in self.ref.kelurahan]

    def summary(self, actor: User) -> DashboardData:
        today = self.clock.today()
        month = coverage.month_of(today)
        first, last = month_bounds(month)
        lo, hi = day_window(first, last)
        with self.db.read() as s:
            reg_rows = s.exec(
                select(wita_date(Worker.registered_at), func.count())
                .where(Worker.registered_by == actor.id, Worker.origin == "local",
                       Worker.registered_at >= lo, Worker.registered_at < hi,
                       not_deleted(False))
                .group_by(wita_date(Worker.registered_at))
            ).all()
            regs = {d: n for d, n in reg_rows if d and d.startswith(month)}
            pay_rows = s.exec(
                select_columns(wita_date(Payment.collected_at).label("d"), Payment.kind,
                               Payment.amount, Payment.breakdown, Worker.registration_month)
                .join(Worker, col(Worker.id) == Payment.worker_id)
                .where(Payment.collected_by == actor.id, Payment.origin == "local",
                       Payment.collected_at >= lo, Payment.collected_at < hi)
            ).all()
            kel = self._coverage(s, actor, month)
            jht = s.exec(
                select(func.count()).select_from(Worker).where(
                    func.json_extract(Worker.programmes, "$.jht") == "apbd",
                    col(Worker.desil).between(1, 3), not_deleted(False))
            ).one()
        pay_rows = [r for r in pay_rows if r[0] and r[0].startswith(month)]
        today_s = today.isoformat()
        per_day: dict[str, int] = {}
        for d, _kind, amount, _b, _r in pay_rows:
            per_day[d] = per_day.get(d, 0) + amount
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        per, early_rate, late_rate, target_new = incentive_rates(self.ref.targets)
        early, late, share = collection_bands(
            ((b, -1 if kind == "void" else 1, r) for _d, kind, _a, b, r in pay_rows),
            self.ref.targets)
        new_month = sum(regs.values())
        targets = self.ref.targets
        populations = targets.get("kelurahan_population") or {}
        return DashboardData(
            today=today, month=month,
            registrations_today=regs.get(today_s, 0), registrations_month=new_month,
            collected_today=per_day.get(today_s, 0),
            receipts_today=sum(1 for r in pay_rows if r[0] == today_s and r[1] == "payment"),
            collected_month=sum(per_day.values()),
            receipts_month=sum(1 for r in pay_rows if r[1] == "payment"),
            daily=[(d, per_day.get(d.isoformat(), 0)) for d in days],
            incentive=IncentiveEstimate(
                new_participants=new_month, per_participant=per,
                registration_part=new_month * per, collected_early=early,
                collected_late=late, early_rate=early_rate, late_rate=late_rate,
                collection_part=share, target_new=target_new),
            kelurahan=kel,
            city_target_percent=Decimal(str(targets.get("city_coverage", {}).get(
                "target_percent", "72.5"))),
            has_population=bool(populations),
            jht_enrolled=jht,
            jht_quota=int(targets.get("jht_quota", {}).get("workers", 45000)),
        )

    def _coverage(self, s: Session, actor: User, month: str) -> list[KelurahanCoverage]:
        codes = self.area_kelurahan(actor)
        grace_floor = coverage.add_months(month, -coverage.MAX_ARREARS_MONTHS)
        paid = col(Worker.paid_through)
        stmt = select(
            Worker.kelurahan_code, func.count(),
            func.sum(func.iif(paid >= month, 1, 0)),
            func.sum(func.iif((paid < month) & (paid >= grace_floor), 1, 0)),
        ).where(not_deleted(bool(actor.kelurahan_code or actor.kecamatan_code))
                ).group_by(GROUP_KELURAHAN)
        if actor.kelurahan_code:
            stmt = stmt.where(Worker.kelurahan_code == actor.kelurahan_code)
        elif actor.kecamatan_code:
            stmt = stmt.where(Worker.kecamatan_code == actor.kecamatan_code)
        counts = {code: (n, a or 0, g or 0) for code, n, a, g in s.exec(stmt)}
        populations = self.ref.targets.get("kelurahan_population") or {}
        out = []
        for code in codes:
            kel = self.ref.kelurahan_by_code.get(code)
            n, a, g = counts.get(code, (0, 0, 0))
            pop = populations.get(code)
            out.append(KelurahanCoverage(code, kel.name if kel else code, n, a, g,
                                         int(pop) if pop else None))
        return out
