"""Telling the safeguarding leads of a new alert, in the transaction that raised it.

The conversation service stores the alert with the flagged answer and hands its
id to the adapter (`Outcome.alert_id`); `queue_new_alert` writes one message per
active lead of the campaign's organization to the outbox at `OutboxPriority.ALERT`
in that same transaction, so an alert stored is an alert sent, and it goes out
ahead of replies and broadcasts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.alerts.messages import alert_keyboard, alert_text
from bot.outgoing import Outgoing
from surveys.crud.alerts import alert_facts, recipients
from surveys.models import OutboxPriority
from surveys.roles import StaffRole

logger = logging.getLogger(__name__)


@contextmanager
def alert_priority(out: Outgoing) -> Iterator[Outgoing]:
    """Queue what is said inside the block at the outbox's highest priority."""
    previous = out.priority
    out.priority = OutboxPriority.ALERT
    try:
        yield out
    finally:
        out.priority = previous


def alert_topic(alert_id: int) -> str:
    """The outbox topic of an alert's copies with buttons: once one lead takes the alert,
    the others' copies are found by it and lose their buttons (`bot.alerts.handling`)."""
    return f"alert:{alert_id}"


def queue_new_alert(out: Outgoing, alert_id: int) -> int:
    """Message every active safeguarding lead of the alert's organization; returns how many.

    Logs the alert's id and the count, never its text.
    """
    alert = alert_facts(out.db, alert_id=alert_id)
    if alert is None:  # pragma: no cover - raised in this very transaction
        return 0
    leads = recipients(
        out.db, organization_id=alert.organization_id, role=StaffRole.SAFEGUARDING_LEAD
    )
    with alert_priority(out):
        for lead in leads:
            out.send(
                lead.chat_id,
                alert_text(alert, lead.language),
                reply_markup=alert_keyboard(alert.id, lead.language),
                topic=alert_topic(alert.id),
            )
    if not leads:
        logger.warning(
            "alert %d: organization %d has no safeguarding lead; it waits for escalation",
            alert.id,
            alert.organization_id,
        )
    else:
        logger.info("alert %d sent to %d safeguarding lead(s)", alert.id, len(leads))
    return len(leads)
