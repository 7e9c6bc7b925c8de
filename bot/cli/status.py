"""`chorus status`: how the queues stand, for whoever runs the bot at 2 am.

Reads the inbox and the outbox only: counts by status, the oldest waiting item,
and why messages failed. No chat id and no message text is shown.
"""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table

from bot.cli.app import console
from surveys.crud import inbox, outbox
from surveys.crud.inbox import InboxCounts
from surveys.crud.outbox import OutboxCounts
from surveys.db import session_scope


def _age(oldest: datetime | None, now: datetime) -> str:
    if oldest is None:
        return "-"
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    seconds = max(0, int((now - oldest).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def status_table(inbox_counts: InboxCounts, outbox_counts: OutboxCounts, now: datetime) -> Table:
    table = Table(title="chorus queues", show_lines=False)
    table.add_column("queue")
    table.add_column("state")
    table.add_column("count", justify="right")
    for state in ("queued", "processing", "done", "failed"):
        table.add_row("inbox", state, str(inbox_counts.by_status.get(state, 0)))
    table.add_row("inbox", "oldest queued", _age(inbox_counts.oldest_queued, now))
    for state in ("queued", "sending", "sent", "failed"):
        table.add_row("outbox", state, str(outbox_counts.by_status.get(state, 0)))
    table.add_row("outbox", "oldest queued", _age(outbox_counts.oldest_queued, now))
    for reason, count in sorted(outbox_counts.failures.items(), key=lambda kv: -kv[1]):
        table.add_row("outbox", f"failed: {reason[:70]}", str(count))
    return table


def status() -> None:
    """Show the inbox backlog and the outbox: queued, sending, sent, failed and why."""
    from bot.cli.surveys import open_database  # the CLI's one way to open storage

    engine = open_database()
    try:
        with session_scope(engine) as session:
            inbox_counts = inbox.counts(session)
            outbox_counts = outbox.counts(session)
    finally:
        engine.dispose()
    console.print(status_table(inbox_counts, outbox_counts, datetime.now(UTC)))


def register(app: typer.Typer) -> None:
    """Add `chorus status` to the root app."""

    app.command("status")(status)
