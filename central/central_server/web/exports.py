"""Participants and payments of a period and area, as CSV, XLSX or pages of JSON.

The same rows feed the three: the console's downloads and the token-authenticated export
API (``/api/v1/export/...``, in the OpenAPI document) for BPJS's systems or a BI tool.
Every text cell of a spreadsheet is made formula-safe (``perisai_protocol.spreadsheets.safe_cell``).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

# SQLAlchemy's select: these read plain rows of a table, with session.execute
from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from central_server.db import loads, table_of
from central_server.models import Participant, ServerPayment
from perisai_protocol.spreadsheets import safe_cell

PARTICIPANT_FIELDS = ["id", "canonical_id", "kpj", "nik", "full_name", "birth_date", "sex", "phone", "address",
                      "kecamatan_code", "kelurahan_code", "occupations", "declared_income", "programmes", "desil",
                      "review_state", "paid_through", "registered_at", "created_at", "updated_at", "deleted_at"]
PAYMENT_FIELDS = ["id", "receipt_no", "kind", "participant_id", "kpj", "months", "amount", "method", "flag",
                  "voids_payment_id", "voided_by", "kecamatan_code", "kelurahan_code", "collected_on", "collected_at",
                  "received_at"]
ROWS_PER_QUERY = 2000


def participant_row(p: Any) -> dict[str, Any]:
    """A participants row (ORM object or plain row) as the export's record."""
    data = loads(p.data) if p.deleted_at is None else {}
    return {
        "id": p.id, "canonical_id": p.canonical_id, "kpj": p.kpj, "nik": p.nik, "full_name": p.full_name,
        "birth_date": p.birth_date, "sex": data.get("sex"), "phone": data.get("phone"), "address": data.get("address"),
        "kecamatan_code": p.scope_kecamatan, "kelurahan_code": p.scope_kelurahan,
        "occupations": data.get("occupations") or [], "declared_income": data.get("declared_income"),
        "programmes": data.get("programmes") or {}, "desil": p.desil, "review_state": p.review_state,
        "paid_through": p.paid_through, "registered_at": data.get("registered_at"), "created_at": p.created_at,
        "updated_at": p.updated_at, "deleted_at": p.deleted_at,
    }


def payment_row(p: Any, kpj: str | None) -> dict[str, Any]:
    """A payments row (ORM object or plain row) as the export's record."""
    data = loads(p.data)
    return {
        "id": p.id, "receipt_no": p.receipt_no, "kind": p.kind, "participant_id": p.participant_id, "kpj": kpj,
        "months": loads(p.months), "amount": p.amount, "method": p.method, "flag": p.flag,
        "voids_payment_id": p.voids_payment_id, "voided_by": p.voided_by, "kecamatan_code": p.scope_kecamatan,
        "kelurahan_code": p.scope_kelurahan, "collected_on": p.collected_on, "collected_at": data.get("collected_at"),
        "received_at": p.received_at,
    }


def participant_page(session: Session, kec: str | None, start: str | None, end: str | None,
                     after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
    """Participants created in [start, end) (ISO stamps), ordered by (created_at, id), after a key."""
    query = select(table_of(Participant))  # plain rows: a thousand ORM objects would double the time
    created_at, id_ = col(Participant.created_at), col(Participant.id)
    if kec:
        query = query.where(col(Participant.scope_kecamatan) == kec)
    if start:
        query = query.where(created_at >= start)
    if end:
        query = query.where(created_at < end)
    if after:
        query = query.where(or_(created_at > after[0], and_(created_at == after[0], id_ > after[1])))
    rows = session.execute(query.order_by(created_at, id_).limit(limit)).all()
    return [participant_row(p) for p in rows]


def payment_page(session: Session, kec: str | None, start: str | None, end: str | None,
                 after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
    """Payments collected on [start, end] (Makassar dates), ordered by (collected_on, id), after a key."""
    query = (select(table_of(ServerPayment), col(Participant.kpj))
             .join(Participant, col(Participant.id) == ServerPayment.participant_id))
    collected_on, id_ = col(ServerPayment.collected_on), col(ServerPayment.id)
    if kec:
        query = query.where(col(ServerPayment.scope_kecamatan) == kec)
    if start:
        query = query.where(collected_on >= start)
    if end:
        query = query.where(collected_on <= end)
    if after:
        query = query.where(or_(collected_on > after[0], and_(collected_on == after[0], id_ > after[1])))
    rows = session.execute(query.order_by(collected_on, id_).limit(limit)).all()
    return [payment_row(p, p.kpj) for p in rows]


def page_key(what: str, row: dict[str, Any]) -> tuple[str, str]:
    return (row["created_at"], row["id"]) if what == "participants" else (row["collected_on"] or "", row["id"])


def all_rows(session: Session, what: str, kec: str | None, start: str | None, end: str | None) -> Iterator[dict]:
    reader = participant_page if what == "participants" else payment_page
    after = None
    while True:
        rows = reader(session, kec, start, end, after, ROWS_PER_QUERY)
        yield from rows
        if len(rows) < ROWS_PER_QUERY:
            return
        after = page_key(what, rows[-1])


def flat(value: Any) -> Any:
    """A list or mapping as spreadsheet text: "a; b", "jkk=apbd; jkm=apbd"."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return value


def fields_of(what: str) -> list[str]:
    return PARTICIPANT_FIELDS if what == "participants" else PAYMENT_FIELDS


def csv_chunks(rows: Iterator[dict], fields: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    for i, row in enumerate(rows, 1):
        writer.writerow([safe_cell(flat(row[f])) for f in fields])
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_chunks(rows: Iterator[dict], fields: list[str], title: str) -> Iterator[bytes]:
    """The workbook (write-only mode: rows are not kept in memory), then its bytes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(fields)
    for row in rows:
        sheet.append([safe_cell(flat(row[f])) for f in fields])
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(256 * 1024):
            yield chunk


def file_name(what: str, kec: str | None, start: str, end: str, ext: str, now: datetime) -> str:
    return f"perisai-{what}-{kec or 'kota'}-{start}-{end}-{now:%Y%m%d%H%M}.{ext}"
