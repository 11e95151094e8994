"""Validation of the whole BPU registration form.

Every Issue names the form field it belongs to (the form dict's key), so the GUI can show
it beside the input. Errors block registration; warnings ask the agent to double-check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from perisai_protocol import has_control_characters

from .messages import Issue, error, warning
from .nik import check_nik
from .phone import check_phone
from .reference import ReferenceData
from .tariffs import MIN_INCOME

MIN_AGE = 15  # working age in Indonesia
MAX_AGE = 65  # registration only under 65
MAX_OCCUPATIONS = 2
MAX_NAME_LENGTH = 100
MAX_ADDRESS_LENGTH = 200  # the registration form's field; the centre takes up to 512

# Letters of any script, then spaces, dots, apostrophes (' and ’) and hyphens.
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ .'’\-])*$")


def as_date(value: Any) -> date | None:
    """A date from a ``date`` or an ISO "YYYY-MM-DD" string (as stored); None otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day`` (someone born on 29 Feb ages on 1 Mar)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def check_name(name: Any, *, field: str = "full_name") -> list[Issue]:
    text = " ".join(str(name or "").split())
    if not text:
        return [error("name.required", field)]
    if len(text) > MAX_NAME_LENGTH:
        return [error("name.too_long", field, max=MAX_NAME_LENGTH)]
    if not _NAME.match(text):
        return [error("name.invalid", field)]
    return []


def check_address(address: Any, *, field: str = "address") -> list[Issue]:
    """Free text, but one line of it: a line break or another control character would break
    the centre's CSV files and is refused there (an imported cell may hold one)."""
    text = str(address or "").strip()
    if not text:
        return [error("address.required", field)]
    if has_control_characters(text):
        return [error("address.invalid", field)]
    if len(text) > MAX_ADDRESS_LENGTH:
        return [error("address.too_long", field, max=MAX_ADDRESS_LENGTH)]
    return []


def check_birth_date(birth_date: Any, *, today: date, field: str = "birth_date") -> list[Issue]:
    birth_date = as_date(birth_date)
    if birth_date is None:
        return [error("birth_date.required", field)]
    if birth_date > today:
        return [error("birth_date.future", field)]
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return [error("age.too_young", field, age=age, min=MIN_AGE)]
    if age >= MAX_AGE:
        return [error("age.too_old", field, age=age, max=MAX_AGE)]
    return []


def check_occupations(occupations: Any, *, ref: ReferenceData) -> list[Issue]:
    field = "occupations"
    names = list(occupations or [])
    if not names:
        return [error("occupation.required", field)]
    issues: list[Issue] = []
    if len(names) > MAX_OCCUPATIONS:
        issues.append(error("occupation.too_many", field, max=MAX_OCCUPATIONS))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            issues.append(error("occupation.duplicate", field, name=name))
        elif name not in ref.occupations:
            issues.append(error("occupation.unknown", field, name=name))
        seen.add(name)
    return issues


# A typing slip, not an income; also keeps money inside SQLite's 64-bit integers.
MAX_INCOME = 999_999_999_999


def check_income(income: Any, *, field: str = "declared_income") -> list[Issue]:
    if income is None or isinstance(income, bool) or not isinstance(income, int):
        return [error("income.required", field)]
    if income < MIN_INCOME:
        return [error("income.too_low", field, min=MIN_INCOME)]
    if income > MAX_INCOME:
        return [error("income.too_high", field, max=MAX_INCOME)]
    return []


def check_programmes(
    programmes: Any, *, ref: ReferenceData, occupations: Any, desil: Any
) -> list[Issue]:
    field = "programmes"
    progs: Mapping[str, Any] = programmes if isinstance(programmes, Mapping) else {}
    issues: list[Issue] = []
    for programme in ref.base_programmes:
        if programme not in progs:
            issues.append(error("programme.base_required", field, programme=programme.upper()))
    allowed = list(ref.funding_sources)
    for programme, source in progs.items():
        if programme not in ref.programmes:
            issues.append(error("programme.unknown", field, programme=programme))
        elif source not in allowed:
            issues.append(
                error(
                    "programme.funding_invalid",
                    field,
                    programme=programme.upper(),
                    source=source,
                )
            )
    if ref.is_employer(list(occupations or [])) and "jht" not in progs:
        issues.append(error("jht.required_for_employer", field))
    quota = ref.targets.get("jht_quota") or {}
    priority = list(quota.get("priority_desil") or [])
    if (
        progs.get("jht") == quota.get("funding", "apbd")
        and priority
        and desil not in priority
    ):
        issues.append(
            warning(
                "jht.apbd_outside_priority",
                field,
                desil_list=priority,
                desil="-" if desil is None else desil,
            )
        )
    return issues


def check_desil(form: Mapping[str, Any], *, today: date) -> list[Issue]:
    desil = form.get("desil")
    if desil is None or desil == "":
        return []
    issues: list[Issue] = []
    if isinstance(desil, bool) or not isinstance(desil, int) or not 1 <= desil <= 10:
        issues.append(error("desil.invalid", "desil"))
    if not str(form.get("desil_source") or "").strip():
        issues.append(error("desil.source_required", "desil_source"))
    desil_date = as_date(form.get("desil_date"))
    if desil_date is None:
        issues.append(error("desil.date_required", "desil_date"))
    elif desil_date > today:
        issues.append(error("desil.date_future", "desil_date"))
    return issues


def check_heir(form: Mapping[str, Any]) -> list[Issue]:
    name = " ".join(str(form.get("heir_name") or "").split())
    if not name:
        return []
    issues: list[Issue] = []
    if check_name(name, field="heir_name"):
        issues.append(error("heir.name_invalid", "heir_name"))
    if not str(form.get("heir_relation") or "").strip():
        issues.append(error("heir.relation_required", "heir_relation"))
    return issues


def check_registration(form: Mapping[str, Any], *, ref: ReferenceData, today: date) -> list[Issue]:
    """All issues of a registration form (see the module docstring), in form order.

    ``form`` keys: nik, full_name, birth_date (date or ISO string), sex ("M"/"F"), phone, address,
    kelurahan_code, occupations (list), declared_income (int), programmes (dict programme
    -> funding source), desil (int 1-10 or None), desil_source, desil_date, disability, disability_kind,
    heir_name, heir_relation, consent_given (bool).
    """
    issues: list[Issue] = []
    birth_date = as_date(form.get("birth_date"))
    sex = form.get("sex")
    kelurahan = ref.kelurahan_for(form.get("kelurahan_code"))

    issues += check_nik(
        form.get("nik"),
        ref=ref,
        birth_date=birth_date,
        sex=sex if sex in ("M", "F") else None,
        kecamatan_code=kelurahan.kecamatan_code if kelurahan else None,
        today=today,
    )
    issues += check_name(form.get("full_name"))
    issues += check_birth_date(birth_date, today=today)
    if not sex:
        issues.append(error("sex.required", "sex"))
    elif sex not in ("M", "F"):
        issues.append(error("sex.invalid", "sex"))
    issues += check_phone(form.get("phone"))
    issues += check_address(form.get("address"))
    code = form.get("kelurahan_code")
    if not code:
        issues.append(error("kelurahan.required", "kelurahan_code"))
    elif kelurahan is None:
        issues.append(error("kelurahan.not_makassar", "kelurahan_code", code=code))
    issues += check_occupations(form.get("occupations"), ref=ref)
    issues += check_income(form.get("declared_income"))
    issues += check_programmes(
        form.get("programmes"), ref=ref, occupations=form.get("occupations"), desil=form.get("desil")
    )
    issues += check_desil(form, today=today)
    issues += check_heir(form)
    if form.get("consent_given") is not True:
        issues.append(error("consent.required", "consent_given"))
    return issues
