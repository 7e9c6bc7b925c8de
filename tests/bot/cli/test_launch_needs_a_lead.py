"""No lead, no launch: only an active safeguarding lead of the campaign's own organization
lets a student campaign launch; caregiver campaigns need none (no student writes there)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from surveys.models import Campaign, StaffMember
from tests.bot.cli.test_campaigns_cli import CLUB, LAUNCH, all_campaigns, db, launched_code
from tests.conftest import Cli, assert_one_line_error
from tests.factories import make_staff


def test_a_lead_of_another_organization_does_not_count(cli: Cli) -> None:
    assert cli("surveys", "add", CLUB).exit_code == 0
    with db(cli) as session:
        make_staff(session, organization="Casa Aurora", roles="safeguarding-lead", chat_id=9)
    assert_one_line_error(cli(*LAUNCH), contains="Bridges Tutoring has no safeguarding lead")
    assert all_campaigns(cli) == []


def test_a_revoked_lead_does_not_count(cli: Cli) -> None:
    assert cli("surveys", "add", CLUB).exit_code == 0
    with db(cli) as session:
        make_staff(session, organization="Bridges Tutoring", roles="safeguarding-lead", chat_id=9)
    launched_code(cli(*LAUNCH))  # with the lead in: launched
    with db(cli) as session:
        (lead,) = session.exec(select(StaffMember)).all()
        lead.revoked_at = datetime.now(UTC)
        session.add(lead)
    assert_one_line_error(cli(*LAUNCH), contains="has no safeguarding lead")
    assert len(all_campaigns(cli)) == 1


def test_a_caregiver_campaign_needs_no_lead(cli: Cli) -> None:
    args = ("launch", "caregiver-belonging", *LAUNCH[2:])
    result = cli(*args)
    launched_code(result)
    assert "reaches no adult" not in result.stderr
    with db(cli) as session:
        (campaign,) = session.exec(select(Campaign)).all()
        assert campaign.audience == "caregiver"
