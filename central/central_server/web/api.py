"""The export API: participants and payments, paged, for BPJS's systems or a BI tool.

Authenticated by an export token (made by an administrator in the console, stored hashed,
optionally limited to one kecamatan). Keyset pages: ``next_cursor`` continues exactly
where a page ended, however many rows arrive meanwhile. Documented in the OpenAPI
document (``/openapi.json``, ``/docs``) under "export".
"""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session

from central_server.auth import token_hash
from central_server.db import iso, parse_iso
from central_server.errors import ApiError
from central_server.models import ApiToken
from central_server.reference import Regions, kecamatan7
from central_server.settings import Settings
from central_server.summary import WITA
from central_server.web import exports

bearer = HTTPBearer(auto_error=False, description="An export token made by an administrator in the console")


class ParticipantOut(BaseModel):
    id: str
    canonical_id: str
    kpj: str | None
    nik: str
    full_name: str
    birth_date: str
    sex: str | None
    phone: str | None
    address: str | None
    kecamatan_code: str
    kelurahan_code: str
    occupations: list[str]
    declared_income: int | None
    programmes: dict[str, str]
    desil: int | None
    review_state: str
    paid_through: str | None
    registered_at: str | None
    created_at: str
    updated_at: str
    deleted_at: str | None


class PaymentOut(BaseModel):
    id: str
    receipt_no: str
    kind: str  # payment | void (negative amount)
    participant_id: str
    kpj: str | None
    months: list[str]
    amount: int
    method: str | None
    flag: str | None
    voids_payment_id: str | None
    voided_by: str | None
    kecamatan_code: str
    kelurahan_code: str
    collected_on: str | None  # the Makassar (WITA) date
    collected_at: str | None
    received_at: str


class ParticipantPage(BaseModel):
    items: list[ParticipantOut]
    next_cursor: str | None  # pass as ?cursor= for the next page; null: this was the last one


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    next_cursor: str | None


def _encode(key: tuple[str, str]) -> str:
    return urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, str]:
    try:
        first, second = json.loads(urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return str(first), str(second)
    except (ValueError, TypeError):
        raise ApiError(400, "invalid_request", reason="cursor") from None


def build_router(settings: Settings, regions: Regions) -> APIRouter:
    router = APIRouter(prefix="/api/v1/export", tags=["export"])

    def token_scope(request: Request,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
        """The kecamatan the token may read (None: the whole city)."""
        if credentials is None:
            raise ApiError(401, "auth_required", headers={"WWW-Authenticate": "Bearer"})
        now = settings.clock()
        with Session(request.app.state.engine) as session:
            row = session.get(ApiToken, token_hash(credentials.credentials))
            if row is None or row.revoked_at is not None:
                raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
            if row.last_used_at is None or parse_iso(row.last_used_at) < now - timedelta(minutes=1):
                row.last_used_at = iso(now)
                session.add(row)
                session.commit()
            return row.kecamatan_code

    def scope_of(token_kec: str | None, kecamatan: str | None) -> str | None:
        wanted = kecamatan7(kecamatan) if kecamatan else None
        if kecamatan and wanted not in regions.kecamatan:
            raise ApiError(400, "invalid_request", reason="kecamatan")
        if token_kec and wanted and wanted != token_kec:
            raise ApiError(403, "out_of_scope")
        return token_kec or wanted

    def page(request: Request, what: str, scope: str | None, start: date | None, end: date | None,
             cursor: str | None, limit: int) -> JSONResponse:
        """A page as JSON. The rows are built to the documented model by exports.*_row, so they
        are not validated again: at a thousand rows a page that would double its time."""
        if what == "participants":
            lo = iso(datetime.combine(start, datetime.min.time(), WITA)) if start else None
            hi = iso(datetime.combine(end + timedelta(days=1), datetime.min.time(), WITA)) if end else None
            reader = exports.participant_page
        else:
            lo, hi = (start.isoformat() if start else None), (end.isoformat() if end else None)
            reader = exports.payment_page
        with Session(request.app.state.engine) as session:
            rows = reader(session, scope, lo, hi, _decode(cursor) if cursor else None, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return JSONResponse({"items": rows, "next_cursor": _encode(exports.page_key(what, rows[-1])) if more else None})

    Kec = Annotated[str | None, Query(max_length=16, description="7-digit kecamatan code (else the token's area)")]
    Start = Annotated[date | None, Query(alias="from", description="first day (Makassar time), inclusive")]
    End = Annotated[date | None, Query(alias="to", description="last day (Makassar time), inclusive")]
    Cursor = Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")]
    Limit = Annotated[int, Query(ge=1, le=5000)]

    @router.get("/participants", response_model=ParticipantPage,
                summary="Participants registered in a period (keyset pages by creation time)")
    def participants(request: Request, token_kec: Annotated[str | None, Depends(token_scope)],
                     kecamatan: Kec = None, start: Start = None, end: End = None, cursor: Cursor = None,
                     limit: Limit = 1000) -> JSONResponse:
        return page(request, "participants", scope_of(token_kec, kecamatan), start, end, cursor, limit)

    @router.get("/payments", response_model=PaymentPage,
                summary="Payments and voids collected in a period (keyset pages by collection date)")
    def payments(request: Request, token_kec: Annotated[str | None, Depends(token_scope)],
                 kecamatan: Kec = None, start: Start = None, end: End = None, cursor: Cursor = None,
                 limit: Limit = 1000) -> JSONResponse:
        return page(request, "payments", scope_of(token_kec, kecamatan), start, end, cursor, limit)

    return router
