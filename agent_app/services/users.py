"""Local users: first-user set-up, sign-in with growing delays, offline sign-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import select

from agent_app.services.access import ROLES
from agent_app.services.base import Clock, ServiceError, audit, new_id
from agent_app.store.db import Database
from agent_app.store.models import User

MIN_PASSWORD_LENGTH = 8
FREE_ATTEMPTS = 3  # failures before the delays start
MAX_DELAY_SECONDS = 15 * 60

_hasher = PasswordHasher()


def failure_delay(failed_attempts: int) -> int:
    """Seconds a user must wait after this many failures in a row: 0, 0, 0, 30, 60, 120..."""
    if failed_attempts < FREE_ATTEMPTS:
        return 0
    return min(30 * 2 ** (failed_attempts - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


class UserService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def needs_first_user(self) -> bool:
        with self.db.read() as s:
            return s.exec(select(func.count()).select_from(User)).one() == 0

    def list_users(self) -> list[User]:
        with self.db.read() as s:
            return list(s.exec(select(User).order_by(User.full_name)))

    def create_user(
        self,
        *,
        username: str,
        full_name: str,
        role: str,
        password: str,
        kecamatan_code: str | None = None,
        kelurahan_code: str | None = None,
        language: str = "id",
        actor: User | None = None,
        server_user_id: str | None = None,
    ) -> User:
        username = username.strip().lower()
        if not username or not full_name.strip():
            raise ServiceError("user.required")
        if role not in ROLES:
            raise ServiceError("user.role")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ServiceError("user.password_short", {"n": MIN_PASSWORD_LENGTH})
        if actor is None and not self.needs_first_user():
            raise ServiceError("user.not_allowed")
        if actor is not None and actor.role != "supervisor":
            raise ServiceError("user.not_allowed")
        now = self.clock.stamp()
        user = User(
            id=new_id(),
            username=username,
            full_name=full_name.strip(),
            role=role,
            password_hash=_hasher.hash(password),
            kecamatan_code=kecamatan_code,
            kelurahan_code=kelurahan_code,
            language=language,
            server_user_id=server_user_id,
            created_at=now,
        )
        with self.db.write() as s:
            if s.exec(select(User).where(User.username == username)).first():
                raise ServiceError("user.exists", {"username": username})
            s.add(user)
            audit(
                s,
                user_id=actor.id if actor else user.id,
                action="user.create",
                entity="user",
                entity_id=user.id,
                now=now,
                new={"username": username, "role": role},
            )
        return user

    def authenticate(self, username: str, password: str) -> User:
        """Offline sign-in against the local argon2 hash, with growing delays on failure."""
        username = username.strip().lower()
        now = self.clock.now()
        with self.db.write() as s:
            user = s.exec(select(User).where(User.username == username)).first()
            if user is None:
                raise ServiceError("auth.invalid")
            if user.locked_until and datetime.fromisoformat(user.locked_until) > now:
                wait = int((datetime.fromisoformat(user.locked_until) - now).total_seconds()) + 1
                raise ServiceError("auth.throttled", {"seconds": wait})
            try:
                _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                user.failed_attempts += 1
                delay = failure_delay(user.failed_attempts)
                user.locked_until = (
                    (now + timedelta(seconds=delay)).isoformat(timespec="seconds")
                    if delay
                    else None
                )
                s.add(user)
                audit(s, user_id=user.id, action="auth.failed", entity="user",
                      entity_id=user.id, now=now.isoformat(timespec="seconds"))
                failure: ServiceError | None = ServiceError("auth.invalid")
            else:
                failure = None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                user.failed_attempts = 0
                user.locked_until = None
                s.add(user)
                if user.active:
                    audit(s, user_id=user.id, action="auth.signin", entity="user",
                          entity_id=user.id, now=now.isoformat(timespec="seconds"))
                else:  # said only to whoever knows the password
                    failure = ServiceError("auth.closed")
        if failure:
            raise failure
        return user

    def verify_password(self, user: User, password: str) -> bool:
        """Unlock check for the signed-in user (same throttling as sign-in)."""
        try:
            self.authenticate(user.username, password)
        except ServiceError as exc:
            if exc.code == "auth.throttled":
                raise
            return False
        return True

    def set_language(self, user: User, language: str) -> None:
        with self.db.write() as s:
            row = s.get_one(User, user.id)
            row.language = language
            s.add(row)
        user.language = language

    def upsert_from_server(self, server_user: dict, password: str) -> User:
        """A user who signed in online on this device for the first time gets a local
        account (offline sign-in afterwards); an existing one takes the centre's account
        again (``follow_centre``)."""
        with self.db.write() as s:
            row = s.exec(
                select(User).where(User.username == server_user["username"].lower())
            ).first()
            now = self.clock.stamp()
            if row is None:
                row = User(
                    id=new_id(),
                    username=server_user["username"].lower(),
                    created_at=now,
                    full_name=server_user["full_name"],
                    role=server_user["role"] if server_user["role"] in ROLES else "agent",
                    password_hash="",
                )
            changed = _take_account(row, server_user)
            row.password_hash = _hasher.hash(password)
            row.failed_attempts = 0
            row.locked_until = None
            s.add(row)
            audit(s, user_id=row.id, action="auth.online_signin", entity="user",
                  entity_id=row.id, now=now, **changed)
        return row

    def follow_centre(self, user_id: str, server_user: dict) -> None:
        """A token refresh brought the account as the centre holds it now: a role, area or
        name changed there applies here from this sync on."""
        with self.db.write() as s:
            row = s.get(User, user_id)
            if row is None:
                return
            changed = _take_account(row, server_user)
            if changed:
                s.add(row)
                audit(s, user_id=row.id, action="user.follow_centre", entity="user",
                      entity_id=row.id, now=self.clock.stamp(), **changed)

    def close_from_centre(self, user_id: str | None = None, *, username: str | None = None) -> None:
        """The centre deactivated the account, or gave it a role without field work: no
        offline sign-in here either. Its queued operations stay; signing in online again
        once the centre reopens it opens it here too."""
        with self.db.write() as s:
            row = s.get(User, user_id) if user_id else s.exec(
                select(User).where(User.username == (username or "").strip().lower())).first()
            if row is None or not row.active:
                return
            row.active = False
            s.add(row)
            audit(s, user_id=row.id, action="user.closed_by_centre", entity="user",
                  entity_id=row.id, now=self.clock.stamp(), old={"active": True}, new={"active": False})


# The centre's answers that close an account on this device: deactivated there, or made
# an administrator or viewer (who work in the centre's web console, not here).
CLOSED_AT_CENTRE = frozenset({"user_inactive", "console_only"})
_ACCOUNT_FIELDS = ("full_name", "role", "kecamatan_code", "kelurahan_code", "active")


def _take_account(row: User, server_user: dict) -> dict:
    """Give ``row`` the centre's name, role and area (the centre holds every operation to
    them); returns the audit's ``old`` and ``new`` of what changed, or nothing."""
    before = {name: getattr(row, name) for name in _ACCOUNT_FIELDS}
    row.full_name = server_user["full_name"]
    row.server_user_id = server_user["id"]
    if server_user["role"] in ROLES:
        row.role = server_user["role"]
    row.kecamatan_code = server_user.get("kecamatan_code")
    row.kelurahan_code = server_user.get("kelurahan_code")
    row.active = True
    after = {name: getattr(row, name) for name in _ACCOUNT_FIELDS}
    changed = [name for name in _ACCOUNT_FIELDS if before[name] != after[name]]
    if not changed:
        return {}
    return {"old": {k: before[k] for k in changed}, "new": {k: after[k] for k in changed}}
