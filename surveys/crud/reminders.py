"""Reminders: who is due one now, and claiming it so it is sent exactly once.

A respondent who started (agreed to take part) and did not finish gets at most the
campaign's reminders, the n-th due `delays[n]` after their last activity
(`respondent.updated_at`, which only their own answers move), released only
outside the organization's quiet hours. Nobody is due once the campaign has
closed, or whose contact is opted out (`/stop`, or they blocked the bot); those
who finished, declined or deleted their data are no longer `in progress`, or no
longer exist.

`claim` is a conditional UPDATE on the respondent's counter: of several workers
finding the same reminder due, exactly one sees its row change and queues the
message, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection, Row

from surveys.crud.campaigns import as_utc
from surveys.crud.respondents import Db
from surveys.crud.tables import connection_of, table_of
from surveys.models import Campaign, CampaignStatus, Contact, Organization, Respondent
from surveys.reach_schedule import parse_quiet_hours, release_time, stored_reminders
from surveys.status import RespondentStatus

_respondent = table_of(Respondent)
_contact = table_of(Contact)
_campaign = table_of(Campaign)
_organization = table_of(Organization)

REMINDABLE = (RespondentStatus.ROLE, RespondentStatus.IN_PROGRESS)
"""Started (past consent) and not finished."""

_CLAIM = text(
    "UPDATE respondent SET reminders_sent = reminders_sent + 1 "
    "WHERE id = :id AND reminders_sent = :sent AND updated_at = :seen "
    "AND status IN ('role', 'in_progress')"
).bindparams(bindparam("seen", type_=_respondent.c.updated_at.type))
_COUNT = text("UPDATE campaign SET reminders_sent = reminders_sent + 1 WHERE id = :id")


@dataclass(frozen=True)
class DueReminder:
    respondent_id: str
    chat_id: int
    campaign_id: int
    status: str
    language: str
    role: str | None
    sent: int
    """Reminders already sent before this one."""
    last_activity: datetime


def _candidates(connection: Connection, now: datetime) -> list[Row[Any]]:
    query = (
        select(
            _respondent.c.id.label("respondent_id"),
            _contact.c.chat_id,
            _campaign.c.id.label("campaign_id"),
            _respondent.c.status,
            _respondent.c.language,
            _respondent.c.role,
            _respondent.c.reminders_sent.label("sent"),
            _respondent.c.updated_at.label("last_activity"),
            _campaign.c.reminders,
            func.coalesce(_organization.c.timezone, "UTC").label("timezone"),
            func.coalesce(_organization.c.quiet_hours, "").label("quiet_hours"),
        )
        .join(_contact, _contact.c.respondent_id == _respondent.c.id)
        .join(_campaign, _campaign.c.id == _respondent.c.campaign_id)
        .outerjoin(_organization, _organization.c.id == _campaign.c.organization_id)
        .where(
            _respondent.c.status.in_([str(s) for s in REMINDABLE]),
            _contact.c.opted_out.is_(False),
            _campaign.c.status == CampaignStatus.OPEN,
            _campaign.c.reminders != "",
            _campaign.c.opens_at <= now,
            (_campaign.c.closes_at.is_(None)) | (_campaign.c.closes_at > now),
        )
        .order_by(_respondent.c.id)
    )
    return list(connection.execute(query))


def release_of(row: Row[Any]) -> datetime | None:
    """When the row's next reminder may go, or None when it had them all."""
    delays = stored_reminders(row.reminders)
    if row.sent >= len(delays):
        return None
    due = as_utc(row.last_activity) + timedelta(seconds=delays[row.sent])
    return release_time(due, timezone=row.timezone, quiet=parse_quiet_hours(row.quiet_hours))


def due_reminders(db: Db, *, now: datetime, limit: int = 500) -> list[DueReminder]:
    """Reminders due at `now` (quiet hours respected), in respondent id order."""
    due: list[DueReminder] = []
    for row in _candidates(connection_of(db), now):
        release = release_of(row)
        if release is None or release > now:
            continue
        due.append(
            DueReminder(
                respondent_id=row.respondent_id,
                chat_id=row.chat_id,
                campaign_id=row.campaign_id,
                status=row.status,
                language=row.language,
                role=row.role,
                sent=row.sent,
                last_activity=row.last_activity,
            )
        )
        if len(due) >= limit:
            break
    return due


def claim(db: Db, *, reminder: DueReminder) -> bool:
    """Count this reminder as sent, unless another worker did or the respondent moved on."""
    connection = connection_of(db)
    params = {"id": reminder.respondent_id, "sent": reminder.sent, "seen": reminder.last_activity}
    if not connection.execute(_CLAIM, params).rowcount:
        return False
    connection.execute(_COUNT, {"id": reminder.campaign_id})
    return True
