"""What people type and hand over: a valid registration form, and the city's list as a CSV file."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from agent_app.services.base import WITA
from agent_app.services.workers import RegistrationForm

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
PASSWORD = "kata-sandi-aman"


def make_form(**overrides) -> RegistrationForm:
    """A valid registration: a woman born 1 July 1990 (NIK day 41), kelurahan Bontorannu."""
    values = dict(
        nik="7371014107900001",
        full_name="Sitti Rahmawati",
        birth_date=date(1990, 7, 1),
        sex="F",
        phone="0812-3456-7890",
        address="Jl. Sultan Alauddin No. 5",
        kelurahan_code="73710101001",
        occupations=["Pedagang pasar"],
        declared_income=1_000_000,
        programmes={"jkk": "self", "jkm": "self"},
        heir_name="Baso Rahman",
        heir_relation="Suami",
        consent_given=True,
    )
    values.update(overrides)
    return RegistrationForm(**values)


HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "telepon", "alamat", "kelurahan",
          "pekerjaan", "penghasilan", "jht", "sumber_dana", "persetujuan"]
GOOD = ["7371014107900001", "Sitti Rahmawati", "01/07/1990", "P", "0812 3456 7890",
        "Jl. Veteran 3", "Bontorannu", "Pedagang pasar", "1.000.000", "tidak", "APBD", "ya"]


def write_csv(path: Path, rows, header=HEADER, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def make_list(path: Path, rows: int, seed: int = 7) -> Path:
    """A valid list in the city's format, from the seeded demo generator."""
    from agent_app.demo import DemoGenerator
    from agent_app.domain.reference import load_reference

    ref = load_reference()
    gen = DemoGenerator(ref, seed)
    lines = []
    for _ in range(rows):
        form = gen.worker(NOW.date()).form
        lines.append([form.nik, form.full_name, form.birth_date.strftime("%d/%m/%Y"),
                      "L" if form.sex == "M" else "P", form.phone, form.address,
                      form.kelurahan_code, ";".join(form.occupations), str(form.declared_income),
                      "tidak", "APBD", "ya"])
    return write_csv(path, lines)
