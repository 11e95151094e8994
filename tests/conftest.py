"""Suite-wide set-up: no display, and a keyring that lives in memory.

The OS keychain cannot run here; the code path through ``keyring`` is still the real one,
with the backend chosen the documented way (``keyring.set_keyring``, the in-process
equivalent of ``PYTHON_KEYRING_BACKEND``). Subprocess tests pass
``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring`` with a temporary home.
"""

from __future__ import annotations

import faulthandler
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import pytest  # noqa: E402

from tests.helpers.keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# pytest-timeout interrupts a test with a signal, which only Python code notices: a test
# stuck inside Qt or SQLite (a deadlock between threads) would hold the run until CI's own
# limit, with nothing printed. faulthandler's watchdog runs in C: past twice the timeout it
# prints every thread's stack to the real stderr and ends the run.
_real_stderr: int | None = None


def pytest_configure(config):
    global _real_stderr
    _real_stderr = os.dup(2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item):
    faulthandler.dump_traceback_later(2 * float(item.config.getini("timeout")), exit=True, file=_real_stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
