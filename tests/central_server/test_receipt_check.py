"""The public receipt check that a receipt's QR code opens: genuine, voided, and one same
answer for everything else; nothing of the worker but initials; rate-limited."""

from __future__ import annotations

import re

import pytest

import perisai_protocol as protocol
from tests.helpers.console import seed_programme


@pytest.fixture
def seeded(central):
    central.seed = seed_programme(central.http.post, central.settings.database_url, central.settings.clock())
    return central


def url_of(seed, label: str, **change) -> str:
    pay = {**seed.payments[label], **change}
    url = protocol.receipt_check_url("http://testserver", seed.receipt_keys["agen.tamalate"], pay["receipt_no"],
                                     pay["amount"], pay["months"])
    return url.removeprefix("http://testserver")


def verdict(html: str) -> str:
    return re.search(r'id="verdict"[^>]*>(.*?)</p>', html, re.S).group(1).strip()


def test_a_genuine_receipt_is_sah_with_initials_only(seeded):
    r = seeded.http.get(url_of(seeded.seed, "now"))
    assert r.status_code == 200 and "Kuitansi sah" in verdict(r.text)
    assert re.search(r'id="receipt-amount">16.800<', r.text)
    assert re.search(r'id="receipt-initials">D. S.<', r.text)
    assert "Koperasi Perisai Makassar" in r.text
    worker = seeded.seed.workers["sikki"]
    assert worker["full_name"] not in r.text and worker["nik"] not in r.text and "Sikki" not in r.text
    assert r.headers["Referrer-Policy"] == "no-referrer"
    flagged = seeded.http.get(url_of(seeded.seed, "double"))
    assert "Kuitansi sah" in verdict(flagged.text) and "dibayar dengan kuitansi lain" in flagged.text


def test_forged_altered_and_unknown_receipts_get_one_same_answer(seeded):
    seed = seeded.seed
    genuine = url_of(seed, "now")
    forged = re.sub(r"s=[^&]+", "s=" + "A" * 43, genuine)
    more_money = url_of(seed, "now", amount=99_000)  # a MAC the holder made for another amount
    other_key = protocol.receipt_check_url("", "cd" * 32, seed.payments["now"]["receipt_no"],
                                           seed.payments["now"]["amount"], seed.payments["now"]["months"])
    unknown = url_of(seed, "now", receipt_no="PA-NOBODY-99")
    answers = []
    for url in (forged, more_money, other_key, unknown, genuine.split("?")[0]):
        r = seeded.http.get(url)
        assert r.status_code == 200
        assert "tidak dikenal / tidak cocok" in verdict(r.text).lower(), url
        assert "belum diterima pusat" in r.text
        main = re.search(r"<main.*</main>", r.text, re.S).group(0)
        answers.append(re.sub(r'id="receipt-no">[^<]*<', "", main))
    assert len(set(answers)) == 1  # nothing tells an existing receipt number from a made-up one


def test_a_voided_receipt_says_so(seeded):
    r = seeded.http.get(url_of(seeded.seed, "oops"))
    assert "pembayarannya dibatalkan" in verdict(r.text) and "✔" not in verdict(r.text)


def test_lookups_are_rate_limited_per_address(seeded):
    url = url_of(seeded.seed, "now")
    for _ in range(30):
        assert seeded.http.get(url).status_code == 200
    r = seeded.http.get(url)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Terlalu banyak pengecekan" in r.text
    seeded.settings.clock.advance(minutes=11)
    assert seeded.http.get(url).status_code == 200
