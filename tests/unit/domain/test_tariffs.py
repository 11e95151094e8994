from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent_app.domain.reference import ReferenceData, default_reference_dir, load_reference
from agent_app.domain.tariffs import contribution_base, monthly_fee, quote

SELF = {"jkk": "self", "jkm": "self"}
SELF_JHT = {"jkk": "self", "jkm": "self", "jht": "self"}


def fee(ref: ReferenceData, month: str, sector: str = "other", programmes=None, income: int = 1_000_000):
    return monthly_fee(ref, income=income, month=month, sector=sector, programmes=programmes or SELF)


# --- contribution base --------------------------------------------------------------


def test_every_tier_boundary(ref: ReferenceData) -> None:
    tiers = ref.income_tiers
    for i, (lower, base) in enumerate(tiers):
        assert contribution_base(ref, lower) == base
        if i + 1 < len(tiers):
            assert contribution_base(ref, tiers[i + 1][0] - 1) == base
        if i > 0:
            assert contribution_base(ref, lower - 1) == tiers[i - 1][1]


@pytest.mark.parametrize(
    "income, base",
    [
        (1_000_000, 1_000_000),
        (1_099_999, 1_000_000),
        (1_100_000, 1_200_000),
        (2_700_000, 2_950_000),
        (3_199_999, 2_950_000),
        (3_200_000, 3_450_000),
        (20_199_999, 19_700_000),
        (20_200_000, 20_700_000),
        (150_000_000, 20_700_000),  # the top tier is open-ended
    ],
)
def test_contribution_base_examples(ref: ReferenceData, income: int, base: int) -> None:
    assert contribution_base(ref, income) == base


def test_income_below_minimum_rejected(ref: ReferenceData) -> None:
    with pytest.raises(ValueError):
        contribution_base(ref, 999_999)
    with pytest.raises(TypeError):
        contribution_base(ref, 1_500_000.0)  # type: ignore[arg-type]


# --- worked examples of DOMAIN.md ---------------------------------------------------


def test_minimum_month_before_discounts(ref: ReferenceData) -> None:
    f = fee(ref, "2025-12")
    assert (f.jkk, f.jkm, f.jht, f.total) == (10_000, 6_800, 0, 16_800)
    assert fee(ref, "2025-12", programmes=SELF_JHT).total == 36_800
    assert f.overrides_applied == ()


@pytest.mark.parametrize(
    "sector, month, total",
    [
        ("transport", "2025-12", 16_800),
        ("transport", "2026-01", 8_400),
        ("other", "2026-01", 16_800),
        ("other", "2026-03", 16_800),
        ("other", "2026-04", 8_400),
        ("other", "2026-12", 8_400),
        ("other", "2027-01", 16_800),
        ("transport", "2027-03", 8_400),
        ("transport", "2027-04", 16_800),
    ],
)
def test_pp50_2025_discount_periods(ref: ReferenceData, sector: str, month: str, total: int) -> None:
    assert fee(ref, month, sector).total == total


def test_pp50_ids_reported(ref: ReferenceData) -> None:
    assert fee(ref, "2026-01", "transport").overrides_applied == ("pp50-2025-transport",)
    assert fee(ref, "2026-05", "other").overrides_applied == ("pp50-2025-other",)


@pytest.mark.parametrize("source", ["apbd", "apbn"])
def test_government_funded_gets_no_discount(ref: ReferenceData, source: str) -> None:
    f = fee(ref, "2026-05", "other", {"jkk": source, "jkm": source})
    assert f.total == 16_800
    assert f.overrides_applied == ()


@pytest.mark.parametrize("source", ["self", "village", "csr"])
def test_other_funders_get_the_discount(ref: ReferenceData, source: str) -> None:
    assert fee(ref, "2026-05", "other", {"jkk": source, "jkm": source}).total == 8_400


def test_exclusion_is_per_programme(ref: ReferenceData) -> None:
    f = fee(ref, "2026-05", "other", {"jkk": "apbd", "jkm": "self"})
    assert (f.jkk, f.jkm) == (10_000, 3_400)


def test_jht_never_discounted(ref: ReferenceData) -> None:
    f = fee(ref, "2026-05", "transport", SELF_JHT)
    assert (f.jkk, f.jkm, f.jht, f.total) == (5_000, 3_400, 20_000, 28_400)


def test_rounding_half_up(ref: ReferenceData) -> None:
    # base 2,950,000: JKK 29,500 halved = 14,750 exactly; JHT 59,000
    f = fee(ref, "2026-02", "transport", SELF_JHT, income=3_000_000)
    assert (f.jkk, f.jkm, f.jht) == (14_750, 3_400, 59_000)


def test_rounding_half_up_with_odd_factor(tmp_path: Path) -> None:
    directory = tmp_path / "ref"
    shutil.copytree(default_reference_dir(), directory)
    tariffs = json.loads((directory / "tariffs.json").read_text(encoding="utf-8"))
    tariffs["overrides"] = [
        {
            "id": "test-third",
            "source": "test",
            "programmes": ["jkm"],
            "factor": "0.25",
            "sectors": ["other"],
            "from": "2030-01",
            "to": "2030-01",
            "excluded_funding": [],
            "verify": "test",
        }
    ]
    tariffs["rates"]["jkm"]["amount"] = 6_802  # 6,802 * 0.25 = 1,700.5 -> 1,701
    (directory / "tariffs.json").write_text(json.dumps(tariffs), encoding="utf-8")
    ref = load_reference(directory)
    assert fee(ref, "2030-01").jkm == 1_701
    assert fee(ref, "2030-02").jkm == 6_802


def test_historical_pp49_2020_relief(ref: ReferenceData) -> None:
    f = fee(ref, "2020-08")
    assert (f.jkk, f.jkm) == (100, 68)
    assert fee(ref, "2021-02").total == 16_800


def test_fee_rejects_bad_input(ref: ReferenceData) -> None:
    with pytest.raises(ValueError):
        fee(ref, "2026-13")
    with pytest.raises(ValueError):
        fee(ref, "2026-01", programmes={"jkk": "self", "jkm": "bank"})
    with pytest.raises(ValueError):
        fee(ref, "2026-01", programmes={"jkk": "self"})  # JKM is a base programme
    with pytest.raises(ValueError):
        fee(ref, "2026-01", programmes={"jkk": "self", "jkm": "self", "jp": "self"})
    with pytest.raises(ValueError):
        fee(ref, "2026-01", income=999_999)


# --- quotes -------------------------------------------------------------------------


def test_quote_over_discount_boundary(ref: ReferenceData) -> None:
    q = quote(
        ref,
        income=1_000_000,
        months=["2026-02", "2026-03", "2026-04"],
        sector="other",
        programmes=SELF_JHT,
    )
    assert [f.total for f in q.per_month.values()] == [36_800, 36_800, 28_400]
    assert list(q.per_month) == ["2026-02", "2026-03", "2026-04"]
    assert q.by_programme == {"jkk": 25_000, "jkm": 17_000, "jht": 60_000}
    assert q.total == 102_000 == sum(q.by_programme.values())
    assert q.tariff_version == "2026.1"
    assert q.overrides_applied == ("pp50-2025-other",)
    assert q.breakdown()["2026-04"] == {"jkk": 5_000, "jkm": 3_400, "jht": 20_000}


def test_quote_twelve_months_transport(ref: ReferenceData) -> None:
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    q = quote(ref, income=1_000_000, months=months, sector="transport", programmes=SELF)
    assert q.total == 3 * 8_400 + 9 * 16_800


def test_quote_rejects_repeated_months(ref: ReferenceData) -> None:
    with pytest.raises(ValueError):
        quote(ref, income=1_000_000, months=["2026-01", "2026-01"], sector="other", programmes=SELF)
