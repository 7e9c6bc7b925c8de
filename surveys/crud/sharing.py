"""Results sent back: who gets them, queueing them once, and how far the sending got.

After a campaign closes, every respondent who completed it and did not opt out
(`/stop`, or blocked the bot) is sent the results once, in their language. Each
contact is marked (`contact.shared_at`, a conditional UPDATE) in the same
transaction that writes its outbox row, and the row's id is kept with it: sharing
again finds nobody left to send to, two people sharing at once cannot both send,
and the progress of the share is read from those outbox rows.

The texts are made by the caller (`analysis.headlines` and the catalog), keyed by
the voice they are written in ("en", "es", "es@formal"): this module only knows
who gets which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection, Row

from surveys.crud.outbox import NewMessage, enqueue
from surveys.crud.respondents import Db, now_utc, set_opted_out
from surveys.crud.tables import connection_of, table_of
from surveys.engine import Progress, voice
from surveys.models import (
    Contact,
    OutboxMessage,
    OutboxPriority,
    OutboxStatus,
    Respondent,
)
from surveys.status import RespondentStatus

_contact = table_of(Contact)
_respondent = table_of(Respondent)
_outbox = table_of(OutboxMessage)

BATCH = 500
"""Contacts marked and queued per transaction."""

_MARK = text(
    "UPDATE contact SET shared_at = :moment WHERE id IN :ids AND shared_at IS NULL "
    "AND opted_out = :no RETURNING id"
).bindparams(
    bindparam("ids", expanding=True),
    bindparam("moment", type_=_contact.c.shared_at.type),
    bindparam("no", type_=_contact.c.opted_out.type),
)
"""One statement marks a batch; only the contacts it changed are sent to (a concurrent
share, or a /stop in between, leaves the others out)."""
_LINK = text("UPDATE contact SET shared_outbox_id = :outbox_id WHERE id = :id")


@dataclass(frozen=True)
class ShareProgress:
    """A campaign's share: recipients left, and its messages by outbox status."""

    waiting: int
    """Completed, not opted out, and not yet queued."""
    queued: int
    sent: int
    failed: int

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed


def _recipients(connection: Connection, campaign_id: int, limit: int | None) -> list[Row[Any]]:
    query = (
        select(
            _contact.c.id,
            _contact.c.chat_id,
            _respondent.c.status,
            _respondent.c.language,
            _respondent.c.role,
        )
        .join(_respondent, _respondent.c.id == _contact.c.respondent_id)
        .where(
            _respondent.c.campaign_id == campaign_id,
            _respondent.c.status == RespondentStatus.COMPLETED,
            _contact.c.opted_out.is_(False),
            _contact.c.shared_at.is_(None),
        )
        .order_by(_contact.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(connection.execute(query))


def recipient_voice(status: str, language: str, role: str | None) -> str:
    return voice(Progress(RespondentStatus(status), language, role, None, {}))


def voices_waiting(db: Db, *, campaign_id: int) -> dict[str, int]:
    """Recipients not yet sent the results, by the voice they are addressed in."""
    counts: dict[str, int] = {}
    for row in _recipients(connection_of(db), campaign_id, None):
        key = recipient_voice(row.status, row.language, row.role)
        counts[key] = counts.get(key, 0) + 1
    return counts


def queue_results(
    db: Db,
    *,
    campaign_id: int,
    texts: Mapping[str, str],
    fallback: str,
    limit: int = BATCH,
    now: datetime | None = None,
) -> int:
    """Mark up to `limit` waiting recipients and queue their results as BULK outbox rows.

    `texts` maps a voice ("es@formal") or a plain language ("es") to the message;
    `fallback` is used for any other. Returns how many were queued (0: all done).
    """
    connection = connection_of(db)
    moment = now or now_utc()
    rows = _recipients(connection, campaign_id, limit)
    if not rows:
        return 0
    params = {"ids": [row.id for row in rows], "moment": moment, "no": False}
    mine = set(connection.execute(_MARK, params).scalars())
    marked: list[tuple[int, NewMessage]] = []
    for row in rows:
        if row.id not in mine:
            continue
        key = recipient_voice(row.status, row.language, row.role)
        body = texts.get(key) or texts.get(key.partition("@")[0]) or fallback
        message = NewMessage(
            row.chat_id, "sendMessage", {"chat_id": row.chat_id, "text": body}, OutboxPriority.BULK
        )
        marked.append((row.id, message))
    queued = enqueue(connection, messages=[m for _, m in marked], now=moment)
    if queued:
        connection.execute(
            _LINK,
            [{"id": cid, "outbox_id": q.id} for (cid, _), q in zip(marked, queued, strict=True)],
        )
    return len(queued)


def share_progress(db: Db, *, campaign_id: int) -> ShareProgress:
    connection = connection_of(db)
    statuses: dict[str, int] = dict(
        connection.execute(
            select(_outbox.c.status, func.count())
            .join(_contact, _contact.c.shared_outbox_id == _outbox.c.id)
            .join(_respondent, _respondent.c.id == _contact.c.respondent_id)
            .where(_respondent.c.campaign_id == campaign_id)
            .group_by(_outbox.c.status)
        ).all()
    )
    waiting = len(_recipients(connection, campaign_id, None))
    queued = int(statuses.get(OutboxStatus.QUEUED, 0) + statuses.get(OutboxStatus.SENDING, 0))
    failed = int(statuses.get(OutboxStatus.FAILED, 0))
    # Sent rows are pruned after a week (CHORUS_QUEUE_RETENTION_DAYS): a marked contact
    # whose row is gone was sent long ago.
    sent = shared_count(connection, campaign_id=campaign_id) - queued - failed
    return ShareProgress(waiting=waiting, queued=queued, sent=max(0, sent), failed=failed)


def shared_count(db: Db, *, campaign_id: int) -> int:
    """Contacts the results were queued for (whatever became of the message)."""
    return int(
        connection_of(db)
        .execute(
            select(func.count())
            .select_from(_contact.join(_respondent, _respondent.c.id == _contact.c.respondent_id))
            .where(_respondent.c.campaign_id == campaign_id, _contact.c.shared_at.is_not(None))
        )
        .scalar()
        or 0
    )


STOPPED = "stopped by the user"
_CANCEL_BULK = text(
    "UPDATE outbox_message SET status = 'failed', last_error = :error, updated_at = :moment "
    "WHERE chat_id = :chat_id AND status = 'queued' AND priority = :bulk"
).bindparams(bindparam("moment", type_=_outbox.c.updated_at.type))


def stop_messaging(db: Db, *, chat_id: int) -> int:
    """`/stop`: no reminder or results for this chat from now on, including any already
    queued and not yet sent. Returns how many queued messages were cancelled."""
    connection = connection_of(db)
    set_opted_out(connection, chat_id=chat_id, opted_out=True)
    params = {
        "error": STOPPED,
        "moment": now_utc(),
        "chat_id": chat_id,
        "bulk": int(OutboxPriority.BULK),
    }
    return int(connection.execute(_CANCEL_BULK, params).rowcount or 0)


def resume_messaging(db: Db, *, chat_id: int) -> None:
    """`/resume` or a survey link: the chat may be written to again (undoes `/stop`)."""
    set_opted_out(connection_of(db), chat_id=chat_id, opted_out=False)
