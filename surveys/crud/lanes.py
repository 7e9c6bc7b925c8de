"""Per-chat lanes shared by the inbox and the outbox: one worker drains a chat at a time.

On PostgreSQL several workers share the queues. Row locks with `SKIP LOCKED`
alone cannot keep one chat's order (a worker skipping a locked first row would
take the second), so a worker first takes a transaction-scoped advisory lock
named after the queue and the chat, and skips the chat when another worker holds
it: `SKIP LOCKED` at the grain of a chat. SQLite serializes writers itself and
is the single-process default.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


def try_lock_lane(connection: Connection, *, queue: str, chat_id: int) -> bool:
    """True when this transaction may work on `chat_id`'s lane of `queue` until it ends."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(connection.execute(_TRY_LOCK, {"key": f"{queue}:{chat_id}"}).scalar())
