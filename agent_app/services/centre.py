"""The central server this laptop syncs with: its address, kept in the store's meta table
(set by ``perisai-agent login``, the demo, or ``--server``)."""

from __future__ import annotations

from sqlmodel import Session

from agent_app.services.base import get_meta, set_meta
from agent_app.store.db import Database

SERVER_URL_KEY = "server_url"


def centre_url(db: Database) -> str | None:
    """The centre's address, or None before the first sign-in to a server."""
    with db.read() as s:
        return get_meta(s, SERVER_URL_KEY) or None


def set_centre_url(session: Session, url: str) -> None:
    """Within a caller's write transaction (sign-in keeps it with the receipt key)."""
    set_meta(session, SERVER_URL_KEY, url.rstrip("/"))


def remember_centre_url(db: Database, url: str) -> None:
    with db.write() as s:
        set_centre_url(s, url)
