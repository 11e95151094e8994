"""Suite-wide set-up: no display, a keyring that lives in memory, garbage collected on the
GUI thread as in the app, and a watchdog for a test stuck in C.

The OS keychain cannot run here; the code path through ``keyring`` is still the real one,
with the backend chosen the documented way (``keyring.set_keyring``, the in-process
equivalent of ``PYTHON_KEYRING_BACKEND``). Subprocess tests pass
``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring`` with a temporary home.
"""

from __future__ import annotations

import faulthandler
import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import pytest  # noqa: E402

from tests.helpers.keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread(request):
    """What the app does for its life (``agent_app.ui.collector``), for every test with a Qt
    application: the database and sync threads of a test never collect garbage, so they
    never delete a Qt object of the GUI thread. Whatever the test left is collected at its
    end, on this thread."""
    if "qapp" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    from agent_app.ui.collector import GuiThreadCollector

    collector = GuiThreadCollector().start()
    yield
    collector.stop()
    # What outlives a test (the Qt application, module fixtures, caches) is frozen out of
    # the collector: the next test's last collection scans only what that test made.
    gc.freeze()


def pytest_collection_finish(session):
    """Everything loaded by now (modules, classes, the tests themselves) lives for the whole
    run: a full collection need not scan it again."""
    gc.collect()
    gc.freeze()


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
