"""`chorus report` end to end: files written, and bad input as one line with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli.app import app
from tests.analysis.seeding import Seed

runner = CliRunner()


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CHORUS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with Session(engine) as session:
        seed = Seed(session)
        camp = seed.campaign(seed.survey("pulse_student"), "S1", roster_size=30)
        seed.many(camp, 12, {"b1": 4, "b2": 2, "c1": 5})
        session.commit()
    return engine


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


def test_writes_every_format(database: Engine, tmp_path: Path) -> None:
    out = tmp_path / "packet"
    result = runner.invoke(app, ["report", "S1", "--out", str(out), "--language", "es"])
    assert result.exit_code == 0, result.output
    html = (out / "packet-es.html").read_text()
    assert "Pertenencia" in html
    assert (out / "packet-es.md").exists()
    assert (out / "tables-es.xlsx").exists()
    assert (out / "csv-es" / "items.csv").exists()
    assert (out / "packet-es.pdf").read_bytes().startswith(b"%PDF")
    assert "packet-es.html" in result.output and "packet-es.pdf" in result.output


def test_bilingual_packet_side_by_side(database: Engine, tmp_path: Path) -> None:
    args = ["report", "S1", "--out", str(tmp_path), "--language", "en+es", "--format", "html"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "packet-en+es.html").read_text()
    assert "Belonging" in html and "Pertenencia" in html


def test_only_the_formats_asked_for(database: Engine, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "S1", "--out", str(tmp_path), "--format", "md,csv"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "packet-en.md").exists()
    assert not (tmp_path / "packet-en.html").exists()
    assert not (tmp_path / "tables-en.xlsx").exists()


def test_min_n_above_the_group_hides_it(database: Engine, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "S1", "--out", str(tmp_path), "--min-n", "13"])
    assert result.exit_code == 0, result.output
    assert "fewer than 13 responses" in (tmp_path / "packet-en.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "NOPE"], "unknown campaign code: NOPE"),
        (["report", "S1", "--format", "docx"], "unknown format docx"),
        (["report", "S1", "--language", "fr"], "unknown language 'fr'"),
        (["report", "S1", "--min-n", "0"], "--min-n must be at least 1"),
    ],
)
def test_bad_input_is_one_line(database: Engine, tmp_path: Path, args, message) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert message in _one_line_error(result)
