"""Passwords (argon2id), enrollments, opaque tokens (only SHA-256 stored), sign-in delays."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

import perisai_protocol as protocol
from central_server.db import ensure_meta, iso, parse_iso
from central_server.errors import ApiError
from central_server.models import AuthToken, Enrollment, ServerMeta, ServerUser, Wadah
from central_server.settings import Settings
from central_server.signin import PAIR, SignInDelays
from perisai_protocol.permissions import uses_the_app

# PERISAI_SERVER_ARGON2=fast selects cheap argon2id parameters, for tests on loaded CI
# machines only (a hash keeps its own parameters, so verification follows the hash).
_FAST = os.environ.get("PERISAI_SERVER_ARGON2") == "fast"
_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if _FAST else PasswordHasher()
_DUMMY_HASH = _hasher.hash("perisai-dummy-password")  # equalises timing for unknown users


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Principal:
    """The caller of an authenticated request."""

    user: ServerUser
    enrollment: Enrollment


def _user_info(session: Session, user: ServerUser) -> protocol.UserInfo:
    wadah = session.get(Wadah, user.wadah_id) if user.wadah_id is not None else None
    return protocol.UserInfo(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,  # type: ignore[arg-type]
        wadah=wadah.name if wadah else None,
        kecamatan_code=user.kecamatan_code,
        kelurahan_code=user.kelurahan_code,
    )


TOKEN_SECRET_KEY = "token_secret"


def ensure_token_secret(session: Session) -> None:
    """The key refreshed pairs are derived with (made once per database)."""
    ensure_meta(session, TOKEN_SECRET_KEY, lambda: secrets.token_hex(32))


def _successor(session: Session, refresh_token: str) -> tuple[str, str]:
    """The (access, refresh) pair that follows ``refresh_token``: derived from it with the
    server's key, so the same old token always gets the same new pair (a retry after a lost
    answer) and only the holder of the old token can know it."""
    secret = session.get(ServerMeta, TOKEN_SECRET_KEY)
    assert secret is not None, "create_app makes the token secret"
    mac = hmac.new(bytes.fromhex(secret.value), refresh_token.encode("utf-8"), hashlib.sha512).digest()
    return (base64.urlsafe_b64encode(mac[:32]).rstrip(b"=").decode(),
            base64.urlsafe_b64encode(mac[32:]).rstrip(b"=").decode())


def _issue_pair(session: Session, settings: Settings, now: datetime, user: ServerUser,
                enrollment: Enrollment, tokens: tuple[str, str] | None = None) -> protocol.TokenPair:
    access, refresh = tokens or (secrets.token_urlsafe(32), secrets.token_urlsafe(48))
    for token, kind, ttl in ((access, "access", settings.access_ttl), (refresh, "refresh", settings.refresh_ttl)):
        session.add(AuthToken(token_hash=token_hash(token), kind=kind, enrollment_id=enrollment.id,
                              user_id=user.id, issued_at=iso(now), expires_at=iso(now + ttl)))
    # Expired tokens of this enrollment are useless: keep the table small.
    session.exec(delete(AuthToken).where(col(AuthToken.enrollment_id) == enrollment.id,
                                         col(AuthToken.expires_at) < iso(now)))
    return protocol.TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(settings.access_ttl.total_seconds()),
        refresh_expires_in=int(settings.refresh_ttl.total_seconds()),
        user=_user_info(session, user),
        receipt_key=enrollment.receipt_key,
    )


def signin_delays(settings: Settings) -> SignInDelays:
    return SignInDelays(memory=settings.login_failure_window, pair=replace(PAIR, free=settings.login_free_attempts))


def check_credentials(session: Session, settings: Settings, username: str, password: str,
                      client_ip: str) -> ServerUser:
    """The active user with this name and password, under the sign-in delays that the
    device API and the web console share (raises ApiError otherwise)."""
    now = settings.clock()
    username = username.strip().lower()
    delays = signin_delays(settings)
    delays.check(session, username, client_ip, now)
    user = session.exec(select(ServerUser).where(ServerUser.username == username)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    if not ok:
        delays.failed(session, username, client_ip, now)
        session.commit()  # the failure must count even though the request fails
        raise ApiError(401, "invalid_credentials")
    assert user is not None
    if not user.active:
        raise ApiError(401, "user_inactive")
    if user.password_reset_required:
        raise ApiError(401, "password_reset_required")
    delays.succeeded(session, username, client_ip)
    return user


def login(session: Session, settings: Settings, req: protocol.LoginRequest, client_ip: str) -> protocol.TokenPair:
    now = settings.clock()
    user = check_credentials(session, settings, req.username, req.password, client_ip)
    _check_device_role(user)
    enrollment = session.exec(
        select(Enrollment).where(Enrollment.device_id == req.device_id, Enrollment.user_id == user.id)
    ).first()
    if enrollment is None:
        enrollment = Enrollment(id=str(uuid.uuid4()), device_id=req.device_id, user_id=user.id,
                                device_name=req.device_name, app_version=req.app_version,
                                receipt_key=secrets.token_hex(32), created_at=iso(now), last_seen_at=iso(now))
        session.add(enrollment)
    elif enrollment.revoked_at is not None:
        raise ApiError(401, "device_revoked")
    else:
        enrollment.last_seen_at = iso(now)
        enrollment.app_version = req.app_version or enrollment.app_version
        enrollment.device_name = req.device_name or enrollment.device_name
    session.flush()
    pair = _issue_pair(session, settings, now, user, enrollment)
    session.commit()
    return pair


def _check_device_role(user: ServerUser) -> None:
    """Only field roles use the device API (``permissions.uses_the_app``): an administrator
    or a viewer never enrolls a device, and a token issued before the account became one
    stops working."""
    if not uses_the_app(user.role):
        raise ApiError(403, "console_only")


def _check_enrollment(user: ServerUser | None, enrollment: Enrollment | None) -> None:
    if enrollment is None or enrollment.revoked_at is not None:
        raise ApiError(401, "device_revoked")
    if user is None or not user.active:
        raise ApiError(401, "user_inactive")


def refresh(session: Session, settings: Settings, req: protocol.RefreshRequest) -> protocol.TokenPair:
    now = settings.clock()
    row = session.get(AuthToken, token_hash(req.refresh_token))
    if row is None or row.kind != "refresh":
        raise ApiError(401, "invalid_token")
    enrollment = session.get(Enrollment, row.enrollment_id)
    user = session.get(ServerUser, row.user_id)
    _check_enrollment(user, enrollment)  # says "device_revoked" / "user_inactive" first
    if row.revoked:
        raise ApiError(401, "invalid_token")
    assert enrollment is not None and user is not None
    _check_device_role(user)
    if enrollment.device_id != req.device_id:
        raise ApiError(403, "device_mismatch")
    if parse_iso(row.expires_at) <= now:
        raise ApiError(401, "token_expired")
    successor = _successor(session, req.refresh_token)
    if row.rotated_at is not None:
        again = _answer_again(session, settings, now, row, successor, user, enrollment)
        if again is None:
            # A rotated token presented after its successor was used, or long after: likely
            # stolen. End every session of this stream.
            session.exec(update(AuthToken).where(col(AuthToken.enrollment_id) == enrollment.id).values(revoked=True))
            session.commit()
            raise ApiError(401, "token_reused")
        session.commit()
        return again
    row.rotated_at = iso(now)
    enrollment.last_seen_at = iso(now)
    pair = _issue_pair(session, settings, now, user, enrollment, successor)
    session.commit()
    return pair


def _answer_again(session: Session, settings: Settings, now: datetime, row: AuthToken,
                  successor: tuple[str, str], user: ServerUser,
                  enrollment: Enrollment) -> protocol.TokenPair | None:
    """The pair already given for a rotated refresh token, when presenting it again is a
    retry after a lost answer (a rural 2G link): within ``refresh_reuse_grace`` of the
    rotation, and only while the new refresh token has never been used. None otherwise."""
    access, refresh = successor
    fresh = session.get(AuthToken, token_hash(refresh))
    if (row.rotated_at is None or parse_iso(row.rotated_at) + settings.refresh_reuse_grace < now
            or fresh is None or fresh.rotated_at is not None or fresh.revoked):
        return None
    held = session.get(AuthToken, token_hash(access))
    access_left = parse_iso(held.expires_at) - now if held is not None else None
    return protocol.TokenPair(
        access_token=access, refresh_token=refresh,
        expires_in=max(0, int(access_left.total_seconds())) if access_left else 0,
        refresh_expires_in=max(0, int((parse_iso(fresh.expires_at) - now).total_seconds())),
        user=_user_info(session, user), receipt_key=enrollment.receipt_key)


# The token, its enrollment and its user in one statement, built once: every device
# request starts here (three lookups by key were three round trips, and building the
# statement again for every request was most of the check's CPU).
SIGNED_IN = (select(AuthToken, Enrollment, ServerUser)
             .join(Enrollment, col(Enrollment.id) == AuthToken.enrollment_id, isouter=True)
             .join(ServerUser, col(ServerUser.id) == AuthToken.user_id, isouter=True)
             .where(col(AuthToken.token_hash) == bindparam("token_hash")))


def authenticate(session: Session, settings: Settings, authorization: str | None) -> Principal:
    if not authorization:
        raise ApiError(401, "auth_required", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "auth_required", headers={"WWW-Authenticate": "Bearer"})
    found = session.execute(SIGNED_IN, {"token_hash": token_hash(token.strip())}).first()
    if found is None or found[0].kind != "access":
        raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
    row, enrollment, user = found
    _check_enrollment(user, enrollment)
    assert user is not None and enrollment is not None
    _check_device_role(user)
    if row.revoked:
        raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
    if parse_iso(row.expires_at) <= settings.clock():
        raise ApiError(401, "token_expired", headers={"WWW-Authenticate": "Bearer"})
    return Principal(user=user, enrollment=enrollment)


def revoke_device(session: Session, device_id: str, username: str | None, now: datetime) -> list[str]:
    """Revoke the enrollments of a device (optionally only one user's); returns the usernames.

    A revoked device is usually a lost or stolen laptop, whose users' passwords must be
    taken as known (typed on it, perhaps written down): each of them must be given a new
    password before they can sign in again, on any device (``password_reset_required``).
    Their other devices keep their sessions (a refresh is not a sign-in)."""
    query = select(Enrollment, ServerUser).join(ServerUser, col(ServerUser.id) == Enrollment.user_id).where(
        col(Enrollment.device_id) == device_id, col(Enrollment.revoked_at).is_(None))
    if username:
        query = query.where(ServerUser.username == username.lower())
    rows = session.exec(query).all()
    for enrollment, user in rows:
        enrollment.revoked_at = iso(now)
        session.exec(update(AuthToken).where(col(AuthToken.enrollment_id) == enrollment.id).values(revoked=True))
        user.password_reset_required = True
        session.add(user)
    return sorted({user.username for _enrollment, user in rows})
