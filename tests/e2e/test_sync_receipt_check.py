"""A receipt printed after the agent signed in online carries the centre's key: its QR is
the URL of the centre's public check, which says "Kuitansi sah" once the payment synced."""

from __future__ import annotations

import re

import requests

from agent_app.ui.receipt import load_receipt, qr_payload

from .conftest import pay, register


def verdict(url: str) -> str:
    html = requests.get(url, timeout=10).text
    return re.search(r'id="verdict"[^>]*>(.*?)</p>', html, re.S).group(1).strip()


def test_the_qr_of_a_printed_receipt_opens_its_check_at_the_centre(central, device):
    dev = device("kuitansi")
    worker = register(dev, name="Sitti Aminah")
    payment = pay(dev, worker.id, 3)
    url = qr_payload(load_receipt(dev.core, payment.id))
    assert url.startswith(f"{central.base_url}/r/{payment.receipt_no}?")
    assert "belum diterima pusat" in requests.get(url, timeout=10).text  # printed offline, not synced yet
    assert dev.engine().sync_round().state == "up_to_date"
    assert verdict(url) == "✔ Kuitansi sah"
    assert verdict(re.sub(r"a=\d+", "a=1000", url)) == "✖ Tidak dikenal / tidak cocok"
