"""Safeguarding alerts: raised with the flagged answer, handled once, escalated once.

An alert is written in the same transaction as the answer that caused it
(`raise_alert`, called by the conversation service), so a disclosure stored is
never a disclosure nobody hears of. Who may act on it, and what they are told,
is the adapter's business (`bot/alerts/`); this module only keeps the rules that
must hold whatever the channel:

- the first acknowledgement wins (`handle_alert` is a conditional UPDATE);
- an alert is escalated at most once, even with several workers polling
  (`claim_escalations` locks with `SKIP LOCKED` on PostgreSQL and re-checks in
  the UPDATE itself);
- an organization's staff only ever see that organization's alerts.

The alert's text is the disclosure itself: nothing here logs it, and no export
or packet reads this table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlmodel import Session

from surveys.crud.respondents import Db, now_utc
from surveys.crud.staff import active_member, audit, member_roles, members_with_role
from surveys.crud.tables import connection_of, table_of
from surveys.models import Alert, AlertStatus, Campaign, Organization, StaffMember
from surveys.roles import Permission, StaffRole, may

_alert = table_of(Alert)
_campaign = table_of(Campaign)
_organization = table_of(Organization)

HANDLED = (AlertStatus.FOLLOWING_UP, AlertStatus.NOT_A_CONCERN)
"""What a safeguarding lead may set an open alert to."""
LISTING_LIMIT = 10
"""Open alerts shown at once by `/alerts`: each is a message, and Telegram paces them."""


@contextmanager
def orm(db: Db) -> Iterator[Session]:
    """An ORM session inside `db`'s open transaction, for the staff helpers.

    Closing a session bound to a connection already in a transaction leaves that
    transaction alone: the caller still commits everything at once.
    """
    if isinstance(db, Session):
        yield db
        return
    with Session(bind=db) as session:
        yield session


@dataclass(frozen=True)
class AlertFacts:
    """An alert with what its message needs: the campaign's school, grade and audience,
    and the organization's timezone. Never a respondent id or a chat."""

    id: int
    organization_id: int
    campaign_id: int
    school: str
    grade: str
    audience: str
    timezone: str
    text: str
    status: str
    created_at: datetime
    escalate_at: datetime
    escalated_at: datetime | None
    handled_by: int | None
    handled_at: datetime | None

    @property
    def open(self) -> bool:
        return self.status == AlertStatus.OPEN


@dataclass(frozen=True)
class Recipient:
    """A staff member an alert message goes to, in their own chat and language."""

    member_id: int
    chat_id: int
    display_name: str
    language: str


_FACTS = (
    select(
        _alert.c.id,
        _alert.c.organization_id,
        _alert.c.campaign_id,
        _campaign.c.school,
        _campaign.c.grade,
        _campaign.c.audience,
        _organization.c.timezone,
        _alert.c.text,
        _alert.c.status,
        _alert.c.created_at,
        _alert.c.escalate_at,
        _alert.c.escalated_at,
        _alert.c.handled_by,
        _alert.c.handled_at,
    )
    .join(_campaign, _campaign.c.id == _alert.c.campaign_id)
    .join(_organization, _organization.c.id == _alert.c.organization_id)
)


def raise_alert(
    db: Db, *, campaign_id: int, question_id: str, text: str, now: datetime | None = None
) -> int | None:
    """Store an alert for a flagged answer of `campaign_id`; its id, or None when the
    campaign belongs to no organization (nobody could be told)."""
    connection = connection_of(db)
    row = connection.execute(
        select(_campaign.c.organization_id, _organization.c.escalation_minutes)
        .join(_organization, _organization.c.id == _campaign.c.organization_id)
        .where(_campaign.c.id == campaign_id)
    ).first()
    if row is None:
        return None
    organization_id, minutes = row
    moment = now or now_utc()
    statement = (
        insert(_alert)
        .values(
            organization_id=organization_id,
            campaign_id=campaign_id,
            question_id=question_id,
            text=text,
            status=AlertStatus.OPEN.value,
            created_at=moment,
            escalate_at=moment + timedelta(minutes=int(minutes)),
        )
        .returning(_alert.c.id)
    )
    return int(connection.execute(statement).scalar_one())


def alert_facts(db: Db, *, alert_id: int) -> AlertFacts | None:
    row = connection_of(db).execute(_FACTS.where(_alert.c.id == alert_id)).first()
    return AlertFacts(*row) if row is not None else None  # type: ignore[call-arg]


def open_alerts(
    db: Db, *, organization_id: int, limit: int = LISTING_LIMIT
) -> tuple[list[AlertFacts], int]:
    """The organization's open alerts, newest first (at most `limit`), and how many in all."""
    query = _FACTS.where(
        _alert.c.organization_id == organization_id, _alert.c.status == AlertStatus.OPEN
    ).order_by(_alert.c.created_at.desc(), _alert.c.id.desc())
    rows = [AlertFacts(*row) for row in connection_of(db).execute(query)]  # type: ignore[call-arg]
    return rows[:limit], len(rows)


def _recipient(member: StaffMember) -> Recipient:
    assert member.id is not None
    return Recipient(member.id, member.chat_id, member.display_name, member.language)


def recipients(db: Db, *, organization_id: int, role: StaffRole) -> list[Recipient]:
    """The organization's active members holding `role`, oldest first."""
    with orm(db) as session:
        members = members_with_role(session, organization_id=organization_id, role=role)
        return [_recipient(member) for member in members]


def alert_handler(db: Db, *, chat_id: int, alert: AlertFacts) -> Recipient | None:
    """The chat's member when they may act on `alert`: an active safeguarding lead of
    the alert's own organization, or, once it has been escalated to them, an owner (so an
    alert no lead took can still be closed by the people it reached). Anyone else gets None.
    """
    with orm(db) as session:
        member = active_member(session, chat_id=chat_id)
        if member is None or member.organization_id != alert.organization_id:
            return None
        roles = member_roles(member)
        escalated_to = alert.escalated_at is not None and StaffRole.OWNER in roles
        if not (may(roles, Permission.HANDLE_ALERTS) or escalated_to):
            return None
        return _recipient(member)


def member_name(db: Db, *, member_id: int) -> str | None:
    with orm(db) as session:
        member = session.get(StaffMember, member_id)
        return member.display_name if member is not None else None


def handle_alert(
    db: Db,
    *,
    alert: AlertFacts,
    member_id: int,
    status: AlertStatus,
    now: datetime | None = None,
) -> bool:
    """Set an open alert's outcome; False when someone else already did (first wins).

    The UPDATE itself checks the alert is still open, so two leads tapping at the
    same moment on two workers cannot both win; the winner's action is audited.
    """
    if status not in HANDLED:
        raise ValueError(f"an alert cannot be set to {status!r}")
    moment = now or now_utc()
    result = connection_of(db).execute(
        update(_alert)
        .where(_alert.c.id == alert.id, _alert.c.status == AlertStatus.OPEN)
        .values(status=status.value, handled_by=member_id, handled_at=moment)
    )
    if not result.rowcount:
        return False
    with orm(db) as session:
        audit(
            session,
            organization_id=alert.organization_id,
            staff_member_id=member_id,
            action=f"alert.{status.value}",
            campaign_id=alert.campaign_id,
            detail=f"alert {alert.id}",
        )
    return True


def claim_escalations(db: Db, *, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Mark open alerts past their time as escalated; returns the ones this call took.

    On PostgreSQL the due rows are locked with `SKIP LOCKED`, so another worker
    polling at the same moment takes others or none; the UPDATE re-checks that
    the alert is still open and not yet escalated, so an alert is escalated once.
    """
    moment = now or now_utc()
    connection = connection_of(db)
    due = (
        select(_alert.c.id)
        .where(
            _alert.c.status == AlertStatus.OPEN,
            _alert.c.escalated_at.is_(None),
            _alert.c.escalate_at <= moment,
        )
        .order_by(_alert.c.escalate_at, _alert.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(connection.execute(due).scalars())
    if not ids:
        return []
    claimed = connection.execute(
        update(_alert)
        .where(
            _alert.c.id.in_(ids),
            _alert.c.status == AlertStatus.OPEN,
            _alert.c.escalated_at.is_(None),
        )
        .values(escalated_at=moment)
        .returning(_alert.c.id)
    )
    return sorted(int(row[0]) for row in claimed)
