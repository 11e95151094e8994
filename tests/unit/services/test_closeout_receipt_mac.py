"""Receipt QR MAC: the server's definition, and a local key until the first online sign-in."""

from __future__ import annotations

import hashlib
import hmac

from agent_app.services import centre
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


def test_qr_opens_the_centres_receipt_check_once_the_key_is_the_servers():
    from base64 import urlsafe_b64decode
    from urllib.parse import parse_qs, urlsplit

    from perisai_protocol import parse_months_param

    key, months = "ab" * 32, ["2026-11", "2026-12", "2027-02"]
    base = "PA1;R=PA-ABC123-26-000001;A=50400;M=2026-11..2027-02;N=3"
    url = rm.qr_text(base, key, "PA-ABC123-26-000001", 50400, months, centre_url="https://pusat.example/")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pusat.example", "/r/PA-ABC123-26-000001")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["a"] == "50400" and query["m"] == "202611-202612,202702"
    assert parse_months_param(query["m"]) == months
    mac = urlsafe_b64decode(query["s"] + "=").hex()
    assert mac == server_mac(key, "PA-ABC123-26-000001", 50400, months)
    assert len(url) < 160  # stays a small QR code on a 58 mm receipt
    # A device-made key cannot be checked by the centre: no URL, the plain text says so.
    local = rm.qr_text(base, key, "PA-ABC123-26-000001", 50400, months, local_key=True,
                       centre_url="https://pusat.example")
    assert local.startswith("PA1;") and local.endswith(";K=L")


def test_the_centre_is_the_one_this_laptop_syncs_with(core):
    assert centre.centre_url(core.db) is None
    from agent_app.services.base import set_meta

    with core.db.write() as s:
        set_meta(s, centre.SERVER_URL_KEY, "https://pusat.example")
    assert centre.centre_url(core.db) == "https://pusat.example"
