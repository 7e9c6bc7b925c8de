"""Staff: invitations, membership, revocation and the audit log.

An invitation is a random token shown once (as a `t.me/<bot>?start=` link); only
its SHA-256 is stored, so a database copy cannot be used to join. Opening it
makes that chat a staff member of the organization with the invitation's roles,
or adds those roles to the member it already is. A chat belongs to at most one
organization's staff at a time: every staff command then has one answer to
"which organization?".
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from surveys.crud.campaigns import as_utc
from surveys.errors import ChorusError
from surveys.models import AuditEvent, Invitation, Organization, StaffMember
from surveys.roles import StaffRole, format_roles, parse_roles

INVITATION_PREFIX = "staff_"
"""Tells an invitation from a campaign code in a `/start` payload at a glance."""
TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 32
"""32 characters of 62 symbols: 190 random bits. With the prefix, 38 of Telegram's 64."""
INVITATION_LIFETIME = timedelta(hours=72)
NAME_LIMIT = 200


class StaffError(ChorusError, ValueError):
    """A staff action cannot be done as asked; the message says why."""


def new_invitation_token() -> str:
    """Only `A-Za-z0-9_`, never starting with `-`: a valid `/start` payload and shell word."""
    body = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    return INVITATION_PREFIX + body


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_invitation(payload: str) -> bool:
    return (
        payload.startswith(INVITATION_PREFIX)
        and len(payload) == len(INVITATION_PREFIX) + TOKEN_LENGTH
    )


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def audit(
    session: Session,
    *,
    organization_id: int,
    action: str,
    staff_member_id: int | None = None,
    campaign_id: int | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Record a staff action. `detail` names things (a role, a format), never answers."""
    event = AuditEvent(
        organization_id=organization_id,
        staff_member_id=staff_member_id,
        action=action,
        campaign_id=campaign_id,
        detail=detail[:500] if detail else None,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str
    """Shown once; the database keeps only its hash."""


def create_invitation(
    session: Session,
    *,
    organization: Organization,
    roles: frozenset[StaffRole] | str,
    created_by: StaffMember | None = None,
    lifetime: timedelta = INVITATION_LIFETIME,
    now: datetime | None = None,
) -> IssuedInvitation:
    chosen = parse_roles(roles) if isinstance(roles, str) else roles
    if not chosen:
        raise StaffError("an invitation needs at least one role")
    if organization.id is None:
        raise StaffError("the organization is not stored yet")
    token = new_invitation_token()
    current = _now(now)
    invitation = Invitation(
        token_hash=hash_token(token),
        organization_id=organization.id,
        roles=format_roles(chosen),
        created_by=created_by.id if created_by else None,
        created_at=current,
        expires_at=current + lifetime,
    )
    session.add(invitation)
    session.flush()
    audit(
        session,
        organization_id=organization.id,
        staff_member_id=created_by.id if created_by else None,
        action="invitation.create",
        detail=invitation.roles,
    )
    return IssuedInvitation(invitation=invitation, token=token)


class InvitationRefused(StaffError):
    """Why an invitation link did nothing: `reason` is a catalog-friendly word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def redeem_invitation(
    session: Session,
    *,
    token: str,
    chat_id: int,
    display_name: str,
    language: str,
    now: datetime | None = None,
) -> StaffMember:
    """Make `chat_id` a staff member with the invitation's roles; the invitation is spent.

    Raises `InvitationRefused` with reason "unknown", "used", "expired" or
    "other_organization" (the chat already serves another organization).
    """
    current = _now(now)
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    ).first()
    if invitation is None:
        raise InvitationRefused("unknown", "this invitation link is not valid")
    if invitation.used_at is not None:
        raise InvitationRefused("used", "this invitation link was already used")
    if as_utc(invitation.expires_at) <= current:
        raise InvitationRefused("expired", "this invitation link has expired")
    member = active_member(session, chat_id=chat_id)
    if member is not None and member.organization_id != invitation.organization_id:
        raise InvitationRefused(
            "other_organization", "this chat already serves another organization"
        )
    if member is None:
        member = _revived_or_new(session, invitation=invitation, chat_id=chat_id)
    member.roles = format_roles(member_roles(member) | parse_roles(invitation.roles))
    member.display_name = (display_name.strip() or "staff")[:NAME_LIMIT]
    member.language = language
    member.revoked_at = None
    member.updated_at = current
    session.add(member)
    session.flush()
    invitation.used_at = current
    invitation.used_by = member.id
    session.add(invitation)
    audit(
        session,
        organization_id=invitation.organization_id,
        staff_member_id=member.id,
        action="invitation.accept",
        detail=invitation.roles,
    )
    return member


def _revived_or_new(session: Session, *, invitation: Invitation, chat_id: int) -> StaffMember:
    """A revoked member invited again starts from no roles; otherwise a new row."""
    existing = session.exec(
        select(StaffMember).where(
            StaffMember.organization_id == invitation.organization_id,
            StaffMember.chat_id == chat_id,
        )
    ).first()
    if existing is not None:
        existing.roles = ""
        return existing
    return StaffMember(
        organization_id=invitation.organization_id, chat_id=chat_id, roles="", display_name=""
    )


def member_roles(member: StaffMember) -> frozenset[StaffRole]:
    return parse_roles(member.roles) if member.roles else frozenset()


def active_member(session: Session, *, chat_id: int) -> StaffMember | None:
    """The chat's current staff membership, if any; revoked members are not staff."""
    return session.exec(
        select(StaffMember).where(
            StaffMember.chat_id == chat_id, col(StaffMember.revoked_at).is_(None)
        )
    ).first()


def list_staff(session: Session, *, organization: Organization) -> list[StaffMember]:
    """Everyone still in, oldest first."""
    return list(
        session.exec(
            select(StaffMember)
            .where(
                StaffMember.organization_id == organization.id,
                col(StaffMember.revoked_at).is_(None),
            )
            .order_by(col(StaffMember.id))
        ).all()
    )


def members_with_role(
    session: Session, *, organization_id: int, role: StaffRole
) -> list[StaffMember]:
    """Active members holding `role` (e.g. every safeguarding lead, for an alert)."""
    members = session.exec(
        select(StaffMember)
        .where(
            StaffMember.organization_id == organization_id,
            col(StaffMember.revoked_at).is_(None),
        )
        .order_by(col(StaffMember.id))
    ).all()
    return [member for member in members if role in member_roles(member)]


def revoke_member(
    session: Session,
    *,
    organization: Organization,
    member_id: int,
    revoked_by: StaffMember | None = None,
    now: datetime | None = None,
) -> StaffMember:
    member = session.get(StaffMember, member_id)
    if member is None or member.organization_id != organization.id or member.revoked_at:
        raise StaffError(
            f"{organization.name} has no active staff member {member_id}; "
            "`chorus staff list` shows them"
        )
    member.revoked_at = _now(now)
    member.state = None
    session.add(member)
    assert organization.id is not None
    audit(
        session,
        organization_id=organization.id,
        staff_member_id=revoked_by.id if revoked_by else None,
        action="staff.revoke",
        detail=f"member {member_id}",
    )
    return member


STUDENT_AUDIENCES = ("student", "any")
"""Audiences a student can answer in: such a campaign needs a safeguarding lead."""


def check_safeguarding_lead(session: Session, *, organization_id: int, audience: str) -> None:
    """Refuse a student campaign for an organization nobody would hear an alert at.

    A student who writes about harm must reach a designated adult; without a
    safeguarding lead nobody would be told.
    """
    if audience not in STUDENT_AUDIENCES:
        return
    if members_with_role(
        session, organization_id=organization_id, role=StaffRole.SAFEGUARDING_LEAD
    ):
        return
    organization = session.get(Organization, organization_id)
    name = organization.name if organization else str(organization_id)
    raise StaffError(
        f"{name} has no safeguarding lead to receive disclosures of harm; invite one with "
        f"`chorus staff invite --org {name!r} --role safeguarding-lead` and have them open "
        "the link (or pass --allow-no-safeguarding-lead for a test campaign)"
    )
