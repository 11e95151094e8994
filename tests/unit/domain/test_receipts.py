from __future__ import annotations

import pytest

from agent_app.domain.receipts import (
    CROCKFORD_ALPHABET,
    ReceiptNumber,
    new_device_prefix,
    parse_receipt_number,
    receipt_number,
)


def test_prefix_shape_and_variety() -> None:
    prefixes = {new_device_prefix() for _ in range(200)}
    assert all(len(p) == 6 and set(p) <= set(CROCKFORD_ALPHABET) for p in prefixes)
    assert not set("ILOU") & set("".join(prefixes))
    assert len(prefixes) > 195  # 30 random bits: repeats among 200 are near impossible


def test_receipt_number_format_and_parse() -> None:
    assert receipt_number("K7Q2ZD", 123, 2026) == "PA-K7Q2ZD-26-000123"
    assert parse_receipt_number("PA-K7Q2ZD-26-000123") == ReceiptNumber("K7Q2ZD", 2026, 123)
    assert parse_receipt_number(" pa-k7q2zd-26-000123 ") == ReceiptNumber("K7Q2ZD", 2026, 123)
    assert receipt_number("000000", 999_999, 2099) == "PA-000000-99-999999"


@pytest.mark.parametrize(
    "prefix, seq, year",
    [("K7Q2Z", 1, 2026), ("K7Q2ZI", 1, 2026), ("k7q2zd", 1, 2026), ("K7Q2ZD", 0, 2026),
     ("K7Q2ZD", 1_000_000, 2026), ("K7Q2ZD", 1, 1999)],
)
def test_receipt_number_rejects(prefix: str, seq: int, year: int) -> None:
    with pytest.raises(ValueError):
        receipt_number(prefix, seq, year)


@pytest.mark.parametrize(
    "text",
    ["", None, "PA-K7Q2ZD-26-00012", "PA-K7Q2ZO-26-000123", "PB-K7Q2ZD-26-000123", "PA-K7Q2ZD-26-000000",
     "PA-K7Q2ZD-2026-000123"],
)
def test_parse_rejects(text: str | None) -> None:
    assert parse_receipt_number(text) is None


def test_round_trip_many() -> None:
    prefix = new_device_prefix()
    for seq in (1, 9, 10, 99_999, 100_000, 999_999):
        assert parse_receipt_number(receipt_number(prefix, seq, 2027)) == (prefix, 2027, seq)
