"""A 2G link at 250 bytes/s: 40 queued operations drain in a few scheduled ``sync --once``
runs. Each run is a new process (a new engine), so what it learns of the link (its pace,
the batch size that fits) must be remembered between runs; batches and their answers are
sized to the pace, and what the centre already applied is acknowledged, not sent again.

Simulated ten times faster, so the test stays short: 2,500 bytes/s with the client's
timeouts a tenth of the app's (read 3 s, deadline 12 s) and a tenth of the latency.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

from agent_app.services.base import get_meta
from sync.client import SyncClient
from sync.link import PACE_KEY
from tests.helpers.faultproxy import FaultProxy

from .conftest import check_drained, pay, register

SCALE = 10
PACE = 250 * SCALE  # bytes/s
RUNS = 12  # what the scheduled task had in 400 s when the link never drained


def seen(central, request: str) -> int:
    """How many such requests the centre has answered so far (its access log)."""
    port = urlparse(central.base_url).port
    return (central.tmp / f"central-server-{port}.log").read_text(errors="replace").count(
        f'"{request} ')


def test_forty_operations_drain_over_a_250_bytes_per_second_link(central, device):
    u = urlparse(central.base_url)
    with FaultProxy(u.hostname, u.port, seed=250) as proxy:
        dev = device("slow-2g", base_url=proxy.url)
        for i in range(20):
            worker = register(dev, 8900 + i, name=f"Daeng Lambat {'ABCDEFGHIJKLMNOPQRST'[i]}",
                              birth=date(1970 + i, 1 + i % 12, 1 + i))
            pay(dev, worker.id, (1, 3, 6)[i % 3])
        proxy.bandwidth, proxy.latency_ms = PACE, 350 / SCALE
        pushes_before, asked_before = seen(central, "POST /v1/push"), seen(central, "POST /v1/acks")
        runs = []
        for _ in range(RUNS):  # the scheduled task: ``perisai-agent sync --once`` each time
            client = SyncClient(proxy.url, connect_timeout=10 / SCALE, read_timeout=30 / SCALE,
                                deadline=120 / SCALE)
            sent = proxy.stats["bytes_up"]
            report = dev.engine(client=client).sync_round()
            runs.append((report.state, report.acked, report.pending, proxy.stats["bytes_up"] - sent))
            if report.state == "up_to_date" and report.pending == 0:
                break
        print(f"runs at {PACE} B/s (state, acked, queued, bytes up): {runs}")
        assert runs[-1][:3] == ("up_to_date", runs[-1][1], 0) and len(runs) <= 3, runs
        with dev.db.read() as s:
            pace = float(get_meta(s, PACE_KEY))
        assert PACE / 4 < pace < PACE * 2  # remembered for the next run, near the truth
        # The centre had applied the first push whose answer was lost: the next run asked
        # by op id instead of sending the 40 operations again.
        assert seen(central, "POST /v1/push") - pushes_before == 1
        assert seen(central, "POST /v1/acks") - asked_before == 1
    check_drained([dev], central)
