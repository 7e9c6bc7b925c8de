"""The delivery loop's rules, against a real database and a stand-in bot whose answers are exact."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.database import Database
from bot.delivery import Delivery, DeliveryConfig, opt_out_blocked
from surveys.crud import outbox
from surveys.crud.outbox import NewMessage
from surveys.crud.respondents import now_utc
from surveys.models import Contact, OutboxMessage, OutboxStatus
from tests.factories import make_campaign

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

FAST = DeliveryConfig(
    send_rate=10_000, burst=10_000, chat_rate=10_000, chat_burst=10_000, max_attempts=3
)


class FlakyBot:
    """Answers each call with the next scripted error for its chat, then succeeds."""

    def __init__(self, failures: dict[int, Iterable[Exception]] | None = None) -> None:
        self.failures = {chat: list(errors) for chat, errors in (failures or {}).items()}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.delivered: list[tuple[int, str]] = []

    async def do_api_request(self, method: str, *, api_kwargs: dict[str, Any], **_: Any) -> Any:
        chat = int(api_kwargs["chat_id"])
        self.calls.append((method, api_kwargs))
        pending = self.failures.get(chat)
        if pending:
            raise pending.pop(0)
        self.delivered.append((chat, str(api_kwargs.get("text"))))
        return {"message_id": len(self.calls)}


def _queue(engine: Engine, *messages: tuple[int, str]) -> None:
    with Session(engine) as session:
        outbox.enqueue(
            session,
            messages=[
                NewMessage(chat, "sendMessage", {"chat_id": chat, "text": text})
                for chat, text in messages
            ],
        )
        session.commit()


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def _delivery(engine: Engine, bot: FlakyBot, **config: Any) -> Delivery:
    settings = {**FAST.__dict__, **config}
    return Delivery(
        bot,  # type: ignore[arg-type]
        Database(engine),
        worker="test",
        config=DeliveryConfig(**settings),
        on_blocked=opt_out_blocked,
    )


async def test_each_chat_gets_its_messages_in_order(engine: Engine) -> None:
    _queue(engine, (1, "a1"), (2, "b1"), (1, "a2"), (2, "b2"), (1, "a3"))
    bot = FlakyBot()
    await _delivery(engine, bot).flush()
    assert [t for c, t in bot.delivered if c == 1] == ["a1", "a2", "a3"]
    assert [t for c, t in bot.delivered if c == 2] == ["b1", "b2"]
    assert {r.status for r in _rows(engine)} == {OutboxStatus.SENT}


async def test_flood_control_holds_only_that_chat_and_keeps_the_order(engine: Engine) -> None:
    _queue(engine, (1, "a1"), (1, "a2"), (2, "b1"))
    bot = FlakyBot({1: [RetryAfter(1)]})
    delivery = _delivery(engine, bot)
    await delivery.flush()
    assert bot.delivered == [(2, "b1")]  # chat 2 did not wait for chat 1's flood control
    waiting = [r for r in _rows(engine) if r.chat_id == 1]
    assert [r.status for r in waiting] == [OutboxStatus.QUEUED, OutboxStatus.QUEUED]
    assert waiting[0].attempts == 0  # flood control is not the message's fault
    assert waiting[0].next_attempt_at > now_utc()
    await asyncio.sleep(1.1)
    await delivery.flush()
    assert [t for c, t in bot.delivered if c == 1] == ["a1", "a2"]


async def test_server_errors_are_retried_with_backoff_then_fail(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long backoff, so each retry happens only when the test lets it (on a busy machine a
    # 0.5 s timer could fire inside a flush and make two attempts of one).
    monkeypatch.setattr("bot.delivery.BACKOFF_SECONDS", 30.0)
    _queue(engine, (1, "a1"), (1, "a2"))
    errors = [NetworkError("Bad Gateway"), TimedOut(), NetworkError("Bad Gateway")]
    bot = FlakyBot({1: errors})
    delivery = _delivery(engine, bot)
    await delivery.flush()
    first = _rows(engine)[0]
    assert first.status == OutboxStatus.QUEUED and first.attempts == 1
    for _ in range(2):
        with Session(engine) as session:  # let the backoff pass without waiting for it
            row = session.get(OutboxMessage, first.id)
            assert row is not None
            row.next_attempt_at = now_utc() - timedelta(seconds=1)
            session.add(row)
            session.commit()
        await delivery.flush()
    rows = _rows(engine)
    assert rows[0].status == OutboxStatus.FAILED and rows[0].attempts == 3
    assert rows[0].last_error is not None and "Bad Gateway" in rows[0].last_error
    assert rows[1].status == OutboxStatus.SENT  # the next message still goes
    assert bot.delivered == [(1, "a2")]


async def test_a_blocked_chat_is_opted_out_and_its_queue_cancelled(engine: Engine) -> None:
    with Session(engine) as session:
        campaign = make_campaign(session)
        from surveys.crud.respondents import create_respondent

        assert campaign.id is not None
        create_respondent(session, campaign_id=campaign.id, chat_id=7, language="en")
        session.commit()
    _queue(engine, (7, "one"), (7, "two"), (8, "other"))
    bot = FlakyBot({7: [Forbidden("Forbidden: bot was blocked by the user")]})
    await _delivery(engine, bot).flush()
    assert bot.delivered == [(8, "other")]
    assert [r.status for r in _rows(engine) if r.chat_id == 7] == [OutboxStatus.FAILED] * 2
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == 7)).one()
        assert contact.opted_out


async def test_not_modified_counts_as_sent_and_other_bad_requests_fail(engine: Engine) -> None:
    _queue(engine, (1, "same"), (1, "broken"), (1, "fine"))
    bot = FlakyBot(
        {1: [BadRequest("Message is not modified: same content"), BadRequest("Chat not found")]}
    )
    await _delivery(engine, bot).flush()
    assert [r.status for r in _rows(engine)] == [
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
        OutboxStatus.SENT,
    ]
    assert len(bot.calls) == 3  # a bad request is not retried


async def test_a_crash_between_claim_and_send_sends_once_on_restart(engine: Engine) -> None:
    _queue(engine, (1, "hello"))
    with Session(engine) as session:  # a worker claimed the row, then died before sending
        claimed = outbox.claim_lane(session, chat_id=1, worker="dead")
        session.commit()
    assert [c.params["text"] for c in claimed] == ["hello"]
    bot = FlakyBot()
    alive = _delivery(engine, bot, lease_seconds=0.0)
    await alive.flush()
    assert bot.delivered == []  # still claimed by the dead worker: not sent twice meanwhile
    await alive.recover()
    await alive.flush()
    await alive.flush()
    assert bot.delivered == [(1, "hello")]
    assert _rows(engine)[0].status == OutboxStatus.SENT


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
async def test_two_delivery_loops_never_send_a_message_twice(engine: Engine) -> None:
    messages = [(chat, f"{chat}-{n}") for n in range(8) for chat in range(1, 26)]
    _queue(engine, *messages)
    bot = FlakyBot()
    first, second = _delivery(engine, bot), _delivery(engine, bot)
    await asyncio.gather(first.flush(timeout=30), second.flush(timeout=30))
    assert sorted(bot.delivered) == sorted(messages)
    for chat in range(1, 26):
        assert [t for c, t in bot.delivered if c == chat] == [f"{chat}-{n}" for n in range(8)]


async def test_rate_limit_paces_sends(engine: Engine) -> None:
    _queue(engine, *[(chat, "x") for chat in range(1, 21)])
    bot = FlakyBot()
    delivery = _delivery(engine, bot, send_rate=40.0, burst=1.0)
    started = asyncio.get_running_loop().time()
    await delivery.flush()
    elapsed = asyncio.get_running_loop().time() - started
    assert len(bot.delivered) == 20
    assert elapsed >= 19 / 40 * 0.9  # 20 sends at 40/s, after a burst of one


async def test_a_sent_message_keeps_telegrams_id_and_can_be_found_by_its_topic(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        outbox.enqueue(
            session,
            messages=[
                NewMessage(1, "sendMessage", {"chat_id": 1, "text": "alert"}, topic="alert:7"),
                NewMessage(2, "sendMessage", {"chat_id": 2, "text": "alert"}, topic="alert:7"),
                NewMessage(2, "sendMessage", {"chat_id": 2, "text": "other"}),
            ],
        )
        session.commit()
    bot = FlakyBot()  # answers each call with its own message id
    await _delivery(engine, bot).flush()
    rows = _rows(engine)
    assert all(r.status == OutboxStatus.SENT and r.sent_message_id is not None for r in rows)
    with Session(engine) as session:
        copies = outbox.sent_copies(session, topic="alert:7")
    assert set(copies) == {1, 2}
    assert copies[1] == [rows[0].sent_message_id]
    assert copies[2] == [rows[1].sent_message_id]
    assert rows[1].sent_message_id != rows[0].sent_message_id
