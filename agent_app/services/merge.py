"""One person, one record: an alias the centre named is merged into its canonical record.

Two devices can register the same person offline; the centre keeps the first record and
makes the other an alias of it (same NIK, name and birth date). Once a device holds both,
the alias is merged into the canonical record: its payments and follow-up marks move
there, so paid months, the months offered, the follow-up list and search all see one
person. The alias row stays, hidden (``deleted``) and pointing at the canonical
(``merged_into``): its history and its queued operations name it (the centre resolves
aliases itself), and a screen still open on it finds the canonical record
(``current_worker``). Payment rows keep every value; only their worker reference moves,
as the protocol asks of a client ("remap its local references").
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from agent_app.services.base import audit
from agent_app.store.models import FollowupContact, Payment, Worker

MAX_HOPS = 8  # an alias of an alias (a review settled later): follow, but never loop
# Made once: a new alias per call is a new statement to SQLAlchemy, compiled again at
# every pulled page (most of a page's work on a slow laptop).
_CANONICAL = aliased(Worker)


def current_worker(s: Session, worker_id: str) -> Worker | None:
    """The worker a (possibly merged) id stands for today."""
    worker = s.get(Worker, worker_id)
    for _ in range(MAX_HOPS):
        if worker is None or worker.merged_into is None:
            return worker
        worker = s.get(Worker, worker.merged_into)
    return worker


def merged_ids(s: Session, worker_id: str) -> list[str]:
    """``worker_id`` and the ids of the aliases merged into it (for its history)."""
    ids = [worker_id]
    frontier = [worker_id]
    for _ in range(MAX_HOPS):
        frontier = list(s.exec(select(Worker.id).where(col(Worker.merged_into).in_(frontier))))
        if not frontier:
            break
        ids += frontier
    return ids


def merge_aliases(s: Session, now: str) -> int:
    """Merge every alias whose canonical record is on this device, in the caller's
    transaction. Returns how many were merged."""
    canonical_row = _CANONICAL
    pairs = s.exec(
        select(Worker, canonical_row)
        .join(canonical_row, col(canonical_row.id) == Worker.canonical_id)
        .where(col(Worker.canonical_id).is_not(None), col(Worker.merged_into).is_(None),
               Worker.deleted == False, canonical_row.deleted == False)  # noqa: E712
    ).all()
    for alias, kept in pairs:
        canonical = current_worker(s, kept.id)
        if canonical is None or canonical.id == alias.id:
            continue
        s.exec(update(Payment).where(col(Payment.worker_id) == alias.id)
               .values(worker_id=canonical.id))
        s.exec(update(FollowupContact).where(col(FollowupContact.worker_id) == alias.id)
               .values(worker_id=canonical.id))
        s.exec(update(Worker).where(col(Worker.merged_into) == alias.id)
               .values(merged_into=canonical.id))
        # paid_through caches the paid months of each copy: the person paid through both.
        canonical.paid_through = max(filter(None, [canonical.paid_through, alias.paid_through]),
                                     default=None)
        alias.merged_into = canonical.id
        alias.deleted = True
        s.add(canonical)
        s.add(alias)
        audit(s, user_id=None, action="worker.merge", entity="worker", entity_id=alias.id,
              now=now, new={"into": canonical.id})
    return len(pairs)
