"""Valid sample payloads and operations (demo seeding, tests, other engineers' e2e tests)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import perisai_protocol as protocol

TAMALATE = "7371100"  # kecamatan Tamalate (Kemendagri 73.71.10)
BAROMBONG = "73711001001"  # kelurahan Barombong, Tamalate (73.71.10.1001)
MARISO = "7371010"  # kecamatan Mariso (73.71.01)
BONTORANNU = "73710101001"  # kelurahan Bontorannu, Mariso (73.71.01.1001)


def make_nik(birth_date: str, sex: str, *, region: str = "737110", serial: int = 1) -> str:
    """A structurally valid NIK: region (6 digits), DDMMYY (+40 on the day for women), serial."""
    d = date.fromisoformat(birth_date)
    day = d.day + (40 if sex == "F" else 0)
    return f"{region}{day:02d}{d.month:02d}{d.year % 100:02d}{serial:04d}"


def worker_payload(*, id: str | None = None, full_name: str = "Daeng Sikki", birth_date: str = "1985-04-12",
                   sex: str = "M", serial: int = 1, nik: str | None = None, kecamatan_code: str = TAMALATE,
                   kelurahan_code: str = BAROMBONG, **overrides: Any) -> dict[str, Any]:
    worker_id = id or str(uuid.uuid4())
    payload: dict[str, Any] = {
        "id": worker_id,
        "nik": nik or make_nik(birth_date, sex, serial=serial),
        "full_name": full_name,
        "birth_date": birth_date,
        "sex": sex,
        "phone": "+6281234567890",
        "address": "Jl. Daeng Tata No. 7",
        "kecamatan_code": kecamatan_code,
        "kelurahan_code": kelurahan_code,
        "occupations": ["Ojek pangkalan"],
        "policy_sector": "transport",
        "is_employer": False,
        "declared_income": 1_500_000,
        "programmes": {"jkk": "self", "jkm": "self"},
        "desil": None,
        "desil_source": None,
        "desil_date": None,
        "disability": False,
        "disability_kind": None,
        "heir_name": "Hasnah",
        "heir_relation": "spouse",
        "consent_version": "2026.1",
        "consent_at": "2026-01-05T02:00:00+00:00",
        "consent_user_id": "local-user-1",
        "registered_at": "2026-01-05T02:00:00+00:00",
        "registered_by": "local-user-1",
        "registration_month": "2026-01",
    }
    payload.update(overrides)
    return payload


def payment_payload(worker_id: str, months: list[str], *, id: str | None = None,
                    receipt_no: str | None = None, per_month: int = 16_800, device_id: str = "device-0001",
                    **overrides: Any) -> dict[str, Any]:
    payment_id = id or str(uuid.uuid4())
    payload: dict[str, Any] = {
        "id": payment_id,
        "receipt_no": receipt_no or f"R-{payment_id[:8].upper()}",
        "worker_id": worker_id,
        "months": months,
        "amount": per_month * len(months),
        "breakdown": {m: {"jkk": per_month - 6_800, "jkm": 6_800} for m in months},
        "method": "cash",
        "tariff_version": "2026.1",
        "collected_at": "2026-01-05T03:00:00+00:00",
        "collected_by": "local-user-1",
        "device_id": device_id,
    }
    payload.update(overrides)
    return payload


def void_payload(payment: dict[str, Any], *, id: str | None = None, reason: str = "salah input / wrong entry",
                 **overrides: Any) -> dict[str, Any]:
    void_id = id or str(uuid.uuid4())
    payload = {
        "id": void_id,
        "receipt_no": f"V-{void_id[:8].upper()}",
        "voids_payment_id": payment["id"],
        "reason": reason,
        "amount": -payment["amount"],
        "worker_id": payment["worker_id"],
        "months": payment["months"],
        "method": payment["method"],
        "collected_at": payment["collected_at"],  # the same day: an agent may void only then
        "collected_by": payment["collected_by"],
        "device_id": payment["device_id"],
    }
    payload.update(overrides)
    return payload


def make_op(kind: str, payload: dict[str, Any], seq: int, *, op_id: str | None = None,
            entity_id: str | None = None, schema_version: int | None = None) -> dict[str, Any]:
    """An operation as the client sends it (payload_hash computed with protocol.payload_hash)."""
    return {
        "op_id": op_id or str(uuid.uuid4()),
        "seq": seq,
        "kind": kind,
        "entity_id": entity_id or str(payload.get("id", "x")),
        "schema_version": schema_version or protocol.OP_SCHEMAS.get(kind, 1),
        "payload": payload,
        "payload_hash": protocol.payload_hash(payload),
    }


def push_body(device_id: str, ops: list[dict[str, Any]], *, batch_id: str | None = None,
              app_version: str = "") -> dict[str, Any]:
    return {"batch_id": batch_id or str(uuid.uuid4()), "device_id": device_id, "app_version": app_version,
            "ops": ops}
