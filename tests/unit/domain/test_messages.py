from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import agent_app.domain as domain_pkg
from agent_app.domain.messages import (
    CATALOGUE,
    Issue,
    format_rupiah,
    has_errors,
    register,
    render,
)


def test_render_both_languages() -> None:
    assert render("nik.format") == "NIK harus 16 digit angka"
    assert render("nik.format", "en") == "NIK must be 16 digits"


def test_rupiah_spec_uses_language_thousands_separator() -> None:
    assert render("income.too_low", "id", min=1_000_000) == "Penghasilan minimal Rp 1.000.000 per bulan"
    assert render("income.too_low", "en", min=1_000_000) == "Income must be at least Rp 1,000,000 a month"
    assert format_rupiah(-8400, "id") == "-Rp 8.400"


def test_unknown_code_language_and_missing_param_do_not_crash() -> None:
    assert render("no.such.code") == "no.such.code"
    assert render("nik.format", "fr") == "NIK harus 16 digit angka"
    assert render("occupation.unknown", "en") == 'Occupation "{name}" is not in the list'


def test_issue_text_and_has_errors() -> None:
    w = Issue("nik.kecamatan_mismatch", "warning", "nik", {})
    e = Issue("occupation.unknown", "error", "occupations", {"name": "Astronot"})
    assert e.text() == 'Pekerjaan "Astronot" tidak ada dalam daftar'
    assert e.text("en") == 'Occupation "Astronot" is not in the list'
    assert not has_errors([w])
    assert has_errors([w, e])
    assert not has_errors([])


def test_register_extends_and_requires_both_languages() -> None:
    register({"test.only": {"id": "Uji {n}", "en": "Test {n}"}})
    try:
        assert render("test.only", "en", n=3) == "Test 3"
    finally:
        del CATALOGUE["test.only"]
    with pytest.raises(ValueError):
        register({"test.bad": {"id": "hanya id"}})
    assert "test.bad" not in CATALOGUE


def _fields(template: str) -> set[str]:
    """Parameter names, with a language suffix dropped: a message may take a value already
    in each language ("{role_id}" in Indonesian, "{role_en}" in English)."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return {re.sub(r"_(id|en)$", "", name) for name in names}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_catalogue_entries_complete_and_consistent(code: str) -> None:
    entry = CATALOGUE[code]
    assert entry["id"].strip() and entry["en"].strip()
    assert _fields(entry["id"]) == _fields(entry["en"]), code


def test_every_code_emitted_by_the_domain_is_in_the_catalogue() -> None:
    source_dir = Path(domain_pkg.__file__).parent
    emitted: set[str] = set()
    for path in source_dir.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r"\b(?:error|warning)\(\s*\"([a-z_]+\.[a-z_]+)\"", text))
    assert len(emitted) > 30
    assert sorted(emitted - set(CATALOGUE)) == []


def test_render_language_by_keyword_and_a_param_named_code() -> None:
    assert render("nik.format", lang="en") == "NIK must be 16 digits"
    assert render("kelurahan.not_makassar", lang="en", code="7306") == "Kelurahan 7306 is not in Kota Makassar"


def test_issue_hashable_and_round_trips_through_a_dict() -> None:
    a = Issue("occupation.unknown", "error", "occupations", {"name": "X"})
    b = Issue.from_dict(a.as_dict())
    assert a == b and len({a, b}) == 1
