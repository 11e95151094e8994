"""Receipt QR MAC: the server's definition, and a local key until the first online sign-in."""

from __future__ import annotations

import hashlib
import hmac

from agent_app.services import receipt_mac as rm
from perisai_protocol import receipt_mac as server_mac


def test_mac_matches_the_server_check():
    key = "ab" * 32
    mac = rm.receipt_mac(key, "PA-ABC123-26-000001", 16800, ["2026-12", "2026-11"])
    assert mac == server_mac(key, "PA-ABC123-26-000001", 16800, ["2026-11", "2026-12"])
    assert mac == hmac.new(key.encode(), b"PA-ABC123-26-000001|16800|2026-11,2026-12",
                           hashlib.sha256).hexdigest()
    assert rm.receipt_mac(key.encode(), "PA-ABC123-26-000001", 16800, ["2026-11", "2026-12"]) == mac
    base = "PA1;R=PA-ABC123-26-000001;A=16800;M=2026-11..2026-12;N=2"
    assert rm.qr_text(base, key, "PA-ABC123-26-000001", 16800, ["2026-11", "2026-12"]) == \
        f"{base};S={mac}"
    assert rm.qr_text(base, key, "PA-ABC123-26-000001", 16800, ["2026-11"],
                      local_key=True).endswith(";K=L")


def test_local_key_until_the_server_gives_one(core, user):
    key, local = rm.key_for(core.db, user.id)
    assert local and len(key) == 64
    assert rm.key_for(core.db, user.id) == (key, True)  # stable
    with core.db.write() as s:
        rm.store_server_key(s, user.id, "cd" * 32)
    assert rm.key_for(core.db, user.id) == ("cd" * 32, False)
