"""The server-verifiable MAC printed in a receipt's QR code (Qt-free).

The MAC is the one the reference server checks at ``POST /v1/receipts/verify``:
``perisai_protocol.receipt_mac`` (HMAC-SHA256, 64 hex characters, over
"<receipt_no>|<amount>|<sorted months>"). The server's verify request requires the full
64 characters, so the MAC is not truncated (a QR of ~120 characters is still small).

The key is per (device, user) enrollment: the server returns it as ``receipt_key`` at
sign-in and the sync layer stores it with :func:`store_server_key`. Until the user has
signed in online a key generated on this device is used instead; the server cannot verify
those receipts (the QR then carries ``K=L`` so a checker knows not to ask).

Once the device knows its centre and the server's key, the QR carries the URL of the
centre's public receipt check (``perisai_protocol.receipt_check_url``): any phone camera
opens it, and the page says whether the centre holds that payment.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlmodel import Session

from agent_app.services.base import get_meta, set_meta
from agent_app.store.db import Database
from perisai_protocol import receipt_check_url
from perisai_protocol import receipt_mac as _protocol_mac


def _meta_key(user_id: str) -> str:
    return f"receipt_key:{user_id}"


def _local_flag(user_id: str) -> str:
    return f"receipt_key_local:{user_id}"


def receipt_mac(key: bytes | str, receipt_no: str, amount: int, months: Iterable[str]) -> str:
    """HMAC-SHA256 hex of the receipt's canonical fields (the server's definition)."""
    text_key = key.decode("utf-8") if isinstance(key, bytes) else key
    return _protocol_mac(text_key, receipt_no, int(amount), list(months))


def qr_text(base_payload: str, key: bytes | str, receipt_no: str, amount: int,
            months: Iterable[str], *, local_key: bool = False, centre_url: str | None = None) -> str:
    """The centre's receipt-check URL when the key is the server's and the centre is known;
    else ``base_payload`` (receipt.qr_payload) with ``;S=<mac>`` (and ``;K=L`` for a
    device-made key the server does not know)."""
    if centre_url and not local_key:
        text_key = key.decode("utf-8") if isinstance(key, bytes) else key
        return receipt_check_url(centre_url, text_key, receipt_no, int(amount), list(months))
    text = f"{base_payload};S={receipt_mac(key, receipt_no, amount, months)}"
    return text + (";K=L" if local_key else "")




def store_server_key(session: Session, user_id: str, receipt_key: str) -> None:
    """Keep the key the server returned at sign-in (call in the sync layer's transaction)."""
    set_meta(session, _meta_key(user_id), receipt_key)
    set_meta(session, _local_flag(user_id), "0")


def key_for(db: Database, user_id: str) -> tuple[str, bool]:
    """(key, is_local) for a user's receipts; makes and stores a local key on first use."""
    with db.read() as s:
        key = get_meta(s, _meta_key(user_id))
        local = get_meta(s, _local_flag(user_id), "1") == "1"
    if key:
        return key, local
    with db.write() as s:
        key = get_meta(s, _meta_key(user_id))
        if not key:
            key = secrets.token_hex(32)
            set_meta(s, _meta_key(user_id), key)
            set_meta(s, _local_flag(user_id), "1")
        local = get_meta(s, _local_flag(user_id), "1") == "1"
    return key, local
