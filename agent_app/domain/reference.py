"""Versioned reference data: regions, regencies, income tiers, occupations, tariffs,
consent text and programme targets, read from ``resources/reference``.

Region codes. ``makassar_regions.csv`` holds Kemendagri codes with dots ("73.71.01",
"73.71.01.1001"). The app stores them without dots, the kecamatan part padded to three
digits so every kecamatan code has 7 digits and every kelurahan code 11:
"73.71.01" -> "7371010", "73.71.01.1001" -> "73710101001". The first 6 digits of a
kecamatan code are what a NIK carries (``nik_kecamatan_code``). The wire protocol's
``region_code`` (shared with the central server) accepts any of the dotted, 6/10-digit or
7/11-digit spellings.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from perisai_protocol import region_code

from .text import search_key

EMPLOYER_OCCUPATION = "Pemilik usaha (pemberi kerja)"
MAKASSAR_REGENCY = "7371"
SULSEL_PROVINCE = "73"

_FILES = (
    "makassar_regions.csv",
    "indonesia_regencies.csv",
    "bpu_income_tiers.csv",
    "bpu_occupations.csv",
    "tariffs.json",
    "consent.json",
    "targets.json",
)


class ReferenceDataError(ValueError):
    """A reference file is missing or malformed."""


class Kelurahan(NamedTuple):
    code: str  # 11 digits, e.g. "73710101001"
    name: str
    kecamatan_code: str  # 7 digits, e.g. "7371010"
    kecamatan_name: str


@dataclass(frozen=True)
class Consent:
    version: str
    title: Mapping[str, str]  # lang -> title
    text: Mapping[str, str]  # lang -> full text

    def text_for(self, lang: str = "id") -> str:
        return self.text.get(lang) or self.text["id"]


def default_reference_dir() -> Path:
    """``resources/reference`` of the source tree, or of the PyInstaller bundle when frozen."""
    candidates = []
    meipass = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and meipass:
        candidates.append(Path(meipass) / "resources" / "reference")
    candidates.append(Path(__file__).resolve().parents[2] / "resources" / "reference")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def nik_kecamatan_code(code: str) -> str:
    """The 6 digits a NIK carries for a (canonical 7- or 11-digit) region code."""
    return code[:6]


@dataclass(frozen=True)
class ReferenceData:
    directory: Path
    version: str  # identifies the whole set: tariff/consent/targets versions + content digest
    tariff_version: str
    kecamatan: tuple[tuple[str, str], ...]  # (code7, name) in CSV order
    kelurahan: tuple[Kelurahan, ...]
    kelurahan_by_code: Mapping[str, Kelurahan]
    kecamatan_by_code: Mapping[str, str]  # code7 -> name
    provinces: Mapping[str, str]  # code2 -> name
    regencies: Mapping[str, tuple[str, str]]  # code4 -> (name, "current" | "former")
    income_tiers: tuple[tuple[int, int], ...]  # (declared_income_from, contribution_base), ascending
    occupations: Mapping[str, tuple[str, str]]  # name -> (group, policy sector)
    occupation_names: tuple[str, ...]  # CSV order
    tariffs: Mapping[str, Any]
    consent: Consent
    targets: Mapping[str, Any]

    # --- regions --------------------------------------------------------------------
    def regency_status(self, code4: str) -> str | None:
        """"current", "former" (still printed on older NIKs) or None when unknown."""
        entry = self.regencies.get(code4.replace(".", ""))
        return entry[1] if entry else None

    def province_known(self, code2: str) -> bool:
        return code2 in self.provinces

    def kelurahan_for(self, code: str | None) -> Kelurahan | None:
        """The Makassar kelurahan for any accepted spelling of its code."""
        canonical = region_code(code)
        return self.kelurahan_by_code.get(canonical) if canonical else None

    @cached_property
    def _kelurahan_keys(self) -> tuple[tuple[str, str, Kelurahan], ...]:
        """(name key, kecamatan name key, kelurahan), folded once instead of per lookup."""
        return tuple((search_key(k.name), search_key(k.kecamatan_name), k) for k in self.kelurahan)

    @cached_property
    def _kelurahan_by_key(self) -> Mapping[str, tuple[Kelurahan, ...]]:
        index: dict[str, list[Kelurahan]] = {}
        for name_key, _, kel in self._kelurahan_keys:
            index.setdefault(name_key, []).append(kel)
        return MappingProxyType({key: tuple(kels) for key, kels in index.items()})

    def kelurahan_named(self, text: str | None) -> Kelurahan | None:
        """The kelurahan ``text`` names: its code in any spelling, or a name whose folded
        key is exactly one kelurahan's (a name two kecamatan share is no answer)."""
        by_code = self.kelurahan_for(text)
        if by_code is not None or not text:
            return by_code
        matches = self._kelurahan_by_key.get(search_key(text), ())
        return matches[0] if len(matches) == 1 else None

    def find_kelurahan(self, query: str) -> list[Kelurahan]:
        """Kelurahan matching ``query`` despite spelling variants (see ``text.search_key``).

        Order: exact key match, then name prefix, then substring, then kelurahan of a
        matching kecamatan; CSV order within each group. An empty query lists them all.
        """
        key = search_key(query)
        if not key:
            return list(self.kelurahan)
        ranked: list[tuple[int, int, Kelurahan]] = []
        for index, (name_key, kecamatan_key, kel) in enumerate(self._kelurahan_keys):
            if name_key == key:
                rank = 0
            elif name_key.startswith(key):
                rank = 1
            elif key in name_key:
                rank = 2
            elif key in kecamatan_key:
                rank = 3
            else:
                continue
            ranked.append((rank, index, kel))
        ranked.sort()
        return [kel for _, _, kel in ranked]

    # --- occupations ----------------------------------------------------------------
    def policy_sector(self, occupations: list[str] | tuple[str, ...]) -> str:
        """Policy sector of a worker: that of the first occupation ("other" if unknown)."""
        if occupations and occupations[0] in self.occupations:
            return self.occupations[occupations[0]][1]
        return "other"

    def is_employer(self, occupations: list[str] | tuple[str, ...]) -> bool:
        return EMPLOYER_OCCUPATION in (occupations or ())

    # --- tariffs --------------------------------------------------------------------
    @property
    def funding_sources(self) -> tuple[str, ...]:
        return tuple(self.tariffs["funding_sources"])

    @property
    def base_programmes(self) -> tuple[str, ...]:
        return tuple(self.tariffs["programmes"]["base"])

    @property
    def programmes(self) -> tuple[str, ...]:
        p = self.tariffs["programmes"]
        return tuple(p["base"]) + tuple(p["optional"])


# --- loading ----------------------------------------------------------------------------

_cache: dict[Path, ReferenceData] = {}
_cache_lock = threading.Lock()


def load_reference(directory: Path | None = None, *, reload: bool = False) -> ReferenceData:
    """Load (once per directory; ``reload=True`` re-reads) the reference data set."""
    path = Path(directory or default_reference_dir()).resolve()
    with _cache_lock:
        if reload or path not in _cache:
            _cache[path] = _load(path)
        return _cache[path]


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise ReferenceDataError(f"cannot read {path.name}: {exc}") from exc


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"cannot read {path.name}: {exc}") from exc


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for name in _FILES:
        h.update(name.encode())
        h.update(b"\0")
        h.update((path / name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:10]


_DOTTED_KEC = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_DOTTED_KEL = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def _load(path: Path) -> ReferenceData:
    if not path.is_dir():
        raise ReferenceDataError(f"reference directory not found: {path}")

    kecamatan: dict[str, str] = {}
    kelurahan: list[Kelurahan] = []
    for row in _read_csv(path / "makassar_regions.csv"):
        kec, kel = row["kecamatan_code"].strip(), row["kelurahan_code"].strip()
        if not _DOTTED_KEC.match(kec) or not _DOTTED_KEL.match(kel) or not kel.startswith(kec + "."):
            raise ReferenceDataError(f"makassar_regions.csv: bad codes {kec!r}, {kel!r}")
        kec7 = region_code(kec)
        kel11 = region_code(kel)
        assert kec7 and kel11
        kecamatan.setdefault(kec7, row["kecamatan_name"].strip())
        kelurahan.append(Kelurahan(kel11, row["kelurahan_name"].strip(), kec7, kecamatan[kec7]))

    provinces: dict[str, str] = {}
    regencies: dict[str, tuple[str, str]] = {}
    for row in _read_csv(path / "indonesia_regencies.csv"):
        code = row["code"].replace(".", "").strip()
        if row["level"] == "province":
            provinces[code] = row["name"]
        else:
            regencies[code] = (row["name"], row["status"])

    tiers = sorted(
        (int(r["declared_income_from"]), int(r["contribution_base"]))
        for r in _read_csv(path / "bpu_income_tiers.csv")
    )
    if not tiers or len({t[0] for t in tiers}) != len(tiers):
        raise ReferenceDataError("bpu_income_tiers.csv: empty or duplicate lower bounds")

    occupations: dict[str, tuple[str, str]] = {}
    for row in _read_csv(path / "bpu_occupations.csv"):
        occupations[row["occupation"].strip()] = (row["group"].strip(), row["policy_sector"].strip())

    tariffs = _read_json(path / "tariffs.json")
    for key in ("version", "effective_from", "source", "rates", "overrides", "funding_sources"):
        if key not in tariffs:
            raise ReferenceDataError(f"tariffs.json: missing {key!r}")
    consent_raw = _read_json(path / "consent.json")
    consent = Consent(
        version=str(consent_raw["version"]),
        title=MappingProxyType(dict(consent_raw.get("title", {}))),
        text=MappingProxyType(dict(consent_raw["text"])),
    )
    targets = _read_json(path / "targets.json")

    version = "T{}-C{}-G{}-{}".format(
        tariffs["version"], consent.version, targets.get("version", "0"), _digest(path)
    )
    return ReferenceData(
        directory=path,
        version=version,
        tariff_version=str(tariffs["version"]),
        kecamatan=tuple(kecamatan.items()),
        kelurahan=tuple(kelurahan),
        kelurahan_by_code=MappingProxyType({k.code: k for k in kelurahan}),
        kecamatan_by_code=MappingProxyType(kecamatan),
        provinces=MappingProxyType(provinces),
        regencies=MappingProxyType(regencies),
        income_tiers=tuple(tiers),
        occupations=MappingProxyType(occupations),
        occupation_names=tuple(occupations),
        tariffs=MappingProxyType(tariffs),
        consent=consent,
        targets=MappingProxyType(targets),
    )


def find_kelurahan(query: str, ref: ReferenceData | None = None) -> list[Kelurahan]:
    """``ReferenceData.find_kelurahan`` on the given (or the default) reference data."""
    return (ref or load_reference()).find_kelurahan(query)
