"""Alerts never reach an export or a packet: nothing that writes files reads the alert table.

The alert here carries a marker found nowhere else, so only a read of the alert table
could put it in a file; the flagged answer itself is never quoted (tests/analysis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli.app import app
from surveys.crud.alerts import raise_alert
from surveys.crud.organizations import create_organization
from tests.analysis.seeding import Seed, Text

runner = CliRunner()
MARKER = "ALERTONLY7f3c my uncle hurts me"


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CHORUS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with Session(engine) as session:
        seed = Seed(session)
        campaign = seed.campaign(seed.survey("pulse_student"), "S1", roster_size=30)
        campaign.organization_id = create_organization(session, name="Org").id
        session.add(campaign)
        seed.many(campaign, 12, {"b1": 4, "b2": 2, "c1": 5, "n1": Text("More tutoring")})
        seed.respondent(campaign, {"b1": 2, "n1": Text("I want to die", flagged=True)})
        assert campaign.id is not None
        raise_alert(session, campaign_id=campaign.id, question_id="n1", text=MARKER)
        session.commit()
    return engine


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":  # compressed: read the cells
        workbook = load_workbook(path, read_only=True)
        return "\n".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
            for value in row
        )  # fmt: skip
    return path.read_bytes().decode("utf-8", "replace")


def _everything_under(folder: Path) -> str:
    return "\n".join(_text_of(path) for path in folder.rglob("*") if path.is_file())


def test_an_export_holds_no_alert(database: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "exports"  # apart from the test's SQLite file, which holds the alert
    for fmt in ("csv", "xlsx"):
        target = folder / f"answers.{fmt}"
        result = runner.invoke(app, ["export", "S1", "--format", fmt, "--out", str(target)])
        assert result.exit_code == 0, result.output
    written = _everything_under(folder)
    assert written.count("More tutoring") == 24  # both files carry the open answers
    assert "ALERTONLY7f3c" not in written


def test_a_packet_holds_no_alert(database: Engine, tmp_path: Path) -> None:
    out = tmp_path / "packet"
    args = ["report", "S1", "--out", str(out), "--format", "html,md,csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = _everything_under(out)
    assert "ALERTONLY7f3c" not in written
    assert "I want to die" not in written  # and the flagged answer is never quoted
