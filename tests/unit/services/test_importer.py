"""Importing the city's CSV/XLSX lists: preview, row-by-row report, all-or-nothing commit."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from agent_app.services.base import ServiceError
from agent_app.store.models import OutboxOp, Worker
from tests.helpers.forms import GOOD, HEADER, make_form, write_csv

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "resources/samples/daftar_pekerja_apbd_contoh.csv"
def count(core, model) -> int:
    with core.db.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_sample_file_imports_completely(core, clerk):
    report = core.importer.preview(SAMPLE)
    assert report.counts()["valid"] == 20 and not report.refused
    assert core.importer.commit(clerk, report) == 20
    assert count(core, Worker) == 20 and count(core, OutboxOp) == 20
    with core.db.read() as s:
        funding = {w.programmes for w in s.exec(select(Worker))}
    assert all('"jkk": "apbd"' in f for f in funding)


def test_report_explains_each_refused_row(core, user, clerk, tmp_path):
    core.workers.register(user, make_form(
        nik="7371010101800002", full_name="Baso Daeng Nai",
        birth_date=__import__("datetime").date(1980, 1, 1), sex="M"))
    rows = [
        GOOD,
        GOOD[:1] + ["Sitti Kembar"] + GOOD[2:],                 # same NIK as row 1
        ["7371010101800002", "Baso Daeng Nai", "01/01/1980", "L", "", "Jl. Kandea", "Bontorannu",
         "Nelayan", "1500000", "tidak", "APBD", "ya"],           # already on the device
        ["12345", "Andi", "31/02/1990", "L", "0812", "Jl. X", "Kelurahan Entah", "Astronot",
         "500000", "mungkin", "APBD", "ya"],                     # many problems
    ]
    report = core.importer.preview(write_csv(tmp_path / "list.csv", rows, delimiter=";"))
    assert [r.status for r in report.rows] == ["valid", "duplicate_file", "duplicate_store", "invalid"]
    bad = report.rows[3].messages("id")
    assert "NIK harus 16 digit" in bad and "tanggal_lahir" in bad and "jht" in bad
    assert "baris 1" in report.rows[1].messages("id")
    out = tmp_path / "laporan.csv"
    report.write_csv(out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "baris,nik,nama,status,keterangan" and len(lines) == 5
    before = count(core, Worker)
    assert core.importer.commit(clerk, report) == 1
    assert count(core, Worker) == before + 1


def test_the_report_never_turns_an_imported_cell_into_a_formula(core, tmp_path):
    rows = [["=HYPERLINK(\"http://evil.example\",\"Klik\")"] + GOOD[1:],
            GOOD[:1] + ["@SUM(A1:A9)"] + GOOD[2:]]
    report = core.importer.preview(write_csv(tmp_path / "list.csv", rows))
    out = tmp_path / "laporan.csv"
    report.write_csv(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in list(csv.reader(handle))[1:] for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"Klik\")" in cells and "'@SUM(A1:A9)" in cells
    assert not any(cell.startswith(("=", "@", "+", "-")) for cell in cells)


def test_xlsx_list_and_missing_columns(core, user, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(GOOD)
    book.save(tmp_path / "list.xlsx")
    report = core.importer.preview(tmp_path / "list.xlsx")
    assert report.counts()["valid"] == 1
    broken = core.importer.preview(write_csv(tmp_path / "b.csv", [GOOD[:3]], header=HEADER[:3]))
    assert broken.rows == [] and "persetujuan" in broken.file_issues[0].text("id")
    with pytest.raises(ServiceError) as info:
        core.importer.preview(tmp_path / "list.pdf")
    assert info.value.code == "import.unsupported"


def test_commit_is_all_or_nothing(core, user, clerk, tmp_path):
    report = core.importer.preview(SAMPLE)
    # Another clerk registers one of the listed people between preview and commit.
    from tests.helpers.forms import make_form

    row = report.rows[5].form
    core.workers.register(user, make_form(nik=row.nik, full_name=row.full_name, birth_date=row.birth_date,
                                          sex=row.sex, kelurahan_code=row.kelurahan_code))
    with pytest.raises(ServiceError):
        core.importer.commit(clerk, report)
    assert count(core, Worker) == 1 and count(core, OutboxOp) == 1


def test_agents_may_not_import(core, user):
    report = core.importer.preview(SAMPLE)
    with pytest.raises(ServiceError) as info:
        core.importer.commit(user, report)
    assert info.value.code == "access.denied"
    assert count(core, Worker) == 0


def test_headless_import_command_reports_and_exits_non_zero_on_refused_rows(tmp_path):
    data_dir = tmp_path / "data"
    # The real keyring code path, with a file backend standing in for Credential Manager.
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    first_user = [sys.executable, "-c",
                  "import sys; from agent_app.services.core import open_core; from agent_app.paths import app_paths;"
                  "c=open_core(app_paths(sys.argv[1])); c.users.create_user(username='koperasi', "
                  "full_name='Koperasi', role='clerk', password='rahasia-koperasi'); c.close()",
                  str(data_dir)]
    subprocess.run(first_user, check=True, env=env, timeout=60)
    bad = write_csv(tmp_path / "bad.csv", [GOOD, ["1", "X", "", "", "", "", "", "", "", "", "", ""]])
    cmd = [sys.executable, "-m", "agent_app", "--data-dir", str(data_dir), "import", str(bad),
           "--report", str(tmp_path / "r.csv"), "--user", "koperasi", "--password-stdin"]
    result = subprocess.run(cmd, input="rahasia-koperasi\n", capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 3, result.stderr
    assert "1 diterima, 1 ditolak" in result.stdout
    assert (tmp_path / "r.csv").exists()
    ok = subprocess.run(cmd[:6] + [str(SAMPLE)] + cmd[7:], input="rahasia-koperasi\n",
                        capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    wrong = subprocess.run(cmd, input="salah\n", capture_output=True, text=True, env=env, timeout=60)
    assert wrong.returncode == 1 and "salah" in wrong.stderr.lower()


def test_superscript_digits_are_not_numbers(core, tmp_path):
    """"²" counts as a digit for str.isdigit() but not for int(): it used to crash the preview."""
    row = GOOD[:8] + ["²"] + GOOD[9:]
    report = core.importer.preview(write_csv(tmp_path / "list.csv", [row]))
    assert [r.status for r in report.rows] == ["invalid"]
    assert any(i.field == "declared_income" for i in report.rows[0].issues)
    header = HEADER + ["desil"]
    report = core.importer.preview(write_csv(tmp_path / "desil.csv", [GOOD + ["³"]], header=header))
    assert [r.status for r in report.rows] == ["invalid"]
    assert "desil" in report.rows[0].messages("en").lower()
