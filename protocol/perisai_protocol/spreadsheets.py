"""Text cells for the CSV and XLSX files either end writes (reports, exports, import reports).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: a participant named ``=HYPERLINK(...)`` would run in the
office's Excel. Such a cell is written with a leading apostrophe, which spreadsheets show
as plain text; a plain number ("-5", "+62...") stays a number. Control characters, which
no name may hold but older records or imported lists might, become U+FFFD: visible, and
harmless to CSV readers and to XLSX (which refuses them).
"""

from __future__ import annotations

from typing import Any

from perisai_protocol import CONTROL_CHARACTERS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell may hold it (non-text values unchanged)."""
    if not isinstance(value, str):
        return value
    text = value
    if text.startswith(FORMULA_START) and not _is_number(text):
        text = "'" + text
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def _is_number(text: str) -> bool:
    try:
        int(text)
        return True
    except ValueError:
        return False
