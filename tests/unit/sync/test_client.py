"""SyncClient: every transport failure becomes one of the project's exceptions."""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import perisai_protocol as protocol
from sync.client import (
    AuthExpired,
    BatchRejected,
    CursorExpired,
    DeviceRevoked,
    Forbidden,
    InsecureServer,
    InvalidCredentials,
    NotAcknowledged,
    Offline,
    RetryLater,
    SyncClient,
    UpgradeRequired,
    parse_retry_after,
)

HASH = "0" * 64


def batch(n: int = 2) -> protocol.PushRequest:
    return protocol.PushRequest(
        batch_id=uuid.uuid4().hex, device_id="device-0001",
        ops=[protocol.Operation(op_id=str(uuid.uuid4()), seq=i + 1, kind="worker.register",
                                entity_id=f"w{i}", schema_version=1, payload={"id": f"w{i}"},
                                payload_hash=HASH) for i in range(n)],
    )


def answer(b: protocol.PushRequest, **over) -> dict:
    body = {"batch_id": b.batch_id, "contiguous_seq": len(b.ops), "server_time": "x",
            "results": [{"op_id": op.op_id, "status": "applied", "assigned": {}} for op in b.ops]}
    body.update(over)
    return body


def client(url: str, **kw) -> SyncClient:
    kw.setdefault("connect_timeout", 1)
    kw.setdefault("read_timeout", 2)
    kw.setdefault("deadline", 5)
    return SyncClient(url, **kw)


def test_push_sends_gzip_and_accepts_a_well_formed_echo(stub):
    b = batch(3)
    stub.reply(200, answer(b))
    c = client(stub.url)
    response = c.push(b, "tok")
    assert [r.status for r in response.results] == ["applied"] * 3
    method, path, headers, raw = stub.requests[-1]
    assert (method, path) == ("POST", "/v1/push")
    assert headers["Content-Encoding"] == "gzip" and headers["Authorization"] == "Bearer tok"
    assert json.loads(raw)["batch_id"] == b.batch_id
    assert c.bytes_sent < len(raw)  # gzip on the wire


@pytest.mark.parametrize("body,ctype,code", [
    ("<html><body>Login WiFi</body></html>", "text/html", "not_json"),  # captive portal
    ('{"batch_id": "x", "res', "application/json", "bad_json"),
    ({"hello": "world"}, "application/json", "schema"),
])
def test_not_acknowledged_answers(stub, body, ctype, code):
    stub.reply(200, body, ctype=ctype)
    with pytest.raises(NotAcknowledged) as info:
        client(stub.url).push(batch(), "tok")
    assert info.value.code == code


def test_wrong_batch_echo_or_missing_results_is_not_acknowledged(stub):
    b = batch(2)
    stub.reply(200, answer(b, batch_id="another-batch"))
    with pytest.raises(NotAcknowledged):
        client(stub.url).push(b, "tok")
    short = answer(b)
    short["results"] = short["results"][:1]
    stub.reply(200, short)
    with pytest.raises(NotAcknowledged):
        client(stub.url).push(b, "tok")


def test_redirect_is_never_followed(stub):
    stub.reply(302, "", ctype="text/html", headers={"Location": "http://portal.invalid/"})
    with pytest.raises(NotAcknowledged) as info:
        client(stub.url).push(batch(), "tok")
    assert info.value.code == "redirect"
    assert len(stub.requests) == 1


def test_truncated_body_is_not_acknowledged(stub):
    b = batch()
    full = json.dumps(answer(b)).encode()
    stub.reply(200, full[: len(full) // 2], length=len(full))
    with pytest.raises((NotAcknowledged, Offline)):
        client(stub.url).push(b, "tok")


def _err(code: str) -> dict:
    return {"code": code, "message": {"id": f"pesan {code}", "en": f"message {code}"}}


@pytest.mark.parametrize("status,code,exc", [
    (401, "token_expired", AuthExpired),
    (403, "device_revoked", DeviceRevoked),
    (403, "out_of_scope", Forbidden),
    (400, "invalid_push", BatchRejected),
    (413, "body_too_large", BatchRejected),
    (426, "upgrade_required", UpgradeRequired),
    (410, "cursor_expired", CursorExpired),
    (500, "internal_error", RetryLater),
    (404, "not_found", NotAcknowledged),
])
def test_status_mapping_keeps_the_servers_bilingual_message(stub, status, code, exc):
    stub.reply(status, _err(code))
    with pytest.raises(exc) as info:
        client(stub.url).pull(0, 10, "tok")
    assert info.value.code == code and info.value.status == status
    assert info.value.text("id") == f"pesan {code}" and info.value.text("en") == f"message {code}"


def test_login_401_is_invalid_credentials(stub):
    stub.reply(401, _err("invalid_credentials"))
    with pytest.raises(InvalidCredentials):
        client(stub.url).login("agen", "salah-sekali", "device-0001")


def test_retry_after_seconds_and_http_date(stub):
    stub.reply(429, "busy", ctype="text/plain", headers={"Retry-After": "7"})
    with pytest.raises(RetryLater) as info:
        client(stub.url).pull(0, 10, "tok")
    assert info.value.retry_after == 7
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30),
                                       usegmt=True)
    stub.reply(503, "down", ctype="text/plain", headers={"Retry-After": when})
    with pytest.raises(RetryLater) as info:
        client(stub.url).pull(0, 10, "tok")
    assert 25 <= info.value.retry_after <= 31
    assert parse_retry_after("garbage") is None and parse_retry_after(None) is None
    assert parse_retry_after("-3") == 0


def test_connection_refused_is_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Offline):
        client(f"http://127.0.0.1:{port}").health()


def test_black_hole_is_offline_after_the_read_timeout(stub):
    stub.reply(200, {}, hold=3)
    start = time.monotonic()
    with pytest.raises(Offline):
        client(stub.url, read_timeout=0.5).health()
    assert time.monotonic() - start < 2.5


def test_trickle_is_cut_at_the_deadline(stub):
    stub.reply(200, "x" * 200, trickle=0.05)
    start = time.monotonic()
    with pytest.raises(Offline) as info:
        client(stub.url, read_timeout=1, deadline=0.6).health()
    assert info.value.code == "deadline"
    assert time.monotonic() - start < 1.8


def test_health_ok(stub):
    stub.reply(200, {"status": "ok", "service": "perisai-central", "protocol": 1,
                     "min_app_version": "0.1.0"})
    assert client(stub.url).health().protocol == 1


def test_trickled_headers_are_cut_at_the_deadline(stub):
    def slow_head(h, _req):
        for ch in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: " + b"p" * 100:
            h.wfile.write(bytes([ch]))
            h.wfile.flush()
            time.sleep(0.02)

    stub.handler = slow_head
    start = time.monotonic()
    with pytest.raises(Offline) as info:
        client(stub.url, read_timeout=1, deadline=0.5).health()
    assert info.value.code == "deadline"
    assert time.monotonic() - start < 1.5


# --- plain http ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://pusat.example", "http://192.168.1.10:8765", "HTTP://pusat.example",
                                 "http://127.0.0.1.pusat.example", "ftp://pusat.example", "pusat.example"])
def test_a_server_address_without_tls_elsewhere_is_refused_before_anything_is_sent(url):
    c = client(url)
    with pytest.raises(InsecureServer) as info:
        c.login("agen", "kata-sandi", "device-0001")
    assert c.requests_sent == 0 and c.bytes_sent == 0
    assert "https://" in info.value.text("id") and "https://" in info.value.text("en")
    assert info.value.text("id") != info.value.text("en")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"])
def test_plain_http_to_this_computer_is_allowed(host):
    port = _free_port()
    with pytest.raises(Offline):  # nothing listens there: the request was really sent
        client(f"http://{host}:{port}").health()


def test_the_sync_round_says_why_and_keeps_the_queue(tmp_path):
    from agent_app.services.base import FixedClock
    from agent_app.services.core import AgentCore
    from sync.credentials import Tokens, TokenStore
    from sync.headless import make_engine
    from tests.helpers.forms import NOW, PASSWORD, make_form

    core = AgentCore.open(tmp_path / "perisai.db", clock=FixedClock(NOW))
    try:
        core.users.create_user(username="besse", full_name="Besse Agen", role="agent", password=PASSWORD)
        user = core.users.authenticate("besse", PASSWORD)
        core.workers.register(user, make_form())
        tokens = TokenStore("http://pusat.example")
        tokens.set("besse", Tokens("access", "refresh", "server-id"))
        engine = make_engine(core, "http://pusat.example", "besse", client=client("http://pusat.example"),
                             tokens=tokens)
        report = engine.sync_round()
        assert report.state == "problem" and report.pending == 1 and report.requests == 0
        assert "https://" in report.message["id"] and "https://" in report.message["en"]
    finally:
        core.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cancel_cuts_a_request_the_server_never_answers(stub):
    """A frozen server once kept "Sedang sinkron…" for two minutes with no way out."""
    stub.reply(200, {}, hold=10)
    c = client(stub.url, read_timeout=30, deadline=60)
    threading.Timer(0.3, c.cancel).start()
    start = time.monotonic()
    with pytest.raises(Offline) as info:
        c.health()
    assert info.value.code == "cancelled"
    assert time.monotonic() - start < 2
    with pytest.raises(Offline):  # cancelled stays cancelled until resumed
        c.health()
    c.resume()
    stub.reply(200, {"status": "ok", "service": "perisai-central", "protocol": 1,
                     "min_app_version": "0.1.0"})
    assert c.health().protocol == 1
