"""The database key lives in the OS keyring; nothing is ever silently left in plaintext."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from agent_app.paths import app_paths
from agent_app.store import recovery
from agent_app.store.db import StoreError, open_database
from agent_app.store.keys import KeyStore, is_plaintext_database, open_store
from agent_app.store.models import Meta
from central_server.recovery import open_sealed_key
from tests.helpers import DEMO_PRIVATE_KEY

SENTINEL = "SENTINEL-Hasnawati-7371015507850002"


def put_sentinel(db):
    with db.write() as s:
        s.add(Meta(key="sentinel", value=SENTINEL))


def file_bytes(paths) -> bytes:
    return b"".join(p.read_bytes() for p in paths.root.glob("perisai.db*"))


def test_first_start_makes_an_encrypted_store_with_a_keyring_key(tmp_path, memory_keyring):
    paths = app_paths(tmp_path)
    db = open_store(paths)
    put_sentinel(db)
    db.close()
    assert not is_plaintext_database(paths.database)
    assert SENTINEL.encode() not in file_bytes(paths)
    stored = list(memory_keyring.secrets.values())
    assert len(stored) == 1 and len(bytes.fromhex(stored[0])) == 32
    # No file anywhere in the data dir holds the key.
    for path in paths.root.rglob("*"):
        if path.is_file():
            assert stored[0].encode() not in path.read_bytes()
    reopened = open_store(paths)
    with reopened.read() as s:
        assert s.get(Meta, "sentinel").value == SENTINEL
    reopened.close()


def test_existing_plaintext_store_is_encrypted_in_place_with_nothing_lost(tmp_path):
    paths = app_paths(tmp_path)
    plain = open_database(paths.database)
    put_sentinel(plain)
    plain.close()
    assert SENTINEL.encode() in file_bytes(paths)
    db = open_store(paths)
    with db.read() as s:
        assert s.get(Meta, "sentinel").value == SENTINEL
    assert db.integrity_check() == "ok"
    db.close()
    assert SENTINEL.encode() not in file_bytes(paths)
    assert not list(paths.root.glob("*.encrypting"))


def test_a_lost_keyring_entry_never_starts_an_empty_store_over_the_data(tmp_path, memory_keyring):
    paths = app_paths(tmp_path)
    db = open_store(paths)
    put_sentinel(db)
    db.close()
    size = paths.database.stat().st_size
    memory_keyring.secrets.clear()  # e.g. Windows reset the user's credentials
    with pytest.raises(StoreError) as info:
        open_store(paths)
    assert info.value.code == "key_missing"
    assert paths.database.stat().st_size == size


def test_no_usable_keyring_is_a_clear_error_not_a_plaintext_fallback(tmp_path, monkeypatch):
    keyring.set_keyring(FailKeyring())
    paths = app_paths(tmp_path)
    with pytest.raises(StoreError) as info:
        open_store(paths)
    assert info.value.code == "keyring_unavailable"
    assert not paths.database.exists()


def test_development_key_file_switch(tmp_path, monkeypatch):
    keyring.set_keyring(FailKeyring())
    monkeypatch.setenv("PERISAI_DEV_KEY_FILE", "1")
    paths = app_paths(tmp_path)
    db = open_store(paths)
    put_sentinel(db)
    db.close()
    assert KeyStore(paths.database).dev_file.exists()
    assert SENTINEL.encode() not in file_bytes(paths)


def test_key_recovery_with_the_organisation_private_key(tmp_path, memory_keyring):

    paths = app_paths(tmp_path)
    db = open_store(paths)
    put_sentinel(db)
    db.close()
    original = bytes.fromhex(next(iter(memory_keyring.secrets.values())))
    memory_keyring.secrets.clear()
    private_pem = DEMO_PRIVATE_KEY.read_bytes()
    recovered = open_sealed_key(paths.root / recovery.RECOVERY_FILE, private_pem)
    assert recovered == original
    KeyStore(paths.database).put(recovered)
    reopened = open_store(paths)
    with reopened.read() as s:
        assert s.get(Meta, "sentinel").value == SENTINEL
    reopened.close()


def test_a_recovery_key_that_is_not_rsa_is_refused_before_any_key_is_made(tmp_path, memory_keyring):
    """Only RSA-OAEP can seal the key; another kind of key is refused in words, and no
    database key exists that nobody could recover."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    not_rsa = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    paths = app_paths(tmp_path)
    with pytest.raises(ValueError, match="must be an RSA public key"):
        open_store(paths, recovery_public_key=not_rsa)
    assert memory_keyring.secrets == {}
    assert not (paths.root / recovery.RECOVERY_FILE).exists()


def test_recover_key_command_restores_access(tmp_path):
    """End to end through the two commands' code paths: the device's sealed key opened with
    the organisation's private key, then put back with perisai-agent recover-key."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(repo)}
    data = tmp_path / "data"
    make = ("import sys; from agent_app.paths import app_paths; from agent_app.store.keys import open_store;"
            "from agent_app.store.models import Meta; db = open_store(app_paths(sys.argv[1]));"
            "s = db.write().__enter__(); s.add(Meta(key='sentinel', value='kept')); s.commit(); db.close()")
    subprocess.run([sys.executable, "-c", make, str(data)], check=True, env=env, timeout=60)
    server = subprocess.run(
        [sys.executable, "-m", "central_server", "recover-key", str(data / recovery.RECOVERY_FILE),
         "--private-key", str(DEMO_PRIVATE_KEY), "--passphrase-stdin"],
        input="\n", capture_output=True, text=True, env=env, timeout=60)
    assert server.returncode == 0, server.stderr
    key = bytes.fromhex(server.stdout.strip())
    # Windows reset the credentials: the keyring file is gone.
    import shutil

    shutil.rmtree(tmp_path / "xdg")
    cmd = [sys.executable, "-m", "agent_app", "--data-dir", str(data), "recover-key", "--key-stdin"]
    wrong = subprocess.run(cmd, input="00" * 32 + "\n", capture_output=True, text=True, env=env, timeout=60)
    assert wrong.returncode == 1 and "tidak membuka" in wrong.stderr
    right = subprocess.run(cmd, input=key.hex() + "\n", capture_output=True, text=True, env=env, timeout=60)
    assert right.returncode == 0, right.stderr
    check = ("import sys; from agent_app.paths import app_paths; from agent_app.store.keys import open_store;"
             "from agent_app.store.models import Meta; db = open_store(app_paths(sys.argv[1]));"
             "print(db.read().__enter__().get(Meta, 'sentinel').value)")
    out = subprocess.run([sys.executable, "-c", check, str(data)], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.strip() == "kept", out.stderr


def test_a_plain_file_keyring_picked_by_the_library_itself_is_refused(tmp_path, monkeypatch):
    """keyrings.alt writes secrets to a plain file: only an explicit choice may use it."""
    from keyrings.alt.file import PlaintextKeyring

    from agent_app.store.keys import keyring_usable

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    keyring.set_keyring(PlaintextKeyring())
    assert not keyring_usable(keyring.get_keyring())
    with pytest.raises(StoreError) as info:
        open_store(app_paths(tmp_path))
    assert info.value.code == "keyring_unavailable"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    assert keyring_usable(keyring.get_keyring())


def test_the_app_defines_no_keyring_backend_that_could_be_picked_by_itself():
    """A backend class in the app's own code joins keyring's automatic choice: a
    process-local one there once made the app keep its database key in memory only."""
    import subprocess
    import sys

    code = (
        "import agent_app.cli, agent_app.services.core, agent_app.store.keys, sync.credentials,"
        " sync.engine, sync.headless\n"
        "from keyring.backend import KeyringBackend\n"
        "def walk(c):\n"
        "    for s in c.__subclasses__():\n"
        "        yield s\n"
        "        yield from walk(s)\n"
        "print(sorted(c.__module__ for c in walk(KeyringBackend)"
        " if c.__module__.startswith(('agent_app', 'sync'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_shipped_demo_key_is_known_as_such_and_a_demo_build_says_so():
    """The repository's recovery key pair is the demo pair (its private half is with the
    tests, i.e. public): the app and its self-test call a build carrying it a demo build."""
    from cryptography.hazmat.primitives import serialization

    from agent_app.selftest import check_recovery_key

    shipped = recovery.default_public_key_pem()
    demo_private = serialization.load_pem_private_key(DEMO_PRIVATE_KEY.read_bytes(), password=None)
    demo_public = demo_private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    assert recovery.key_id(shipped) == recovery.key_id(demo_public) == recovery.DEMO_KEY_ID
    assert recovery.recovery_key_id() == (recovery.DEMO_KEY_ID, True)
    line = check_recovery_key()
    assert line.startswith(f"DEMO key {recovery.DEMO_KEY_ID}") and "never use it for real" in line
