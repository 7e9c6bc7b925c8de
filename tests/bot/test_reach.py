"""Reminders through the real handlers (offline Bot API) with a controllable clock:
the message and its Continue button, and who never gets one (/stop, a block, /delete,
finishing, the campaign closing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.outgoing import Outgoing
from bot.reach import queue_reminders, reminder_voice, send_due_reminders
from bot.runtime import runtime_of
from bot.simulation.offline_request import Call, OfflineRequest
from surveys.crud.campaigns import close_campaign
from surveys.crud.reminders import DueReminder
from surveys.crud.respondents import Db
from surveys.i18n import t
from surveys.models import Campaign, Contact, OutboxMessage, OutboxPriority
from tests.bot.conftest import AnyApp, Chat, join, reach_last_question

NOON = (datetime.now(UTC) + timedelta(days=2)).replace(hour=12, minute=0, second=0)
"""Two days after the test's answers, at noon UTC: past the first reminder (24 h), before the
second (72 h), outside the default quiet hours."""
LATER = NOON + timedelta(days=2)
"""Past the second reminder."""
REMINDER = t("reach.reminder.text", "en")


async def remind(app: AnyApp, chat: Chat, *, now: datetime) -> int:
    """Run the periodic job once at `now` and let the bot deliver what it queued."""
    runtime = runtime_of(app)
    before = len(chat.request.calls)
    queued = await send_due_reminders(runtime, now=now)
    await runtime.delivery.flush()
    chat.last_calls = chat.request.calls[before:]
    for call in chat.last_calls:
        chat._observe(call)
    return queued


def reminders_to(offline: OfflineRequest, chat_id: int) -> list[Call]:
    return [c for c in offline.of("sendMessage") if c.chat_id == chat_id and c.text == REMINDER]


async def test_a_reminder_has_a_continue_button_that_resumes_at_the_question(
    chat: Chat, campaign: Campaign, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    question = chat.latest()
    assert await remind(chat.app, chat, now=NOON) == 1
    assert chat.texts() == [REMINDER]
    assert chat.latest().labels == ["Continue"]
    await chat.tap("Continue")
    assert chat.texts() == [question.text]  # the question they were at, with its buttons
    assert chat.latest().labels == question.labels
    await chat.tap("Agree")  # and they carry on
    assert chat.texts()[0] != question.text


async def test_at_most_two_reminders_then_none(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    assert await remind(chat.app, chat, now=NOON) == 1
    assert await remind(chat.app, chat, now=NOON + timedelta(minutes=5)) == 0
    assert await remind(chat.app, chat, now=LATER) == 1
    assert await remind(chat.app, chat, now=LATER + timedelta(days=30)) == 0


async def test_stop_means_no_reminder_and_resume_undoes_it(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.send("/stop")
    assert chat.texts() == [t("bot.stop.paused", "en")]
    assert await remind(chat.app, chat, now=NOON) == 0
    await chat.send("/resume")
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == chat.chat_id)).one()
        activity = contact.updated_at
    assert not contact.opted_out
    assert activity is not None
    assert await remind(chat.app, chat, now=NOON) == 1


async def test_stop_cancels_a_reminder_queued_but_not_yet_sent(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    runtime = runtime_of(chat.app)

    def queue_only(db: Db) -> int:  # as another worker would: queued, not yet delivered
        out = Outgoing(db, runtime.key)
        queued = queue_reminders(out, now=NOON)
        out.commit()
        return queued

    assert await runtime.database.run(queue_only) == 1
    await chat.send("/stop")
    assert REMINDER not in chat.request.sent_texts(chat.chat_id)
    with Session(engine) as session:
        bulk = session.exec(
            select(OutboxMessage).where(OutboxMessage.priority == OutboxPriority.BULK)
        ).one()
    assert bulk.status == "failed"


async def test_no_reminder_to_someone_who_blocked_the_bot(
    chat: Chat, campaign: Campaign, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    offline.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await remind(chat.app, chat, now=NOON) == 1  # this one meets the block
    assert await remind(chat.app, chat, now=LATER) == 0  # opted out: no second one


async def test_no_reminder_after_delete(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    await chat.send("/delete")
    await chat.tap("Yes, erase everything")
    assert await remind(chat.app, chat, now=NOON) == 0


async def test_no_reminder_after_finishing(chat: Chat, campaign: Campaign) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("Nothing else")
    assert await remind(chat.app, chat, now=NOON) == 0


async def test_no_reminder_after_the_campaign_closes(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    with Session(engine) as session:
        close_campaign(session, code=campaign.code)
        session.commit()
    assert await remind(chat.app, chat, now=NOON) == 0


async def test_help_says_what_stop_and_resume_do(chat: Chat) -> None:
    await chat.send("/help")
    assert "/stop – stop reminders" in chat.said()
    assert "undoes it" in chat.said()


def test_reminders_use_the_respondents_register() -> None:
    def due(role: str | None, language: str) -> DueReminder:
        return DueReminder("r", 1, 1, "in_progress", language, role, 0, datetime.now(UTC))

    assert reminder_voice(due("student", "es")) == "es"
    assert reminder_voice(due("caregiver", "es")) == "es@formal"
    tu, usted = (t("reach.reminder.text", reminder_voice(due(r, "es"))) for r in ("student", None))
    assert "Empezaste" in tu and "Empezó" in usted
