"""Reference data the server needs: Makassar regions, regency codes, the bundle for clients.

Region codes. resources/reference/makassar_regions.csv holds Kemendagri codes with dots
("73.71.10", "73.71.10.1001"). The stored and wire form (client models, user scopes) is 7
digits for a kecamatan and 11 for a kelurahan ("7371100", "73711001001"): the protocol's
``kecamatan_code`` / ``kelurahan_code`` normalise every spelling, here as on the device.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from perisai_protocol import kecamatan_code as kecamatan7
from perisai_protocol import kelurahan_code as kelurahan11


@dataclass
class Regions:
    kecamatan: dict[str, str] = field(default_factory=dict)  # 7-digit code -> name
    kelurahan: dict[str, tuple[str, str]] = field(default_factory=dict)  # 11 -> (kec7, name)
    regencies: set[str] = field(default_factory=set)  # 4-digit province+regency codes
    provinces: set[str] = field(default_factory=set)


@lru_cache(maxsize=8)
def load_regions(directory: Path) -> Regions:
    regions = Regions()
    with open(directory / "makassar_regions.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kec = kecamatan7(row["kecamatan_code"])
            kel = kelurahan11(row["kelurahan_code"])
            if kec and kel:
                regions.kecamatan[kec] = row["kecamatan_name"]
                regions.kelurahan[kel] = (kec, row["kelurahan_name"])
    with open(directory / "indonesia_regencies.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].replace(".", "")
            if row["level"] == "province":
                regions.provinces.add(code)
            else:
                regions.regencies.add(code)
    return regions


def reference_files(directory: Path) -> dict[str, Any]:
    """name -> content: CSV files as their text, JSON files parsed."""
    files: dict[str, Any] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix == ".csv":
            files[path.name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            try:
                files[path.name] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue  # a file being written right now: serve the rest
    return files


def bundle_version(files: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(files, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:16]
