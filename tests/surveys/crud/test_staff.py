"""Invitations, membership, revocation and the audit log (surveys/crud/staff.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from surveys.crud.organizations import create_organization
from surveys.crud.staff import (
    INVITATION_PREFIX,
    InvitationRefused,
    StaffError,
    active_member,
    check_safeguarding_lead,
    create_invitation,
    hash_token,
    list_staff,
    looks_like_invitation,
    member_roles,
    members_with_role,
    new_invitation_token,
    redeem_invitation,
    revoke_member,
)
from surveys.models import AuditEvent, Invitation, Organization, StaffMember
from surveys.roles import StaffRole

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def org(session: Session) -> Organization:
    return create_organization(session, name="Bridges Tutoring", timezone="America/Chicago")


def issue(session: Session, org: Organization, *roles: StaffRole, now: datetime = NOW) -> str:
    return create_invitation(session, organization=org, roles=frozenset(roles), now=now).token


def redeem(session: Session, token: str, chat_id: int = 1, now: datetime = NOW) -> StaffMember:
    return redeem_invitation(
        session, token=token, chat_id=chat_id, display_name="Ana", language="es", now=now
    )


def test_tokens_are_long_random_safe_payloads() -> None:
    tokens = {new_invitation_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        body = token.removeprefix(INVITATION_PREFIX)
        assert re.fullmatch(r"[A-Za-z0-9_]+", token)
        assert not token.startswith("-")
        assert len(token) <= 64
        assert len(body) * 5.95 >= 128  # log2(62) bits per character
        assert looks_like_invitation(token)
    assert not looks_like_invitation("staff_short")
    assert not looks_like_invitation("AbCdEfGh12345678")  # a campaign code


def test_only_the_hash_is_stored(session: Session, org: Organization) -> None:
    token = issue(session, org, StaffRole.OWNER)
    stored = session.exec(select(Invitation)).one()
    assert stored.token_hash == hash_token(token) != token
    assert token not in stored.token_hash


def test_an_invitation_is_single_use(session: Session, org: Organization) -> None:
    token = issue(session, org, StaffRole.FACILITATOR)
    member = redeem(session, token)
    assert member_roles(member) == {StaffRole.FACILITATOR}
    with pytest.raises(InvitationRefused) as refused:
        redeem(session, token, chat_id=2)
    assert refused.value.reason == "used"
    assert active_member(session, chat_id=2) is None


def test_an_invitation_expires_after_72_hours(session: Session, org: Organization) -> None:
    token = issue(session, org, StaffRole.OWNER)
    with pytest.raises(InvitationRefused) as refused:
        redeem(session, token, now=NOW + timedelta(hours=72))
    assert refused.value.reason == "expired"
    redeem(session, token, now=NOW + timedelta(hours=71, minutes=59))


def test_an_unknown_token_is_refused(session: Session, org: Organization) -> None:
    with pytest.raises(InvitationRefused) as refused:
        redeem(session, new_invitation_token())
    assert refused.value.reason == "unknown"


def test_roles_add_up_on_one_member(session: Session, org: Organization) -> None:
    redeem(session, issue(session, org, StaffRole.FACILITATOR))
    redeem(session, issue(session, org, StaffRole.SAFEGUARDING_LEAD))
    member = active_member(session, chat_id=1)
    assert member is not None
    assert member_roles(member) == {StaffRole.FACILITATOR, StaffRole.SAFEGUARDING_LEAD}
    assert len(list_staff(session, organization=org)) == 1


def test_one_organization_per_chat(session: Session, org: Organization) -> None:
    other = create_organization(session, name="Northside Mentors")
    redeem(session, issue(session, org, StaffRole.OWNER))
    with pytest.raises(InvitationRefused) as refused:
        redeem(session, issue(session, other, StaffRole.OWNER))
    assert refused.value.reason == "other_organization"


def test_revocation_ends_membership_and_its_flow(session: Session, org: Organization) -> None:
    member = redeem(session, issue(session, org, StaffRole.ORGANIZER))
    member.state = '{"name": "launch"}'
    revoke_member(session, organization=org, member_id=member.id or 0, now=NOW)
    assert active_member(session, chat_id=1) is None
    assert member.state is None
    with pytest.raises(StaffError):
        revoke_member(session, organization=org, member_id=member.id or 0)
    # Invited again, the member starts from the new invitation's roles only.
    again = redeem(session, issue(session, org, StaffRole.FACILITATOR))
    assert member_roles(again) == {StaffRole.FACILITATOR}


def test_another_organization_cannot_revoke(session: Session, org: Organization) -> None:
    other = create_organization(session, name="Northside Mentors")
    member = redeem(session, issue(session, org, StaffRole.OWNER))
    with pytest.raises(StaffError):
        revoke_member(session, organization=other, member_id=member.id or 0)


def test_every_step_is_audited(session: Session, org: Organization) -> None:
    member = redeem(session, issue(session, org, StaffRole.OWNER))
    revoke_member(session, organization=org, member_id=member.id or 0)
    actions = [
        e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    ]
    assert actions == ["invitation.create", "invitation.accept", "staff.revoke"]


def test_a_student_campaign_needs_a_safeguarding_lead(session: Session, org: Organization) -> None:
    assert org.id is not None
    check_safeguarding_lead(session, organization_id=org.id, audience="caregiver")
    for audience in ("student", "any"):
        with pytest.raises(StaffError, match="no safeguarding lead"):
            check_safeguarding_lead(session, organization_id=org.id, audience=audience)
    redeem(session, issue(session, org, StaffRole.SAFEGUARDING_LEAD))
    check_safeguarding_lead(session, organization_id=org.id, audience="student")
    leads = members_with_role(session, organization_id=org.id, role=StaffRole.SAFEGUARDING_LEAD)
    assert len(leads) == 1
