"""Who may do what: the declared permission table of the three roles (UU PDP access control).

One table, read by the services (``require``), the GUI (``can``: hide or disable what a
role may not do) and docs/PRIVACY.md. A refusal is a ``ServiceError("access.denied")``
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

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from agent_app.domain.messages import register
from agent_app.services.base import WITA, ServiceError

ROLES = ("agent", "clerk", "supervisor")

# permission -> (Indonesian, English) label used in the refusal message and in docs.
PERMISSIONS: dict[str, tuple[str, str]] = {
    "register": ("mendaftarkan peserta", "register participants"),
    "collect": ("menerima iuran", "collect contributions"),
    "void": ("membatalkan pembayaran", "void payments"),
    "void_any": ("membatalkan pembayaran orang lain atau hari lain",
                 "void other people's or older payments"),
    "correct": ("mengoreksi data peserta", "correct participant data"),
    "correct_identity": ("mengoreksi NIK, tanggal lahir atau jenis kelamin",
                         "correct NIK, birth date or sex"),
    "participant_copy": ("memberi salinan data kepada peserta",
                         "give a participant a copy of their data"),
    "request_deletion": ("mencatat permintaan penghapusan data",
                         "record a data deletion request"),
    "view_full_nik": ("melihat NIK lengkap di daftar", "see full NIKs in lists"),
    "export": ("mengekspor daftar peserta", "export participant lists"),
    "import": ("mengimpor daftar peserta", "import participant lists"),
    "manage_users": ("mengelola pengguna", "manage users"),
    "view_reports": ("melihat laporan", "view reports"),
    "view_audit": ("melihat log audit", "view the audit log"),
    "purge": ("menghapus data lama dari perangkat", "purge old data from the device"),
}

_DAILY_WORK = frozenset({
    "register", "collect", "void", "correct", "participant_copy", "request_deletion",
    "view_reports",
})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": _DAILY_WORK,
    # The city hands its lists of APBD-funded workers to the cooperatives' counters.
    "clerk": _DAILY_WORK | {"import"},
    "supervisor": frozenset(PERMISSIONS),
}

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
    "role.agent": {"id": "agen", "en": "agent"},
    "role.clerk": {"id": "petugas loket", "en": "counter clerk"},
    "role.supervisor": {"id": "supervisor", "en": "supervisor"},
})


def _role(user: Any) -> str:
    return getattr(user, "role", None) or ""


def can(user: Any, permission: str) -> bool:
    """True when ``user`` (a User row, or anything with ``.role``) holds ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"undeclared permission {permission!r}")
    if user is None or not getattr(user, "active", True):
        return False
    return permission in ROLE_PERMISSIONS.get(_role(user), frozenset())


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


def _check_table(roles: Iterable[str] = ROLES) -> None:
    for role in roles:
        unknown = ROLE_PERMISSIONS[role] - set(PERMISSIONS)
        assert not unknown, (role, unknown)


_check_table()
