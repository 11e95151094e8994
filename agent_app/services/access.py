"""Who may do what: the declared permission table of the three roles (UU PDP access control).

One table (``perisai_protocol.permissions``, which the central server applies to every
operation a device pushes), read by the services (``require``), the GUI (``can``: hide or
disable what a role may not do) and docs/PRIVACY.md. A refusal is a ``ServiceError("access.denied")``
that names the action in both languages.

Decisions (see docs/PRIVACY.md "Roles"):

* **agent** (Perisai field agent) and **clerk** (cooperative counter clerk) do the daily
  work: register, collect, correct a participant's ordinary data, give a participant a copy
  of their data, record a deletion request, see their own figures.
* They may **void only their own payments, on the day they were collected (WITA), and not
  yet in a close-out**: a same-day mistake at the counter is fixed by the person who made
  it while the cash is still in the drawer; anything older is a supervisor's decision.
* **clerk** also imports the city's lists (the city sends them to the cooperatives).
* **supervisor** may do all of it, and alone: see full NIKs in lists, export lists,
  manage users, read the audit log, purge, correct identity fields (NIK,
  birth date, sex: the NIK encodes the other two), void any payment.
* The full NIK is shown to everyone where it is *needed*: the registration form being
  typed, and the participant's own data copy. Lists and receipts show ``mask_nik``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from agent_app.domain.messages import register
from agent_app.services.base import WITA, ServiceError
from perisai_protocol.permissions import PERMISSIONS, ROLE_LABELS, ROLE_PERMISSIONS, ROLES, role_can

__all__ = ["PERMISSIONS", "ROLE_PERMISSIONS", "ROLES", "can", "require", "may_void", "require_void",
           "mask_nik", "shown_nik"]

register({
    "access.denied": {
        "id": "Peran Anda ({role_id}) tidak boleh {action_id}",
        "en": "Your role ({role_en}) may not {action_en}",
    },
    "access.void_own_same_day": {
        "id": "Anda hanya boleh membatalkan pembayaran yang Anda terima sendiri hari ini "
              "dan belum ditutup. Minta supervisor",
        "en": "You may only void payments you collected yourself today that are not yet "
              "closed out. Ask a supervisor",
    },
    **{f"role.{role}": {"id": ident, "en": en} for role, (ident, en) in ROLE_LABELS.items()},
})


def _role(user: Any) -> str:
    return getattr(user, "role", None) or ""


def can(user: Any, permission: str) -> bool:
    """True when ``user`` (a User row, or anything with ``.role``) holds ``permission``."""
    allowed = role_can(_role(user), permission)  # KeyError for an undeclared permission
    return allowed and user is not None and getattr(user, "active", True)


def require(user: Any, permission: str) -> None:
    """Raise ServiceError("access.denied") unless ``user`` holds ``permission``."""
    if not can(user, permission):
        from agent_app.domain.messages import render

        role = _role(user) or "-"
        ident, en = PERMISSIONS[permission]
        raise ServiceError(
            "access.denied",
            {"role_id": render(f"role.{role}", "id"), "role_en": render(f"role.{role}", "en"),
             "action_id": ident, "action_en": en, "permission": permission},
        )


def _wita_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(WITA).date()


def may_void(user: Any, payment: Any, today: date) -> bool:
    """Agents and clerks: own payment, collected today (WITA), not in a close-out.
    Nobody voids here a payment pulled from the centre: it belongs to another device."""
    if not can(user, "void"):
        return False
    if getattr(payment, "origin", "local") == "pulled":
        return False
    if can(user, "void_any"):
        return True
    return (
        getattr(payment, "collected_by", None) == user.id
        and getattr(payment, "closeout_id", None) is None
        and _wita_day(payment.collected_at) == today
    )


def require_void(user: Any, payment: Any, today: date) -> None:
    require(user, "void")
    if not may_void(user, payment, today):
        raise ServiceError("access.void_own_same_day")


def mask_nik(nik: str | None) -> str:
    """Lists and receipts: region (first 4) and serial (last 4) only: "7371********0001".

    The first four digits say "Makassar" for nearly everyone, the last four let a person
    check it is their card; the birth date in between is what must not leak.
    """
    digits = "".join(ch for ch in (nik or "") if ch.isdigit())
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def shown_nik(user: Any, nik: str | None) -> str:
    """The NIK as a list may show it to ``user``."""
    return (nik or "") if can(user, "view_full_nik") else mask_nik(nik)
