"""The analysis loop inside the bot: a comment typed in Telegram is worked out and kept."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from analysis import arrivals
from analysis.text_results import BLANK, decode, text_key
from bot import analysing
from bot.analysing import analyse_arrivals, analyse_each
from bot.runtime import runtime_of
from surveys.crud.analyses import PendingText
from surveys.models import Answer, AnswerAnalysis, Campaign
from tests.bot.conftest import AnyApp, Chat, count_rows, reach_last_question


async def test_a_comment_typed_in_telegram_is_worked_out_and_kept(
    app: AnyApp, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("The bus is late every morning")
    runtime = runtime_of(app)
    assert await analyse_arrivals(runtime) == 1
    assert await analyse_arrivals(runtime) == 0
    with Session(engine) as session:
        answer = session.exec(select(Answer).where(Answer.question_id == "t1")).one()
        kept = session.get(AnswerAnalysis, answer.id)
    assert kept is not None
    assert kept.text_key == text_key("en", "The bus is late every morning")
    assert "transportation" in decode(kept.result).themes


async def test_batches_until_nothing_is_left(
    app: AnyApp, campaign: Campaign, engine: Engine, offline: object
) -> None:
    for chat_id in (6001, 6002, 6003):
        chat = Chat(app, offline, chat_id)  # type: ignore[arg-type]
        await reach_last_question(chat, campaign)
        await chat.send(f"More tutoring please {chat_id}")
    assert await analyse_arrivals(runtime_of(app), batch=2) == 3
    assert count_rows(engine, AnswerAnalysis) == 3


def test_a_text_the_engine_fails_on_is_kept_blank_and_the_rest_worked_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = arrivals.analyse

    def fussy(pending: list[PendingText]) -> list[object]:
        if any("boom" in p.text for p in pending):
            raise RuntimeError("engine failed")
        return real(pending)  # type: ignore[return-value]

    monkeypatch.setattr(arrivals, "analyse", fussy)
    pending = [PendingText(1, "The bus is late", "en"), PendingText(2, "boom", "en")]
    kept = analyse_each(pending)
    assert [k.answer_id for k in kept] == [1, 2]
    assert kept[1].result == BLANK
    assert "transportation" in decode(kept[0].result).themes


async def test_the_loop_keeps_what_arrives_and_stops_when_told(
    app: AnyApp, chat: Chat, campaign: Campaign, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysing, "ANALYSIS_SECONDS", 0.05)
    await reach_last_question(chat, campaign)
    await chat.send("More tutoring after school")
    stop = asyncio.Event()
    loop = asyncio.create_task(analysing.analysis_loop(runtime_of(app), stop))
    async with asyncio.timeout(20):
        while count_rows(engine, AnswerAnalysis) == 0:
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert count_rows(engine, AnswerAnalysis) == 1


async def test_a_look_stops_after_its_batches_even_if_nothing_could_be_kept(
    app: AnyApp, chat: Chat, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("The bus is late")
    monkeypatch.setattr(arrivals, "keep", lambda db, analyses: None)  # as if it kept changing
    monkeypatch.setattr(analysing, "BATCHES_PER_LOOK", 3)
    assert await analyse_arrivals(runtime_of(app), batch=1) == 3
