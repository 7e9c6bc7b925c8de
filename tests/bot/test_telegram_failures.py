"""Telegram's failure modes, driven through the real PTB stack by the offline Bot API."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.runtime import runtime_of
from bot.simulation.offline_request import OfflineRequest
from surveys import conversations
from surveys.i18n import t
from surveys.models import Campaign, Contact
from tests.bot.conftest import Chat, join, reach_number_question, stored_answers

BLOCKED = "Forbidden: bot was blocked by the user"


def _opted_out(engine: Engine, chat_id: int) -> list[bool]:
    with Session(engine) as session:
        return [
            c.opted_out for c in session.exec(select(Contact).where(Contact.chat_id == chat_id))
        ]


async def test_a_blocked_bot_marks_the_contact_opted_out(
    chat: Chat, campaign: Campaign, engine: Engine, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    assert _opted_out(engine, chat.chat_id) == [False]
    offline.fail_next("sendMessage", 403, BLOCKED)
    await chat.tap("Agree")
    # The answer was committed before the reply failed.
    assert stored_answers(engine, chat.chat_id)["b1"].value == "4"
    assert _opted_out(engine, chat.chat_id) == [True]
    # Forbidden is never retried.
    assert len([c for c in chat.last_calls if c.method == "sendMessage"]) == 1


async def test_coming_back_after_unblocking_clears_the_opt_out(
    chat: Chat, campaign: Campaign, engine: Engine, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    offline.fail_next("sendMessage", 403, BLOCKED)
    await chat.tap("Agree")
    await chat.send("/resume")
    assert _opted_out(engine, chat.chat_id) == [False]
    assert chat.texts() == ["2/7\nI feel left out."]


async def test_message_is_not_modified_is_harmless(
    chat: Chat, campaign: Campaign, engine: Engine, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    offline.fail_next(
        "editMessageText",
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
    )
    await chat.tap("Agree")
    assert chat.texts() == ["2/7\nI feel left out."]
    assert t("bot.failure", "en") not in chat.texts()
    assert stored_answers(engine, chat.chat_id)["b1"].value == "4"


async def test_flood_control_is_waited_out_and_retried(
    chat: Chat, campaign: Campaign, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    offline.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1})
    await chat.tap("Agree")
    sends = [c for c in chat.last_calls if c.method == "sendMessage"]
    assert len(sends) == 1 and sends[0].result is None  # refused: flood control
    before = len(offline.calls)
    await asyncio.sleep(1.1)  # Telegram's retry_after, waited out by the delivery loop
    await runtime_of(chat.app).delivery.flush()
    sends = [c for c in offline.calls[before:] if c.method == "sendMessage"]
    assert [c.text for c in sends] == ["2/7\nI feel left out."]


async def test_a_slow_answer_to_the_callback_query_is_not_fatal(
    chat: Chat, campaign: Campaign, engine: Engine, offline: OfflineRequest
) -> None:
    await join(chat, campaign)
    offline.fail_next(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    await chat.tap("Agree")
    assert stored_answers(engine, chat.chat_id)["b1"].value == "4"
    assert chat.texts() == ["2/7\nI feel left out."]


async def test_the_callback_query_is_answered_first(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    calls = await chat.tap("Agree")
    assert calls[0].method == "answerCallbackQuery"


async def test_an_unexpected_error_is_logged_without_identity_and_apologised_for(
    chat: Chat,
    campaign: Campaign,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await reach_number_question(chat, campaign)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("storage exploded")

    monkeypatch.setattr(conversations, "handle", broken)
    with caplog.at_level(logging.INFO):
        await chat.send("my secret answer 17")
    assert chat.texts() == [t("bot.failure", "en")]
    assert "RuntimeError" in caplog.text
    assert "my secret answer" not in caplog.text
    assert str(chat.chat_id) not in caplog.text
