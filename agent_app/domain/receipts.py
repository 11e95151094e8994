"""Receipt numbers that are unique across devices even when issued offline.

``PA-<device prefix>-<yy>-<seq>``, e.g. "PA-K7Q2ZD-26-000123". The prefix is chosen at
random once per device (stored in ``Meta``), the sequence is a per-device counter.

Collision odds of the prefix: 6 Crockford base32 characters = 30 bits, about 1.07e9
values. For n devices the chance that any two share a prefix is about n^2 / 2^31:
1,000 devices -> 0.05 %, 5,000 devices -> 1.2 %. That is small for the few hundred
agents of one city but not negligible, so the server must also refuse a prefix already
registered to another device at enrolment (the device then draws a new one).
"""

from __future__ import annotations

import re
import secrets
from typing import NamedTuple

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: easy to read aloud
PREFIX_LENGTH = 6
MAX_SEQ = 999_999

_RECEIPT = re.compile(r"^PA-([0-9A-HJKMNP-TV-Z]{6})-(\d{2})-(\d{6})$")


class ReceiptNumber(NamedTuple):
    prefix: str
    year: int  # full year, e.g. 2026
    seq: int


def new_device_prefix() -> str:
    return "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(PREFIX_LENGTH))


def is_device_prefix(text: str) -> bool:
    return len(text) == PREFIX_LENGTH and all(ch in CROCKFORD_ALPHABET for ch in text)


def receipt_number(prefix: str, seq: int, year: int) -> str:
    """"PA-K7Q2ZD-26-000123" for prefix "K7Q2ZD", seq 123, year 2026."""
    if not is_device_prefix(prefix):
        raise ValueError(f"invalid device prefix {prefix!r}")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"receipt sequence out of range: {seq}")
    if not 2000 <= year <= 2099:
        raise ValueError(f"receipt year out of range: {year}")
    return f"PA-{prefix}-{year % 100:02d}-{seq:06d}"


def parse_receipt_number(text: str | None) -> ReceiptNumber | None:
    """The parts of a receipt number (case and surrounding spaces ignored), or None."""
    if not text:
        return None
    m = _RECEIPT.match(text.strip().upper())
    if not m or int(m.group(3)) == 0:
        return None
    return ReceiptNumber(m.group(1), 2000 + int(m.group(2)), int(m.group(3)))
