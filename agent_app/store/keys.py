"""The database key: a random 256-bit SQLCipher key kept in the OS keyring.

* First start: a new key is made, stored in the keyring (Windows Credential Manager),
  and sealed to the organisation's recovery public key (see ``agent_app.store.recovery``)
  in ``<data dir>/key-recovery.json`` so a reset Windows profile never costs unsynced records.
* An existing plaintext database is encrypted in place (``sqlcipher_export``) and the
  plaintext file removed only once the encrypted copy opens.
* No silent plaintext fallback: without a usable keyring the app stops with a message;
  ``PERISAI_DEV_KEY_FILE=1`` (development only) keeps the key in a file beside the
  database and the window shows a warning.
* A missing keyring entry next to an existing encrypted database never starts an empty
  database over it: the user is told to recover the key.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import keyring
import keyring.errors

from agent_app.store.db import Database, StoreError, open_database

log = logging.getLogger(__name__)

KEYRING_SERVICE = "perisai-agent"
DEV_KEY_ENV = "PERISAI_DEV_KEY_FILE"
PLAINTEXT_ENV = "PERISAI_PLAINTEXT_DB"  # benchmarks only: measure the cost of encryption
SQLITE_MAGIC = b"SQLite format 3\x00"


# Windows Credential Manager keeps at most 2560 bytes per generic credential (keyring
# stores the secret as UTF-16, so 1280 characters); a larger secret fails there with an
# obscure error. Every secret the app keeps is checked against it on every platform.
CREDENTIAL_BLOB_MAX_BYTES = 2560


def fits_credential_manager(secret: str) -> bool:
    return len(secret.encode("utf-16-le")) <= CREDENTIAL_BLOB_MAX_BYTES


def _account(db_path: Path, normcase=None) -> str:
    """One key per database file, so portable installs (--data-dir) don't share keys. The
    path is compared the way the file system does: on Windows ``D:\\Perisai`` and
    ``d:\\perisai`` are the same folder, so they name the same key."""
    import hashlib

    path = (normcase or os.path.normcase)(str(db_path.resolve()))
    return "db-key:" + hashlib.sha256(path.encode()).hexdigest()[:16]


def _legacy_account(db_path: Path) -> str:
    """The account of releases before case folding (found once, then moved)."""
    return _account(db_path, normcase=str)


def is_plaintext_database(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except FileNotFoundError:
        return False


def keyring_usable(backend: object) -> bool:
    """A real OS keychain, or a backend chosen on purpose (``PYTHON_KEYRING_BACKEND``, or
    ``keyring.set_keyring`` in tests): never the "no keyring" stand-ins, and never a
    plain-file backend (keyrings.alt) that the keyring library picked by itself."""
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if getattr(backend, "priority", 1) <= 0:
        return False
    return not (module.startswith("keyrings.alt") and not os.environ.get("PYTHON_KEYRING_BACKEND"))


def dev_key_file_enabled() -> bool:
    return os.environ.get(DEV_KEY_ENV) == "1"


class KeyStore:
    """Where the key lives: the OS keyring, or (development switch) a file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.account = _account(db_path)
        self.dev_file = db_path.with_name("DEV-ONLY-database.key")

    def _check_backend(self) -> None:
        backend = keyring.get_keyring()
        if not keyring_usable(backend):
            raise StoreError("keyring_unavailable", type(backend).__name__)

    def get(self) -> bytes | None:
        if dev_key_file_enabled():
            return bytes.fromhex(self.dev_file.read_text().strip()) if self.dev_file.exists() else None
        self._check_backend()
        try:
            value = keyring.get_password(KEYRING_SERVICE, self.account)
            legacy = _legacy_account(self.db_path)
            if not value and legacy != self.account:
                value = keyring.get_password(KEYRING_SERVICE, legacy)
                if value:  # kept by an older release under the path as typed: move it
                    keyring.set_password(KEYRING_SERVICE, self.account, value)
                    keyring.delete_password(KEYRING_SERVICE, legacy)
        except keyring.errors.KeyringError as exc:
            raise StoreError("keyring_unavailable", str(exc)) from exc
        return bytes.fromhex(value) if value else None

    def put(self, key: bytes) -> None:
        if dev_key_file_enabled():
            self.dev_file.write_text(key.hex())
            return
        self._check_backend()
        try:
            keyring.set_password(KEYRING_SERVICE, self.account, key.hex())
        except keyring.errors.KeyringError as exc:
            raise StoreError("keyring_unavailable", str(exc)) from exc


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Turn a plaintext database into a SQLCipher one, losing nothing."""
    import sqlcipher3.dbapi2 as sqlcipher

    target = path.with_name(path.name + ".encrypting")
    target.unlink(missing_ok=True)
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    # Prove the copy opens and holds the same rows before the plaintext goes.
    check = sqlcipher.connect(str(target))
    try:
        check.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreError("encrypt_failed", "integrity check of the encrypted copy failed")
    finally:
        check.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(target, path)
    log.info("database encrypted in place")


def open_store(paths, *, recovery_public_key: bytes | None = None) -> Database:
    """Open the app's database encrypted with its keyring key, creating or converting it."""
    db_path = paths.database
    if os.environ.get(PLAINTEXT_ENV) == "1":
        log.warning("PERISAI_PLAINTEXT_DB=1: database NOT encrypted (benchmark switch)")
        return open_database(db_path)
    store = KeyStore(db_path)
    key = store.get()
    exists = db_path.exists() and db_path.stat().st_size > 0
    if key is None:
        if exists and not is_plaintext_database(db_path):
            # Encrypted data whose key is gone: never start an empty database over it.
            raise StoreError("key_missing", str(db_path))
        key = secrets.token_bytes(32)
        from agent_app.store import recovery

        recovery.seal_key(paths.root, key, public_key_pem=recovery_public_key)
        store.put(key)
    if exists and is_plaintext_database(db_path):
        encrypt_in_place(db_path, key)
    return open_database(db_path, key)
