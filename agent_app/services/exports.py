"""Atomic CSV and XLSX writers for reports (Qt-free).

A file appears complete or not at all: written to a temporary file in the same folder,
flushed to disk, then renamed over the target. The GUI passes translated titles and
headers; cells are plain values (int, str, None).
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


def write_csv(path: Path, table: Table, *, progress: ProgressFn | None = None,
              cancel: CancelLike | None = None) -> int:
    """One table as CSV (UTF-8 with BOM so Excel shows the names right). Returns rows."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    total = len(table.rows)
    for i, row in enumerate(table.rows):
        if i % 5000 == 0:
            checkpoint(cancel, progress, i, total)
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    checkpoint(cancel, progress, total, total)
    atomic_write_text(Path(path), buffer.getvalue())
    return total


def write_xlsx(path: Path, tables: list[Table], *, progress: ProgressFn | None = None,
               cancel: CancelLike | None = None) -> int:
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
