"""Reaching out end to end: the real bot polling the fake Bot API over HTTP.

A respondent who stopped midway is reminded (the clock moved on by the test), taps
Continue, finishes; after the campaign closes the results reach everyone who
completed, exactly once, even when the worker sending them dies mid-broadcast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.application import build_application
from bot.delivery import Attempt
from bot.reach import send_due_reminders
from bot.runtime import runtime_of
from bot.settings import BotSettings
from bot.sharing import ShareError, plan_share, queue_share_batch
from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, UserAction
from bot.simulation.respondents import polling_bot
from surveys import conversations
from surveys.crud import outbox
from surveys.crud.campaigns import close_campaign
from surveys.crud.organizations import get_organization
from surveys.crud.outbox import Claimed
from surveys.i18n import t
from surveys.models import Campaign, OutboxMessage, Respondent, RespondentStatus
from tests.factories import add_answers, make_campaign, make_respondent
from tests.sharing_seed import closed_campaign, crowd

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "5150:REACH-OUT"
PERSON = 9301
WAIT = 8.0
NOON = (datetime.now(UTC) + timedelta(days=2)).replace(hour=12, minute=0, second=0)
REMINDER = t("reach.reminder.text", "en")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="chorus_reach_bot") as server:
        yield server


async def reply(api: FakeBotApi, action: UserAction) -> ChatMessage:
    message = await api.wait_for_reply(action.chat_id, after=action, timeout=WAIT)
    await api.wait_settled(action.chat_id, since=action, quiet=0.05, timeout=WAIT)
    return message


async def tap(api: FakeBotApi, label: str) -> ChatMessage:
    return await reply(api, api.press_button(PERSON, label))


async def say(api: FakeBotApi, text: str) -> ChatMessage:
    return await reply(api, api.send_text(PERSON, text))


def texts_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text for m in api.messages(chat_id)]


async def test_a_reminded_respondent_continues_finishes_and_hears_the_results(
    api: FakeBotApi, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        campaign = make_campaign(session, follow_up={"en": "See you May 5.", "es": "5 de mayo."})
        session.commit()
    for chat_id in (PERSON + 1, PERSON + 2):
        api.add_user(chat_id)
    async with polling_bot(api, engine) as served:
        await reply(api, api.send_command(PERSON, "/start", campaign.code))
        for label in ("English", "Start", "I'm a student"):
            await tap(api, label)
        second = await tap(api, "Agree")
        assert await send_due_reminders(served.runtime, now=NOON) == 1
        await api.wait_until(lambda: REMINDER in texts_to(api, PERSON), timeout=WAIT)
        assert (await tap(api, "Continue")).text == second.text
        for label in ("Agree", "Often", "Skip"):
            await tap(api, label)
        await say(api, "4")
        await tap(api, "No")
        await say(api, "Nothing else")
        assert await send_due_reminders(served.runtime, now=NOON + timedelta(days=3)) == 0
        with Session(engine) as session:
            respondent = session.exec(select(Respondent)).one()
            assert respondent.status == RespondentStatus.COMPLETED
            assert respondent.reminders_sent == 1
            close_campaign(session, code=campaign.code)
            with pytest.raises(ShareError, match="fewer than 10"):  # below the minimum group
                plan_share(session, code=campaign.code)
            _two_more_and_min_n_3(session, campaign)
            session.commit()
            plan = plan_share(session, code=campaign.code)
        assert conversations.run(engine, partial(queue_share_batch, plan=plan)) == 3
        await served.runtime.delivery.flush(timeout=WAIT)
        await api.wait_until(
            lambda: (
                len(texts_to(api, PERSON)) > 0 and "See you May 5." in texts_to(api, PERSON)[-1]
            ),
            timeout=WAIT,
        )
        results = texts_to(api, PERSON)[-1]
        assert "3 people answered." in results and "/delete" in results
    assert texts_to(api, PERSON).count(REMINDER) == 1


def _two_more_and_min_n_3(session: Session, campaign: Campaign) -> None:
    organization = get_organization(session, name=campaign.organization)
    assert organization is not None
    organization.min_group_size = 3
    session.add(organization)
    for chat_id in (PERSON + 1, PERSON + 2):
        other = make_respondent(session, campaign=campaign, chat_id=chat_id)
        add_answers(session, respondent=other, answers={"b1": "4", "b2": "2"})


async def test_the_broadcast_survives_a_worker_dying_midway_and_arrives_once(
    api: FakeBotApi, engine: Engine
) -> None:
    people = crowd(24, first_chat=9400)
    chats = [p.chat_id for p in people]
    for chat_id in chats:
        api.add_user(chat_id)
    with Session(engine, expire_on_commit=False) as session:
        campaign: Campaign = closed_campaign(session, people)
        session.commit()
        plan = plan_share(session, code=campaign.code)
    assert conversations.run(engine, partial(queue_share_batch, plan=plan)) == 24
    assert conversations.run(engine, partial(queue_share_batch, plan=plan)) == 0

    await _die_after(api, engine, sent=9)
    assert sum(1 for c in chats if texts_to(api, c)) == 9
    with Session(engine) as session:
        left = session.exec(select(OutboxMessage).where(OutboxMessage.status == "sending")).all()
    assert left, "the dead worker held claims"

    # The dead worker's claims are released once its lease runs out (now, on this clock).
    later = datetime.now(UTC) + timedelta(minutes=5)
    conversations.run(engine, partial(outbox.requeue_stale, claimed_before=later))
    async with polling_bot(api, engine) as served:
        await api.wait_until(lambda: all(texts_to(api, c) for c in chats), timeout=WAIT)
        await served.settle()
    assert [len(texts_to(api, c)) for c in chats] == [1] * 24  # everyone, exactly once
    assert all(plan.texts["en"] == texts_to(api, c)[0] for c in chats)
    with Session(engine) as session:
        statuses = {m.status for m in session.exec(select(OutboxMessage)).all()}
    assert statuses == {"sent"}
    with Session(engine) as session:  # sharing again sends nothing
        assert plan_share(session, code=campaign.code).waiting == 0


async def _die_after(api: FakeBotApi, engine: Engine, *, sent: int) -> None:
    """A worker that delivers `sent` results and then dies holding its claims (kill -9:
    no cleanup, rows left `sending`)."""
    settings = BotSettings(token=api.token, username="chorus_reach_bot", api_base_url=api.base_url)
    application = build_application(settings, engine=engine, rate_limit=False)
    await application.initialize()
    delivery = runtime_of(application).delivery
    original = delivery._attempt
    done = 0
    hang = asyncio.Event()

    async def attempt(row: Claimed) -> Attempt:
        nonlocal done
        if done >= sent:
            await hang.wait()  # the process is gone before this call reaches Telegram
        done += 1
        return await original(row)

    delivery._attempt = attempt  # type: ignore[method-assign]
    stop = asyncio.Event()
    runner = asyncio.create_task(delivery.run(stop))
    await api.wait_until(lambda: len(api.calls_to("sendMessage")) >= sent, timeout=WAIT)
    await asyncio.sleep(0.2)  # let every lane reach the hang
    for task in [runner, *delivery._lanes.values()]:
        task.cancel()
    await asyncio.gather(runner, *delivery._lanes.values(), return_exceptions=True)
    await application.shutdown()
    runtime_of(application).database.close()
