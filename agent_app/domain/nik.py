"""NIK (Nomor Induk Kependudukan) and KK (family card) number rules.

Layout ``PP KK CC DDMMYY SSSS``: province, regency/city, kecamatan, birth date (day + 40
for women; for a KK the issue date, no + 40), serial. There is no check digit, so the
checks are structural. A NIK keeps the region of its first issue, so a kecamatan that
differs from the address is only a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from perisai_protocol import region_code

from .messages import Issue, error, warning
from .reference import ReferenceData, nik_kecamatan_code

Sex = Literal["M", "F"]
FEMALE_DAY_OFFSET = 40


_SEPARATORS = str.maketrans("", "", " \t.-")


def clean_number(text: str | None) -> str:
    """The number with spaces (and the dots/dashes people type) removed."""
    return (text or "").translate(_SEPARATORS)


def _is_16_digits(s: str) -> bool:
    return len(s) == 16 and s.isascii() and s.isdigit()


def _date_from_ddmmyy(day: int, month: int, yy: int, today: date) -> date | None:
    """The real date for DD MM YY, choosing the century that is not in the future."""
    for year in (2000 + yy, 1900 + yy):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: str  # 2 digits, e.g. "73"
    regency: str  # 4 digits, e.g. "7371"
    kecamatan: str  # 6 digits, e.g. "737101"
    birth_date: date
    sex: Sex
    serial: str  # 4 digits
    province_name: str | None = None
    regency_name: str | None = None
    regency_status: str | None = None  # "current" | "former" | None (unknown)


def parse_nik(nik: str | None, ref: ReferenceData, *, today: date | None = None) -> NikInfo | None:
    """Parse a NIK; None when it is not 16 digits or its date part is not a real date.

    Unknown region codes still parse (names are None): ``check_nik`` reports them.
    """
    s = clean_number(nik)
    if not _is_16_digits(s):
        return None
    today = today or date.today()
    day, month, yy = int(s[6:8]), int(s[8:10]), int(s[10:12])
    sex: Sex = "M"
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        sex = "F"
    born = _date_from_ddmmyy(day, month, yy, today)
    if born is None:
        return None
    regency = ref.regencies.get(s[:4])
    return NikInfo(
        nik=s,
        province=s[:2],
        regency=s[:4],
        kecamatan=s[:6],
        birth_date=born,
        sex=sex,
        serial=s[12:],
        province_name=ref.provinces.get(s[:2]),
        regency_name=regency[0] if regency else None,
        regency_status=regency[1] if regency else None,
    )


def check_nik(
    nik: str | None,
    *,
    ref: ReferenceData,
    birth_date: date | None = None,
    sex: str | None = None,
    kecamatan_code: str | None = None,
    today: date | None = None,
    field: str = "nik",
) -> list[Issue]:
    """Issues of a NIK, compared with the form's birth date, sex and address kecamatan."""
    s = clean_number(nik)
    if not s:
        return [error("nik.required", field)]
    if not _is_16_digits(s):
        return [error("nik.format", field)]
    issues: list[Issue] = []
    if not ref.province_known(s[:2]):
        issues.append(error("nik.province_unknown", field, province=s[:2]))
    elif ref.regency_status(s[:4]) is None:
        issues.append(error("nik.regency_unknown", field, regency=s[:4]))
    if s[4:6] == "00":
        issues.append(error("nik.kecamatan_invalid", field))
    if s[12:] == "0000":
        issues.append(error("nik.serial_zero", field))
    info = parse_nik(s, ref, today=today)
    if info is None:
        issues.append(error("nik.date_invalid", field, digits=s[6:12]))
        return issues
    if sex in ("M", "F") and sex != info.sex:
        issues.append(error("nik.sex_mismatch", field, nik_sex=info.sex, form_sex=sex))
    if birth_date is not None and birth_date != info.birth_date:
        issues.append(
            error(
                "nik.birth_date_mismatch",
                field,
                nik_date=info.birth_date.isoformat(),
                form_date=birth_date.isoformat(),
            )
        )
    if kecamatan_code:
        canonical = region_code(kecamatan_code)
        address_kec = nik_kecamatan_code(canonical) if canonical else kecamatan_code[:6]
        if address_kec != info.kecamatan:
            issues.append(
                warning(
                    "nik.kecamatan_mismatch",
                    field,
                    nik_kecamatan=info.kecamatan,
                    address_kecamatan=address_kec,
                    nik_kecamatan_label=_kecamatan_label(ref, info.kecamatan),
                    address_kecamatan_label=_kecamatan_label(ref, address_kec),
                )
            )
    return issues


def _kecamatan_label(ref: ReferenceData, code6: str) -> str:
    name = ref.kecamatan_by_code.get(code6 + "0")
    return f"{code6} {name}" if name else code6


def check_kk(
    kk: str | None, ref: ReferenceData, *, today: date | None = None, field: str = "kk"
) -> list[Issue]:
    """Issues of a family-card number: same layout as a NIK, digits 7-12 an issue date."""
    s = clean_number(kk)
    if not s:
        return [error("kk.required", field)]
    if not _is_16_digits(s):
        return [error("kk.format", field)]
    issues: list[Issue] = []
    if not ref.province_known(s[:2]):
        issues.append(error("kk.province_unknown", field, province=s[:2]))
    elif ref.regency_status(s[:4]) is None:
        issues.append(error("kk.regency_unknown", field, regency=s[:4]))
    if _date_from_ddmmyy(int(s[6:8]), int(s[8:10]), int(s[10:12]), today or date.today()) is None:
        issues.append(error("kk.date_invalid", field, digits=s[6:12]))
    if s[12:] == "0000":
        issues.append(error("kk.serial_zero", field))
    return issues
