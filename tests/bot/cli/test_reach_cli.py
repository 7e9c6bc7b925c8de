"""`chorus share`, `chorus purge`, and the reach options of `launch`, `org create`, `campaigns`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import campaigns, reach, staff, surveys
from surveys.crud.organizations import get_organization
from surveys.models import Campaign, Contact, OutboxMessage, OutboxPriority
from tests.conftest import Cli, assert_one_line_error, cli_db
from tests.sharing_seed import closed_campaign, crowd

FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def rcli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHORUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chorus_test_bot")
    monkeypatch.setenv("COLUMNS", "120")
    app = typer.Typer(pretty_exceptions_enable=False)
    for module in (surveys, campaigns, staff, reach):
        module.register(app)
    return Cli(app=app, data_dir=tmp_path / "data")


db = cli_db
"""A session on the database the commands use (shared: `tests.conftest.cli_db`)."""


def _closed(cli: Cli, people: int = 6) -> str:
    assert cli("surveys", "list").exit_code == 0  # creates the database
    with db(cli) as session:
        return closed_campaign(session, crowd(people)).code


def _bulk_rows(cli: Cli) -> int:
    with db(cli) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {r.priority for r in rows} <= {OutboxPriority.BULK}
        return len(rows)


def test_share_previews_asks_and_sends_once(rcli: Cli) -> None:
    code = _closed(rcli)
    refused = CliRunner().invoke(rcli.app, ["share", code], input="n\n")
    assert refused.exit_code == 1
    assert "6 people answered." in refused.stdout
    assert "Send the results to 6 people?" in refused.stdout
    assert _bulk_rows(rcli) == 0
    sent = rcli("share", code, "--yes")
    assert sent.exit_code == 0, sent.output
    assert "Queued the results for 6 people." in sent.stdout
    assert "queued 6, sent 0, failed 0" in sent.stdout
    again = rcli("share", code, "--yes")
    assert again.exit_code == 0
    assert "Nothing new to send" in again.stdout
    assert _bulk_rows(rcli) == 6


def test_share_refuses_an_open_campaign_and_a_small_one(rcli: Cli) -> None:
    code = _closed(rcli, people=2)
    assert_one_line_error(rcli("share", code, "--yes"), contains="fewer than 3 people")
    with db(rcli) as session:
        campaign = session.exec(select(Campaign).where(Campaign.code == code)).one()
        campaign.status = "open"
        campaign.closes_at = datetime.now(UTC) + timedelta(days=1)
        session.add(campaign)
    assert_one_line_error(rcli("share", code, "--yes"), contains="still taking answers")
    assert_one_line_error(rcli("share", "nope", "--yes"), contains="no campaign has the code")


def test_purge_dry_run_then_purge(rcli: Cli) -> None:
    code = _closed(rcli)
    with db(rcli) as session:
        campaign = session.exec(select(Campaign).where(Campaign.code == code)).one()
        assert campaign.closes_at is not None
        campaign.closes_at = campaign.closes_at - timedelta(days=91)
        session.add(campaign)
    dry = rcli("purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would remove for 1 campaign(s): 6 contact(s)" in dry.stdout
    done = rcli("purge")
    assert "Removed for 1 campaign(s): 6 contact(s)" in done.stdout
    with db(rcli) as session:
        assert session.exec(select(Contact)).all() == []
    assert "0 contact(s)" in rcli("purge").stdout


def test_launch_takes_a_reminder_schedule(rcli: Cli) -> None:
    launch = ("launch", "caregiver-belonging", "--org", "Bridges", "--school", "Lincoln",
              "--grade", "7", "--closes", FUTURE)  # fmt: skip
    result = rcli(*launch, "--reminders", "30m,2d")
    assert result.exit_code == 0, result.output
    assert rcli(*launch, "--reminders", "none").exit_code == 0
    with db(rcli) as session:
        schedules = [c.reminders for c in session.exec(select(Campaign).order_by(Campaign.id))]
    assert schedules == ["1800,172800", ""]
    listed = " ".join(rcli("campaigns").stdout.split())
    assert "reminders 30m, 48h" in listed and "reminders none" in listed
    assert "0 reminded" in listed
    assert_one_line_error(rcli(*launch, "--reminders", "24"), contains="--reminders")
    assert_one_line_error(rcli(*launch, "--reminders", "10s"), contains="30m, 24h or 3d")


def test_org_create_takes_quiet_hours_and_retention(rcli: Cli) -> None:
    made = rcli("org", "create", "Night Owls", "--quiet-hours", "none", "--retention-days", "30")
    assert made.exit_code == 0, made.output
    assert rcli("org", "create", "Early Birds").exit_code == 0
    with db(rcli) as session:
        owls = get_organization(session, name="Night Owls")
        birds = get_organization(session, name="Early Birds")
        assert owls is not None and birds is not None
        assert (owls.quiet_hours, owls.retention_days) == ("", 30)
        assert (birds.quiet_hours, birds.retention_days) == ("19:00-09:00", 90)
    assert_one_line_error(
        rcli("org", "create", "X", "--quiet-hours", "7pm-9am"), contains="HH:MM-HH:MM"
    )
    assert_one_line_error(
        rcli("org", "create", "Y", "--retention-days", "0"), contains="retention in days"
    )
