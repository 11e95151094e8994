from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_app.domain.phone import check_phone, format_phone_local, normalize_phone


@pytest.mark.parametrize(
    "text, e164",
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("0811234567", "+62811234567"),  # 10 digits, the shortest
        ("0812345678901", "+62812345678901"),  # 13 digits, the longest
        ("08531234567", "+628531234567"),
        ("0895123456789", "+62895123456789"),
    ],
)
def test_valid_mobiles(text: str, e164: str) -> None:
    assert normalize_phone(text) == e164
    assert check_phone(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "081234567",  # 9 digits
        "08123456789012",  # 14 digits
        "0841234567890",  # 084 is not a mobile range
        "0801234567890",
        "0411 123456",  # Makassar landline
        "+6504123456789",
        "62 0812 3456 7890",
        "0812345678a",
        "+62+81234567890",
    ],
)
def test_invalid(text: str) -> None:
    assert normalize_phone(text) is None
    issues = check_phone(text)
    assert [i.code for i in issues] == ["phone.invalid"]
    assert issues[0].field == "phone" and issues[0].severity == "error"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_phone_is_optional(text: str | None) -> None:
    assert check_phone(text) == []
    assert normalize_phone(text) is None


@pytest.mark.parametrize(
    "e164, local",
    [
        ("+6281234567890", "0812-3456-7890"),
        ("+62811234567", "0811-234-567"),
        ("+628123456789", "0812-3456-789"),
        ("+62812345678901", "0812-3456-78901"),
        ("", ""),
        (None, ""),
        ("garbage", "garbage"),
    ],
)
def test_format_local(e164: str | None, local: str) -> None:
    assert format_phone_local(e164) == local


_mobile = st.builds(
    lambda prefix, second, rest, sep: prefix + sep.join(["8" + second, rest]),
    st.sampled_from(["0", "62", "+62"]),
    st.sampled_from("1235679"),
    st.text("0123456789", min_size=7, max_size=10),
    st.sampled_from(["", " ", "-", "."]),
)


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(_mobile)
def test_normalize_is_idempotent_and_formatting_round_trips(text: str) -> None:
    e164 = normalize_phone(text)
    assert e164 is not None and e164.startswith("+628")
    assert normalize_phone(e164) == e164
    assert normalize_phone(format_phone_local(e164)) == e164


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_normalize_never_crashes_and_output_is_canonical(text: str) -> None:
    e164 = normalize_phone(text)
    if e164 is not None:
        assert normalize_phone(e164) == e164
