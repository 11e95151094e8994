"""Key recovery: the database key sealed to the organisation's public key.

If Windows resets a user's credentials the keyring entry is gone, and with it the only
copy of the key. So at key creation the key is also encrypted (RSA-OAEP, SHA-256) to the
recovery public key the build carries (``resources/reference/recovery_public_key.pem``:
the organisation's in a release, the demo key in a demo build, see ``DEMO_KEY_ID``), and
written to ``<data dir>/key-recovery.json``. Only the holder of the private key (the central
server's administrators) can open it: ``perisai-server recover-key`` prints the key, and
``perisai-agent recover-key`` puts it back into the keyring. docs/KEY_RECOVERY.md walks
through it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

RECOVERY_FILE = "key-recovery.json"
# key_id of the demo pair the repository ships (resources/reference/recovery_public_key.pem):
# its private half is public (tests/helpers/demo_recovery_private.pem), so a database key
# sealed to it is readable by anyone holding the laptop's files. Only a demo or development
# build carries it; installer/build.py refuses to make a release with it.
DEMO_KEY_ID = "3c99d301be22e982"
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def default_public_key_pem() -> bytes:
    from agent_app.domain.reference import default_reference_dir

    return (default_reference_dir() / "recovery_public_key.pem").read_bytes()


def key_id(public_key_pem: bytes) -> str:
    public = serialization.load_pem_public_key(public_key_pem)
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def recovery_key_id() -> tuple[str, bool]:
    """The key_id of the recovery public key this build carries, and whether it is the demo
    key (for the About dialog and the self-test)."""
    kid = key_id(default_public_key_pem())
    return kid, kid == DEMO_KEY_ID


def seal_key(data_dir: Path, key: bytes, *, public_key_pem: bytes | None = None) -> Path:
    pem = public_key_pem or default_public_key_pem()
    public = serialization.load_pem_public_key(pem)
    if not isinstance(public, rsa.RSAPublicKey):  # as the build and the centre require
        raise ValueError("the recovery key must be an RSA public key")
    sealed = public.encrypt(key, _OAEP)
    target = Path(data_dir) / RECOVERY_FILE
    record = {
        "format": 1,
        "key_id": key_id(pem),
        "sealed_key": base64.b64encode(sealed).decode("ascii"),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2))
    tmp.replace(target)
    return target

