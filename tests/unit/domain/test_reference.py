from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent_app.domain import reference as reference_mod
from agent_app.domain.reference import (
    EMPLOYER_OCCUPATION,
    ReferenceData,
    ReferenceDataError,
    default_reference_dir,
    load_reference,
)
from agent_app.domain.text import search_key
from central_server.reference import kecamatan7, kelurahan11
from perisai_protocol import region_code


def test_default_dir_is_the_repository_resources() -> None:
    assert default_reference_dir() == Path(__file__).resolve().parents[3] / "resources" / "reference"


def test_frozen_bundle_dir_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = tmp_path / "resources" / "reference"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(reference_mod.sys, "frozen", True, raising=False)
    monkeypatch.setattr(reference_mod.sys, "_MEIPASS", str(tmp_path), raising=False)
    assert default_reference_dir() == bundled


def test_regions(ref: ReferenceData) -> None:
    assert len(ref.kecamatan) == 15
    assert len(ref.kelurahan) == 153
    assert ref.kecamatan[0] == ("7371010", "Mariso")
    assert ref.kecamatan_by_code["7371150"] == "Kepulauan Sangkarrang"
    kel = ref.kelurahan_by_code["73710101001"]
    assert (kel.name, kel.kecamatan_code, kel.kecamatan_name) == ("Bontorannu", "7371010", "Mariso")
    assert all(len(k.code) == 11 and k.code.startswith(k.kecamatan_code) for k in ref.kelurahan)
    assert {k.kecamatan_code for k in ref.kelurahan} == set(ref.kecamatan_by_code)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("73.71.01", "7371010"),
        ("737101", "7371010"),
        ("7371010", "7371010"),
        ("73.71.15.1003", "73711501003"),
        ("7371151003", "73711501003"),
        ("73711501003", "73711501003"),
        (" 73.71.01.1001 ", "73710101001"),
        ("7371011", None),  # 7 digits whose 7th digit is not the padding 0
        ("73.71.1", None),
        ("73.71.01.101", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_region_code_spellings(text: str | None, expected: str | None) -> None:
    """The device and the centre share this normaliser (the protocol's)."""
    assert region_code(text) == expected
    assert kecamatan7(text) == (expected if expected and len(expected) == 7 else None)
    assert kelurahan11(text) == (expected if expected and len(expected) == 11 else None)


def test_kelurahan_for_accepts_dotted_code(ref: ReferenceData) -> None:
    assert ref.kelurahan_for("73.71.01.1001") == ref.kelurahan_by_code["73710101001"]
    assert ref.kelurahan_for("73.06.01.1001") is None  # Gowa, not Makassar
    assert ref.kelurahan_for(None) is None


def test_regencies_current_and_former(ref: ReferenceData) -> None:
    assert ref.regency_status("7371") == "current"
    assert ref.regency_status("73.71") == "current"
    assert ref.regency_status("9101") == "former"  # Merauke before the 2022 Papua split
    assert ref.regency_status("9301") == "current"  # Merauke now (Papua Selatan)
    assert ref.regency_status("7399") is None
    assert ref.province_known("73")
    assert not ref.province_known("99")


def test_income_tiers(ref: ReferenceData) -> None:
    assert len(ref.income_tiers) == 33
    assert ref.income_tiers[0] == (1_000_000, 1_000_000)
    assert ref.income_tiers[-1] == (20_200_000, 20_700_000)
    lows = [t[0] for t in ref.income_tiers]
    assert lows == sorted(lows)


def test_occupations(ref: ReferenceData) -> None:
    assert ref.occupation_names[0] == "Ojek pangkalan"
    assert len(ref.occupation_names) == 44
    assert ref.occupations["Ojek pangkalan"] == ("Transportasi & Pengantaran", "transport")
    assert ref.occupations[EMPLOYER_OCCUPATION][1] == "other"
    assert ref.policy_sector(["Kurir", "Nelayan"]) == "transport"
    assert ref.policy_sector(["Nelayan", "Kurir"]) == "other"
    assert ref.is_employer(["Nelayan", EMPLOYER_OCCUPATION])


def test_tariffs_consent_targets(ref: ReferenceData) -> None:
    assert ref.tariff_version == ref.tariffs["version"] == "2026.1"
    for key in ("version", "effective_from", "source"):
        assert ref.tariffs[key]
    for rule in ref.tariffs["overrides"]:
        assert rule["id"] and rule["source"] and rule["verify"]
    assert ref.consent.version == "2026.1"
    assert "BPJS Ketenagakerjaan" in ref.consent.text_for("id")
    assert "copy" in ref.consent.text_for("en")
    assert ref.consent.text_for("xx") == ref.consent.text["id"]
    assert ref.targets["city_coverage"]["target_percent"] == "72.50"
    assert ref.targets["jht_quota"]["workers"] == 45000
    assert ref.targets["jht_quota"]["priority_desil"] == [1, 2, 3]
    assert ref.version.startswith("T2026.1-C2026.1-G2026.1-")


def _copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "ref"
    shutil.copytree(default_reference_dir(), target, ignore=shutil.ignore_patterns("README.md"))
    return target


def test_cache_per_directory_and_version_follows_content(tmp_path: Path, ref: ReferenceData) -> None:
    directory = _copy_reference(tmp_path)
    first = load_reference(directory)
    assert load_reference(directory) is first
    assert first is not ref
    assert first.version == ref.version  # same content, same version

    tariffs = json.loads((directory / "tariffs.json").read_text(encoding="utf-8"))
    tariffs["version"] = "2026.2"
    tariffs["rates"]["jkm"]["amount"] = 7000
    (directory / "tariffs.json").write_text(json.dumps(tariffs), encoding="utf-8")
    assert load_reference(directory) is first  # cached
    updated = load_reference(directory, reload=True)
    assert updated.tariff_version == "2026.2"
    assert updated.version.startswith("T2026.2-")
    assert updated.tariffs["rates"]["jkm"]["amount"] == 7000


def test_bad_reference_data_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError):
        load_reference(tmp_path / "missing")
    directory = _copy_reference(tmp_path)
    (directory / "tariffs.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="tariffs.json"):
        load_reference(directory)


# --- search -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Barrang Lompo", "Barang Lompo"),
        ("Kassi - Kassi", "Kassi-Kassi"),
        ("Kassi Kassi", "KASSI-KASSI"),
        ("Bitowo", "Bitowa"),
        ("Pa'baeng-Baeng", "Pabaeng baeng"),
        ("Panakkukang", "Panakukang"),
        ("Maccini", "Macini"),
        ("Oedjoeng Pandang", "Ujung Pandang"),
        ("Sangkarrang", "Sangkarang"),
        ("Tamalanréa", "Tamalanrea"),
    ],
)
def test_search_key_folds_variants(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


def test_search_key_keeps_different_places_apart(ref: ReferenceData) -> None:
    assert search_key("Mario") != search_key("Mariso")
    keys = [search_key(k.name) for k in ref.kelurahan]
    assert len(set(keys)) == len(keys)  # no two kelurahan collapse to one key
    assert search_key("") == "" and search_key(None) == ""


@pytest.mark.parametrize(
    "query, first",
    [
        ("Barang Lompo", "Barrang Lompo"),
        ("bitowo", "Bitowa"),
        ("Kassi - Kassi", "Kassi-Kassi"),
        ("pabaeng", "Pa'baeng-Baeng"),
        ("barrang", "Barrang Caddi"),
        ("Barang Lo", "Barrang Lompo"),  # still typing
    ],
)
def test_find_kelurahan(ref: ReferenceData, query: str, first: str) -> None:
    assert ref.find_kelurahan(query)[0].name == first


def test_find_kelurahan_ranking_and_kecamatan_match(ref: ReferenceData) -> None:
    names = [k.name for k in ref.find_kelurahan("Tamalanrea")]
    assert names[:3] == ["Tamalanrea", "Tamalanrea Indah", "Tamalanrea Jaya"]
    # kelurahan of the kecamatan Tamalanrea come after the name matches
    assert {"Bira", "Kapasa"} <= set(names[3:])
    island = [k.name for k in ref.find_kelurahan("Sangkarang")]
    assert island == ["Barrang Caddi", "Barrang Lompo", "Kodingareng"]
    assert ref.find_kelurahan("zzzz") == []
    assert len(ref.find_kelurahan("")) == 153


def test_module_level_find_kelurahan(ref: ReferenceData) -> None:
    assert reference_mod.find_kelurahan("Lae Lae")[0].name == "Lae-Lae"
    assert reference_mod.find_kelurahan("Lae Lae", ref) == ref.find_kelurahan("Lae-Lae")
