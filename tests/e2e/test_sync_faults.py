"""Network and HTTP faults between the client and the real server, through the seeded
fault proxy on 127.0.0.1. After each fault and recovery: every local operation acknowledged
exactly once, the server holds exactly the device's operations, nothing stuck, store intact."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from sqlmodel import select

from agent_app.store.models import OutboxOp
from sync.client import SyncClient
from tests.helpers.faultproxy import FaultProxy

from .conftest import check_drained, pay, register

FAST = dict(connect_timeout=1, read_timeout=1.5, deadline=4)


@pytest.fixture
def proxy(central):
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=20261124) as p:
        yield p


def queue_some(dev, workers: int = 3):
    for _ in range(workers):
        w = register(dev)
        pay(dev, w.id, 1)


def server_count(central, dev) -> int:
    return central.query("SELECT count(*) FROM applied_ops WHERE device_id = :d",
                         d=dev.core.device_id)[0][0]


def assert_exactly_once(central, dev):
    check_drained([dev], central)
    with dev.db.read() as s:
        ops = list(s.exec(select(OutboxOp)))
    assert all(op.state == "acked" for op in ops), {op.state for op in ops}
    assert server_count(central, dev) == len(ops)
    payments = central.query("SELECT count(*) FROM payments WHERE json_extract(data, "
                             "'$.device_id') = :d", d=dev.core.device_id)[0][0]
    assert payments == sum(1 for op in ops if op.kind == "payment.collect")


FAULTS = [
    # (fault kind, inject params, first round state, applied before the answer was lost)
    ("black_hole", {}, "offline", False),
    ("reset_before", {}, "offline", False),
    ("cut_after_commit", {}, "offline", True),
    ("http_429", {"retry_after": 1}, "retry_later", False),
    ("http_503", {"retry_after": 2, "retry_after_date": True}, "retry_later", False),
    ("http_500_after_commit", {}, "retry_later", True),
    ("html_200", {}, "problem", False),
    ("redirect", {}, "problem", False),
    ("truncated", {}, None, True),
    ("trickle", {"interval": 0.4}, "offline", True),
]


@pytest.mark.parametrize("kind,params,first_state,applied", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_then_recovery_loses_and_duplicates_nothing(central, device, proxy, kind, params,
                                                          first_state, applied):
    dev = device(f"f-{kind}", base_url=proxy.url)
    queue_some(dev)
    proxy.inject(kind, path="/v1/push", **params)
    engine = dev.engine(client=SyncClient(proxy.url, **FAST))
    first = engine.sync_round()
    if first_state:
        assert first.state == first_state, first
    assert first.next_retry_in is not None and first.next_retry_in <= 2.0 + 1e-9
    if kind in ("http_429", "http_503"):
        assert first.next_retry_in >= 0.9  # Retry-After honoured (seconds or HTTP date)
    with dev.db.read() as s:
        states = {op.state for op in s.exec(select(OutboxOp))}
    assert states == {"pending"}  # back in the queue, never lost, never "in flight"
    second = engine.drain(max_rounds=5, sleep=lambda _s: None)
    assert second.state == "up_to_date", second
    if applied:  # the centre says which it applied; they are not sent again
        assert (second.acked, second.duplicates, second.pushed) == (6, 0, 0)
    assert_exactly_once(central, dev)
    with dev.db.read() as s:
        assert all(op.attempts == 1 for op in s.exec(select(OutboxOp)))


def test_401_then_refresh(central, device, proxy):
    dev = device("f-401", base_url=proxy.url)
    queue_some(dev, 1)
    proxy.inject("http_401", path="/v1/push")
    engine = dev.engine(client=SyncClient(proxy.url, **FAST))
    report = engine.sync_round()
    assert report.state == "up_to_date" and engine.stats["refreshes"] == 1
    assert_exactly_once(central, dev)


@pytest.mark.parametrize("bandwidth", [12_000, 48_000])
def test_slow_links_drain(central, device, proxy, bandwidth):
    dev = device(f"f-bw{bandwidth}", base_url=proxy.url)
    queue_some(dev, 10)
    proxy.latency_ms = 50
    proxy.bandwidth = bandwidth
    start = time.monotonic()
    report = dev.engine(client=SyncClient(proxy.url, **dict(FAST, read_timeout=5, deadline=20))
                        ).drain(max_rounds=5, sleep=lambda _s: None)
    assert report.state == "up_to_date", report
    assert time.monotonic() - start < 20
    assert_exactly_once(central, dev)


def test_random_resets_seeded(central, device, proxy):
    dev = device("f-flaky", base_url=proxy.url)
    queue_some(dev, 8)
    proxy.reset_probability = 0.3
    engine = dev.engine(client=SyncClient(proxy.url, **FAST), batch_start=4)
    report = engine.drain(max_rounds=40, sleep=lambda _s: None)
    assert report.state == "up_to_date", (report, proxy.stats)
    assert proxy.stats["resets"] > 0
    assert_exactly_once(central, dev)


def test_reset_after_bytes_then_link_recovers(central, device, proxy):
    dev = device("f-cut", base_url=proxy.url)
    queue_some(dev, 2)
    proxy.reset_after_bytes = 100
    engine = dev.engine(client=SyncClient(proxy.url, **FAST))
    assert engine.sync_round().state == "offline"
    proxy.reset_after_bytes = None
    assert engine.drain(max_rounds=5, sleep=lambda _s: None).state == "up_to_date"
    assert_exactly_once(central, dev)


def test_poison_op_is_isolated_while_the_rest_drains(central, device, proxy):
    dev = device("f-poison", base_url=proxy.url)
    queue_some(dev, 8)
    with dev.db.read() as s:
        ops = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
    poison = ops[9]
    proxy.inject("http_400", path="/v1/push", times=100, if_contains=poison.op_id)
    engine = dev.engine(client=SyncClient(proxy.url, **FAST), batch_start=16)
    report = engine.drain(max_rounds=5, sleep=lambda _s: None)
    assert report.state == "up_to_date", report
    assert engine.stats["batch_rejections"] <= 6
    with dev.db.read() as s:
        states = {op.op_id: op.state for op in s.exec(select(OutboxOp))}
        bad = s.get(OutboxOp, poison.op_id)
    assert states.pop(poison.op_id) == "rejected"
    assert bad.last_error == "invalid_push" and "Paket" in bad.result
    assert set(states.values()) == {"acked"}
    assert server_count(central, dev) == len(states)


def test_upgrade_required_keeps_the_queue(central, device, tmp_path):
    """A too-old app is told to upgrade and keeps its whole queue; the upgraded app drains."""
    from .conftest import start_server

    dev = device("upgrade")
    queue_some(dev, 5)
    with start_server(tmp_path / "strict", db_url=central.db_url, min_app_version="99.0",
                      seed=False) as (strict_url, _db):
        report = dev.engine(client=SyncClient(strict_url, **FAST)).sync_round()
        assert report.state == "upgrade_required", report
        assert report.message and "99.0" in report.message["en"]
    with dev.db.read() as s:
        ops = list(s.exec(select(OutboxOp)))
    assert {op.state for op in ops} == {"pending"} and {op.attempts for op in ops} == {0}
    assert dev.engine().drain(max_rounds=3, sleep=lambda _s: None).state == "up_to_date"
    assert_exactly_once(central, dev)
