"""Drafts of forms not yet saved: what a person typed survives closing the app, a crash or
a restart, and comes back when they return to the form.

A draft is the form's raw values (JSON), per local user and form, in the ``meta`` table
of the encrypted store: personal data never leaves it. It is replaced as the person
types, and deleted once the record is saved or the person discards the form.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, delete

from agent_app.services.base import get_meta, set_meta
from agent_app.store.db import Database
from agent_app.store.models import Meta


def _key(user_id: str, form: str) -> str:
    return f"draft.{form}:{user_id}"


def save_draft(db: Database, user_id: str, form: str, values: dict[str, Any], saved_at: str) -> None:
    with db.write() as s:
        set_meta(s, _key(user_id, form), json.dumps({"saved_at": saved_at, "values": values},
                                                    ensure_ascii=False, default=str))


def load_draft(db: Database, user_id: str, form: str) -> dict[str, Any] | None:
    """``{"saved_at": ISO time, "values": {...}}`` or None."""
    with db.read() as s:
        raw = get_meta(s, _key(user_id, form))
    if not raw:
        return None
    try:
        draft = json.loads(raw)
    except ValueError:
        return None  # a draft the app cannot read is no draft
    return draft if isinstance(draft, dict) and isinstance(draft.get("values"), dict) else None


def clear_draft(db: Database, user_id: str, form: str) -> None:
    with db.write() as s:
        s.exec(delete(Meta).where(col(Meta.key) == _key(user_id, form)))
