"""A supervisor's correction of NIK, birth date or sex waits for the centre's review
(``needs_review`` / ``identity_review``). The centre's decision comes back with every pull
of the participant (``corrections``: ``{op_id, decision, reason}``), so the waiting
correction settles whenever this device next takes the record: accepted (the pulled
record already carries the corrected values), or refused with the administrators' reason,
which then waits in Perlu perhatian like any rejection (the pulled record is the centre's,
as it was).
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

import perisai_protocol as protocol
from agent_app.store.models import OutboxOp, OutboxState, Worker


def settle_corrections(s: Session, change: protocol.Change) -> None:
    decided = {d["op_id"]: d for d in (change.data or {}).get("corrections") or []
               if isinstance(d, dict) and isinstance(d.get("op_id"), str)}
    if not decided:
        return
    waiting = s.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(decided)),
                                            OutboxOp.kind == "worker.update",
                                            OutboxOp.state == OutboxState.NEEDS_REVIEW)).all()
    for op in waiting:
        decision = decided[op.op_id]
        result = json.loads(op.result) if op.result else {}
        if decision.get("decision") == "applied":
            op.state = OutboxState.ACKED
            result.update(reviewed="accepted")
        else:
            op.state = OutboxState.REJECTED
            op.last_error = "correction_rejected"
            result.update(code="correction_rejected", message=decision.get("reason") or {})
        op.result = protocol.canonical_json(result)
        s.add(op)
        worker = s.get(Worker, op.entity_id)
        if worker is not None and worker.sync_state == "review":
            worker.sync_state = "synced"  # the record is the centre's again
            s.add(worker)
