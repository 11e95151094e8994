"""Windows habits, the user's profile and the Credential Manager: data under %LOCALAPPDATA%,
a user folder named "Ibu Hj. Sitti Nur’aini" (spaces, a dot, a non-ASCII apostrophe),
paths that differ only in case naming the same key, and secrets within the Credential
Manager's 2560 bytes per credential."""

from __future__ import annotations

import io
import ntpath
import os
import sys
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from sqlmodel import select

import perisai_protocol as protocol
from agent_app import paths as app_paths_module
from agent_app.files import atomic_write_text
from agent_app.logs import setup_logging
from agent_app.paths import app_paths
from agent_app.services.core import AgentCore
from agent_app.store.keys import CREDENTIAL_BLOB_MAX_BYTES, KeyStore, open_store
from agent_app.store.models import Meta, User
from sync import headless
from sync.credentials import CredentialStoreUnavailable, Tokens, TokenStore

PROFILE = "Ibu Hj. Sitti Nur\u2019aini"


class CredentialManagerLike(KeyringBackend):
    """Refuses what Windows refuses: a secret over 2560 bytes as UTF-16 (keyring's Windows
    backend stores it so)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        if len(password.encode("utf-16-le")) > CREDENTIAL_BLOB_MAX_BYTES:
            raise keyring.errors.PasswordSetError("CredWrite: The stub received bad data (1783)")
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def credential_manager():
    previous = keyring.get_keyring()
    backend = CredentialManagerLike()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_data_lives_under_localappdata_on_windows(tmp_path, monkeypatch):
    local = tmp_path / "Users" / PROFILE / "AppData" / "Local"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    assert app_paths_module.default_data_dir() == local / "PerisaiAgent"
    monkeypatch.delenv("LOCALAPPDATA")
    for home in ("HOME", "USERPROFILE"):  # Path.home(): POSIX, Windows
        monkeypatch.setenv(home, str(tmp_path / "Users" / PROFILE))
    assert app_paths_module.default_data_dir() == tmp_path / "Users" / PROFILE / "AppData" / "Local" / "PerisaiAgent"


def test_a_profile_folder_with_spaces_a_dot_and_non_ascii_holds_everything(tmp_path, credential_manager):
    paths = app_paths(tmp_path / "Users" / PROFILE / "AppData" / "Local" / "PerisaiAgent")
    log_file = setup_logging(paths.logs)
    try:
        core = AgentCore(open_store(paths))
        core.users.create_user(username="sitti", full_name=PROFILE, role="clerk", password="rahasia-sitti")
        core.close()
        atomic_write_text(paths.exports / f"Laporan {PROFILE}.csv", f"nama\n{PROFILE}\n")
        reopened = AgentCore(open_store(paths))
        assert reopened.users.authenticate("sitti", "rahasia-sitti").full_name == PROFILE
        reopened.close()
    finally:
        setup_logging(tmp_path / "elsewhere")
    assert (paths.exports / f"Laporan {PROFILE}.csv").read_text(encoding="utf-8").endswith(f"{PROFILE}\n")
    assert log_file.is_file() and (paths.root / "key-recovery.json").is_file()
    (stored_key,) = credential_manager.secrets.values()
    assert len(stored_key.encode("utf-16-le")) <= CREDENTIAL_BLOB_MAX_BYTES


def test_paths_that_differ_only_in_case_name_the_same_key_on_windows(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setattr(os.path, "normcase", ntpath.normcase)  # what Windows compares paths with
    paths = app_paths(tmp_path / "Perisai")
    db = open_store(paths)
    with db.write() as s:
        s.add(Meta(key="sentinel", value="kept"))
    db.close()
    typed_otherwise = Path(str(tmp_path).upper()) / "PERISAI" / "perisai.db"  # --data-dir D:\PERISAI
    assert KeyStore(typed_otherwise).get() == KeyStore(paths.database).get()
    assert len(memory_keyring.secrets) == 1


def test_a_key_kept_under_the_path_as_typed_is_found_and_moved(tmp_path, monkeypatch, memory_keyring):
    paths = app_paths(tmp_path / "Perisai")
    monkeypatch.setattr(os.path, "normcase", str)  # an older release: the path as typed
    db = open_store(paths)
    db.close()
    ((service, legacy), key_hex) = next(iter(memory_keyring.secrets.items()))
    monkeypatch.setattr(os.path, "normcase", ntpath.normcase)
    store = KeyStore(paths.database)
    assert store.account != legacy
    assert store.get() == bytes.fromhex(key_hex)
    assert memory_keyring.secrets == {(service, store.account): key_hex}
    reopened = open_store(paths)
    reopened.close()


def test_tokens_too_large_for_the_credential_manager_are_refused_in_words(credential_manager):
    store = TokenStore("https://pusat.example")
    store.set("sitti", Tokens("a" * 43, "r" * 64, "u1"))  # the server's tokens today
    huge = Tokens("a" * 700, "r" * 700, "u1")
    with pytest.raises(CredentialStoreUnavailable) as info:
        store.set("sitti", huge)
    assert info.value.code == "sync.secret_too_large"
    assert "Credential Manager" in info.value.text("en") and "Credential Manager" in info.value.text("id")
    assert store.get("sitti").access_token == "a" * 43


def test_sign_in_with_tokens_too_large_creates_no_half_signed_in_user(tmp_path, credential_manager):
    class HugeTokens:
        def login(self, username, password, device_id, device_name=""):
            user = protocol.UserInfo(id="u1", username="sitti", full_name=PROFILE, role="clerk",
                                     kecamatan_code="7371100")
            return protocol.TokenPair(access_token="a" * 1000, refresh_token="r" * 1000, expires_in=600,
                                      refresh_expires_in=3600, user=user)

    core = AgentCore.open(tmp_path / "perisai.db")
    out = io.StringIO()
    try:
        assert headless.login(core, "https://pusat.example", "sitti", "rahasia-sitti",
                              client=HugeTokens(), out=out) == headless.EXIT_PROBLEM
        with core.db.read() as s:
            assert s.exec(select(User)).first() is None
    finally:
        core.close()
    assert "Credential Manager" in out.getvalue() and "Traceback" not in out.getvalue()
