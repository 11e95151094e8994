from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_app.domain.coverage import (
    add_months,
    check_month,
    coverage_status,
    jkm_full_benefit_eligible,
    month_of,
    month_range,
    months_between,
    paid_through,
    payable_months,
)


def test_month_helpers() -> None:
    assert month_of(date(2026, 1, 31)) == "2026-01"
    assert add_months("2026-01", -1) == "2025-12"
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2026-11", 14) == "2028-01"
    assert months_between("2025-11", "2026-02") == 3
    assert months_between("2026-02", "2025-11") == -3
    assert month_range("2025-11", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_range("2026-01", 0) == []
    with pytest.raises(ValueError):
        month_range("2026-01", -1)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", None, 202601])
def test_invalid_months(bad: object) -> None:
    with pytest.raises(ValueError):
        check_month(bad)  # type: ignore[arg-type]
    if isinstance(bad, str):
        with pytest.raises(ValueError):
            add_months(bad, 1)


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(-500, 500))
def test_add_months_inverse(year: int, month: int, n: int) -> None:
    m = f"{year:04d}-{month:02d}"
    assert months_between(m, add_months(m, n)) == n
    assert add_months(add_months(m, n), -n) == m
    assert (add_months(m, n) > m) == (n > 0)  # string order is time order


TODAY = date(2026, 2, 10)  # current month 2026-02


@pytest.mark.parametrize(
    "paid, status",
    [
        (None, "never"),
        ("2026-02", "active"),
        ("2027-01", "active"),  # paid ahead
        ("2026-01", "grace"),
        ("2025-11", "grace"),  # Dec, Jan, Feb unpaid: 3 months
        ("2025-10", "inactive"),  # 4 months unpaid
        ("2020-01", "inactive"),
    ],
)
def test_coverage_status(paid: str | None, status: str) -> None:
    assert coverage_status(paid, TODAY) == status


def test_payable_never_paid_registered_this_month() -> None:
    p = payable_months(registration_month="2026-02", paid_months=set(), today=TODAY)
    assert p.next_unpaid == "2026-02"
    assert p.arrears == ()
    assert p.options(1) == ["2026-02"]
    assert p.options(3) == ["2026-02", "2026-03", "2026-04"]


def test_payable_never_paid_long_ago_is_capped_at_three_months_back() -> None:
    p = payable_months(registration_month="2024-05", paid_months=set(), today=TODAY)
    assert p.earliest_payable == "2025-11"
    assert p.next_unpaid == "2025-11"
    assert p.arrears == ("2025-11", "2025-12", "2026-01")
    assert p.options(6) == month_range("2025-11", 6)


def test_payable_not_before_registration_across_year_boundary() -> None:
    p = payable_months(registration_month="2025-12", paid_months=set(), today=TODAY)
    assert p.next_unpaid == "2025-12"
    assert p.arrears == ("2025-12", "2026-01")


def test_payable_in_arrears() -> None:
    paid = {"2025-10", "2025-11", "2025-12"}
    p = payable_months(registration_month="2025-10", paid_months=paid, today=TODAY)
    assert p.next_unpaid == "2026-01"
    assert p.arrears == ("2026-01",)
    assert p.options(12) == month_range("2026-01", 12)


def test_payable_paid_ahead() -> None:
    paid = set(month_range("2025-06", 12))  # through 2026-05
    p = payable_months(registration_month="2025-06", paid_months=paid, today=TODAY)
    assert p.next_unpaid == "2026-06"
    assert p.arrears == ()
    assert p.options(3) == ["2026-06", "2026-07", "2026-08"]


def test_payable_skips_months_paid_elsewhere() -> None:
    # Jan unpaid, Feb paid at a bank, Mar unpaid
    p = payable_months(registration_month="2025-10",
                       paid_months={"2025-10", "2025-11", "2025-12", "2026-02"}, today=TODAY)
    assert p.next_unpaid == "2026-01"
    assert p.arrears == ("2026-01",)
    assert p.options(3) == ["2026-01", "2026-03", "2026-04"]


def test_payable_future_registration_and_bad_count() -> None:
    p = payable_months(registration_month="2026-04", paid_months=set(), today=TODAY)
    assert p.next_unpaid == "2026-04" and p.arrears == ()
    with pytest.raises(ValueError):
        p.options(2)
    assert set(p.all_options()) == {1, 3, 6, 12}


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(
    reg_offset=st.integers(-30, 3),
    paid_offsets=st.sets(st.integers(-30, 15), max_size=20),
    count=st.sampled_from([1, 3, 6, 12]),
)
def test_payable_invariants(reg_offset: int, paid_offsets: set[int], count: int) -> None:
    current = month_of(TODAY)
    registration = add_months(current, reg_offset)
    paid = {add_months(current, o) for o in paid_offsets if o >= reg_offset}
    p = payable_months(registration_month=registration, paid_months=paid, today=TODAY)
    option = p.options(count)
    assert len(option) == count == len(set(option))
    assert not set(option) & paid
    assert option[0] == p.next_unpaid >= registration
    assert months_between(p.next_unpaid, current) <= 3
    assert option == sorted(option)
    assert all(m < current and m not in paid and m >= registration for m in p.arrears)


def test_jkm_full_benefit() -> None:
    assert not jkm_full_benefit_eligible("2026-01", set())
    assert not jkm_full_benefit_eligible("2026-01", {"2026-01", "2026-02"})
    assert not jkm_full_benefit_eligible("2026-01", {"2026-01", "2026-02", "2026-04"})
    assert jkm_full_benefit_eligible("2025-11", {"2025-11", "2025-12", "2026-01"})  # across the new year
    assert jkm_full_benefit_eligible("2026-01", {"2026-01", "2026-03", "2026-04", "2026-05"})
    # months before registration do not count
    assert not jkm_full_benefit_eligible("2026-01", {"2025-11", "2025-12", "2026-01"})


def test_paid_through() -> None:
    assert paid_through([]) is None
    assert paid_through(["2025-12", "2026-03", "2026-01"]) == "2026-03"
