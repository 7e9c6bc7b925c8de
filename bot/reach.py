"""The bot writing first: reminders with a Continue button, and the daily retention purge.

Both run inside `chorus run` as one periodic loop (`reach_loop`), next to the
inbox and outbox loops. Everything they decide is in the database: a reminder is
claimed (its respondent's counter moved by a conditional UPDATE) in the same
transaction that writes it to the outbox, so a restart loses none and two
workers never send the same one. Reminders are BULK traffic: they wait behind
every interactive reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outgoing import Outgoing
from bot.runtime import Runtime
from surveys.crud import reminders
from surveys.crud.reminders import DueReminder
from surveys.crud.respondents import now_utc
from surveys.crud.retention import purge
from surveys.engine import Progress, voice
from surveys.i18n import t
from surveys.models import OutboxPriority
from surveys.status import RespondentStatus

logger = logging.getLogger(__name__)

CONTINUE = "R:go"
"""The reminder's button. It names no campaign: like /resume, it shows the question the
chat's survey in progress is at."""
REMINDER_SECONDS = 60.0
"""How often the loop looks for due reminders: a reminder goes at most this late."""
PURGE_SECONDS = 24 * 3600.0
BATCH = 200
"""Reminders claimed and queued per transaction."""

Clock = Callable[[], datetime]


def continue_keyboard(language: str) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(t("reach.reminder.continue", language), callback_data=CONTINUE)
    return InlineKeyboardMarkup([[button]])


def reminder_voice(reminder: DueReminder) -> str:
    """The respondent's language and register ("es@formal" to anyone not a student)."""
    status = RespondentStatus(reminder.status)
    return voice(Progress(status, reminder.language, reminder.role, None, {}))


def queue_reminders(out: Outgoing, *, now: datetime, limit: int = BATCH) -> int:
    """Claim the reminders due at `now` and write them to the outbox; returns how many.

    Runs in one transaction (`Runtime.transact`): a claim and its message commit together.
    """
    out.priority = OutboxPriority.BULK
    queued = 0
    for reminder in reminders.due_reminders(out.db, now=now, limit=limit):
        if not reminders.claim(out.db, reminder=reminder):
            continue  # another worker sent it, or the respondent just answered
        language = reminder_voice(reminder)
        out.send(
            reminder.chat_id,
            t("reach.reminder.text", language),
            reply_markup=continue_keyboard(language),
        )
        queued += 1
    return queued


async def send_due_reminders(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Queue every reminder due now, a batch per transaction; returns how many."""
    total = 0
    while True:
        moment = now or now_utc()
        queued = await runtime.transact(partial(_queue_batch, now=moment))
        total += queued
        if queued < BATCH:
            return total


def _queue_batch(out: Outgoing, *, now: datetime) -> int:
    return queue_reminders(out, now=now)


async def run_purge(runtime: Runtime, *, now: datetime | None = None) -> int:
    """The retention purge, as `chorus purge` does it; returns the rows removed."""
    report = await runtime.database.run(lambda db: purge(db, now=now or now_utc()))
    if report.total:
        logger.info("retention purge: %s", report.describe())
    return report.total


async def reach_loop(runtime: Runtime, stop: asyncio.Event, *, clock: Clock = now_utc) -> None:
    """Every minute, queue due reminders; once a day (and at start), purge what is due."""
    next_purge = clock()
    while not stop.is_set():
        try:
            sent = await send_due_reminders(runtime, now=clock())
            if sent:
                logger.info("queued %d reminder(s)", sent)
            if clock() >= next_purge:
                next_purge = clock() + timedelta(seconds=PURGE_SECONDS)
                await run_purge(runtime, now=clock())
        except Exception as exc:  # the database away for a moment: try again next time
            logger.warning("reach loop failed: %s", type(exc).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REMINDER_SECONDS)
