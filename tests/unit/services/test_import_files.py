"""Reading the city's lists as they really come: big files, Excel's encodings and number
cells, files with the wrong name, and formulas in the report."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from agent_app.services import import_files
from agent_app.services.base import ServiceError
from tests.helpers.forms import GOOD, HEADER, write_csv

ROW_CP1252 = GOOD[:5] + ["Jl. Sa’dan No. 5 – Blok B"] + GOOD[6:]


def refusal(core, path) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        core.importer.preview(path)
    error = info.value
    assert error.text("id") != error.code and error.text("en") != error.code
    assert error.text("id") != error.text("en")
    return error


def refusal_and_peak_memory(core, path) -> tuple[ServiceError, int]:
    tracemalloc.start()
    try:
        error = refusal(core, path)
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_past_the_size_limit_is_refused_without_being_read(core, tmp_path):
    path = tmp_path / "daftar.csv"
    with path.open("wb") as handle:
        handle.write((",".join(HEADER) + "\n").encode())
        handle.truncate(200_000_000)  # sparse: 200 MB on paper, nothing on disk
    error, peak = refusal_and_peak_memory(core, path)
    assert error.code == "import.too_big" and "200 MB" in error.text("id")
    assert peak < 5_000_000


def test_rows_are_read_as_a_stream_and_refused_past_the_row_limit(core, tmp_path, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    path = write_csv(tmp_path / "daftar.csv", [GOOD] * 4)
    error = refusal(core, path)
    assert error.code == "import.too_many_rows" and "3" in error.text("en")
    assert core.importer.preview(write_csv(tmp_path / "ok.csv", [GOOD] * 3)).rows


def test_a_zip_bomb_named_xlsx_is_refused_from_its_directory(core, tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    book.save(tmp_path / "real.xlsx")
    bomb = tmp_path / "daftar.xlsx"
    with zipfile.ZipFile(tmp_path / "real.xlsx") as real, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for item in real.infolist():
            if item.filename != "xl/sharedStrings.xml":
                out.writestr(item, real.read(item))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         b"<si><t>")
            block = b"A" * 1_000_000
            for _ in range(250):
                member.write(block)
            member.write(b"</t></si></sst>")
    assert bomb.stat().st_size < 2_000_000
    error, peak = refusal_and_peak_memory(core, bomb)
    assert error.code == "import.too_big"
    assert peak < 20_000_000


@pytest.mark.parametrize("encoding, delimiter", [("cp1252", ";"), ("cp1252", ","),
                                                 ("utf-8", ";"), ("utf-8-sig", ","),
                                                 ("utf-8-sig", ";"), ("utf-16", "\t")])
def test_excel_csv_in_the_encodings_windows_writes(core, tmp_path, encoding, delimiter):
    path = tmp_path / "daftar.csv"
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerow(ROW_CP1252)
    report = core.importer.preview(path)
    assert [r.status for r in report.rows] == ["valid"], report.rows[0].messages("en")
    assert report.rows[0].form.address == "Jl. Sa’dan No. 5 – Blok B"


def test_bytes_no_windows_encoding_has_are_a_clear_refusal(core, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode() + b"737101\x81\x8d\xff,x\n")
    assert refusal(core, path).code == "import.encoding"


def test_a_nik_in_a_number_cell_is_refused_with_how_to_fix_it(core, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    as_number = [7371014107900000] + GOOD[1:]  # what Excel kept of 7371014107900001
    sheet.append(as_number)
    sheet.append(GOOD[:1] + ["Andi Text"] + GOOD[2:])  # the same NIK typed as text
    book.save(tmp_path / "daftar.xlsx")
    report = core.importer.preview(tmp_path / "daftar.xlsx")
    number_row, text_row = report.rows
    assert number_row.status == "invalid" and text_row.status == "valid"
    assert "Format kolom nik sebagai Teks" in number_row.messages("id")
    assert "Format the nik column as Text" in number_row.messages("en")


@pytest.mark.parametrize("content", [b"nik,nama\n7371,Andi\n", b"", b"PK\x03\x04 broken"])
def test_a_file_that_is_not_a_workbook_named_xlsx_is_a_clear_refusal(core, tmp_path, content):
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(content)
    error = refusal(core, path)
    assert error.code == "import.not_xlsx"
    assert "Excel" in error.text("id") and "Excel" in error.text("en")


def test_report_cells_cannot_run_as_spreadsheet_formulas(core, tmp_path):
    hostile = ["=HYPERLINK(\"http://x\",\"klik\")", "+62 812", "-1+2", "@SUM(A1)", "\tTab", "\rCR"]
    rows = [[nik, name] + GOOD[2:] for nik, name in zip(["=1+1", "+7371+1", "-cmd", "@x", "\t1", "\r2"],
                                                        hostile, strict=True)]
    report = core.importer.preview(write_csv(tmp_path / "daftar.csv", rows))
    out = tmp_path / "laporan.csv"
    report.write_csv(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for line in list(csv.reader(handle))[1:] for cell in line]
    assert cells, "the report has rows"
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://x\",\"klik\")" in cells
