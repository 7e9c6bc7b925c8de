"""`chorus org ...` and `chorus staff ...`: bootstrap an organization and its staff."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from surveys.crud.staff import InvitationRefused, hash_token, redeem_invitation
from surveys.models import AuditEvent, Campaign, Invitation, Organization, StaffMember
from tests.conftest import Cli, assert_one_line_error, cli_db
from tests.factories import make_campaign

LINK = re.compile(r"^link:\s+https://t\.me/chorus_test_bot\?start=(\S+)$", re.MULTILINE)
QR = re.compile(r"^QR:\s+(\S+)$", re.MULTILINE)


db = cli_db
"""A session on the database the commands use (shared: `tests.conftest.cli_db`)."""


def token_of(result) -> str:
    assert result.exit_code == 0, result.output
    match = LINK.search(result.stdout)
    assert match is not None, result.stdout
    return match.group(1)


@pytest.fixture
def org(cli: Cli) -> str:
    """An organization whose owner invitation was opened by chat 100."""
    token = token_of(cli("org", "create", "Casa Unida", "--timezone", "America/Chicago"))
    with db(cli) as session:
        redeem_invitation(session, token=token, chat_id=100, display_name="Ana", language="es")
    return "Casa Unida"


def test_org_create_prints_a_one_time_owner_invitation_and_its_qr(cli: Cli) -> None:
    result = cli("org", "create", "Casa Unida", "--timezone", "America/Chicago", "--language", "es")
    token = token_of(result)
    assert re.fullmatch(r"staff_[A-Za-z0-9]{32}", token)
    qr = QR.search(result.stdout)
    assert qr is not None
    assert Path(qr.group(1)).read_bytes().startswith(b"\x89PNG")
    with db(cli) as session:
        (organization,) = session.exec(select(Organization)).all()
        (invitation,) = session.exec(select(Invitation)).all()
    assert (organization.timezone, organization.default_language) == ("America/Chicago", "es")
    assert invitation.roles == "owner"
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash  # only the hash is kept
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (("org", "create", "X", "--timezone", "Mars/Olympus"), "unknown timezone"),
        (("org", "create", "X", "--language", "fr"), "unknown language"),
        (("org", "create", "   "), "organization name is empty"),
        (("org", "create", "X", "--min-group-size", "1"), "minimum group size"),
        (("org", "create", "X", "--escalation-minutes", "0"), "escalation time"),
        (("staff", "invite", "--org", "Nobody", "--role", "owner"), "no organization is named"),
        (("staff", "list", "--org", "Nobody"), "no organization is named"),
    ],
)
def test_bad_input_is_one_line(cli: Cli, args: tuple[str, ...], contains: str) -> None:
    assert_one_line_error(cli(*args), contains=contains)


def test_a_second_organization_of_the_same_name_is_refused(cli: Cli) -> None:
    token_of(cli("org", "create", "Casa Unida"))
    assert_one_line_error(cli("org", "create", "Casa Unida"), contains="already exists")


def test_invite_with_combined_roles_and_an_unknown_role(cli: Cli, org: str) -> None:
    assert_one_line_error(
        cli("staff", "invite", "--org", org, "--role", "facilitator,boss"), contains="'boss'"
    )
    token = token_of(
        cli("staff", "invite", "--org", org, "--role", "facilitator,safeguarding-lead")
    )
    with db(cli) as session:
        member = redeem_invitation(
            session, token=token, chat_id=200, display_name="Luz", language="en"
        )
        assert member.roles == "facilitator,safeguarding-lead"
        with pytest.raises(InvitationRefused) as refused:
            redeem_invitation(session, token=token, chat_id=300, display_name="X", language="en")
        assert refused.value.reason == "used"


def test_list_then_revoke(cli: Cli, org: str) -> None:
    listed = cli("staff", "list", "--org", org)
    assert listed.exit_code == 0, listed.output
    assert "Ana" in listed.stdout and "owner" in listed.stdout
    with db(cli) as session:
        (member,) = session.exec(select(StaffMember)).all()
    revoked = cli("staff", "revoke", "--org", org, str(member.id))
    assert revoked.exit_code == 0, revoked.output
    assert "No staff yet" in cli("staff", "list", "--org", org).stdout
    assert_one_line_error(
        cli("staff", "revoke", "--org", org, str(member.id)), contains="no active staff member"
    )
    with db(cli) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        stored = session.get(StaffMember, member.id)
    assert stored is not None and stored.revoked_at is not None
    assert actions == ["invitation.create", "invitation.accept", "staff.revoke"]


def test_an_expired_invitation_is_refused(cli: Cli) -> None:
    token = token_of(cli("org", "create", "Casa Unida"))
    later = datetime.now(UTC) + timedelta(hours=73)
    with db(cli) as session, pytest.raises(InvitationRefused) as refused:
        redeem_invitation(
            session, token=token, chat_id=1, display_name="A", language="en", now=later
        )
    assert refused.value.reason == "expired"


def test_org_list(cli: Cli) -> None:
    assert "No organizations yet" in cli("org", "list").stdout
    token_of(cli("org", "create", "Casa Unida", "--timezone", "Europe/Madrid"))
    listed = cli("org", "list").stdout
    assert "Casa Unida" in listed and "Europe/Madrid" in listed


def test_org_keeps_commands_to_one_organizations_campaigns(cli: Cli) -> None:
    assert cli("org", "list").exit_code == 0  # creates the database
    with db(cli) as session:
        ours = make_campaign(session, organization="Casa Unida", school="Lincoln")
        theirs = make_campaign(session, organization="Northside", school="Far Away High")
        ours_code, theirs_code = ours.code, theirs.code
    listed = cli("campaigns", "--org", "Casa Unida")
    assert listed.exit_code == 0, listed.output
    assert ours_code in listed.stdout and theirs_code not in listed.stdout
    for command in (("close", theirs_code), ("export", theirs_code)):
        refused = cli(*command, "--org", "Casa Unida")
        assert_one_line_error(refused, contains="is not one of Casa Unida's")
    assert_one_line_error(cli("campaigns", "--org", "Nobody"), contains="no organization")
    closed = cli("close", ours_code, "--org", "Casa Unida")
    assert closed.exit_code == 0, closed.output
    with db(cli) as session:
        statuses = {c.code: c.status for c in session.exec(select(Campaign)).all()}
    assert statuses == {ours_code: "closed", theirs_code: "open"}
