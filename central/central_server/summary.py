"""Summary columns the web console counts with, kept up to date by the push handlers.

Derived from what the rows already hold (a payment's payload, a worker's payload, the
payment_months of a participant), so they can always be recomputed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, update
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from central_server.db import iso
from central_server.models import Enrollment, Participant, PaymentMonth, ServerPayment

WITA = timezone(timedelta(hours=8))  # Makassar's time zone: a day's money is counted in it


def wita_date(stamp: str) -> str | None:
    """The Makassar calendar date of an ISO time stamp ("2026-03-01T17:00:00Z" -> "2026-03-02")."""
    try:
        dt = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(WITA).date().isoformat()


def set_worker_facts(row: Participant, w: protocol.WorkerPayload) -> None:
    programmes = {k.lower(): v for k, v in w.programmes.items()}
    row.desil = w.desil
    row.jht_funding = programmes.get("jht")


def refresh_paid_through(session: Session, participant: Participant) -> None:
    """The latest month covered by a non-voided payment of this (canonical) participant."""
    session.flush()
    participant.paid_through = session.exec(
        select(func.max(PaymentMonth.month))
        .join(ServerPayment, col(ServerPayment.id) == PaymentMonth.payment_id)
        .where(PaymentMonth.participant_id == participant.id, ServerPayment.kind == "payment",
               col(ServerPayment.voided_by).is_(None))).one()
    session.add(participant)


def record_device_report(session: Session, now: datetime, enrollment_id: str, body: protocol.PushRequest) -> None:
    """Keep what a device said of itself at a push (app version, queue length, clock), in
    the batch's own transaction."""
    offset = None
    if body.device_time:
        try:
            device_now = datetime.fromisoformat(body.device_time.replace("Z", "+00:00"))
            if device_now.tzinfo is not None:
                offset = int((device_now - now).total_seconds())
        except ValueError:
            pass  # an unreadable clock is reported as unknown, never refuses the push
    values: dict = {"last_sync_at": iso(now), "last_seen_at": iso(now), "pending_ops": body.pending_ops,
                    "clock_offset_seconds": offset}
    if body.app_version:
        values["app_version"] = body.app_version
    session.execute(update(Enrollment).where(col(Enrollment.id) == enrollment_id).values(**values))
