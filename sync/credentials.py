"""Sync tokens in the OS keyring (Windows Credential Manager, Secret Service, Keychain).

Never in a file, never in a log. One keyring entry per (server, user): service
``perisai-agent``, user name ``<username>@<server base URL>``, value a small JSON object
with the access and refresh tokens.

When the platform offers no usable backend (``keyring.backends.fail.Keyring``, or a
"null" backend) we refuse with :class:`CredentialStoreUnavailable` (message code
``sync.keyring_unavailable``) instead of silently writing tokens to disk. Tests choose a
backend with ``PYTHON_KEYRING_BACKEND`` or ``keyring.set_keyring(...)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

from agent_app.domain.messages import register, render

SERVICE = "perisai-agent"

register({
    "sync.keyring_unavailable": {
        "id": "Tempat penyimpanan kata sandi sistem (keyring) tidak tersedia; token sinkronisasi "
              "tidak dapat disimpan dengan aman. Hubungi admin TI.",
        "en": "The system password store (keyring) is not available; sync tokens cannot be kept "
              "safely. Contact IT support.",
    },
    "sync.secret_too_large": {
        "id": "Token sinkronisasi dari server terlalu besar untuk disimpan di Windows Credential "
              "Manager ({detail} byte). Hubungi admin pusat.",
        "en": "The server's sync tokens are too large for the Windows Credential Manager "
              "({detail} bytes). Contact the central administrators.",
    },
    "sync.keyring_error": {
        "id": "Gagal membaca atau menulis keyring sistem: {detail}",
        "en": "Could not read or write the system keyring: {detail}",
    },
})


class CredentialStoreUnavailable(RuntimeError):
    """No usable OS keyring: refuse rather than fall back to a plaintext file."""

    def __init__(self, code: str = "sync.keyring_unavailable", detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(self.text("en"))

    def text(self, lang: str = "id") -> str:
        return render(self.code, lang, detail=self.detail)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    server_user_id: str = ""

    def __repr__(self) -> str:  # never print a token
        return f"Tokens(server_user_id={self.server_user_id!r}, access=***, refresh=***)"


def _usable(backend: object) -> bool:
    from agent_app.store.keys import keyring_usable

    return keyring_usable(backend)


class TokenStore:
    """get/set/clear the tokens of one user on one server."""

    def __init__(self, base_url: str, *, backend: object | None = None) -> None:
        self.server = base_url.rstrip("/")
        self._backend = backend

    def _kr(self):
        backend = self._backend or keyring.get_keyring()
        if not _usable(backend):
            raise CredentialStoreUnavailable()
        return backend

    def _key(self, username: str) -> str:
        return f"{username.strip().lower()}@{self.server}"

    def check(self) -> None:
        """Raise CredentialStoreUnavailable when tokens cannot be stored safely."""
        self._kr()

    def get(self, username: str) -> Tokens | None:
        try:
            raw = self._kr().get_password(SERVICE, self._key(username))
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreUnavailable("sync.keyring_error", type(exc).__name__) from exc
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return Tokens(data["access_token"], data["refresh_token"], data.get("server_user_id", ""))
        except (ValueError, KeyError, TypeError):
            return None

    def set(self, username: str, tokens: Tokens) -> None:
        from agent_app.store.keys import fits_credential_manager

        value = json.dumps({
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "server_user_id": tokens.server_user_id,
        })
        if not fits_credential_manager(value):
            # Refused everywhere, not only on Windows, so a server change that grows the
            # tokens shows up in every test run, not first on a kecamatan laptop.
            raise CredentialStoreUnavailable("sync.secret_too_large", str(len(value.encode("utf-16-le"))))
        try:
            self._kr().set_password(SERVICE, self._key(username), value)
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreUnavailable("sync.keyring_error", type(exc).__name__) from exc

    def clear(self, username: str) -> None:
        try:
            self._kr().delete_password(SERVICE, self._key(username))
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreUnavailable("sync.keyring_error", type(exc).__name__) from exc
