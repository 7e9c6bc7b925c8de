"""Writing tables that are safe to open in a spreadsheet.

A respondent's free text can begin with `=`, `+`, `-`, `@`, a tab or a carriage
return; Excel and LibreOffice then read the cell as a formula and may run it
(CSV injection, OWASP). Every table chorus writes (exports, the packet's CSVs and
workbook) goes through `write_csv` / `write_xlsx`, so the rule lives in one place.
Following OWASP, such a text cell is prefixed with a single quote, which
spreadsheets show as text; numbers are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LIMIT = 31
"""Excel's limit on a worksheet's name."""


def safe_cell(value: Any) -> Any:
    """`value`, or a text that a spreadsheet will not read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are all `safe_cell`."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    return safe


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` as UTF-8 CSV with no index, formula-safe."""
    # RFC 4180 line ends: fields holding a carriage return are then quoted too.
    safe_frame(frame).to_csv(path, index=False, lineterminator="\r\n")
    return path


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write one worksheet per frame, formula-safe; every cell is a value, never a formula."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name[:SHEET_NAME_LIMIT], index=False)
    return path
