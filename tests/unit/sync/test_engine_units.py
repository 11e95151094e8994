"""Pure parts of the engine: full-jitter backoff bounds, Retry-After, no Qt under sync/."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from sync.engine import SyncEngine


def engine(**kw) -> SyncEngine:
    return SyncEngine(None, None, None, user_id="u", device_id="device-0001", username="u",
                      rng=random.Random(5), data_dir=Path("."), **kw)


def test_full_jitter_backoff_grows_to_the_cap():
    e = engine(backoff_base=2.0, backoff_cap=600)
    for failures, ceiling in [(1, 2), (2, 4), (3, 8), (6, 64), (20, 600)]:
        e.failures = failures
        delays = [e.backoff_delay() for _ in range(200)]
        assert 0 <= min(delays) and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # jitter spans the whole range
    e.reset_backoff()
    assert e.failures == 0


def test_retry_after_is_honoured_as_a_floor():
    e = engine(backoff_base=0.001, backoff_cap=0.01)
    e.failures = 1
    assert e.backoff_delay(retry_after=30) == 30
    assert e.backoff_delay(retry_after=10_000) == e.retry_after_cap


def test_sync_package_never_imports_qt():
    code = ("import sys, sync.client, sync.engine, sync.credentials, sync.headless; "
            "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)")
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
