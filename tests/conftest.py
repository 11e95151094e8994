"""Suite-wide set-up: no display, and a keyring that lives in memory.

The OS keychain cannot run here; the code path through ``keyring`` is still the real one,
with the backend chosen the documented way (``keyring.set_keyring``, the in-process
equivalent of ``PYTHON_KEYRING_BACKEND``). Subprocess tests pass
``PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring`` with a temporary home.
"""

from __future__ import annotations

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
