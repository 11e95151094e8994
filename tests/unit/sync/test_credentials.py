"""Tokens live in the OS keyring only; no usable keyring is a clear error, never a file."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from sync.credentials import CredentialStoreUnavailable, Tokens, TokenStore
from tests.helpers.keyring import MemoryKeyring


def test_tokens_round_trip_per_user_and_server():
    backend = MemoryKeyring()
    a = TokenStore("https://pusat.example/", backend=backend)
    b = TokenStore("https://lain.example", backend=backend)
    a.set("Agen1", Tokens("acc-1", "ref-1", "srv-1"))
    assert a.get("agen1") == Tokens("acc-1", "ref-1", "srv-1")
    assert b.get("agen1") is None and a.get("agen2") is None
    assert "acc-1" not in repr(a.get("agen1"))
    a.clear("agen1")
    a.clear("agen1")  # idempotent
    assert a.get("agen1") is None
    assert ("perisai-agent", "agen1@https://pusat.example") not in backend.secrets


def test_fail_backend_is_refused_with_a_bilingual_message(tmp_path):
    store = TokenStore("https://pusat.example", backend=fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable) as info:
        store.set("agen1", Tokens("a", "r"))
    assert info.value.code == "sync.keyring_unavailable"
    assert "keyring" in info.value.text("id") and "keyring" in info.value.text("en")
    assert not list(tmp_path.iterdir())


def test_keyrings_alt_file_backend_under_tmp(tmp_path, monkeypatch):
    from keyrings.alt.file import PlaintextKeyring

    # Chosen the documented way: a plain-file keyring is never picked silently.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "kr.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        store = TokenStore("http://127.0.0.1:1")
        store.set("agen1", Tokens("acc", "ref"))
        assert store.get("agen1").refresh_token == "ref"
    finally:
        keyring.set_keyring(previous)
