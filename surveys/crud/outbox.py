"""The outbox: every Bot API call the bot means to make, as rows.

A row is written in the same transaction as the change that caused it, so what
the database says happened and what the person is told cannot disagree. The
lifecycle is queued -> sending -> sent | failed (RapidPro's courier: queued,
wired, sent, errored, failed). Keyword-only functions over an open transaction;
none commits. Rows of one chat go out in `id` order: a chat's rows are claimed
together, and not while an earlier one is being sent or waits for a retry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from surveys.crud.lanes import try_lock_lane
from surveys.crud.respondents import Db, now_utc
from surveys.crud.tables import connection_of, table_of
from surveys.models import OutboxMessage, OutboxPriority, OutboxStatus

_outbox = table_of(OutboxMessage)

QUEUE = "outbox"
ERROR_LENGTH = 200
"""The `last_error` column's width."""


@dataclass(frozen=True)
class NewMessage:
    chat_id: int
    method: str
    params: Mapping[str, Any]
    priority: int = OutboxPriority.INTERACTIVE
    topic: str | None = None


@dataclass(frozen=True)
class Queued:
    """A row just written: enough for the delivery loop to know whom to wake, and, when it
    was written already claimed, to send it without reading it back."""

    id: int
    chat_id: int
    priority: int
    claimed: bool = False
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_claimed(self) -> Claimed:
        return Claimed(self.id, self.chat_id, self.method, self.params, 1, self.priority)


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    attempts: int
    priority: int


@dataclass(frozen=True)
class OutboxCounts:
    by_status: dict[str, int]
    oldest_queued: datetime | None
    failures: dict[str, int]
    """Failed rows by their last error."""


# The hot path (every reply) uses prebuilt SQL with typed parameters: building a
# SQLAlchemy expression per call costs more than running it (see surveys/crud/respondents.py).
_PENDING = text(
    "SELECT 1 FROM outbox_message WHERE chat_id = :chat_id AND status IN ('queued', 'sending') "
    "LIMIT 1"
)
_INSERT = text(
    "INSERT INTO outbox_message (chat_id, method, payload, priority, status, attempts, "
    "next_attempt_at, claimed_by, claimed_at, created_at, updated_at, topic) VALUES (:chat_id, "
    ":method, :payload, :priority, :status, :attempts, :moment, :claimed_by, :claimed_at, "
    ":moment, :moment, :topic) RETURNING id"
).bindparams(
    bindparam("moment", type_=_outbox.c.created_at.type),
    bindparam("claimed_at", type_=_outbox.c.claimed_at.type),
)
_MARK_SENT = text(
    "UPDATE outbox_message SET status = 'sent', sent_at = :moment, updated_at = :moment, "
    "last_error = NULL, sent_message_id = coalesce(:message_id, sent_message_id) WHERE id = :id"
).bindparams(
    bindparam("moment", type_=_outbox.c.sent_at.type),
    bindparam("message_id", type_=_outbox.c.sent_message_id.type),
)
_SENT_COPIES = text(
    "SELECT chat_id, sent_message_id FROM outbox_message WHERE topic = :topic "
    "AND status = 'sent' AND sent_message_id IS NOT NULL ORDER BY id"
)


def _idle(connection: Connection, chat_id: int) -> bool:
    """Nothing queued or being sent for `chat_id`: a new row may go out at once."""
    return connection.execute(_PENDING, {"chat_id": chat_id}).first() is None


def enqueue(
    db: Db,
    *,
    messages: Sequence[NewMessage],
    now: datetime | None = None,
    claim_for: str | None = None,
) -> list[Queued]:
    """Write `messages` as rows, in order; returns them with their ids.

    With `claim_for`, the rows of a chat with nothing else pending are written
    already claimed by that worker (`sending`), so the delivery loop can send them
    straight away without a claiming transaction of its own. Rows of a chat that
    still has earlier messages pending are queued behind them as usual.
    """
    moment = now or now_utc()
    connection = connection_of(db)
    chats = dict.fromkeys(m.chat_id for m in messages)
    idle = {c for c in chats if claim_for is not None and _idle(connection, c)}
    queued = []
    for m in messages:
        claimed = m.chat_id in idle
        params = {
            "chat_id": m.chat_id,
            "method": m.method,
            "payload": json.dumps(m.params, ensure_ascii=False, separators=(",", ":")),
            "priority": int(m.priority),
            "status": (OutboxStatus.SENDING if claimed else OutboxStatus.QUEUED).value,
            "attempts": 1 if claimed else 0,
            "claimed_by": claim_for if claimed else None,
            "claimed_at": moment if claimed else None,
            "moment": moment,
            "topic": m.topic,
        }
        row_id = connection.execute(_INSERT, params).scalar_one()
        queued.append(Queued(row_id, m.chat_id, int(m.priority), claimed, m.method, dict(m.params)))
    return queued


_BUSY = text("SELECT 1 FROM outbox_message WHERE chat_id = :chat_id AND status = 'sending' LIMIT 1")
_DUE_SQL = (
    "SELECT o.id FROM outbox_message o{hint} WHERE o.chat_id = :chat_id AND o.status = 'queued' "
    "AND o.next_attempt_at <= :moment AND NOT EXISTS (SELECT 1 FROM outbox_message e{hint} "
    "WHERE e.chat_id = :chat_id AND e.status = 'queued' AND e.next_attempt_at > :moment "
    "AND e.id < o.id) ORDER BY o.id LIMIT :limit"
)
_DUE_IDS = {
    # SQLite's planner prefers the (status, next_attempt_at) index, which scans every queued
    # row of every chat: with a broadcast queued that is thousands per claim.
    dialect: text(_DUE_SQL.format(hint=hint)).bindparams(
        bindparam("moment", type_=_outbox.c.next_attempt_at.type)
    )
    for dialect, hint in (("sqlite", " INDEXED BY ix_outbox_message_chat"), ("other", ""))
}
_CLAIM_IDS = text(
    "UPDATE outbox_message SET status = 'sending', claimed_by = :worker, claimed_at = :moment, "
    "attempts = attempts + 1, updated_at = :moment WHERE id IN :ids AND status = 'queued' "
    "RETURNING id, chat_id, method, payload, attempts, priority"
).bindparams(bindparam("ids", expanding=True), bindparam("moment", type_=_outbox.c.claimed_at.type))
"""`claim_lane` runs once per chat with something to send (every broadcast message too):
prebuilt SQL, as on the reply path, instead of expressions built per call."""


def claim_lane(
    db: Db, *, chat_id: int, worker: str, now: datetime | None = None, limit: int = 20
) -> list[Claimed]:
    """Take the chat's due rows for sending, in order; none while one is already out.

    A row is due when it is queued and its time has come, and no earlier row of
    the chat still waits for a retry: a later message never overtakes an earlier one.
    """
    connection = connection_of(db)
    if not try_lock_lane(connection, queue=QUEUE, chat_id=chat_id):
        return []
    moment = now or now_utc()
    if connection.execute(_BUSY, {"chat_id": chat_id}).first() is not None:
        return []
    params = {"chat_id": chat_id, "moment": moment, "limit": limit}
    due = _DUE_IDS["sqlite" if connection.dialect.name == "sqlite" else "other"]
    ids = list(connection.execute(due, params).scalars())
    if not ids:
        return []
    rows = connection.execute(_CLAIM_IDS, {"ids": ids, "worker": worker, "moment": moment})
    claimed = [Claimed(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5]) for row in rows]
    return sorted(claimed, key=lambda c: c.id)


def mark_sent(
    db: Db,
    *,
    ids: Sequence[int],
    message_ids: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> None:
    """Record rows as sent, with Telegram's message id where the call returned one."""
    moment = now or now_utc()
    found = message_ids or {}
    if ids:
        connection_of(db).execute(
            _MARK_SENT, [{"id": i, "moment": moment, "message_id": found.get(i)} for i in ids]
        )


def sent_copies(db: Db, *, topic: str) -> dict[int, list[int]]:
    """The messages sent about `topic`, by chat: Telegram's ids, oldest first. Rows are
    pruned after `CHORUS_QUEUE_RETENTION_DAYS`, and older copies with them."""
    found: dict[int, list[int]] = {}
    for chat_id, message_id in connection_of(db).execute(_SENT_COPIES, {"topic": topic}):
        found.setdefault(int(chat_id), []).append(int(message_id))
    return found


def retry_later(db: Db, *, id: int, at: datetime, error: str, count_attempt: bool = True) -> None:
    """Back to the queue until `at` (flood control or a passing failure)."""
    values: dict[str, Any] = {
        "status": OutboxStatus.QUEUED,
        "next_attempt_at": at,
        "last_error": error[:ERROR_LENGTH],
        "claimed_by": None,
        "updated_at": now_utc(),
    }
    if not count_attempt:  # flood control is Telegram's pace, not the message's fault
        values["attempts"] = _outbox.c.attempts - 1
    connection_of(db).execute(update(_outbox).where(_outbox.c.id == id).values(**values))


def release(db: Db, *, ids: Sequence[int]) -> None:
    """Hand back claimed rows not tried (an earlier row of the chat must go first)."""
    if ids:
        connection_of(db).execute(
            update(_outbox)
            .where(_outbox.c.id.in_(list(ids)), _outbox.c.status == OutboxStatus.SENDING)
            .values(
                status=OutboxStatus.QUEUED,
                claimed_by=None,
                attempts=_outbox.c.attempts - 1,
                updated_at=now_utc(),
            )
        )


def mark_failed(db: Db, *, id: int, error: str) -> None:
    connection_of(db).execute(
        update(_outbox)
        .where(_outbox.c.id == id)
        .values(status=OutboxStatus.FAILED, last_error=error[:ERROR_LENGTH], updated_at=now_utc())
    )


def cancel_chat(db: Db, *, chat_id: int, error: str) -> int:
    """Fail every row still waiting for `chat_id` (the person blocked the bot)."""
    result = connection_of(db).execute(
        update(_outbox)
        .where(
            _outbox.c.chat_id == chat_id,
            _outbox.c.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)),
        )
        .values(status=OutboxStatus.FAILED, last_error=error[:ERROR_LENGTH], updated_at=now_utc())
    )
    return int(result.rowcount or 0)


def requeue_stale(db: Db, *, claimed_before: datetime, keep_worker: str | None = None) -> list[int]:
    """Rows left `sending` by a worker that died: send them again. Returns their chats.

    `keep_worker`'s own claims are left alone: that worker is alive and sending them.
    """
    statement = (
        update(_outbox)
        .where(
            _outbox.c.status == OutboxStatus.SENDING,
            _outbox.c.claimed_at < claimed_before,
            _outbox.c.claimed_by.is_distinct_from(keep_worker),
        )
        .values(status=OutboxStatus.QUEUED, claimed_by=None, updated_at=now_utc())
        .returning(_outbox.c.chat_id)
    )
    return sorted({row[0] for row in connection_of(db).execute(statement)})


def due_chats(
    db: Db, *, limit: int, now: datetime | None = None, exclude: Sequence[int] = ()
) -> list[int]:
    """Chats with rows due now: the most urgent priority, then the oldest row, first."""
    moment = now or now_utc()
    earlier = aliased(_outbox)
    held = exists().where(  # an earlier row waits for its retry: the chat is not due yet
        earlier.c.chat_id == _outbox.c.chat_id,
        earlier.c.status == OutboxStatus.QUEUED,
        earlier.c.next_attempt_at > moment,
        earlier.c.id < _outbox.c.id,
    )
    query = (
        select(
            _outbox.c.chat_id,
            func.min(_outbox.c.priority).label("urgency"),
            func.min(_outbox.c.id).label("first"),
        )
        .where(
            _outbox.c.status == OutboxStatus.QUEUED,
            _outbox.c.next_attempt_at <= moment,
            ~held,
        )
        .group_by(_outbox.c.chat_id)
        .order_by("urgency", "first")
        .limit(limit + len(exclude))
    )
    skip = set(exclude)
    return [row[0] for row in connection_of(db).execute(query) if row[0] not in skip][:limit]


def next_due(db: Db) -> datetime | None:
    """When the earliest queued row falls due, for a loop deciding how long to sleep."""
    return (
        connection_of(db)
        .execute(
            select(func.min(_outbox.c.next_attempt_at)).where(
                _outbox.c.status == OutboxStatus.QUEUED
            )
        )
        .scalar()
    )


def counts(db: Db) -> OutboxCounts:
    connection = connection_of(db)
    by_status = {
        str(s): int(n)
        for s, n in connection.execute(
            select(_outbox.c.status, func.count()).group_by(_outbox.c.status)
        )
    }
    oldest = connection.execute(
        select(func.min(_outbox.c.created_at)).where(_outbox.c.status == OutboxStatus.QUEUED)
    ).scalar()
    failures = {
        str(e or "unknown"): int(n)
        for e, n in connection.execute(
            select(_outbox.c.last_error, func.count())
            .where(_outbox.c.status == OutboxStatus.FAILED)
            .group_by(_outbox.c.last_error)
        )
    }
    return OutboxCounts(by_status=by_status, oldest_queued=oldest, failures=failures)


def prune(db: Db, *, before: datetime) -> int:
    """Forget rows sent or failed before `before`: they hold message texts and chat ids."""
    result = connection_of(db).execute(
        delete(_outbox).where(
            and_(
                _outbox.c.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
                _outbox.c.updated_at < before,
            )
        )
    )
    return int(result.rowcount or 0)
