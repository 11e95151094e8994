"""Coverage months: "YYYY-MM" strings (lexicographic order is chronological).

Rules (DOMAIN.md): a month can be paid ahead (1, 3, 6 or 12 months), arrears at most 3
months back, membership inactive after more than 3 consecutive unpaid months, full JKM
death benefit after 3 consecutive paid months since registration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

CoverageStatus = Literal["active", "grace", "inactive", "never"]

MAX_ARREARS_MONTHS = 3
PAYMENT_COUNTS = (1, 3, 6, 12)
JKM_FULL_BENEFIT_MONTHS = 3

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(month: str) -> str:
    """Return ``month`` if it is a valid "YYYY-MM" string, else raise ValueError."""
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"not a YYYY-MM month: {month!r}")
    return month


def _index(month: str) -> int:
    check_month(month)
    return int(month[:4]) * 12 + int(month[5:]) - 1


def _from_index(index: int) -> str:
    year, m0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("month out of range")
    return f"{year:04d}-{m0 + 1:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    return _from_index(_index(month) + n)


def months_between(a: str, b: str) -> int:
    """Number of months from ``a`` to ``b`` (negative when b is before a)."""
    return _index(b) - _index(a)


def month_range(start: str, count: int) -> list[str]:
    """``count`` consecutive months starting at ``start``."""
    if count < 0:
        raise ValueError("count must be >= 0")
    first = _index(start)
    return [_from_index(first + i) for i in range(count)]


def unpaid_months(paid_through: str | None, today: date) -> int | None:
    """Months from the one after ``paid_through`` up to the current one; None if never paid."""
    if paid_through is None:
        return None
    return max(0, months_between(paid_through, month_of(today)))


def coverage_status(paid_through: str | None, today: date) -> CoverageStatus:
    """"active" (paid through this month or later), "grace" (1-3 months unpaid, counting
    the current month), "inactive" (more than 3) or "never" (no payment yet)."""
    unpaid = unpaid_months(paid_through, today)
    if unpaid is None:
        return "never"
    if unpaid == 0:
        return "active"
    if unpaid <= MAX_ARREARS_MONTHS:
        return "grace"
    return "inactive"


@dataclass(frozen=True)
class PayableMonths:
    """What the agent may collect for a worker today."""

    current_month: str
    earliest_payable: str  # max(registration month, current month - 3)
    next_unpaid: str  # first unpaid month from earliest_payable on
    arrears: tuple[str, ...]  # unpaid months before the current month that can still be paid
    paid: frozenset[str]

    def options(self, count: int) -> list[str]:
        """The ``count`` months to collect for, starting at ``next_unpaid``.

        Months already paid (e.g. paid ahead at a bank) are skipped, so an option never
        charges a month twice; usually the result is consecutive.
        """
        if count not in PAYMENT_COUNTS:
            raise ValueError(f"count must be one of {PAYMENT_COUNTS}")
        months: list[str] = []
        month = self.next_unpaid
        while len(months) < count:
            if month not in self.paid:
                months.append(month)
            month = add_months(month, 1)
        return months

    def all_options(self) -> dict[int, list[str]]:
        return {count: self.options(count) for count in PAYMENT_COUNTS}


def payable_months(
    *, registration_month: str, paid_months: Iterable[str], today: date
) -> PayableMonths:
    paid = frozenset(paid_months)
    for m in paid:
        check_month(m)
    check_month(registration_month)
    current = month_of(today)
    earliest = max(registration_month, add_months(current, -MAX_ARREARS_MONTHS))
    month = earliest
    while month in paid:
        month = add_months(month, 1)
    arrears = tuple(
        m for m in month_range(earliest, max(0, months_between(earliest, current))) if m not in paid
    )
    return PayableMonths(
        current_month=current,
        earliest_payable=earliest,
        next_unpaid=month,
        arrears=arrears,
        paid=paid,
    )


def jkm_full_benefit_eligible(registration_month: str, paid_months: Iterable[str]) -> bool:
    """True once some run of 3 consecutive months from registration on is paid."""
    indices = sorted({_index(m) for m in paid_months if m >= check_month(registration_month)})
    run = 0
    previous = None
    for i in indices:
        run = run + 1 if previous is not None and i == previous + 1 else 1
        if run >= JKM_FULL_BENEFIT_MONTHS:
            return True
        previous = i
    return False


def paid_through(paid_months: Iterable[str]) -> str | None:
    """The latest paid month (the ``Worker.paid_through`` cache), None when nothing is paid.

    Gaps before it that can still be paid show up in ``payable_months(...).arrears``.
    """
    months = [check_month(m) for m in paid_months]
    return max(months) if months else None
