"""Read an import list (CSV or XLSX) row by row, with bounded memory and sane limits.

Nothing is read whole: CSV is decoded and parsed as a stream; XLSX is checked from its
zip directory (declared sizes, which ``zipfile`` enforces while inflating) before openpyxl
streams the first sheet. A file past a limit is refused before its rows are read.

CSV encodings: UTF-8 with or without BOM, UTF-16 with BOM, and otherwise Windows-1252,
which is what Excel's plain "CSV" is on Indonesian Windows. Delimiter: comma, semicolon
(Excel where the decimal separator is a comma) or tab, whichever the header line uses.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from agent_app.services.base import ServiceError

MAX_FILE_BYTES = 50_000_000  # a 45,000-row list is about 9 MB
MAX_ROWS = 100_000  # data rows; the city's biggest list is 45,000
MAX_COLUMNS = 64  # the format has 20; wider rows are cut, not read
MAX_XLSX_INFLATED = 200_000_000  # all members of the workbook, as declared in its zip
_DECODE_BLOCK = 1 << 20


class NumberCell(str):
    """Text of a cell Excel stored as a number (a 16-digit NIK in one has lost a digit)."""


def header_key(text: Any) -> str:
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


@contextmanager
def open_table(path: Path) -> Iterator[tuple[list[str], Iterator[list[str]]]]:
    """(header keys, data rows as lists of text), rows read one at a time.

    Raises ServiceError: import.unsupported, import.too_big, import.too_many_rows,
    import.not_xlsx, import.encoding or import.unreadable.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise ServiceError("import.unsupported")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ServiceError("import.unreadable", {"detail": exc.strerror or str(exc)}) from exc
    if size > MAX_FILE_BYTES:
        raise ServiceError("import.too_big", {"size_mb": round(size / 1e6), "max_mb": MAX_FILE_BYTES // 1_000_000})
    reader = _xlsx_rows if suffix in (".xlsx", ".xlsm") else _csv_rows
    try:
        with reader(path) as rows:
            header: list[str] = []
            for values in rows:
                if any(str(v).strip() for v in values):
                    header = [header_key(v) for v in values]
                    break
            yield header, _limited(rows)
    except ServiceError:
        raise
    except UnicodeDecodeError as exc:
        raise ServiceError("import.encoding") from exc
    except zipfile.BadZipFile as exc:
        raise ServiceError("import.not_xlsx") from exc
    except (OSError, csv.Error, ValueError, KeyError, EOFError) as exc:
        raise ServiceError("import.unreadable", {"detail": str(exc) or type(exc).__name__}) from exc


def _limited(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """Non-empty data rows, refusing the file past MAX_ROWS."""
    count = 0
    for values in rows:
        if not any(str(v).strip() for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ServiceError("import.too_many_rows", {"max": MAX_ROWS})
        yield values


def csv_encoding(path: Path) -> str:
    """The encoding of a CSV file: from its BOM, else UTF-8 if every byte decodes as
    UTF-8, else Windows-1252 (checked block by block, never the whole file at once)."""
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := handle.read(_DECODE_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


@contextmanager
def _csv_rows(path: Path) -> Iterator[Iterator[list[str]]]:
    with path.open(encoding=csv_encoding(path), errors="strict", newline="") as handle:
        first = handle.readline()
        # The header names hold no delimiter, so the one the header uses most is it
        # (csv.Sniffer guesses from quoting and can pick a letter on short samples).
        delimiter = max((",", ";", "\t"), key=first.count)
        handle.seek(0)
        yield csv.reader(handle, delimiter=delimiter)


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[Iterator[list[str]]]:
    if not zipfile.is_zipfile(path):
        raise ServiceError("import.not_xlsx")
    with zipfile.ZipFile(path) as archive:
        inflated = sum(member.file_size for member in archive.infolist())
    if inflated > MAX_XLSX_INFLATED:
        raise ServiceError("import.too_big", {"size_mb": round(inflated / 1e6),
                                              "max_mb": MAX_XLSX_INFLATED // 1_000_000})
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise ServiceError("import.not_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise ServiceError("import.not_xlsx")
        sheet = workbook.worksheets[0]
        yield ([_cell_text(v) for v in row]
               for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return NumberCell(str(int(value)) if float(value).is_integer() else str(value).strip())
    return str(value)
