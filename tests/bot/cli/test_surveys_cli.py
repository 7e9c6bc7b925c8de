from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlmodel import Session, select
from typer.main import get_command

from surveys.db import make_engine
from surveys.loader import builtin_surveys, load_survey_file
from surveys.models import SurveyRecord
from tests.conftest import Cli, assert_one_line_error

FIXTURES = Path(__file__).parents[2] / "fixtures" / "surveys"
CLUB = FIXTURES / "club-pulse.yaml"
BROKEN = FIXTURES / "broken-indent.yaml"


def stored(cli: Cli) -> list[tuple[str, str]]:
    engine = make_engine(cli.url)
    with Session(engine) as session:
        rows = session.exec(select(SurveyRecord).order_by(SurveyRecord.survey_id)).all()
        result = [(r.survey_id, r.version_hash) for r in rows]
    engine.dispose()
    return result


def test_the_real_app_has_these_commands() -> None:
    from bot.cli import app

    command = get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    names = set(command.commands)
    assert {"surveys", "launch", "campaigns", "close", "export", "flyer", "demo"} <= names


def test_validate_prints_id_version_hash_and_count(cli: Cli) -> None:
    survey = load_survey_file(CLUB)
    result = cli("surveys", "validate", CLUB)
    assert result.exit_code == 0
    assert (
        result.stdout.split()
        == (
            f"OK club-pulse version 2026.1 (hash {survey.version_hash}): 3 questions, "
            "for student, in en, es"
        ).split()
    )
    assert not (cli.data_dir / "chorus.db").exists()  # validating stores nothing


def test_validate_a_malformed_file_shows_the_loader_line(cli: Cli) -> None:
    result = cli("surveys", "validate", BROKEN)
    assert_one_line_error(result, contains="broken-indent.yaml: line 5: invalid YAML")


def test_validate_a_missing_file(cli: Cli) -> None:
    assert_one_line_error(
        cli("surveys", "validate", "nope.yaml"), contains="nope.yaml: file not found"
    )


def test_add_stores_once_and_builtins_come_with_the_database(cli: Cli) -> None:
    club = load_survey_file(CLUB)
    first = cli("surveys", "add", CLUB)
    second = cli("surveys", "add", CLUB)
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.stdout.startswith("stored club-pulse")
    assert second.stdout.startswith("already stored club-pulse")
    expected = sorted(
        [(s.id, s.version_hash) for s in builtin_surveys()] + [(club.id, club.version_hash)]
    )
    assert stored(cli) == expected


def test_add_builtin(cli: Cli) -> None:
    result = cli("surveys", "add", "--builtin")
    assert result.exit_code == 0
    assert stored(cli) == sorted((s.id, s.version_hash) for s in builtin_surveys())
    assert result.stdout.count("stored built-in") == len(builtin_surveys())


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        ((), "give either a survey FILE or --builtin"),
        ((CLUB, "--builtin"), "give either a survey FILE or --builtin"),
        ((BROKEN,), "broken-indent.yaml: line 5"),
    ],
)
def test_add_bad_input(cli: Cli, args: tuple, contains: str) -> None:
    assert_one_line_error(cli("surveys", "add", *args), contains=contains)


def test_list_shows_every_version_and_marks_the_newest(cli: Cli) -> None:
    cli("surveys", "add", CLUB)
    changed = CLUB.read_text("utf-8").replace('version: "2026.1"', 'version: "2026.2"')
    newer = cli.data_dir.parent / "club-pulse-2.yaml"
    newer.write_text(changed, "utf-8")
    cli("surveys", "add", newer)
    result = cli("surveys", "list")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines() if "club-pulse" in line]
    assert len(rows) == 2
    assert rows[0][:3] == ["club-pulse", "2026.1", load_survey_file(CLUB).version_hash]
    assert rows[1][:4] == ["club-pulse", "2026.2", "*", load_survey_file(newer).version_hash]
