"""Alerts end to end: the real `chorus run` runtime polling the fake Bot API over HTTP.

A student types a disclosure; the lead's phone gets the alert ahead of thirty replies
already waiting in the outbox; the lead taps "I'm following up" and the database
shows it handled and audited. And, with the clock moved on, an unacknowledged alert
reaches the owner while the serving bot's own escalation loop stays quiet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.alerts.escalation import Escalator
from bot.serving import Served, serving
from bot.settings import BotSettings
from bot.simulation.fake_bot_api import FakeBotApi
from surveys.crud import outbox
from surveys.crud.organizations import create_organization
from surveys.crud.outbox import NewMessage
from surveys.i18n import t
from surveys.models import (
    Alert,
    AlertStatus,
    AuditEvent,
    Campaign,
    OutboxMessage,
    OutboxPriority,
    RespondentStatus,
)
from tests.factories import make_campaign, make_respondent, make_staff, make_survey

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "5151:ALERTS-END-TO-END"
ORG = "Bridges Tutoring"
STUDENT, LEAD, OWNER = 9301, 9401, 9402
BROADCAST = range(9500, 9530)
"""Thirty other chats whose replies wait in the outbox when the disclosure comes."""
DISCLOSURE = "my stepdad hits me when he is angry"
WAIT = 20.0
"""Seconds any one wait may take: the replies ahead of the student take 5 s at this pace."""


@pytest.fixture
def campaign(engine: Engine) -> Iterator[Campaign]:
    """A one-question student survey; the student is already at its open question."""
    survey = make_survey(
        id="one-question",
        audience="student",
        questions=(
            {"id": "t1", "type": "text", "domain": "open",
             "text": {"en": "Anything else?", "es": "¿Algo más?"}},
        ),
    )  # fmt: skip
    with Session(engine, expire_on_commit=False) as session:
        create_organization(session, name=ORG, timezone="America/Chicago")
        make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=LEAD,
                   display_name="Ana Lead")  # fmt: skip
        make_staff(session, organization=ORG, roles="owner", chat_id=OWNER, display_name="Olga")
        stored = make_campaign(session, survey=survey, organization=ORG, school="Lincoln Middle")
        stored.reminders = ""  # the factory's respondent started long ago: no reminder here
        make_respondent(
            session, campaign=stored, role="student", status=RespondentStatus.IN_PROGRESS,
            current_question="t1", chat_id=STUDENT,
        )  # fmt: skip
        session.commit()
    yield stored


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="chorus_alerts_bot") as server:
        for chat_id in (STUDENT, LEAD, OWNER, *BROADCAST):  # people who have opened the bot
            server.add_user(chat_id, first_name=f"User{chat_id}")
        yield server


@asynccontextmanager
async def running(api: FakeBotApi, engine: Engine) -> AsyncIterator[Served]:
    """The real runtime, paced: 5 messages a second in all, so thirty replies make a queue."""
    settings = BotSettings(
        token=TOKEN, username="chorus_alerts_bot", api_base_url=api.base_url,
        send_rate=5.0, chat_rate=100.0, chat_burst=100,
    )  # fmt: skip
    async with serving(settings, engine, rate_limit=True, poll_timeout=1) as served:
        yield served


async def eventually(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT):
        while not predicate():
            await asyncio.sleep(0.05)


def stored_alert(engine: Engine) -> Alert:
    with Session(engine) as session:
        (alert,) = session.exec(select(Alert)).all()
        return alert


def sent_order(api: FakeBotApi) -> list[int]:
    return [int(c.params["chat_id"]) for c in api.calls_to("sendMessage") if c.status == 200]


async def test_a_disclosure_reaches_the_lead_ahead_of_queued_replies_and_is_acknowledged(
    api: FakeBotApi, engine: Engine, campaign: Campaign
) -> None:
    async with running(api, engine) as served:
        # Replies to thirty other chats already wait in the outbox, paced out at 5 a second.
        bulk = [NewMessage(chat, "sendMessage", {"chat_id": chat, "text": "Reminder"},
                           OutboxPriority.INTERACTIVE) for chat in BROADCAST]  # fmt: skip
        await served.runtime.database.run(lambda db: outbox.enqueue(db, messages=bulk))
        await served.runtime.delivery.poll_once()
        await eventually(lambda: sum(c in BROADCAST for c in sent_order(api)) >= 6)

        api.send_text(STUDENT, DISCLOSURE)
        await api.wait_in_chat(LEAD, lambda: bool(api.messages(LEAD)), timeout=WAIT)
        (alert_message,) = api.messages(LEAD)

        assert "Lincoln Middle" in alert_message.text and DISCLOSURE in alert_message.text
        assert [b.text for b in alert_message.buttons] == ["I'm following up", "Not a concern"]
        await api.wait_in_chat(STUDENT, lambda: len(api.messages(STUDENT)) == 2, timeout=WAIT)
        student_texts = [m.text for m in api.messages(STUDENT)]
        assert student_texts[0] == t("safeguarding.support", "en")  # then the thanks

        api.press_button(LEAD, "I'm following up", alert_message.message_id)
        await api.wait_in_chat(
            LEAD, lambda: api.message(LEAD, alert_message.message_id).keyboard == (), timeout=WAIT
        )
        assert "✅ Ana Lead is following up" in api.message(LEAD, alert_message.message_id).text
        await served.settle(timeout=WAIT)

    order = sent_order(api)
    assert sorted(c for c in order if c in BROADCAST) == list(BROADCAST)  # all went out...
    bulk_after_alert = [c for c in order[order.index(LEAD) :] if c in BROADCAST]
    # ...but the alert did not wait for the thirty replies (6 seconds at this
    # pace): it went out while most of them were still waiting their turn.
    assert len(bulk_after_alert) >= 10, order
    alert = stored_alert(engine)
    assert alert.status == AlertStatus.FOLLOWING_UP and alert.handled_at is not None
    with Session(engine) as session:
        (event,) = session.exec(
            select(AuditEvent).where(col(AuditEvent.action).startswith("alert."))
        ).all()
        assert (event.action, event.campaign_id) == ("alert.following_up", campaign.id)
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == LEAD)).all()
        assert [r.method for r in rows] == ["sendMessage", "editMessageText"]
        assert {r.priority for r in rows} == {OutboxPriority.ALERT}


async def test_an_unacknowledged_alert_reaches_the_owner_when_its_time_is_up(
    api: FakeBotApi, engine: Engine, campaign: Campaign
) -> None:
    async with running(api, engine) as served:
        api.send_text(STUDENT, DISCLOSURE)
        await api.wait_in_chat(LEAD, lambda: bool(api.messages(LEAD)), timeout=WAIT)
        created = stored_alert(engine).created_at
        # The serving bot's own loop runs on the real clock: nothing is due yet.
        await asyncio.sleep(0.2)
        assert api.messages(OWNER) == []
        later = Escalator(served.runtime, clock=lambda: created + timedelta(minutes=31))
        assert await later.run_once() == [stored_alert(engine).id]
        await api.wait_in_chat(OWNER, lambda: bool(api.messages(OWNER)), timeout=WAIT)
        await api.wait_in_chat(LEAD, lambda: len(api.messages(LEAD)) == 2, timeout=WAIT)
        assert await later.run_once() == []  # once only
        await served.settle(timeout=WAIT)
    (to_owner,) = api.messages(OWNER)
    assert DISCLOSURE in to_owner.text and "No safeguarding lead acknowledged" in to_owner.text
    assert api.messages(LEAD)[1].text.startswith("⏰ Nobody acknowledged the alert")
    assert stored_alert(engine).escalated_at is not None
