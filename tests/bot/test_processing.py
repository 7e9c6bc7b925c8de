"""Processing the inbox: chats in parallel, each chat strictly in order, resumed after a crash."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import Update
from telegram.ext import TypeHandler

from bot.database import Database
from bot.processing import InboxProcessor
from bot.receiving import incoming
from bot.runtime import ChorusApplication
from bot.simulation.offline_request import OfflineRequest
from surveys.crud import inbox
from surveys.crud.inbox import Incoming
from surveys.models import Campaign
from tests.bot.conftest import build_offline, stored_answers
from tests.bot.test_receiving import _message

_ids = itertools.count(1000)


def _store(engine: Engine, raws: list[dict[str, Any]]) -> list[Incoming]:
    items = [i for i in map(incoming, raws) if i is not None]
    with Session(engine) as session:
        stored = inbox.store(session, updates=items)
        session.commit()
    return stored


class Recorder:
    """A handler that takes a while and notes what ran, when and alongside what."""

    def __init__(self) -> None:
        self.order: dict[int, list[int]] = {}
        self.running: dict[int, int] = {}
        self.overlap_in_chat = False
        self.most_at_once = 0

    async def __call__(self, update: Update, _: object) -> None:
        chat = update.effective_chat.id if update.effective_chat else 0
        self.running[chat] = self.running.get(chat, 0) + 1
        self.overlap_in_chat |= self.running[chat] > 1
        self.most_at_once = max(self.most_at_once, sum(self.running.values()))
        await asyncio.sleep(0.02)
        self.order.setdefault(chat, []).append(update.update_id)
        self.running[chat] -= 1


async def _app(engine: Engine) -> ChorusApplication:
    app = build_offline(engine, OfflineRequest())
    await app.initialize()
    return app


async def test_chats_run_in_parallel_and_each_chat_in_order(engine: Engine) -> None:
    raws = [_message(next(_ids), chat) for _ in range(5) for chat in (1, 2, 3, 4)]
    _store(engine, raws)
    app = await _app(engine)
    recorder = Recorder()
    app.add_handler(TypeHandler(Update, recorder), group=-1)
    processor = InboxProcessor(app, Database(engine), worker="w", concurrency=64)
    await processor.drain_all()
    await app.shutdown()
    for chat in (1, 2, 3, 4):
        expected = [r["update_id"] for r in raws if r["message"]["chat"]["id"] == chat]
        assert recorder.order[chat] == expected
    assert not recorder.overlap_in_chat
    assert recorder.most_at_once > 1  # chats did not wait for each other


async def test_concurrency_is_bounded(engine: Engine) -> None:
    _store(engine, [_message(next(_ids), chat) for chat in range(1, 21)])
    app = await _app(engine)
    recorder = Recorder()
    app.add_handler(TypeHandler(Update, recorder), group=-1)
    await InboxProcessor(app, Database(engine), worker="w", concurrency=3).drain_all()
    await app.shutdown()
    assert recorder.most_at_once == 3


async def test_an_update_a_dead_worker_was_handling_is_handled_once_on_restart(
    engine: Engine, campaign: Campaign
) -> None:
    chat = 6001
    first = next(_ids)
    _store(engine, [_message(first, chat, f"/start {campaign.code}")])
    with Session(engine) as session:
        assert inbox.claim_next(session, chat_id=chat, worker="killed") is not None
        session.commit()
    request = OfflineRequest()
    app = build_offline(engine, request)
    await app.initialize()
    processor = InboxProcessor(app, Database(engine), worker="new", lease_seconds=0.0)
    await processor.drain_all()
    assert request.of("sendMessage") == []  # still the dead worker's claim
    await processor.recover()  # SQLite: one process, so every old claim is a dead one
    await processor.drain_all()
    await processor.drain_all()
    from bot.runtime import runtime_of

    await runtime_of(app).delivery.flush()
    await app.shutdown()
    assert len(request.of("sendMessage")) == 1  # the language question, once
    assert stored_answers(engine, chat) == {}
