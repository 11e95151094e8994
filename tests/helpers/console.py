"""A small programme for the web console's tests: users of every console role, workers in
two kecamatan, payments (paid this month, in grace, never, a void, a double collection),
a duplicate-NIK review case, a close-out with its handover and devices that report their
queue and clock. Everything a device sends goes through the real push API.

    seed = seed_programme(post, db_url, now)   # post(path, json=..., headers=...) -> response
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from central_server.summary import WITA
from tests.helpers.central import seed_user
from tests.helpers.samples import BAROMBONG, BONTORANNU, MARISO, TAMALATE, make_op, payment_payload, worker_payload

PASSWORD = "rahasia-console-1"
MACCINI = "73711001002"  # kelurahan Maccini Sombala, Tamalate (73.71.10.1002)

CONSOLE_USERS = {  # username -> (role, kecamatan)
    "admin.pusat": ("admin", None),
    "dinas.kota": ("city_viewer", None),
    "bpjs.cabang": ("bpjs_viewer", None),
    "spv.tamalate": ("supervisor", TAMALATE),
    "spv.mariso": ("supervisor", MARISO),
}


def csrf_of(html: str) -> str:
    """The CSRF token of a console page's form."""
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(http, username: str, password: str = PASSWORD):
    """Sign ``http`` (a TestClient or a requests session on the server) in to the console."""
    http.cookies.clear()
    form = http.get("/console/login")
    return http.post("/console/login", data={"username": username, "password": password, "csrf": csrf_of(form.text),
                                             "next": ""}, follow_redirects=False)


def month_add(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Seeded:
    today: date
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> payload
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> payload
    receipt_keys: dict[str, str] = field(default_factory=dict)  # agent username -> receipt key
    review_id: int | None = None
    devices: dict[str, str] = field(default_factory=dict)  # agent username -> device id
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)


class Device:
    """A laptop signed in as ``username``: pushes one op at a time through the real API."""

    def __init__(self, post, username: str, device_id: str) -> None:
        self.post, self.device_id, self.seq = post, device_id, 0
        r = post("/v1/auth/login", json={"username": username, "password": PASSWORD, "device_id": device_id,
                                         "device_name": f"Laptop {username}", "app_version": "0.1.0"})
        assert r.status_code == 200, r.text
        self.tokens = r.json()

    def push(self, kind: str, payload: dict[str, Any], **report: Any) -> dict[str, Any]:
        self.seq += 1
        body = {"batch_id": str(uuid.uuid4()), "device_id": self.device_id, "app_version": "0.1.0",
                "ops": [make_op(kind, payload, self.seq)], **report}
        r = self.post("/v1/push", json=body, headers={"Authorization": f"Bearer {self.tokens['access_token']}"})
        assert r.status_code == 200, r.text
        return r.json()["results"][0]


def _stamp(day: date, hour: int = 10) -> str:
    """An ISO stamp in UTC for a Makassar (WITA) hour of ``day``."""
    return datetime.combine(day, time(hour), WITA).astimezone(UTC).isoformat()


def seed_programme(post, db_url: str, now: datetime) -> Seeded:
    """``now``: the server's clock (aware), so that "this month" and device clocks agree with it."""
    today = now.astimezone(WITA).date()
    seed = Seeded(today=today)
    for username, (role, kec) in CONSOLE_USERS.items():
        seed_user(db_url, username, PASSWORD, role=role, kecamatan=kec, full_name=username.replace(".", " ").title())
    seed_user(db_url, "agen.tamalate", PASSWORD, kecamatan=TAMALATE, full_name="Andi Tamalate")
    seed_user(db_url, "agen.mariso", PASSWORD, kecamatan=MARISO, full_name="Besse Mariso")
    tam = Device(post, "agen.tamalate", "laptop-tamalate-01")
    mar = Device(post, "agen.mariso", "laptop-mariso-01")
    seed.devices = {"agen.tamalate": tam.device_id, "agen.mariso": mar.device_id}
    seed.receipt_keys = {"agen.tamalate": tam.tokens["receipt_key"], "agen.mariso": mar.tokens["receipt_key"]}
    seed.tokens = {"agen.tamalate": tam.tokens, "agen.mariso": mar.tokens}
    current = f"{today.year:04d}-{today.month:02d}"
    registered = _stamp(today - timedelta(days=40))

    def register(device: Device, label: str, **fields: Any) -> dict[str, Any]:
        payload = worker_payload(registered_at=registered, consent_at=registered, **fields)
        result = device.push("worker.register", payload)
        assert result["status"] in ("applied", "needs_review"), result
        seed.workers[label] = payload
        return result

    def pay(device: Device, label: str, worker: str, months: list[str], day: date, **fields: Any) -> None:
        payload = payment_payload(seed.workers[worker]["id"], months, receipt_no=f"PA-{label.upper()}-{today:%y}",
                                  device_id=device.device_id, collected_at=_stamp(day), **fields)
        assert device.push("payment.collect", payload)["status"] == "applied"
        seed.payments[label] = payload

    register(tam, "sikki", full_name="Daeng Sikki", serial=1, desil=2, desil_source="DTSEN",
             programmes={"jkk": "apbd", "jkm": "apbd", "jht": "apbd"})
    register(tam, "ramlah", full_name="Ramlah Tahir", birth_date="1990-07-01", sex="F", serial=2,
             kelurahan_code=MACCINI)
    register(tam, "baso", full_name="Baso Rahman", birth_date="1979-02-11", serial=3)
    register(mar, "nurdin", full_name="Nurdin Kadir", birth_date="1988-09-09", serial=4, kecamatan_code=MARISO,
             kelurahan_code=BONTORANNU, nik=None)
    pay(tam, "now", "sikki", [current], today)  # active
    pay(tam, "jan", "ramlah", [month_add(current, -2)], today - timedelta(days=2), method="qris")  # grace
    pay(tam, "double", "sikki", [current], today - timedelta(days=1))  # the same month again: flagged
    pay(tam, "oops", "baso", [current], today - timedelta(days=1))
    void = {"id": str(uuid.uuid4()), "receipt_no": f"VD-OOPS-{today:%y}",
            "voids_payment_id": seed.payments["oops"]["id"],
            "reason": "salah orang", "amount": -seed.payments["oops"]["amount"],
            "worker_id": seed.workers["baso"]["id"], "collected_at": _stamp(today - timedelta(days=1), 11),
            "collected_by": "local-user-1", "device_id": tam.device_id}
    assert tam.push("payment.void", void)["status"] == "applied"
    pay(mar, "mariso", "nurdin", [current], today, per_month=20_000)
    # The same NIK as Daeng Sikki under another name: a review case.
    result = register(tam, "conflict", full_name="Sikki Daeng Ngalle", serial=1)
    assert result["status"] == "needs_review", result
    seed.review_id = result["assigned"]["review_id"]
    pay(tam, "onconflict", "conflict", [current], today)
    closeout = {"id": str(uuid.uuid4()), "user_id": "local-user-1", "period_start": _stamp(today - timedelta(days=1)),
                "period_end": _stamp(today, 17), "expected_cash": 33_600, "counted_cash": 30_000,
                "variance": -3_600, "explanation": "uang kembalian kurang", "noncash_amount": 16_800,
                "entries": 3, "payment_ids": [], "created_at": _stamp(today, 17)}
    tam.push("closeout.create", closeout)
    tam.push("closeout.handover", {"id": closeout["id"], "closeout_id": closeout["id"], "handed_to": "Hj. Saenab",
                                   "handed_at": _stamp(today, 18), "recorded_by": "local-user-1",
                                   "recorded_at": _stamp(today, 18)},
             pending_ops=2, device_time=now.isoformat())
    # Mariso's laptop runs three days ahead.
    mar.push("audit.batch", {"id": str(uuid.uuid4()), "entries": []}, pending_ops=7,
             device_time=(now + timedelta(days=3)).isoformat())
    return seed


def write_population(reference_dir) -> None:
    """Worker population for Tamalate's kelurahan only (the rest of the city has none)."""
    from central_server.reference import load_regions

    regions = load_regions(reference_dir)
    rows = ["kelurahan_code,workers,year,source"]
    for code, (kec, _name) in sorted(regions.kelurahan.items()):
        if kec == TAMALATE:
            rows.append(f"{code},{100 if code == BAROMBONG else 50},2025,test")
    (reference_dir / "kelurahan_population.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
