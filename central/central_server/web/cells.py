"""Spreadsheet cells that cannot run as formulas (CSV and XLSX exports).

A text cell that starts with = + - @, a tab or a carriage return is read by spreadsheet
programs as a formula (``=HYPERLINK(...)`` in a pushed name); it gets a leading apostrophe,
which they show as plain text. Control characters other than tab and newline are dropped.
Numbers stay numbers.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        return value
    text = _CONTROL.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text
