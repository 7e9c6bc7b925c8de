"""The inbox: updates stored before Telegram is told they arrived.

Keyword-only functions over an open transaction; none commits. A chat's updates
are handled strictly in `update_id` order: only the oldest unfinished row of a
chat can be claimed, and not while another worker is processing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, text, update

from surveys.crud.lanes import try_lock_lane
from surveys.crud.respondents import Db, now_utc
from surveys.crud.tables import connection_of, table_of
from surveys.models import InboxStatus, InboxUpdate, ProcessedUpdate

_inbox = table_of(InboxUpdate)
_processed = table_of(ProcessedUpdate)

QUEUE = "inbox"
UNFINISHED = (InboxStatus.QUEUED.value, InboxStatus.PROCESSING.value)

_STORE = text(
    "INSERT INTO inbox_update (update_id, chat_id, payload, status, attempts, received_at) "
    "VALUES (:update_id, :chat_id, :payload, 'queued', 0, :received_at) "
    "ON CONFLICT (update_id) DO NOTHING"
).bindparams(bindparam("received_at", type_=_inbox.c.received_at.type))
"""`ON CONFLICT DO NOTHING` reads the same in SQLite and PostgreSQL: a redelivery is a no-op."""


@dataclass(frozen=True)
class Incoming:
    update_id: int
    chat_id: int
    payload: str


@dataclass(frozen=True)
class Claimed:
    update_id: int
    chat_id: int
    payload: str
    attempts: int


@dataclass(frozen=True)
class InboxCounts:
    by_status: dict[str, int]
    oldest_queued: datetime | None


def store(db: Db, *, updates: Sequence[Incoming], now: datetime | None = None) -> list[Incoming]:
    """Store what is new; a redelivered update id changes nothing. Returns the new ones."""
    connection = connection_of(db)
    moment = now or now_utc()
    fresh = []
    for item in updates:
        params = {
            "update_id": item.update_id,
            "chat_id": item.chat_id,
            "payload": item.payload,
            "received_at": moment,
        }
        if connection.execute(_STORE, params).rowcount:
            fresh.append(item)
    return fresh


def claim_next(db: Db, *, chat_id: int, worker: str, now: datetime | None = None) -> Claimed | None:
    """Take the chat's oldest unfinished update for processing, if nobody is processing it."""
    connection = connection_of(db)
    if not try_lock_lane(connection, queue=QUEUE, chat_id=chat_id):
        return None
    head = (
        select(func.min(_inbox.c.update_id))
        .where(_inbox.c.chat_id == chat_id, _inbox.c.status.in_(UNFINISHED))
        .scalar_subquery()
    )
    statement = (
        update(_inbox)
        .where(_inbox.c.update_id == head, _inbox.c.status == InboxStatus.QUEUED)
        .values(
            status=InboxStatus.PROCESSING,
            claimed_by=worker,
            claimed_at=now or now_utc(),
            attempts=_inbox.c.attempts + 1,
        )
        .returning(_inbox.c.update_id, _inbox.c.chat_id, _inbox.c.payload, _inbox.c.attempts)
    )
    row = connection.execute(statement).first()
    return Claimed(*row) if row is not None else None


def finish(
    db: Db, *, update_id: int, status: InboxStatus = InboxStatus.DONE, now: datetime | None = None
) -> None:
    """Record that an update was handled (or given up on): the chat's next one may go."""
    connection_of(db).execute(
        update(_inbox)
        .where(_inbox.c.update_id == update_id)
        .values(status=status, handled_at=now or now_utc())
    )


def requeue_stale(db: Db, *, claimed_before: datetime, keep_worker: str | None = None) -> list[int]:
    """Put back updates whose worker died while processing them; returns their chats.

    `keep_worker`'s own claims are left alone: that worker is alive and processing them.
    """
    statement = (
        update(_inbox)
        .where(
            _inbox.c.status == InboxStatus.PROCESSING,
            _inbox.c.claimed_at < claimed_before,
            _inbox.c.claimed_by.is_distinct_from(keep_worker),
        )
        .values(status=InboxStatus.QUEUED, claimed_by=None)
        .returning(_inbox.c.chat_id)
    )
    return sorted({row[0] for row in connection_of(db).execute(statement)})


def waiting_chats(db: Db, *, limit: int, exclude: Sequence[int] = ()) -> list[int]:
    """Chats with queued updates, the longest waiting first."""
    query = (
        select(_inbox.c.chat_id, func.min(_inbox.c.update_id).label("first"))
        .where(_inbox.c.status == InboxStatus.QUEUED)
        .group_by(_inbox.c.chat_id)
        .order_by("first")
        .limit(limit + len(exclude))
    )
    skip = set(exclude)
    chats = [row[0] for row in connection_of(db).execute(query) if row[0] not in skip]
    return chats[:limit]


def counts(db: Db) -> InboxCounts:
    connection = connection_of(db)
    rows = connection.execute(select(_inbox.c.status, func.count()).group_by(_inbox.c.status)).all()
    oldest = connection.execute(
        select(func.min(_inbox.c.received_at)).where(_inbox.c.status == InboxStatus.QUEUED)
    ).scalar()
    return InboxCounts(by_status={str(s): int(n) for s, n in rows}, oldest_queued=oldest)


def prune(db: Db, *, before: datetime) -> int:
    """Forget handled updates (and their processed ids) older than `before`; returns rows."""
    connection = connection_of(db)
    finished = connection.execute(
        delete(_inbox).where(
            _inbox.c.status.in_((InboxStatus.DONE, InboxStatus.FAILED)),
            _inbox.c.received_at < before,
        )
    ).rowcount
    processed = connection.execute(
        delete(_processed).where(_processed.c.processed_at < before)
    ).rowcount
    return int(finished or 0) + int(processed or 0)
