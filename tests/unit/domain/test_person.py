from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent_app.domain.messages import has_errors
from agent_app.domain.person import age_on, check_registration
from agent_app.domain.reference import EMPLOYER_OCCUPATION, ReferenceData

TODAY = date(2026, 11, 24)


def valid_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "nik": "7371014506900002",
        "full_name": "Nur'aini Daeng Ngai",
        "birth_date": date(1990, 6, 5),
        "sex": "F",
        "phone": "0812-3456-7890",
        "address": "Jl. Rajawali Lr. 2 No. 5",
        "kelurahan_code": "73710101001",  # Bontorannu, Mariso
        "occupations": ["Pedagang pasar"],
        "declared_income": 1_500_000,
        "programmes": {"jkk": "apbd", "jkm": "apbd"},
        "desil": None,
        "desil_source": None,
        "desil_date": None,
        "disability": False,
        "disability_kind": None,
        "heir_name": "Andi Baso",
        "heir_relation": "suami",
        "consent_given": True,
    }
    form.update(changes)
    return form


def check(ref: ReferenceData, **changes: Any):
    return check_registration(valid_form(**changes), ref=ref, today=TODAY)


def found(issues) -> list[tuple[str, str, str]]:
    return [(i.field, i.code, i.severity) for i in issues]


def test_valid_form_has_no_issues(ref: ReferenceData) -> None:
    assert check(ref) == []


def test_minimal_valid_form(ref: ReferenceData) -> None:
    form = {k: v for k, v in valid_form().items() if k not in ("phone", "desil", "heir_name", "heir_relation")}
    assert check_registration(form, ref=ref, today=TODAY) == []


def test_empty_form_names_every_required_field(ref: ReferenceData) -> None:
    issues = check_registration({}, ref=ref, today=TODAY)
    fields = {i.field for i in issues}
    assert fields == {
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "address",
        "kelurahan_code",
        "occupations",
        "declared_income",
        "programmes",
        "consent_given",
    }
    assert all(i.severity == "error" for i in issues)
    for issue in issues:  # every message renders without leftover placeholders
        assert "{" not in issue.text("id") and "{" not in issue.text("en")


def test_age_boundaries(ref: ReferenceData) -> None:
    # 64 years and 364 days: still allowed
    born = date(1961, 11, 25)
    nik = f"737101{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0002"
    assert check(ref, birth_date=born, nik=nik) == []
    # 65th birthday today: too old
    born = date(1961, 11, 24)
    nik = f"737101{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0002"
    assert found(check(ref, birth_date=born, nik=nik)) == [("birth_date", "age.too_old", "error")]
    # 15th birthday today: allowed; one day before: too young
    born = date(2011, 11, 24)
    nik = f"737101{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0002"
    assert check(ref, birth_date=born, nik=nik) == []
    born = date(2011, 11, 25)
    nik = f"737101{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0002"
    assert found(check(ref, birth_date=born, nik=nik)) == [("birth_date", "age.too_young", "error")]


def test_future_birth_date(ref: ReferenceData) -> None:
    issues = check(ref, birth_date=date(2026, 11, 25))
    assert ("birth_date", "birth_date.future", "error") in found(issues)


def test_age_on_leap_day() -> None:
    assert age_on(date(2000, 2, 29), date(2015, 2, 28)) == 14
    assert age_on(date(2000, 2, 29), date(2015, 3, 1)) == 15


def test_nik_disagreeing_with_form(ref: ReferenceData) -> None:
    assert found(check(ref, sex="M")) == [("nik", "nik.sex_mismatch", "error")]
    assert found(check(ref, birth_date=date(1990, 6, 6))) == [("nik", "nik.birth_date_mismatch", "error")]


def test_island_resident_with_ujung_tanah_nik_only_warned(ref: ReferenceData) -> None:
    issues = check(ref, nik="7371084506900002", kelurahan_code="73711501002")  # Barrang Lompo
    assert found(issues) == [("nik", "nik.kecamatan_mismatch", "warning")]
    assert not has_errors(issues)


@pytest.mark.parametrize(
    "name, ok",
    [
        ("Andi Muh. Ridwan", True),
        ("Nur'aini", True),
        ("Siti Nur’aini", True),
        ("Abdul-Rahman", True),
        ("A. Baso", True),
        ("Zoë Ömer", True),
        ("  Andi   Baso  ", True),
        ("", False),
        ("   ", False),
        ("Andi 2", False),
        ("Andi_Baso", False),
        ("Andi, S.Pd", False),
        ("-Andi", False),
        ("A" * 101, False),
    ],
)
def test_full_name(ref: ReferenceData, name: str, ok: bool) -> None:
    issues = check(ref, full_name=name)
    assert (issues == []) == ok
    assert all(i.field == "full_name" for i in issues)


def test_phone_and_address(ref: ReferenceData) -> None:
    assert found(check(ref, phone="0411 123456")) == [("phone", "phone.invalid", "error")]
    assert check(ref, phone="") == []
    assert found(check(ref, address="  ")) == [("address", "address.required", "error")]
    # one line, bounded: the centre refuses control characters (an imported cell may hold some)
    for address in ("Jl. Kandea\nRT 02", "Jl.\tKandea", "Jl. Kandea\x00"):
        assert found(check(ref, address=address)) == [("address", "address.invalid", "error")]
    assert found(check(ref, address="Jl. " + "a" * 200)) == [("address", "address.too_long", "error")]
    assert check(ref, address="Jl. Pa'baeng-baeng No. 7, RT 02/RW 03") == []


def test_kelurahan(ref: ReferenceData) -> None:
    assert found(check(ref, kelurahan_code="73060101001")) == [("kelurahan_code", "kelurahan.not_makassar", "error")]
    assert found(check(ref, kelurahan_code=None)) == [("kelurahan_code", "kelurahan.required", "error")]
    assert check(ref, kelurahan_code="73.71.01.1001") == []


def test_occupations(ref: ReferenceData) -> None:
    assert check(ref, occupations=["Ojek pangkalan", "Pedagang pasar"]) == []
    assert found(check(ref, occupations=[])) == [("occupations", "occupation.required", "error")]
    assert found(check(ref, occupations=["Nelayan", "Kurir", "Penjahit"])) == [
        ("occupations", "occupation.too_many", "error")
    ]
    assert found(check(ref, occupations=["Astronot"])) == [("occupations", "occupation.unknown", "error")]
    assert found(check(ref, occupations=["Kurir", "Kurir"])) == [("occupations", "occupation.duplicate", "error")]


@pytest.mark.parametrize(
    "income, code",
    [(1_000_000, None), (999_999, "income.too_low"), (0, "income.too_low"), (None, "income.required"),
     ("1500000", "income.required"), (True, "income.required")],
)
def test_income(ref: ReferenceData, income: Any, code: str | None) -> None:
    issues = check(ref, declared_income=income)
    assert [i.code for i in issues] == ([code] if code else [])


def test_income_message_shows_rupiah(ref: ReferenceData) -> None:
    (issue,) = check(ref, declared_income=900_000)
    assert issue.text() == "Penghasilan minimal Rp 1.000.000 per bulan"


def test_employer_needs_jht(ref: ReferenceData) -> None:
    issues = check(ref, occupations=[EMPLOYER_OCCUPATION])
    assert found(issues) == [("programmes", "jht.required_for_employer", "error")]
    assert check(ref, occupations=[EMPLOYER_OCCUPATION], programmes={"jkk": "self", "jkm": "self", "jht": "self"}) == []


def test_programmes_and_funding(ref: ReferenceData) -> None:
    assert found(check(ref, programmes={"jkk": "self"})) == [("programmes", "programme.base_required", "error")]
    assert found(check(ref, programmes={"jkk": "self", "jkm": "bank"})) == [
        ("programmes", "programme.funding_invalid", "error")
    ]
    assert found(check(ref, programmes={"jkk": "self", "jkm": "self", "jp": "self"})) == [
        ("programmes", "programme.unknown", "error")
    ]
    for source in ("self", "apbd", "apbn", "village", "csr"):
        assert check(ref, programmes={"jkk": source, "jkm": source, "jht": "self"}) == []


def test_city_funded_jht_outside_priority_desil_is_a_warning(ref: ReferenceData) -> None:
    jht_apbd = {"jkk": "apbd", "jkm": "apbd", "jht": "apbd"}
    desil_ok = {"desil_source": "DTSEN Kota Makassar", "desil_date": date(2026, 1, 15)}
    assert check(ref, programmes=jht_apbd, desil=2, **desil_ok) == []
    issues = check(ref, programmes=jht_apbd, desil=5, **desil_ok)
    assert found(issues) == [("programmes", "jht.apbd_outside_priority", "warning")]
    assert "1, 2, 3" in issues[0].text()
    assert found(check(ref, programmes=jht_apbd)) == [("programmes", "jht.apbd_outside_priority", "warning")]


def test_desil(ref: ReferenceData) -> None:
    ok = {"desil_source": "DTSEN", "desil_date": date(2026, 1, 15)}
    assert check(ref, desil=1, **ok) == [] and check(ref, desil=10, **ok) == []
    assert check(ref, desil=3, desil_source="DTSEN", desil_date="2026-01-15") == []
    assert found(check(ref, desil=0, **ok)) == [("desil", "desil.invalid", "error")]
    assert found(check(ref, desil=11, **ok)) == [("desil", "desil.invalid", "error")]
    assert found(check(ref, desil=3)) == [
        ("desil_source", "desil.source_required", "error"),
        ("desil_date", "desil.date_required", "error"),
    ]
    assert found(check(ref, desil=3, desil_source="DTSEN", desil_date=date(2026, 12, 1))) == [
        ("desil_date", "desil.date_future", "error")
    ]


def test_heir(ref: ReferenceData) -> None:
    assert found(check(ref, heir_relation="")) == [("heir_relation", "heir.relation_required", "error")]
    assert found(check(ref, heir_name="Andi 2")) == [("heir_name", "heir.name_invalid", "error")]
    assert check(ref, heir_name="", heir_relation="") == []


@pytest.mark.parametrize("consent", [False, None, "yes", 1])
def test_consent_must_be_true(ref: ReferenceData, consent: Any) -> None:
    assert found(check(ref, consent_given=consent)) == [("consent_given", "consent.required", "error")]


def test_iso_string_dates_accepted(ref: ReferenceData) -> None:
    assert check(ref, birth_date="1990-06-05") == []
    assert found(check(ref, birth_date="1990-02-30")) == [("birth_date", "birth_date.required", "error")]
