"""The follow-up list: who to remind today, in what order, with what words.

Workers appear when their coverage ends this month (paid through the current month),
when they are in the grace period (1-3 months unpaid) or when they became inactive in
the last ``NEWLY_INACTIVE_MONTHS`` months. Every bucket is one ``paid_through`` value, so
the query is a range on the indexed column and pages cheaply over 150,000 workers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from agent_app.domain import coverage, tariffs
from agent_app.domain.messages import format_rupiah, register
from agent_app.domain.reference import ReferenceData
from agent_app.services.base import Clock, ServiceError, audit, new_id
from agent_app.services.dashboard import not_deleted
from agent_app.services.merge import current_worker
from agent_app.store.db import Database
from agent_app.store.models import FollowupContact, User, Worker

register({
    "followup.date": {
        "id": "Tanggal dihubungi tidak boleh di masa depan",
        "en": "The contact date cannot be in the future",
    },
    "followup.worker": {
        "id": "Peserta tidak ditemukan",
        "en": "Participant not found",
    },
})

NEWLY_INACTIVE_MONTHS = 2
# Buckets, most urgent first: the last grace month loses coverage at the end of this month.
KINDS = ("grace3", "grace2", "grace1", "ends", "inactive")

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class FollowupQuery:
    kelurahan_code: str | None = None
    kinds: tuple[str, ...] = KINDS
    only_uncontacted: bool = False


@dataclass(frozen=True)
class FollowupRow:
    worker_id: str
    full_name: str
    nik: str
    phone: str | None
    kelurahan_code: str
    kelurahan_name: str
    paid_through: str
    kind: str  # one of KINDS
    unpaid: int  # months unpaid counting the current one (0 for "ends")
    months_due: list[str]
    amount_due: int
    contacted_on: str | None


def month_name_id(month: str) -> str:
    return f"{MONTHS_ID[int(month[5:]) - 1]} {month[:4]}"


def _bucket_months(current: str) -> dict[str, str]:
    """paid_through value -> bucket kind (inactive has several values)."""
    out = {current: "ends"}
    for n in (1, 2, 3):
        out[coverage.add_months(current, -n)] = f"grace{n}"
    for n in range(NEWLY_INACTIVE_MONTHS):
        out[coverage.add_months(current, -(4 + n))] = "inactive"
    return out


def months_due(kind: str, paid_through: str, current: str, registration_month: str) -> list[str]:
    """The months a reminder asks for: arrears up to this month, or next month."""
    if kind == "ends":
        return [coverage.add_months(current, 1)]
    earliest = max(coverage.add_months(paid_through, 1), registration_month,
                   coverage.add_months(current, -coverage.MAX_ARREARS_MONTHS))
    return coverage.month_range(earliest, coverage.months_between(earliest, current) + 1)


def reminder_text(row: FollowupRow, *, agent_name: str, place: str) -> str:
    """Ready-to-copy reminder in Bahasa Indonesia (SMS/WhatsApp)."""
    months = row.months_due
    span = month_name_id(months[0]) if len(months) == 1 else \
        f"{month_name_id(months[0])} s.d. {month_name_id(months[-1])}"
    amount = format_rupiah(row.amount_due, "id")
    if row.kind == "ends":
        lead = (f"perlindungan BPJS Ketenagakerjaan Bapak/Ibu berakhir bulan "
                f"{month_name_id(row.paid_through)}. Agar tetap terlindungi, mohon bayar "
                f"iuran {span}")
    elif row.kind == "inactive":
        lead = ("kepesertaan BPJS Ketenagakerjaan Bapak/Ibu sudah tidak aktif karena iuran "
                f"belum dibayar. Untuk mengaktifkan kembali, iuran {span}")
    else:
        lead = (f"iuran BPJS Ketenagakerjaan Bapak/Ibu belum dibayar {row.unpaid} bulan. "
                f"Mohon bayar iuran {span}")
    return (f"Yth. {row.full_name}, {lead} ({len(months)} bulan) sebesar {amount}. "
            f"Pembayaran dapat dilakukan di {place}. Terima kasih. - {agent_name}, Agen Perisai")


class FollowupService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock

    def _stmt(self, actor: User, query: FollowupQuery, today: date, columns):
        current = coverage.month_of(today)
        buckets = {m: k for m, k in _bucket_months(current).items() if k in query.kinds}
        if not buckets:
            buckets = {"0000-00": "none"}
        area_kel = query.kelurahan_code or actor.kelurahan_code
        stmt = select(*columns).where(
            col(Worker.paid_through).in_(list(buckets)),
            not_deleted(bool(area_kel or actor.kecamatan_code)),
        )
        if area_kel:
            stmt = stmt.where(Worker.kelurahan_code == area_kel)
        elif actor.kecamatan_code:
            stmt = stmt.where(Worker.kecamatan_code == actor.kecamatan_code)
        if query.only_uncontacted:
            stmt = stmt.where(~col(Worker.id).in_(self._contacted_this_month(today)))
        return stmt, current

    @staticmethod
    def _contacted_this_month(today: date):
        month = coverage.month_of(today)
        return select(FollowupContact.worker_id).where(
            FollowupContact.contacted_on >= f"{month}-01")

    def count(self, actor: User, query: FollowupQuery = FollowupQuery()) -> dict[str, int]:
        """Rows per kind (and "total")."""
        today = self.clock.today()
        stmt, current = self._stmt(actor, query, today, (Worker.paid_through, func.count()))
        stmt = stmt.group_by(Worker.paid_through)
        buckets = _bucket_months(current)
        out = {k: 0 for k in KINDS}
        with self.db.read() as s:
            for paid, n in s.exec(stmt):
                out[buckets[paid]] += n
        out["total"] = sum(out[k] for k in KINDS)
        return out

    def page(self, actor: User, query: FollowupQuery = FollowupQuery(), offset: int = 0,
             limit: int = 100) -> list[FollowupRow]:
        today = self.clock.today()
        current = coverage.month_of(today)
        buckets = _bucket_months(current)
        # Urgency rank from paid_through: grace3 (oldest unpaid) ... ends, inactive last.
        rank = case({m: KINDS.index(k) for m, k in buckets.items()},
                    value=Worker.paid_through, else_=99)
        stmt, _ = self._stmt(actor, query, today, (Worker,))
        stmt = stmt.order_by(rank, Worker.kelurahan_code, Worker.name_key, Worker.id)
        stmt = stmt.offset(offset).limit(limit)
        with self.db.read() as s:
            workers = list(s.exec(stmt))
            contacts = self._latest_contacts(s, [w.id for w in workers])
        return [self._row(w, buckets[w.paid_through], current, contacts.get(w.id))
                for w in workers]

    @staticmethod
    def _latest_contacts(s: Session, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        rows = s.exec(
            select(FollowupContact.worker_id, func.max(FollowupContact.contacted_on))
            .where(col(FollowupContact.worker_id).in_(ids))
            .group_by(FollowupContact.worker_id)
        )
        return dict(rows.all())

    def _row(self, w: Worker, kind: str, current: str, contacted: str | None) -> FollowupRow:
        assert w.paid_through is not None, "the query selects workers by their paid_through month"
        due = months_due(kind, w.paid_through, current, w.registration_month)
        try:
            amount = tariffs.quote(self.ref, income=w.declared_income, months=due,
                                   sector=w.policy_sector,
                                   programmes=json.loads(w.programmes)).total
        except (ValueError, KeyError):  # a pulled record with programmes we do not price
            amount = 0
        kel = self.ref.kelurahan_by_code.get(w.kelurahan_code)
        return FollowupRow(
            worker_id=w.id, full_name=w.full_name, nik=w.nik, phone=w.phone,
            kelurahan_code=w.kelurahan_code, kelurahan_name=kel.name if kel else w.kelurahan_code,
            paid_through=w.paid_through, kind=kind,
            unpaid=coverage.unpaid_months(w.paid_through, self.clock.today()) or 0,
            months_due=due, amount_due=amount, contacted_on=contacted,
        )

    def mark_contacted(self, actor: User, worker_id: str, on: date | None = None,
                       note: str = "") -> FollowupContact:
        """Record that the worker was reached (local only; audited)."""
        today = self.clock.today()
        on = on or today
        if on > today:
            raise ServiceError("followup.date")
        now = self.clock.stamp()
        with self.db.write() as s:
            worker = current_worker(s, worker_id)
            if worker is None:
                raise ServiceError("followup.worker")
            worker_id = worker.id
            contact = FollowupContact(id=new_id(), worker_id=worker_id, user_id=actor.id,
                                      contacted_on=on.isoformat(), note=note.strip(),
                                      created_at=now)
            s.add(contact)
            audit(s, user_id=actor.id, action="followup.contacted", entity="worker",
                  entity_id=worker_id, now=now,
                  new={"contacted_on": contact.contacted_on, "note": contact.note})
        return contact
