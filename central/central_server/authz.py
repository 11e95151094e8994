"""What the sender of an operation may do, and where: checked at the centre for every
operation, whatever client sent it.

Who sends it comes from the access token alone (``Caller``): the user, their role and area,
the enrollment and its device. Payload fields that name a user or a device
(``collected_by``, ``recorded_by``, ``device_id``, ...) are never believed: what the centre
keeps and serves says the caller (``attributed``).

The rules are the app's (``perisai_protocol.permissions``: the role's permission for each
operation kind) plus the areas: a user works in their kecamatan, or only in their
kelurahan when they have one; a supervisor without a kecamatan works city-wide. A user
may register anyone, wherever they live (people register at the counter they reach); an
operation on an existing participant needs that participant within the caller's reach: in
their area, or registered by them. A registration whose NIK matches someone beyond reach
learns nothing of that person and waits for the centre's decision (``ops.worker_register``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from central_server.errors import OpRejected
from central_server.reference import Regions, kecamatan7, kelurahan11
from perisai_protocol.permissions import PERMISSIONS, ROLE_LABELS, role_can

WITA = timezone(timedelta(hours=8))  # Makassar's time: "the same day" of the void rule

USER_KEYS = ("collected_by", "recorded_by", "user_id")  # payload keys naming who did it
DEVICE_KEYS = ("device_id",)


@dataclass(frozen=True)
class Caller:
    """The sender of a push, from its access token."""

    user_id: str
    enrollment_id: str
    device_id: str
    role: str
    kecamatan: str | None = None  # 7 digits; None: city-wide
    kelurahan: str | None = None  # 11 digits; None: the whole kecamatan

    @classmethod
    def of(cls, user: Any, enrollment: Any) -> Caller:
        return cls(user_id=user.id, enrollment_id=enrollment.id, device_id=enrollment.device_id, role=user.role,
                   kecamatan=kecamatan7(user.kecamatan_code) if user.kecamatan_code else None,
                   kelurahan=kelurahan11(user.kelurahan_code) if user.kelurahan_code else None)


def require(caller: Caller, permission: str) -> None:
    if not role_can(caller.role, permission):
        role_id, role_en = ROLE_LABELS.get(caller.role, (caller.role, caller.role))
        action_id, action_en = PERMISSIONS[permission]
        raise OpRejected("not_permitted", role_id=role_id, role_en=role_en, action_id=action_id,
                         action_en=action_en)


def in_area(caller: Caller, kecamatan: str, kelurahan: str) -> bool:
    """Whether a record placed in (kecamatan, kelurahan), both normalised, is in the caller's area."""
    return ((caller.kecamatan is None or kecamatan == caller.kecamatan)
            and (caller.kelurahan is None or kelurahan == caller.kelurahan))


def reaches(caller: Caller, participant: Any) -> bool:
    """A participant the caller may work on: one in their area, or one they registered (a
    person registered at their counter who lives elsewhere)."""
    return (participant.registered_by_user == caller.user_id
            or in_area(caller, participant.scope_kecamatan, participant.scope_kelurahan))


def reaches_payment(caller: Caller, payment: Any, participant: Any | None) -> bool:
    """A payment the caller may void or check: one they collected, one placed in their area,
    or one for a participant within their reach."""
    return (payment.user_id == caller.user_id
            or in_area(caller, payment.scope_kecamatan, payment.scope_kelurahan)
            or (participant is not None and reaches(caller, participant)))


def out_of_area(caller: Caller, regions: Regions) -> OpRejected:
    """The refusal of a record outside the caller's reach: it names the caller's own area,
    never where the record is."""
    return OpRejected("out_of_area", area=area_name(caller, regions))


def area_name(caller: Caller, regions: Regions) -> str:
    if caller.kelurahan:
        kel = regions.kelurahan.get(caller.kelurahan)
        return f"{kel[1]}, {regions.kecamatan.get(kel[0], kel[0])}" if kel else caller.kelurahan
    if caller.kecamatan:
        return regions.kecamatan.get(caller.kecamatan, caller.kecamatan)
    return "Kota Makassar"


def attributed(payload: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """A payload as the centre keeps and serves it: whoever it names as its author or device,
    the token's user and device. (A device names its users by their ids on that device, so
    an honest payload never matches the server's ids: refusing a mismatch would refuse every
    honest queue.)"""
    data = dict(payload)
    for key in USER_KEYS:
        if key in data:
            data[key] = caller.user_id
    for key in DEVICE_KEYS:
        if key in data:
            data[key] = caller.device_id
    return data


def wita_day(stamp: str) -> date:
    """The Makassar calendar day of an ISO timestamp (a naive one is taken as UTC)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        raise OpRejected("invalid_payload", reason="collected_at: not an ISO date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WITA).date()
