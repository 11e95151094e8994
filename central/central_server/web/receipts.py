"""The public receipt check: the page a receipt's QR code opens, for anyone, no account.

A receipt is "sah" only when the centre holds a payment with that number, amount and
months AND the MAC (made with the collecting enrollment's secret key) matches. Every other
case gets one and the same answer ("tidak dikenal / tidak cocok", which also covers a
receipt printed offline that has not synced yet), so a receipt number alone reveals
nothing, not even whether it exists. What a genuine receipt shows is what is printed on
it anyway, with the worker reduced to initials. Lookups are rate-limited per client
address, counted in the database so every server process shares the limit.
"""

import hmac
import math
from base64 import urlsafe_b64decode
from binascii import Error as Base64Error
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from central_server.db import iso, loads, parse_iso
from central_server.models import Enrollment, Participant, RateHit, ServerPayment, ServerUser, Wadah
from central_server.settings import Settings

RATE_WINDOW = timedelta(minutes=10)
RATE_LIMIT = 30  # lookups per client address per window: a person checks a few receipts


def initials(full_name: str) -> str:
    """"Daeng Sikki" -> "D. S."; nothing else of the worker leaves the centre."""
    return " ".join(f"{word[0].upper()}." for word in full_name.split() if word[:1].isalpha()) or "-"


def _retry_after(session: Session, key: str, now: datetime) -> int | None:
    """Seconds to wait when ``key`` used up its lookups, else None (and the lookup counts)."""
    since = iso(now - RATE_WINDOW)
    count, oldest = session.exec(select(func.count(), func.min(RateHit.at))
                                 .where(RateHit.key == key, RateHit.at > since)).one()
    if count >= RATE_LIMIT:
        return max(1, math.ceil((parse_iso(oldest) + RATE_WINDOW - now).total_seconds()))
    session.exec(delete(RateHit).where(col(RateHit.at) <= since))
    session.add(RateHit(key=key, at=iso(now)))
    session.commit()
    return None


def _mac_matches(key: str, pay: ServerPayment, months: list[str], given: str) -> bool:
    try:
        mac = urlsafe_b64decode(given + "=" * (-len(given) % 4)).hex()
    except (Base64Error, ValueError):
        return False
    expected = protocol.receipt_mac(key, pay.receipt_no, pay.amount, months)
    return hmac.compare_digest(expected, mac)


def check(session: Session, receipt_no: str, amount: int | None, months_text: str, mac: str) -> dict | None:
    """What the page may show of a genuine receipt, or None (unknown or not matching)."""
    months = protocol.parse_months_param(months_text) if months_text else None
    if amount is None or not months or not mac:
        return None
    pay = session.exec(select(ServerPayment).where(ServerPayment.receipt_no == receipt_no,
                                                   ServerPayment.kind == "payment")).first()
    if pay is None or pay.amount != amount or loads(pay.months) != months:
        return None
    enrollment = session.get(Enrollment, pay.enrollment_id)
    if enrollment is None or not _mac_matches(enrollment.receipt_key, pay, months, mac):
        return None
    participant = session.get(Participant, pay.participant_id)
    user = session.get(ServerUser, pay.user_id)
    wadah = session.get(Wadah, user.wadah_id) if user and user.wadah_id else None
    return {"receipt_no": pay.receipt_no, "amount": pay.amount, "months": months, "collected_on": pay.collected_on,
            "wadah": wadah.name if wadah else None, "voided": pay.voided_by is not None, "flag": pay.flag,
            "initials": initials(participant.full_name) if participant and participant.deleted_at is None else "-"}


def build_router(settings: Settings) -> APIRouter:
    from central_server.web.pages import render

    router = APIRouter(include_in_schema=False)

    @router.get(protocol.RECEIPT_CHECK_PATH + "{receipt_no:path}")
    def receipt_page(request: Request, receipt_no: str, a: Annotated[int | None, Query(ge=0, le=10**12)] = None,
                     m: Annotated[str, Query(max_length=200)] = "",
                     s: Annotated[str, Query(max_length=64)] = "") -> Response:
        with Session(request.app.state.engine) as session:
            client = request.client.host if request.client else "unknown"
            wait = _retry_after(session, f"receipt:{client}", settings.clock())
            if wait is not None:
                response = render(request, "receipt.html", None, status=429, wait=wait, receipt=None,
                                  receipt_no=receipt_no[:64])
                response.headers["Retry-After"] = str(wait)
                return response
            found = check(session, receipt_no[:64], a, m, s)
        response = render(request, "receipt.html", None, receipt=found, receipt_no=receipt_no[:64], wait=None)
        response.headers["Referrer-Policy"] = "no-referrer"  # the MAC stays out of other sites' logs
        return response

    return router
