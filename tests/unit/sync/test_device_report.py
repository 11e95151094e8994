"""What a device reports of itself in a push (its queue and its clock, for the centre's
console) goes only to a centre that takes it: an older centre refuses keys it does not
know, and would refuse the whole batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agent_app.services.base import FixedClock
from agent_app.services.core import AgentCore
from sync.client import SyncClient
from sync.credentials import Tokens, TokenStore
from sync.headless import make_engine
from tests.helpers.forms import NOW, PASSWORD, make_form

CENTRE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def centre(stub, *, says_its_time: bool) -> None:
    """Applies every pushed op; nothing to pull (404 ends the round after the push)."""
    headers = {"X-Perisai-Time": CENTRE_TIME.isoformat()} if says_its_time else {}

    def handler(h, raw: bytes) -> None:
        if h.path.startswith("/v1/push"):
            req = json.loads(raw)
            body = json.dumps({"batch_id": req["batch_id"], "contiguous_seq": max(op["seq"] for op in req["ops"]),
                               "server_time": CENTRE_TIME.isoformat(),
                               "results": [{"op_id": op["op_id"], "status": "applied"} for op in req["ops"]]})
            status = 200
        else:
            body, status = json.dumps({"code": "not_found", "message": {"id": "-", "en": "-"}}), 404
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body.encode())

    stub.handler = handler


def pushed(stub) -> list[dict]:
    return [json.loads(raw) for method, path, _h, raw in stub.requests if path.startswith("/v1/push")]


@pytest.mark.parametrize("says_its_time", [False, True])
def test_the_report_goes_only_to_a_centre_that_says_its_time(tmp_path, stub, says_its_time):
    centre(stub, says_its_time=says_its_time)
    core = AgentCore.open(tmp_path / "perisai.db", clock=FixedClock(NOW))
    try:
        core.users.create_user(username="besse", full_name="Besse Agen", role="agent", password=PASSWORD)
        user = core.users.authenticate("besse", PASSWORD)
        worker = core.workers.register(user, make_form())
        tokens = TokenStore(stub.url)
        tokens.set("besse", Tokens("access", "refresh", "server-id"))
        for _round in range(2):
            make_engine(core, stub.url, "besse", client=SyncClient(stub.url), tokens=tokens).sync_round()
            core.payments.collect(user, worker.id, 1, "cash")
    finally:
        core.close()
    first, *later = pushed(stub)
    assert len(later) == 1  # the second round's payment
    assert "pending_ops" not in first and "device_time" not in first  # nothing heard yet
    for batch in later:
        if says_its_time:
            assert batch["pending_ops"] == 0
            assert datetime.fromisoformat(batch["device_time"]) == NOW
        else:
            assert "pending_ops" not in batch and "device_time" not in batch
