"""``perisai-server seed-demo``: a demo wadah, its users and three participants.

Idempotent. The participants go through the normal push path (``process_op``), so they
have KPJ numbers and pull changes like any participant a device registered.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, select

import perisai_protocol as protocol
from central_server import admin
from central_server.authz import Caller
from central_server.db import iso
from central_server.models import Enrollment, ServerUser
from central_server.ops import process_op
from central_server.reference import Regions
from central_server.settings import utcnow

DEMO_WADAH = "Koperasi Perisai Makassar"
DEMO_AGENT = "agen.demo"
DEMO_SUPERVISOR = "supervisor.demo"
DEMO_PASSWORD = "perisai-demo"
DEMO_KECAMATAN = "7371100"  # Tamalate (Kemendagri 73.71.10)
DEMO_DEVICE = "server-seed-demo"
# name, birth date, sex, kelurahan (Barombong, Maccini Sombala, Tanjung Merdeka)
DEMO_PEOPLE = (("Daeng Sikki", "1985-04-12", "M", "73711001001"),
               ("Hasnah Daeng Ngai", "1990-11-03", "F", "73711001003"),
               ("Muhammad Arfah", "1978-02-27", "M", "73711001005"))
DEMO_MONTHS = ("2026-01", "2026-02")
DEMO_FEE = 16_800  # JKK + JKM per month at the lowest income tier
DEMO_AUTHOR = "local-user-1"  # the local user named in the demo payloads (their hashes must not change)


def _demo_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"perisai-demo-{name}"))


def _nik(born: str, sex: str, serial: int) -> str:
    d = date.fromisoformat(born)
    day = d.day + (40 if sex == "F" else 0)
    return f"737110{day:02d}{d.month:02d}{d.year % 100:02d}{serial:04d}"


def _registration(i: int, name: str, born: str, sex: str, kelurahan: str, by: str = DEMO_AUTHOR) -> dict:
    return {
        "id": _demo_id(f"worker-{i}"), "nik": _nik(born, sex, 900 + i), "full_name": name,
        "birth_date": born, "sex": sex, "phone": "+6281234567890", "address": "Jl. Daeng Tata No. 7",
        "kecamatan_code": DEMO_KECAMATAN, "kelurahan_code": kelurahan,
        "occupations": ["Ojek pangkalan"], "policy_sector": "transport", "is_employer": False,
        "declared_income": 1_500_000, "programmes": {"jkk": "self", "jkm": "self"},
        "desil": None, "desil_source": None, "desil_date": None, "disability": False,
        "disability_kind": None, "heir_name": "Hasnah", "heir_relation": "spouse",
        "consent_version": "2026.1", "consent_at": "2026-01-05T02:00:00+00:00", "consent_user_id": by,
        "registered_at": "2026-01-05T02:00:00+00:00", "registered_by": by, "registration_month": "2026-01",
    }


def _payment(worker_id: str, by: str = DEMO_AUTHOR) -> dict:
    return {
        "id": _demo_id("payment-1"), "receipt_no": "DEMO-0001", "worker_id": worker_id,
        "months": list(DEMO_MONTHS), "amount": DEMO_FEE * len(DEMO_MONTHS),
        "breakdown": {m: {"jkk": DEMO_FEE - 6_800, "jkm": 6_800} for m in DEMO_MONTHS},
        "method": "cash", "tariff_version": "2026.1", "collected_at": "2026-01-05T03:00:00+00:00",
        "collected_by": by, "device_id": DEMO_DEVICE,
    }


def seed_demo(session: Session, engine, regions: Regions, password: str = DEMO_PASSWORD) -> dict:
    admin.add_wadah(session, DEMO_WADAH)
    created = []
    for username, role, name in ((DEMO_AGENT, "agent", "Agen Demo"),
                                 (DEMO_SUPERVISOR, "supervisor", "Supervisor Demo")):
        if session.exec(select(ServerUser).where(ServerUser.username == username)).first() is None:
            admin.add_user(session, regions, username=username, password=password, role=role, full_name=name,
                           wadah=DEMO_WADAH, kecamatan=DEMO_KECAMATAN)
            created.append(username)
    session.commit()
    supervisor = admin.get_user(session, DEMO_SUPERVISOR)
    enrollment = session.exec(select(Enrollment).where(Enrollment.device_id == DEMO_DEVICE,
                                                       Enrollment.user_id == supervisor.id)).first()
    if enrollment is None:
        enrollment = Enrollment(id=str(uuid.uuid4()), device_id=DEMO_DEVICE, user_id=supervisor.id,
                                device_name="seed-demo", receipt_key=uuid.uuid4().hex, created_at=iso(utcnow()),
                                last_seen_at=iso(utcnow()))
        session.add(enrollment)
        session.flush()
    caller = Caller.of(supervisor, enrollment)
    session.commit()  # end this session's transaction: process_op writes through its own sessions
    ops = [("worker.register", _registration(i, *person))
           for i, person in enumerate(DEMO_PEOPLE, start=1)]
    ops.append(("payment.collect", _payment(ops[0][1]["id"])))
    results = []
    for seq, (kind, payload) in enumerate(ops, start=1):
        op = protocol.Operation(op_id=_demo_id(f"op-{seq}"), seq=seq, kind=kind, entity_id=payload["id"],
                                schema_version=protocol.OP_SCHEMAS[kind], payload=payload,
                                payload_hash=protocol.payload_hash(payload))
        results.append(process_op(engine, utcnow, caller, regions, op).model_dump(include={"status", "assigned"}))
    return {"wadah": DEMO_WADAH, "users_created": created, "agent": DEMO_AGENT, "supervisor": DEMO_SUPERVISOR,
            "kecamatan": f"{DEMO_KECAMATAN} (Tamalate)", "ops": results}
