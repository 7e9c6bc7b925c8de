"""Escalation: an alert nobody acknowledged in time goes to the organization's owners.

A periodic loop in the running bot (started by `bot.serving`) claims the open
alerts whose time has passed (`surveys.crud.alerts.claim_escalations`: a
conditional UPDATE, with `SKIP LOCKED` on PostgreSQL) and, in the same
transaction, queues the alert to every owner (with the same two buttons: an owner may
act on an escalated alert) and a notice to every lead, at
`OutboxPriority.ALERT`. Claim and messages commit together, so with several
workers each alert is escalated exactly once, and a crash escalates it later
rather than never. The clock is a parameter, so tests can jump ahead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.alerts.messages import alert_keyboard, alert_text, format_moment
from bot.alerts.sending import alert_priority, alert_topic
from bot.loops import poll_until_stopped
from bot.outgoing import Outgoing
from bot.runtime import Runtime
from surveys.crud.alerts import AlertFacts, alert_facts, claim_escalations, recipients
from surveys.crud.respondents import now_utc
from surveys.i18n import t
from surveys.roles import StaffRole

logger = logging.getLogger(__name__)

POLL_SECONDS = 30.0
"""How often the loop looks for overdue alerts: well within the escalation time."""
BATCH = 20


def escalate_due(out: Outgoing, *, now: datetime) -> list[int]:
    """Escalate the alerts overdue at `now`, in `out`'s transaction; their ids."""
    escalated = claim_escalations(out.db, now=now, limit=BATCH)
    for alert_id in escalated:
        alert = alert_facts(out.db, alert_id=alert_id)
        if alert is not None:
            _queue_escalation(out, alert)
    return escalated


def _queue_escalation(out: Outgoing, alert: AlertFacts) -> None:
    minutes = round((alert.escalate_at - alert.created_at).total_seconds() / 60)
    leads = recipients(
        out.db, organization_id=alert.organization_id, role=StaffRole.SAFEGUARDING_LEAD
    )
    lead_ids = {lead.member_id for lead in leads}
    owners = [
        owner
        for owner in recipients(out.db, organization_id=alert.organization_id, role=StaffRole.OWNER)
        if owner.member_id not in lead_ids  # a lead who owns the organization already has it
    ]
    with alert_priority(out):
        for owner in owners:
            note = t("alerts.owner_note", owner.language, minutes=minutes)
            out.send(
                owner.chat_id,
                alert_text(alert, owner.language, note=note),
                reply_markup=alert_keyboard(alert.id, owner.language),
                topic=alert_topic(alert.id),
            )
        key = "alerts.escalated_to_leads" if owners else "alerts.overdue_no_owner"
        for lead in leads:
            time = format_moment(alert.created_at, alert.timezone, lead.language)
            text = t(
                key,
                lead.language,
                school=alert.school,
                time=time,
                minutes=minutes,
            )
            out.send(lead.chat_id, text)
    logger.warning(
        "alert %d not acknowledged in %d minutes: escalated to %d owner(s)",
        alert.id,
        minutes,
        len(owners),
    )


class Escalator:
    """The periodic escalation loop of one worker."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        clock: Callable[[], datetime] = now_utc,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.runtime = runtime
        self.clock = clock
        self.poll_seconds = poll_seconds

    async def run_once(self) -> list[int]:
        """One pass: escalate what is overdue now, and hand the messages to delivery."""
        now = self.clock()
        return await self.runtime.transact(lambda out: escalate_due(out, now=now))

    async def run(self, stop: asyncio.Event) -> None:
        await poll_until_stopped(
            stop,
            name="alerts",
            poll=self.run_once,
            sweep=_nothing,
            poll_seconds=self.poll_seconds,
            sweep_seconds=float("inf"),
        )


async def _nothing() -> None:
    """The escalation loop has no claims of its own to sweep: its claim is the commit."""
