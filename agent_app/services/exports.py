"""Atomic CSV and XLSX writers for reports (Qt-free).

A file appears complete or not at all: written to a temporary file in the same folder,
flushed to disk, then renamed over the target. The GUI passes translated titles and
headers; cells are plain values (int, str, None).

A file says what it is: ``heading`` lines (the report's name, its period) come first, in
the CSV once and on every XLSX sheet; the CSV holds every table, one after the other,
each under its title, the XLSX one sheet per table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_app.files import atomic_path, atomic_write_text
from agent_app.services.reports import CancelLike, ProgressFn, checkpoint
from perisai_protocol.spreadsheets import safe_cell


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[Sequence[Any]]
    money_columns: tuple[int, ...] = ()  # column indexes shown as rupiah in XLSX


def write_csv(path: Path, tables: Table | Sequence[Table], *, heading: Sequence[str] = (),
              progress: ProgressFn | None = None, cancel: CancelLike | None = None) -> int:
    """A table, or several one after the other, as one CSV (UTF-8 with BOM so Excel shows
    the names right). Returns the rows written."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in heading:
        writer.writerow([safe_cell(line)])
    total = sum(len(t.rows) for t in tables)
    done = 0
    for table in tables:
        if heading or len(tables) > 1:
            writer.writerow([])
            writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(h) for h in table.headers])
        for row in table.rows:
            if done % 5000 == 0:
                checkpoint(cancel, progress, done, total)
            writer.writerow(["" if v is None else safe_cell(v) for v in row])
            done += 1
    checkpoint(cancel, progress, total, total)
    atomic_write_text(Path(path), buffer.getvalue())
    return total


def write_xlsx(path: Path, tables: Sequence[Table], *, heading: Sequence[str] = (),
               progress: ProgressFn | None = None, cancel: CancelLike | None = None) -> int:
    """Tables as sheets of one workbook (write-only mode: low memory for big tables)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    total = sum(len(t.rows) for t in tables) or 1
    done = 0
    wb = Workbook(write_only=True)
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.title))
        for line in heading:
            ws.append([safe_cell(line)])
        if heading:
            ws.append([])
        header = []
        for h in table.headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in table.rows:
            if done % 5000 == 0:
                checkpoint(cancel, progress, done, total)
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(ws, value=safe_cell(value))
                if index in table.money_columns:
                    cell.number_format = '"Rp" #,##0'
                cells.append(cell)
            ws.append(cells)
            done += 1
    checkpoint(cancel, progress, total, total)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return done


def _sheet_title(title: str) -> str:
    bad = '[]:*?/\\'
    clean = "".join("-" if ch in bad else ch for ch in title).strip() or "Sheet"
    return clean[:31]
