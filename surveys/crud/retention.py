"""The retention purge: forget who answered, keep what they said.

Once a campaign has been closed for its organization's retention period (90
days unless changed), everything that can point at a person goes: its contacts
(the chat ids), the inbox and outbox rows of chats left with no contact and no
staff membership, the processed update ids of those inbox rows, and the
campaign's safeguarding alerts (which copy the flagged text). The respondents'
random ids and their answers stay, de-identified, for the packet and for
comparing waves.

A campaign's closing moment is the earlier of its closing date and the moment
it was closed by hand (`campaign.closed_at`). One function both counts (dry run)
and deletes, so `--dry-run` reports exactly what a real run removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.engine import Connection

from surveys.crud.campaigns import as_utc
from surveys.crud.respondents import Db
from surveys.crud.tables import connection_of, table_of
from surveys.models import (
    Alert,
    Campaign,
    CampaignStatus,
    Contact,
    InboxUpdate,
    Organization,
    OutboxMessage,
    ProcessedUpdate,
    Respondent,
    StaffMember,
)

_campaign = table_of(Campaign)
_organization = table_of(Organization)
_contact = table_of(Contact)
_inbox = table_of(InboxUpdate)
_outbox = table_of(OutboxMessage)
_processed = table_of(ProcessedUpdate)
_alert = table_of(Alert)
_staff = table_of(StaffMember)
_respondent = table_of(Respondent)

DEFAULT_RETENTION_DAYS = 90
CHUNK = 500
"""Ids per IN (...) list: well under every database's parameter limit."""


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove), by kind."""

    campaigns: list[str] = field(default_factory=list)
    contacts: int = 0
    inbox: int = 0
    outbox: int = 0
    processed: int = 0
    alerts: int = 0

    @property
    def total(self) -> int:
        return self.contacts + self.inbox + self.outbox + self.processed + self.alerts

    def describe(self) -> str:
        return (
            f"{len(self.campaigns)} campaign(s): {self.contacts} contact(s), "
            f"{self.inbox} inbox and {self.outbox} outbox row(s), "
            f"{self.processed} processed update id(s), {self.alerts} alert(s)"
        )


def closed_moment(
    *, status: str, closes_at: datetime | None, closed_at: datetime | None
) -> datetime | None:
    """When the campaign stopped taking answers, or None while it may still take them."""
    moments = [as_utc(m) for m in (closes_at, closed_at) if m is not None]
    if status == CampaignStatus.CLOSED and closed_at is None and closes_at is None:
        return None  # closed by hand before closed_at existed, with no date: wait for a date
    if status == CampaignStatus.CLOSED:
        return min(moments)
    return as_utc(closes_at) if closes_at is not None else None


def expired_campaigns(db: Db, *, now: datetime) -> list[tuple[int, str]]:
    """(id, code) of campaigns closed for longer than their organization's retention."""
    rows = connection_of(db).execute(
        select(
            _campaign.c.id,
            _campaign.c.code,
            _campaign.c.status,
            _campaign.c.closes_at,
            _campaign.c.closed_at,
            func.coalesce(_organization.c.retention_days, DEFAULT_RETENTION_DAYS),
        )
        .outerjoin(_organization, _organization.c.id == _campaign.c.organization_id)
        .order_by(_campaign.c.id)
    )
    expired = []
    for cid, code, status, closes_at, closed_at, days in rows:
        closed = closed_moment(status=status, closes_at=closes_at, closed_at=closed_at)
        if closed is not None and closed + timedelta(days=int(days)) <= as_utc(now):
            expired.append((int(cid), str(code)))
    return expired


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _of_campaigns(campaign_ids: list[int]) -> ColumnElement[bool]:
    """Contacts of respondents of these campaigns (through the respondent: the contact's own
    `campaign_id` copy may be missing on old rows)."""
    respondents = select(_respondent.c.id).where(_respondent.c.campaign_id.in_(campaign_ids))
    return _contact.c.respondent_id.in_(respondents)


def _forgotten_chats(connection: Connection, campaign_ids: list[int]) -> list[int]:
    """Chats whose every contact is in `campaign_ids` and who are not staff."""
    mine = _of_campaigns(campaign_ids)
    chats = set(connection.execute(select(_contact.c.chat_id).where(mine)).scalars())
    kept = set(connection.execute(select(_contact.c.chat_id).where(~mine)).scalars())
    staff = set(connection.execute(select(_staff.c.chat_id)).scalars())
    return sorted(chats - kept - staff)


def _remove(connection: Connection, statement: object, *, dry_run: bool, count: object) -> int:
    if dry_run:
        return int(connection.execute(count).scalar() or 0)  # type: ignore[call-overload]
    return int(connection.execute(statement).rowcount or 0)  # type: ignore[call-overload]


def _purge_chats(connection: Connection, chats: list[int], report: PurgeReport, dry: bool) -> None:
    for part in _chunks(chats):
        updates = list(
            connection.execute(
                select(_inbox.c.update_id).where(_inbox.c.chat_id.in_(part))
            ).scalars()
        )
        for ids in _chunks(updates):
            where = _processed.c.update_id.in_(ids)
            report.processed += _remove(
                connection,
                delete(_processed).where(where),
                dry_run=dry,
                count=select(func.count()).select_from(_processed).where(where),
            )
        for table, name in ((_inbox, "inbox"), (_outbox, "outbox")):
            where = table.c.chat_id.in_(part)
            removed = _remove(
                connection,
                delete(table).where(where),
                dry_run=dry,
                count=select(func.count()).select_from(table).where(where),
            )
            setattr(report, name, getattr(report, name) + removed)


def purge(db: Db, *, now: datetime, dry_run: bool = False) -> PurgeReport:
    """Remove (or with `dry_run`, count) what retention says must go by `now`."""
    connection = connection_of(db)
    expired = expired_campaigns(connection, now=now)
    report = PurgeReport(campaigns=[code for _, code in expired])
    ids = [cid for cid, _ in expired]
    if not ids:
        return report
    chats = _forgotten_chats(connection, ids)
    _purge_chats(connection, chats, report, dry_run)
    for table, where, name in (
        (_contact, _of_campaigns(ids), "contacts"),
        (_alert, _alert.c.campaign_id.in_(ids), "alerts"),
    ):
        removed = _remove(
            connection,
            delete(table).where(where),
            dry_run=dry_run,
            count=select(func.count()).select_from(table).where(where),
        )
        setattr(report, name, getattr(report, name) + removed)
    return report
