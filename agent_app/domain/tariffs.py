"""Contribution (iuran) engine for BPU participants.

Everything that may change (rates, tiers, discounts) comes from ``tariffs.json`` and
``bpu_income_tiers.csv`` through :class:`~agent_app.domain.reference.ReferenceData`.

Override semantics: an override applies to a programme in a month when the month is in
``[from, to]``, the worker's policy sector is in ``sectors`` and the programme's funding
source is not in ``excluded_funding``. Factors of all applicable overrides multiply. The
exact amount is rounded half up to whole rupiah once, per programme and month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .coverage import check_month
from .reference import ReferenceData

MIN_INCOME = 1_000_000


def contribution_base(ref: ReferenceData, income: int) -> int:
    """Contribution base of the tier whose lower bound <= income < next lower bound."""
    if isinstance(income, bool) or not isinstance(income, int):
        raise TypeError("income must be an int (rupiah)")
    tiers = ref.income_tiers
    if income < tiers[0][0]:
        raise ValueError(f"income {income} is below the lowest tier ({tiers[0][0]})")
    base = tiers[0][1]
    for lower, tier_base in tiers:
        if income >= lower:
            base = tier_base
        else:
            break
    return base


@dataclass(frozen=True)
class MonthFee:
    month: str
    amounts: Mapping[str, int]  # programme -> rupiah, e.g. {"jkk": 10000, "jkm": 6800}
    overrides_applied: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    @property
    def jkk(self) -> int:
        return self.amounts.get("jkk", 0)

    @property
    def jkm(self) -> int:
        return self.amounts.get("jkm", 0)

    @property
    def jht(self) -> int:
        return self.amounts.get("jht", 0)


@dataclass(frozen=True)
class Quote:
    per_month: Mapping[str, MonthFee]  # in the order of the months asked for
    by_programme: Mapping[str, int]
    total: int
    tariff_version: str
    contribution_base: int
    sector: str
    overrides_applied: tuple[str, ...] = field(default=())

    def breakdown(self) -> dict[str, dict[str, int]]:
        """{"YYYY-MM": {"jkk": n, ...}}: the shape stored in ``Payment.breakdown``."""
        return {m: dict(fee.amounts) for m, fee in self.per_month.items()}


def _dec(value: Any) -> Decimal:
    # str() first: a JSON float like 0.01 must mean exactly one hundredth.
    return Decimal(str(value))


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_programmes(ref: ReferenceData, programmes: Mapping[str, str]) -> None:
    known = set(ref.programmes)
    sources = set(ref.funding_sources)
    for programme, source in programmes.items():
        if programme not in known:
            raise ValueError(f"unknown programme {programme!r}")
        if source not in sources:
            raise ValueError(f"unknown funding source {source!r} for {programme}")
    missing = [p for p in ref.base_programmes if p not in programmes]
    if missing:
        raise ValueError(f"base programmes missing: {missing}")


def monthly_fee(
    ref: ReferenceData,
    *,
    income: int,
    month: str,
    sector: str,
    programmes: Mapping[str, str],
) -> MonthFee:
    """Fee of one month. ``programmes`` maps "jkk"/"jkm"/"jht" to a funding source.

    Every programme is listed, whoever pays: the amount is owed either way (the APBD
    share is what the city pays).
    """
    check_month(month)
    _check_programmes(ref, programmes)
    base = contribution_base(ref, income)
    rates = ref.tariffs["rates"]
    amounts: dict[str, int] = {}
    applied: list[str] = []
    for programme in ref.programmes:  # stable order: jkk, jkm, jht
        if programme not in programmes:
            continue
        rate = rates[programme]
        if rate["kind"] == "percent_of_base":
            exact = base * _dec(rate["rate"])
        elif rate["kind"] == "flat":
            exact = _dec(rate["amount"])
        else:
            raise ValueError(f"tariffs.json: unknown rate kind {rate['kind']!r}")
        for rule in ref.tariffs["overrides"]:
            if (
                programme in rule["programmes"]
                and rule["from"] <= month <= rule["to"]
                and sector in rule["sectors"]
                and programmes[programme] not in rule.get("excluded_funding", ())
            ):
                exact *= _dec(rule["factor"])
                if rule["id"] not in applied:
                    applied.append(rule["id"])
        amounts[programme] = _round(exact)
    return MonthFee(month=month, amounts=amounts, overrides_applied=tuple(applied))


def quote(
    ref: ReferenceData,
    *,
    income: int,
    months: list[str],
    sector: str,
    programmes: Mapping[str, str],
) -> Quote:
    """Fees for several months (e.g. the 1/3/6/12-month options offered to a worker)."""
    if len(set(months)) != len(months):
        raise ValueError("months must not repeat")
    per_month = {
        m: monthly_fee(ref, income=income, month=m, sector=sector, programmes=programmes)
        for m in months
    }
    by_programme: dict[str, int] = {p: 0 for p in ref.programmes if p in programmes}
    applied: list[str] = []
    for fee in per_month.values():
        for programme, amount in fee.amounts.items():
            by_programme[programme] += amount
        applied.extend(i for i in fee.overrides_applied if i not in applied)
    return Quote(
        per_month=per_month,
        by_programme=by_programme,
        total=sum(by_programme.values()),
        tariff_version=ref.tariff_version,
        contribution_base=contribution_base(ref, income),
        sector=sector,
        overrides_applied=tuple(applied),
    )
