"""Who may see what in the console, and the signed-in session.

A session is a random token in an HttpOnly, SameSite=Lax cookie (Secure when the request
came over HTTPS); the database keeps only its SHA-256, the user it belongs to and the
session's CSRF token, so a sign-out, a deactivation or a role change takes effect at the
next request in every server process. Every form that changes something carries the CSRF
token; the sign-in form, before any session exists, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from central_server.auth import token_hash
from central_server.db import iso, parse_iso
from central_server.models import ServerUser, WebSession
from central_server.reference import kecamatan7

SESSION_COOKIE = "perisai_console"
LOGIN_CSRF_COOKIE = "perisai_login_csrf"
LANG_COOKIE = "perisai_lang"
SESSION_TTL = timedelta(hours=10)  # one working day; then sign in again

# Page -> roles that may open it. Supervisors are limited to their kecamatan (when they
# have one) on every page; so are API tokens with a kecamatan.
PAGES: dict[str, frozenset[str]] = {
    "coverage": frozenset({"admin", "city_viewer", "bpjs_viewer", "supervisor"}),
    "money": frozenset({"admin", "city_viewer", "bpjs_viewer", "supervisor"}),
    "agents": frozenset({"admin", "supervisor"}),
    "review": frozenset({"admin"}),
    "people": frozenset({"admin"}),
    "exports": frozenset({"admin", "bpjs_viewer", "supervisor"}),
}
CONSOLE_ROLES = frozenset().union(*PAGES.values())


@dataclass
class Viewer:
    """The signed-in person of a console request."""

    user: ServerUser
    csrf_token: str

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def kecamatan(self) -> str | None:
        """The only kecamatan this person may see, or None for the whole city."""
        if self.user.role == "supervisor" and self.user.kecamatan_code:
            return kecamatan7(self.user.kecamatan_code)
        return None

    def may(self, page: str) -> bool:
        return self.user.role in PAGES[page]

    def pages(self) -> list[str]:
        return [page for page in PAGES if self.may(page)]


def start_session(session: Session, user: ServerUser, now: datetime) -> str:
    """A new session for ``user``; returns the cookie's token. Expired sessions are dropped."""
    token = secrets.token_urlsafe(32)
    session.exec(delete(WebSession).where(col(WebSession.expires_at) < iso(now)))
    session.add(WebSession(token_hash=token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
                           created_at=iso(now), expires_at=iso(now + SESSION_TTL), last_seen_at=iso(now)))
    session.commit()
    return token


def current_viewer(session: Session, token: str | None, now: datetime) -> Viewer | None:
    """The viewer of a session cookie, or None (no cookie, unknown, expired, user blocked or
    no longer of a console role)."""
    if not token:
        return None
    row = session.get(WebSession, token_hash(token))
    if row is None or parse_iso(row.expires_at) <= now:
        return None
    user = session.get(ServerUser, row.user_id)
    if user is None or not user.active or user.role not in CONSOLE_ROLES:
        return None
    return Viewer(user=user, csrf_token=row.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(WebSession).where(col(WebSession.token_hash) == token_hash(token)))
        session.commit()


def end_sessions_of(session: Session, user_id: str) -> None:
    """A deactivated user or a new password: every console session of that user ends."""
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
