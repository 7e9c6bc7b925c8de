"""A campaign code that starts with '-' still works after `--` in every command taking a code.

Codes made before new codes stopped starting with '-' are still in people's databases.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from surveys.db import make_engine
from surveys.models import Campaign
from tests.conftest import Cli
from tests.factories import add_answers, make_respondent

CLUB = Path(__file__).parents[2] / "fixtures" / "surveys" / "club-pulse.yaml"
FUTURE = (date.today() + timedelta(days=30)).isoformat()
LAUNCH = ("launch", "club-pulse", "--org", "Bridges", "--school", "Lincoln", "--grade", "7",
          "--closes", FUTURE, "--allow-no-safeguarding-lead")  # fmt: skip
DASH_CODE = "-x9Qk2Lm"


@pytest.fixture
def dashed(cli: Cli) -> Cli:
    """One campaign whose code starts with '-', with one person's answers."""
    from bot.cli import report

    report.register(cli.app)
    assert cli("surveys", "add", CLUB).exit_code == 0
    launched = cli(*LAUNCH)
    assert launched.exit_code == 0, launched.output
    code = re.search(r"^code:\s+(\S+)$", launched.stdout, re.MULTILINE)
    assert code is not None
    engine = make_engine(cli.url)
    try:
        with Session(engine) as session:
            campaign = session.exec(select(Campaign).where(Campaign.code == code.group(1))).one()
            campaign.code = DASH_CODE
            session.add(campaign)
            person = make_respondent(session, campaign=campaign, chat_id=123456789)
            add_answers(session, respondent=person, answers={"b1": "4", "c1": "2"})
            session.commit()
    finally:
        engine.dispose()
    return cli


@pytest.mark.parametrize(
    "command",
    [
        ("flyer", "--", DASH_CODE),
        ("export", "--", DASH_CODE),
        ("report", "--format", "md", "--", DASH_CODE),
        ("close", "--", DASH_CODE),
    ],
    ids=lambda c: c[0],
)
def test_a_code_starting_with_a_dash_works_after_double_dash(
    dashed: Cli, command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = dashed(*command)
    assert result.exit_code == 0, result.output
    assert "No such option" not in result.output


def test_without_double_dash_the_code_reads_as_an_option(dashed: Cli) -> None:
    # The reason for `--`: this is what a user sees without it (a usage error, not a crash).
    result = dashed("close", DASH_CODE)
    assert result.exit_code == 2
