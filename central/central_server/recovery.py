"""Open a device's sealed database key (docs/KEY_RECOVERY.md).

A device seals its random database key to the organisation's recovery public key
(RSA-OAEP with SHA-256) in ``key-recovery.json``: ``{"format": 1, "key_id": ...,
"sealed_key": <base64>, "created_at": ...}``. Only the holder of the private key, the
centre's administrators, can open it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def open_sealed_key(recovery_file: Path, private_key_pem: bytes, password: bytes | None = None) -> bytes:
    """The database key held in a device's key-recovery.json."""
    record = json.loads(Path(recovery_file).read_text())
    private = serialization.load_pem_private_key(private_key_pem, password=password)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("the recovery key must be an RSA private key")
    return private.decrypt(base64.b64decode(record["sealed_key"]), _OAEP)
