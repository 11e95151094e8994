"""A seeded generator of realistic Makassar workers and payments.

Used by the demo data set (small) and by the benchmark (150,000 workers, 600,000
payments). Generated NIKs are structurally valid (Makassar kecamatan code, real birth
date with +40 for women, serial 0001-9999) and unique within one run; names mix common
Bugis-Makassar and Indonesian names. Bulk loading writes rows as if they had already
been synced from the central server (no outbox operations: nothing of it is to be sent).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agent_app.domain import coverage, tariffs
from agent_app.domain.reference import ReferenceData
from agent_app.services.workers import RegistrationForm

MALE = ("Andi", "Muhammad", "Syamsul", "Baso", "Ridwan", "Arifin", "Rahmat", "Hasanuddin",
        "Irwan", "Amiruddin", "Haris", "Fadli", "Sudirman", "Kamaruddin", "Rusli", "Yusuf",
        "Abdul", "Daeng", "Ilham", "Asdar", "Taufik", "Akbar", "Sahrul", "Jufri")
FEMALE = ("Andi", "Nurhayati", "Sitti", "Hasnah", "Rosmini", "Kartini", "Nurul", "Hasnawati",
          "Marlina", "Rahmawati", "Fitriani", "Sri", "Hadijah", "Suriani", "Besse", "Irma",
          "Nurjannah", "Rina", "Mardiana", "Syamsiah", "Jumriah", "Hj. Salmah")
FAMILY = ("Daeng Nai", "Daeng Tutu", "Daeng Sese", "Rahman", "Hamzah", "Latif", "Amir",
          "Mappiasse", "Pawallangi", "Karaeng", "Sikki", "Tompo", "Bakri", "Saleh", "Usman",
          "Lolo", "Massi", "Rasyid", "Nompo", "Jalil", "Mansyur", "Pakki", "Saing", "Tiro",
          "Ramli", "Syarif", "Bahar", "Mustafa", "Arsyad", "Sanusi", "Ngalle", "Baji")
STREETS = ("Jl. Sultan Alauddin", "Jl. Veteran Selatan", "Jl. Perintis Kemerdekaan",
           "Jl. Urip Sumoharjo", "Jl. A. P. Pettarani", "Jl. Cendrawasih", "Jl. Sungai Saddang",
           "Jl. Gunung Bawakaraeng", "Jl. Abdullah Daeng Sirua", "Jl. Tinumbu", "Jl. Kandea",
           "Jl. Rappocini Raya", "Jl. Daya", "Jl. Barukang", "Lorong Pasar")
RELATIONS = ("Istri", "Suami", "Anak", "Orang tua", "Saudara")


@dataclass
class DemoWorker:
    form: RegistrationForm
    paid_months: list[str]


class DemoGenerator:
    def __init__(self, ref: ReferenceData, seed: int = 2026) -> None:
        self.ref = ref
        self.rng = random.Random(seed)
        self._niks: set[str] = set()

    def nik(self, kecamatan_code: str, birth: date, sex: str) -> str:
        day = birth.day + (40 if sex == "F" else 0)
        stem = f"{kecamatan_code[:6]}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        while True:
            candidate = f"{stem}{self.rng.randint(1, 9999):04d}"
            if candidate not in self._niks:
                self._niks.add(candidate)
                return candidate

    def worker(self, today: date) -> DemoWorker:
        rng = self.rng
        sex = rng.choice("MF")
        first = rng.choice(MALE if sex == "M" else FEMALE)
        name = f"{first} {rng.choice(FAMILY)}"
        age_days = rng.randint(18 * 365, 63 * 365)
        birth = today - timedelta(days=age_days)
        kelurahan = rng.choice(self.ref.kelurahan)
        occupations = [rng.choice(self.ref.occupation_names)]
        if rng.random() < 0.1:
            other = rng.choice(self.ref.occupation_names)
            if other not in occupations:
                occupations.append(other)
        income = rng.choice((1_000_000, 1_000_000, 1_200_000, 1_500_000, 2_000_000, 2_500_000, 3_500_000))
        funding = "apbd" if rng.random() < 0.6 else "self"
        programmes = {"jkk": funding, "jkm": funding}
        desil = rng.choice((1, 2, 3, 4, 5, None, None))
        if "Pemilik usaha (pemberi kerja)" in occupations or (desil and desil <= 3 and rng.random() < 0.5):
            programmes["jht"] = funding
        form = RegistrationForm(
            nik=self.nik(kelurahan.kecamatan_code, birth, sex),
            full_name=name,
            birth_date=birth,
            sex=sex,
            phone=f"08{rng.choice('1235789')}{rng.randint(10**7, 10**9 - 1)}",
            address=(f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, "
                     f"RT {rng.randint(1, 9):02d}/RW {rng.randint(1, 12):02d}"),
            kelurahan_code=kelurahan.code,
            occupations=occupations,
            declared_income=income,
            programmes=programmes,
            desil=desil,
            desil_source="DTSEN Kota Makassar" if desil else None,
            desil_date=date(2025, 12, 1) if desil else None,
            disability=rng.random() < 0.03,
            disability_kind="Disabilitas fisik" if rng.random() < 0.03 else None,
            heir_name=f"{rng.choice(MALE + FEMALE)} {rng.choice(FAMILY)}",
            heir_relation=rng.choice(RELATIONS),
            consent_given=True,
        )
        if form.disability and not form.disability_kind:
            form.disability_kind = "Disabilitas fisik"
        # Payment history: most paid a few recent months, some lapsed, some never paid.
        current = coverage.month_of(today)
        roll = rng.random()
        if roll < 0.1:
            paid: list[str] = []
        else:
            last = coverage.add_months(current, rng.choice((0, 0, 0, 1, -1, -2, -5)))
            count = rng.randint(1, 9)  # with 10 % never paid: about 4 payments a worker
            paid = coverage.month_range(coverage.add_months(last, -(count - 1)), count)
        return DemoWorker(form, paid)


def bulk_load(core, *, workers: int, seed: int = 2026,
              batch: int = 5000, user_id: str | None = None) -> int:
    """Insert generated workers and payments directly, as already-synced records.

    Returns the number of payments written. Uses executemany inside large transactions:
    the point is to build a big realistic store quickly, not to exercise the use cases.
    """
    from sqlalchemy import insert

    from agent_app.domain.receipts import receipt_number
    from agent_app.store.models import Payment, Worker

    gen = DemoGenerator(core.ref, seed)
    today = core.clock.today()
    now = core.clock.stamp()
    moment = core.clock.now()
    user = user_id or "demo-import"
    payments_written = 0
    receipt_seq = 0
    prefix = "DEM000"  # a prefix no device draws (see receipts.new_device_prefix)
    remaining = workers
    while remaining > 0:
        size = min(batch, remaining)
        remaining -= size
        worker_rows, payment_rows = [], []
        for _ in range(size):
            demo = gen.worker(today)
            w = core.workers.build_worker(demo.form, _Actor(user), now=now, today=today)
            w.origin = "pulled"
            w.sync_state = "synced"
            w.kpj = f"{gen.rng.randint(0, 10**11 - 1):011d}"
            this_month = coverage.month_of(today)
            w.registration_month = min(demo.paid_months[0], this_month) if demo.paid_months else this_month
            w.paid_through = demo.paid_months[-1] if demo.paid_months else None
            worker_rows.append(w.model_dump())
            # Most BPU workers pay month by month; some pay a quarter ahead.
            months = demo.paid_months
            start = 0
            while start < len(months):
                step = 3 if gen.rng.random() < 0.05 else 1
                part = months[start:start + step]
                start += step
                quote = tariffs.quote(core.ref, income=w.declared_income, months=part,
                                      sector=w.policy_sector, programmes=json.loads(w.programmes))
                receipt_seq += 1
                payment_rows.append(dict(
                    id=str(uuid.UUID(int=gen.rng.getrandbits(128), version=4)),
                    receipt_no=receipt_number(prefix, receipt_seq, int(part[0][:4])),
                    kind="payment", worker_id=w.id, months=json.dumps(part), amount=quote.total,
                    breakdown=json.dumps({m: f.amounts for m, f in quote.per_month.items()}),
                    method=gen.rng.choice(("cash", "cash", "qris", "transfer")),
                    tariff_version=quote.tariff_version, voids_payment_id=None, void_reason=None,
                    collected_at=_collected_at(gen.rng, part[0], moment),
                    collected_by=user, device_id="demo", closeout_id=None,
                    sync_state="synced", server_flag=None,
                ))
        with core.db.write() as s:
            s.execute(insert(Worker), worker_rows)
            if payment_rows:
                s.execute(insert(Payment), payment_rows)
        payments_written += len(payment_rows)
    return payments_written


def _collected_at(rng: random.Random, month: str, now: datetime) -> str:
    """When a month was paid: a day of that month at the counter's opening, or, for a
    month paid ahead, some time in the week before now. Never after now."""
    moment = datetime(int(month[:4]), int(month[5:7]), rng.randint(1, 28), 2, tzinfo=UTC)
    if moment > now:
        moment = now - timedelta(hours=rng.randint(1, 7 * 24))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class _Actor:
    """The minimal 'user' build_worker needs for bulk rows."""

    def __init__(self, user_id: str) -> None:
        self.id = user_id

