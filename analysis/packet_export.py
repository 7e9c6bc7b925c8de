"""The packet's tables as an XLSX workbook and CSV files, through `analysis.spreadsheet`.

Respondents' words are in these tables, so they are written formula-safe like every
other table chorus writes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from analysis.packet_model import Report
from analysis.spreadsheet import write_csv, write_xlsx


def for_export(frame: pd.DataFrame) -> pd.DataFrame:
    """Flatten lists and drop time zones: Excel and CSV readers want plain cells."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
        elif out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
            if out[col].map(lambda v: isinstance(v, datetime)).any():
                out[col] = out[col].map(
                    lambda v: v.replace(tzinfo=None) if isinstance(v, datetime) else v
                )
    return out


def write_tables_xlsx(report: Report, path: Path) -> Path:
    return write_xlsx({name: for_export(f) for name, f in report.tables.items()}, path)


def write_tables_csv(report: Report, directory: Path) -> tuple[Path, ...]:
    directory.mkdir(parents=True, exist_ok=True)
    return tuple(
        write_csv(for_export(frame), directory / f"{name}.csv")
        for name, frame in report.tables.items()
    )
