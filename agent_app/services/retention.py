"""Keep on the laptop only what the work needs (UU PDP data minimisation).

Two rules, both settings (declared here and added to ``agent_app.settings.SETTINGS``):

* ``retention_pulled_days`` (default 30): participants *pulled* from the server who live
  outside the user's own area (pulled for one collection) are removed this many days
  after their last activity on this device;
* ``retention_synced_days`` (default 365): any participant whose record and payments are
  all on the server is removed locally this many days after the last activity. The
  server keeps everything; a later search pulls them again.

Never purged: a participant with an outbox operation not yet settled (pending, in flight,
rejected, needs review) for the record or one of its payments, a payment not synced, a
payment of this device not yet in a close-out (when close-outs exist), a participant
registered on this device whose server copy is not confirmed, a deletion request not yet
acknowledged. One transaction; one audit entry with the counts (no personal data).
Acknowledged outbox payloads and synced audit values of a purged participant are removed
too, so no copy of the NIK or name stays behind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, text, update
from sqlmodel import col, select

from agent_app import settings as app_settings
from agent_app.services.access import require
from agent_app.services.base import audit
from agent_app.store import models
from agent_app.store.models import AuditEntry, Meta, OutboxOp, OutboxState, Payment, User, Worker

UNSETTLED = (*OutboxState.queued(), *OutboxState.refused_or_held())

PULLED_DAYS = app_settings.Setting(
    "retention_pulled_days", int, 30,
    {"id": "Hapus peserta dari luar wilayah yang ditarik untuk penagihan setelah (hari)",
     "en": "Remove participants pulled from outside my area after (days)"},
    minimum=1, maximum=365,
)
SYNCED_DAYS = app_settings.Setting(
    "retention_synced_days", int, 365,
    {"id": "Hapus data yang sudah tersinkron dan tidak aktif setelah (hari)",
     "en": "Remove synced, inactive records after (days)"},
    minimum=30, maximum=3650,
)
for _setting in (PULLED_DAYS, SYNCED_DAYS):
    app_settings.SETTINGS.setdefault(_setting.key, _setting)


@dataclass
class PurgeResult:
    pulled_outside_area: int = 0
    synced_inactive: int = 0
    payments: int = 0
    kept_unsettled: int = 0  # candidates kept because something is not yet on the server

    @property
    def workers(self) -> int:
        return self.pulled_outside_area + self.synced_inactive


def _outside_area(worker: Worker, user: User) -> bool:
    if user.kelurahan_code:
        return worker.kelurahan_code != user.kelurahan_code and (
            not user.kecamatan_code or worker.kecamatan_code != user.kecamatan_code)
    if user.kecamatan_code:
        return worker.kecamatan_code != user.kecamatan_code
    return False  # whole-city user: nothing is outside


def purge_expired(core, actor: User, *, pulled_days: int | None = None,
                  synced_days: int | None = None) -> PurgeResult:
    """Apply the retention rules now. Anyone signed in may run the configured rules (the app
    runs them after a sync); other periods than the configured ones need "purge"."""
    configured_pulled = app_settings.get_setting(core.db, PULLED_DAYS.key)
    configured_synced = app_settings.get_setting(core.db, SYNCED_DAYS.key)
    if (pulled_days not in (None, configured_pulled)) or (synced_days not in (None, configured_synced)):
        require(actor, "purge")
    pulled_days = configured_pulled if pulled_days is None else pulled_days
    synced_days = configured_synced if synced_days is None else synced_days
    now = core.clock.now()
    pulled_cutoff = now - timedelta(days=pulled_days)
    synced_cutoff = now - timedelta(days=synced_days)
    result = PurgeResult()
    has_closeouts = hasattr(models, "Closeout")
    with core.db.write() as s:
        user = s.get(User, actor.id) or actor
        device = s.get(Meta, "device_id")
        device_id = device.value if device else None
        # Stamps come from different clocks (device, server) with different offsets:
        # compare them as datetimes, not as text.
        last_payment: dict[str, datetime] = {}
        for worker_id, collected_at in s.exec(
            select(Payment.worker_id, Payment.collected_at).join(Worker)
            .where(Worker.sync_state == "synced")
        ):
            stamp = _parse(collected_at)
            if stamp is not None and (worker_id not in last_payment or stamp > last_payment[worker_id]):
                last_payment[worker_id] = stamp
        doomed: dict[str, str] = {}  # worker id -> rule
        for worker in s.exec(select(Worker).where(Worker.sync_state == "synced")):
            last = max(filter(None, [_parse(worker.updated_at), last_payment.get(worker.id)]))
            if worker.origin == "pulled" and _outside_area(worker, user) and last < pulled_cutoff:
                rule = "pulled"
            elif last < synced_cutoff:
                rule = "synced"
            else:
                continue
            if not _settled(s, worker, device_id, has_closeouts):
                result.kept_unsettled += 1
                continue
            doomed[worker.id] = rule
        if doomed:
            ids = list(doomed)
            payment_ids = list(s.exec(select(Payment.id).where(col(Payment.worker_id).in_(ids))))
            entity_ids = ids + payment_ids
            # Acknowledged operations keep a copy of the record in their payload.
            s.exec(delete(OutboxOp).where(col(OutboxOp.entity_id).in_(entity_ids),
                                          col(OutboxOp.state) == OutboxState.ACKED))
            # The processing log stays (who did what, when); values already on the server go.
            s.exec(update(AuditEntry).where(col(AuditEntry.entity_id).in_(entity_ids),
                                            col(AuditEntry.synced) == True)  # noqa: E712
                   .values(old=None, new=None))
            s.exec(delete(Meta).where(col(Meta.key).in_(
                [f"deletion_request:{i}" for i in ids])))
            _delete_dependants(s, "payment", payment_ids)
            _delete_dependants(s, "worker", ids)
            # One statement: voids and the payments they void go together (FK checked at
            # the end of the statement).
            s.exec(delete(Payment).where(col(Payment.worker_id).in_(ids)))
            s.exec(delete(Worker).where(col(Worker.id).in_(ids)))
            result.payments = len(payment_ids)
            result.pulled_outside_area = sum(1 for r in doomed.values() if r == "pulled")
            result.synced_inactive = sum(1 for r in doomed.values() if r == "synced")
        # Acknowledged audit batches carry the log's values: the server holds them now.
        s.exec(delete(OutboxOp).where(col(OutboxOp.kind) == "audit.batch",
                                    col(OutboxOp.state) == OutboxState.ACKED))
        # Entries written before an earlier purge and synced since: same treatment.
        s.exec(text(
            "UPDATE audit SET old = NULL, new = NULL WHERE synced = 1 "
            "AND (old IS NOT NULL OR new IS NOT NULL) AND entity IN ('worker', 'payment') "
            "AND entity_id NOT IN (SELECT id FROM worker) "
            "AND entity_id NOT IN (SELECT id FROM payment)"))
        audit(s, user_id=actor.id, action="retention.purge", entity="worker", entity_id=None,
              now=core.clock.stamp(),
              new={**asdict(result), "pulled_days": pulled_days, "synced_days": synced_days})
    return result


def _delete_dependants(s, parent: str, ids: list[str]) -> None:
    """Rows of other tables that point at the purged rows (follow-up marks, ...)."""
    from sqlmodel import SQLModel

    if not ids:
        return
    for table in SQLModel.metadata.sorted_tables:
        if table.name in ("payment", "worker"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == parent:
                s.exec(table.delete().where(fk.parent.in_(ids)))


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _settled(s, worker: Worker, device_id: str | None, has_closeouts: bool) -> bool:
    payments = list(s.exec(select(Payment).where(Payment.worker_id == worker.id)))
    if any(p.sync_state != "synced" for p in payments):
        return False
    if has_closeouts and any(p.origin == "local" and p.device_id == device_id
                             and p.closeout_id is None for p in payments):
        return False
    entity_ids = [worker.id] + [p.id for p in payments]
    open_ops = s.exec(select(func.count()).select_from(OutboxOp).where(
        col(OutboxOp.entity_id).in_(entity_ids), col(OutboxOp.state).in_(UNSETTLED))).one()
    if open_ops:
        return False
    # Registered here: the server must have confirmed it (the register op acknowledged).
    if worker.origin == "local":
        acked = s.exec(select(func.count()).select_from(OutboxOp).where(
            OutboxOp.entity_id == worker.id, OutboxOp.kind == "worker.register",
            OutboxOp.state == OutboxState.ACKED)).one()
        pulled_back = worker.server_version > 0
        if not acked and not pulled_back:
            return False
    return True

