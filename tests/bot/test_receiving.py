"""Receiving: an update is stored before Telegram is told it arrived, and the door is guarded."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.database import Database
from bot.receiving import MAX_BODY_BYTES, SECRET_HEADER, Poller, chat_of, incoming, webhook_app
from bot.simulation.fake_bot_api import FakeBotApi
from surveys.crud.respondents import Db
from surveys.models import InboxUpdate

T = TypeVar("T")
SECRET = "s3cret-token"


def _message(update_id: int, chat_id: int, text: str = "hi") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
        },
    }


def _stored(engine: Engine) -> list[InboxUpdate]:
    with Session(engine) as session:
        return list(session.exec(select(InboxUpdate).order_by(InboxUpdate.update_id)))


@pytest.mark.parametrize(
    ("raw", "chat"),
    [
        (_message(1, 42), 42),
        (
            {
                "update_id": 2,
                "callback_query": {"id": "q", "from": {"id": 7}, "message": {"chat": {"id": 43}}},
            },
            43,
        ),
        ({"update_id": 3, "inline_query": {"id": "q", "from": {"id": 44}}}, 44),
        ({"update_id": 4, "poll": {"id": "p"}}, 0),
    ],
)
def test_each_update_has_its_chats_lane(raw: dict[str, Any], chat: int) -> None:
    assert chat_of(raw) == chat


@pytest.mark.parametrize("raw", [None, [], "x", {"update_id": "1"}, {"update_id": True}, {}])
def test_what_is_not_an_update_is_not_stored(raw: object) -> None:
    assert incoming(raw) is None


def test_nul_and_lone_surrogates_are_stored_escaped(engine: Engine) -> None:
    item = incoming(_message(9, 42, "a\x00b\ud83d"))
    assert item is not None and "\x00" not in item.payload and item.payload.isascii()
    from surveys.crud import inbox

    with Session(engine) as session:
        assert inbox.store(session, updates=[item]) == [item]
        session.commit()
    assert json.loads(_stored(engine)[0].payload)["message"]["text"] == "a\x00b\ud83d"


async def _client(engine: Engine, woken: list[int]) -> TestClient[Any, Any]:
    app = webhook_app(Database(engine), path="hook", secret_token=SECRET, on_stored=woken.extend)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_the_webhook_stores_before_it_says_ok_and_once(engine: Engine) -> None:
    woken: list[int] = []
    client = await _client(engine, woken)
    try:
        body = json.dumps(_message(11, 42))
        for _ in range(2):  # Telegram redelivers after a timeout
            response = await client.post("/hook", data=body, headers={SECRET_HEADER: SECRET})
            assert response.status == 200
    finally:
        await client.close()
    assert [u.update_id for u in _stored(engine)] == [11]
    assert woken == [42]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, "{}", 403),
        ({SECRET_HEADER: "wrong"}, "x" * (MAX_BODY_BYTES * 4), 403),  # secret before size
        ({SECRET_HEADER: SECRET}, "x" * (MAX_BODY_BYTES + 1), 413),
        ({SECRET_HEADER: SECRET}, "not json", 400),
        ({SECRET_HEADER: SECRET}, '{"no": "update id"}', 400),
    ],
)
async def test_the_webhook_refuses_at_the_door(
    engine: Engine, headers: dict[str, str], body: str, status: int
) -> None:
    client = await _client(engine, [])
    try:
        response = await client.post("/hook", data=body, headers=headers)
        assert response.status == status
    finally:
        await client.close()
    assert _stored(engine) == []


class FailingOnce(Database):
    """A database whose first transaction fails, as during a short outage."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.failed = False

    async def run(self, work: Callable[[Db], T]) -> T:
        if not self.failed:
            self.failed = True
            raise RuntimeError("database unavailable")
        return await super().run(work)


async def test_polling_confirms_an_offset_only_after_storing(engine: Engine) -> None:
    async with FakeBotApi(token="99:poll") as api:
        from telegram import Bot

        bot = Bot("99:poll", base_url=api.base_url)
        await bot.initialize()
        database = FailingOnce(engine)
        woken: list[int] = []
        poller = Poller(bot, database, on_stored=woken.extend, timeout=0)
        first = api.send_text(501, "one")
        with pytest.raises(RuntimeError):
            await poller.poll_once()  # fetched, but not stored: not confirmed either
        assert poller.offset is None
        assert await poller.poll_once() == 1  # Telegram gives it again; now it is stored
        api.send_text(502, "two")
        assert await poller.poll_once() == 1
        await bot.shutdown()
    assert [u.update_id for u in _stored(engine)] == [first.update_id, first.update_id + 1]
    assert woken == [501, 502]


async def test_an_update_ptb_cannot_read_is_logged_once_without_content(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.processing import InboxProcessor
    from bot.simulation.offline_request import OfflineRequest
    from tests.bot.conftest import build_offline

    secret_text = "my name is Secret Person"
    broken = {"update_id": 31, "message": {"chat": "not a chat", "text": secret_text}}
    item, good = incoming(broken), incoming(_message(32, 77, "/help"))
    assert item is not None and good is not None
    from surveys.crud import inbox

    with Session(engine) as session:
        inbox.store(session, updates=[item, good])
        session.commit()
    app = build_offline(engine, OfflineRequest())
    await app.initialize()
    processor = InboxProcessor(app, Database(engine), worker="t")
    with caplog.at_level(logging.WARNING):
        await processor.drain_all()
    await app.shutdown()
    statuses = {u.update_id: u.status for u in _stored(engine)}
    assert statuses == {31: "failed", 32: "done"}
    lines = [r.getMessage() for r in caplog.records if "31" in r.getMessage()]
    assert len(lines) == 1 and "could not be read" in lines[0]
    assert secret_text not in caplog.text
