from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_app.domain.nik import check_kk, check_nik, parse_nik
from agent_app.domain.reference import ReferenceData, load_reference

TODAY = date(2026, 11, 24)
# Andi, born 5 June 1990, male, Mariso
NIK_M = "7371010506900001"
# Nur, born 5 June 1990, female (day 05 + 40 = 45), Mariso
NIK_F = "7371014506900002"


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def make_nik(region6: str, born: date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "F" else 0)
    return f"{region6}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def test_parse_male_and_female(ref: ReferenceData) -> None:
    m = parse_nik(NIK_M, ref, today=TODAY)
    assert m is not None
    assert (m.province, m.regency, m.kecamatan, m.birth_date, m.sex, m.serial) == (
        "73",
        "7371",
        "737101",
        date(1990, 6, 5),
        "M",
        "0001",
    )
    assert (m.province_name, m.regency_name, m.regency_status) == ("Sulawesi Selatan", "Kota Makassar", "current")
    f = parse_nik(NIK_F, ref, today=TODAY)
    assert f is not None and (f.birth_date, f.sex) == (date(1990, 6, 5), "F")


def test_parse_strips_spaces(ref: ReferenceData) -> None:
    assert parse_nik("7371 0105 0690 0001", ref, today=TODAY) == parse_nik(NIK_M, ref, today=TODAY)


@pytest.mark.parametrize(
    "yy, today, year",
    [
        ("05", date(2026, 11, 24), 2005),
        ("26", date(2026, 11, 24), 1926),  # 1 Dec 2026 would be in the future
        ("60", date(2026, 11, 24), 1960),
        ("99", date(2026, 11, 24), 1999),
    ],
)
def test_century_is_never_in_the_future(ref: ReferenceData, yy: str, today: date, year: int) -> None:
    info = parse_nik(f"7371010112{yy}0001", ref, today=today)
    assert info is not None and info.birth_date == date(year, 12, 1)


def test_born_today_is_this_century(ref: ReferenceData) -> None:
    info = parse_nik("7371012411260001", ref, today=TODAY)
    assert info is not None and info.birth_date == TODAY


def test_leap_day_depends_on_century(ref: ReferenceData) -> None:
    assert parse_nik("7371012902000001", ref, today=TODAY).birth_date == date(2000, 2, 29)  # type: ignore[union-attr]
    assert parse_nik("7371016902040001", ref, today=TODAY).birth_date == date(2004, 2, 29)  # type: ignore[union-attr]
    assert parse_nik("7371012902010001", ref, today=TODAY) is None  # 2001 and 1901 not leap


@pytest.mark.parametrize(
    "nik",
    [
        "7371013206900001",  # day 32
        "7371017206900001",  # day 72 (female 32)
        "7371014006900001",  # day 40: neither a male day nor female (41-71)
        "7371010006900001",  # day 00
        "7371010513900001",  # month 13
        "7371010500900001",  # month 00
        "7371013102900001",  # 31 Feb
    ],
)
def test_impossible_dates(ref: ReferenceData, nik: str) -> None:
    assert parse_nik(nik, ref, today=TODAY) is None
    assert codes(check_nik(nik, ref=ref, today=TODAY)) == ["nik.date_invalid"]


def test_valid_nik_has_no_issues(ref: ReferenceData) -> None:
    assert check_nik(NIK_M, ref=ref, birth_date=date(1990, 6, 5), sex="M", kecamatan_code="7371010", today=TODAY) == []
    assert check_nik(NIK_F, ref=ref, birth_date=date(1990, 6, 5), sex="F", today=TODAY) == []


@pytest.mark.parametrize(
    "nik, code",
    [
        ("", "nik.required"),
        (None, "nik.required"),
        ("737101050690001", "nik.format"),  # 15 digits
        ("73710105069000012", "nik.format"),  # 17 digits
        ("73710105069O0001", "nik.format"),  # letter O
        ("７３７１０１０５０６９０００01", "nik.format"),  # full-width digits
    ],
)
def test_format(ref: ReferenceData, nik: str | None, code: str) -> None:
    assert codes(check_nik(nik, ref=ref, today=TODAY)) == [code]


def test_region_codes(ref: ReferenceData) -> None:
    assert codes(check_nik("9971010506900001", ref=ref, today=TODAY)) == ["nik.province_unknown"]
    assert codes(check_nik("7399010506900001", ref=ref, today=TODAY)) == ["nik.regency_unknown"]
    assert codes(check_nik("7371000506900001", ref=ref, today=TODAY)) == ["nik.kecamatan_invalid"]
    # Merauke's pre-2022 code 91.01 is still printed on older NIKs
    assert check_nik("9101010506900001", ref=ref, today=TODAY) == []
    info = parse_nik("9101010506900001", ref, today=TODAY)
    assert info is not None and info.regency_status == "former"


def test_serial_zero(ref: ReferenceData) -> None:
    assert codes(check_nik("7371010506900000", ref=ref, today=TODAY)) == ["nik.serial_zero"]


def test_mismatch_with_form(ref: ReferenceData) -> None:
    issues = check_nik(NIK_M, ref=ref, birth_date=date(1990, 6, 6), sex="M", today=TODAY)
    assert codes(issues) == ["nik.birth_date_mismatch"]
    assert issues[0].severity == "error" and issues[0].field == "nik"
    assert issues[0].params["nik_date"] == "1990-06-05"
    issues = check_nik(NIK_M, ref=ref, birth_date=date(1990, 6, 5), sex="F", today=TODAY)
    assert codes(issues) == ["nik.sex_mismatch"]
    assert "40" in issues[0].text("id")
    both = check_nik(NIK_F, ref=ref, birth_date=date(1990, 6, 6), sex="M", today=TODAY)
    assert sorted(codes(both)) == ["nik.birth_date_mismatch", "nik.sex_mismatch"]


def test_kecamatan_mismatch_is_a_warning(ref: ReferenceData) -> None:
    # an island resident of Kepulauan Sangkarrang whose NIK is from Ujung Tanah
    nik = "7371080506900001"
    issues = check_nik(nik, ref=ref, kecamatan_code="7371150", today=TODAY)
    assert codes(issues) == ["nik.kecamatan_mismatch"]
    assert issues[0].severity == "warning"
    assert "737108 Ujung Tanah" in issues[0].text()
    assert "737115 Kepulauan Sangkarrang" in issues[0].text("en")
    # a migrant from Gowa
    assert codes(check_nik("7306010506900001", ref=ref, kecamatan_code="7371010", today=TODAY)) == [
        "nik.kecamatan_mismatch"
    ]
    assert check_nik(nik, ref=ref, kecamatan_code="73.71.08", today=TODAY) == []


def test_kk(ref: ReferenceData) -> None:
    assert check_kk("7371011203150003", ref, today=TODAY) == []
    # a KK date has no +40: day 45 is invalid
    assert codes(check_kk("7371014503150003", ref, today=TODAY)) == ["kk.date_invalid"]
    assert codes(check_kk("7371011203150000", ref, today=TODAY)) == ["kk.serial_zero"]
    assert codes(check_kk("123", ref, today=TODAY)) == ["kk.format"]
    assert codes(check_kk(" ", ref, today=TODAY)) == ["kk.required"]
    assert codes(check_kk("9971011203150003", ref, today=TODAY)) == ["kk.province_unknown"]


_REF = load_reference()
_REGENCIES = sorted(_REF.regencies)


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(
    regency=st.sampled_from(_REGENCIES),
    kecamatan=st.integers(1, 99),
    age_days=st.integers(0, 99 * 365),
    sex=st.sampled_from(["M", "F"]),
    serial=st.integers(1, 9999),
)
def test_nik_round_trip(regency: str, kecamatan: int, age_days: int, sex: str, serial: int) -> None:
    born = TODAY - timedelta(days=age_days)
    nik = make_nik(f"{regency}{kecamatan:02d}", born, sex, serial)
    info = parse_nik(nik, _REF, today=TODAY)
    assert info is not None
    assert (info.birth_date, info.sex, info.regency, info.serial) == (born, sex, regency, f"{serial:04d}")
    assert check_nik(nik, ref=_REF, birth_date=born, sex=sex, today=TODAY) == []
