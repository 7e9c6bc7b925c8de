"""Handler-test harness: the real Application, an offline Bot API, and a person to drive it.

`Chat` builds Telegram updates the way a phone would send them, feeds them to
`Application.process_update`, and keeps the messages the bot sent (as the
offline Bot API answered them), so a test presses the buttons the bot really drew.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from telegram import Update
from telegram.ext import Application

from bot.application import build_application
from bot.callback_data import sign
from bot.runtime import runtime_of
from bot.settings import BotSettings
from bot.simulation.offline_request import TOKEN, Call, OfflineRequest
from surveys.models import Answer, Campaign, Contact, Respondent
from tests.factories import make_campaign

AnyApp = Application[Any, Any, Any, Any, Any, Any]

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
DATE = 1_770_000_000
FOLLOW_UP = {
    "en": "See you on May 5 at the library.",
    "es": "Nos vemos el 5 de mayo en la biblioteca.",
}


def next_update_id() -> int:
    return next(_update_ids)


def offline_settings() -> BotSettings:
    return BotSettings(
        token=TOKEN,
        username="chorus_test_bot",
        api_base_url="http://127.0.0.1:9/bot",
        secret_key="test-secret",
        _env_file=None,  # type: ignore[call-arg]
    )


def build_offline(engine: Engine, request: OfflineRequest) -> AnyApp:
    return build_application(
        offline_settings(),
        engine=engine,
        request=request,
        get_updates_request=OfflineRequest(),
        rate_limit=False,
    )


@dataclass
class Shown:
    """A bot message as the person's phone shows it now."""

    message_id: int
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [b["text"] for b in self.buttons]

    def data_for(self, label: str) -> str:
        for button in self.buttons:
            if button["text"] == label:
                return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} in {self.labels}")


class Chat:
    """One person talking to the bot in a private chat."""

    def __init__(
        self,
        app: AnyApp,
        request: OfflineRequest,
        chat_id: int,
        *,
        language_code: str = "en",
    ) -> None:
        self.app = app
        self.request = request
        self.chat_id = chat_id
        self.language_code = language_code
        self.shown: dict[int, Shown] = {}
        self.last_calls: list[Call] = []

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": self.language_code,
        }

    def _message(self, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(_message_ids),
            "date": DATE,
            "chat": {"id": self.chat_id, "type": "private"},
            "from": self.user,
            **fields,
        }

    async def process(self, update: dict[str, Any]) -> list[Call]:
        before = len(self.request.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await runtime_of(self.app).delivery.flush()
        self.last_calls = self.request.calls[before:]
        for call in self.last_calls:
            self._observe(call)
        return self.last_calls

    def _observe(self, call: Call) -> None:
        if call.chat_id != self.chat_id or call.result is None:
            return
        if call.method == "sendMessage":
            message_id = call.result["message_id"]
            self.shown[message_id] = Shown(message_id, call.text or "", call.buttons)
        elif call.method == "editMessageText":
            message_id = int(call.params["message_id"])
            self.shown[message_id] = Shown(message_id, call.text or "", call.buttons)

    async def send(self, text: str, *, update_id: int | None = None) -> list[Call]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        update = {"update_id": update_id or next_update_id(), "message": self._message(**fields)}
        return await self.process(update)

    async def send_raw(self, **fields: Any) -> list[Call]:
        """A message of another kind: `sticker={...}`, `photo=[...]`, `voice={...}`."""
        return await self.process(
            {"update_id": next_update_id(), "message": self._message(**fields)}
        )

    async def edit(self, text: str) -> list[Call]:
        message = self._message(text=text, edit_date=DATE + 60)
        return await self.process({"update_id": next_update_id(), "edited_message": message})

    def latest(self, label: str | None = None) -> Shown:
        """The newest bot message with buttons (with a button `label`, if given)."""
        for message_id in sorted(self.shown, reverse=True):
            shown = self.shown[message_id]
            if shown.buttons and (label is None or label in shown.labels):
                return shown
        raise AssertionError(f"no message with button {label!r}")

    async def tap(
        self, label: str, *, on: Shown | None = None, update_id: int | None = None
    ) -> list[Call]:
        message = on or self.latest(label)
        return await self.tap_data(message.data_for(label), on=message, update_id=update_id)

    async def tap_data(
        self, data: str, *, on: Shown | None = None, update_id: int | None = None
    ) -> list[Call]:
        message = on or next(
            (m for _, m in sorted(self.shown.items(), reverse=True) if m.buttons),
            Shown(999_999, "An old question"),
        )
        keyboard = [
            [{"text": b["text"], "callback_data": b["callback_data"]}] for b in message.buttons
        ]
        query = {
            "id": f"q{next(_message_ids)}",
            "from": self.user,
            "chat_instance": f"ci{self.chat_id}",
            "data": data,
            "message": {
                "message_id": message.message_id,
                "date": DATE,
                "chat": {"id": self.chat_id, "type": "private"},
                "from": {"id": 777000111, "is_bot": True, "first_name": "Chorus"},
                "text": message.text,
                "reply_markup": {"inline_keyboard": keyboard},
            },
        }
        return await self.process(
            {"update_id": update_id or next_update_id(), "callback_query": query}
        )

    async def tap_signed(self, data: str, *, update_id: int | None = None) -> list[Call]:
        """Tap a button carrying `data` as if the bot had drawn it for this chat (signed)."""
        signed = sign(data, chat_id=self.chat_id, key=offline_settings().callback_key())
        return await self.tap_data(signed, update_id=update_id)

    def texts(self) -> list[str]:
        """What the last update made the bot send (new messages only)."""
        return [c.text or "" for c in self.last_calls if c.method == "sendMessage"]

    def said(self) -> str:
        return "\n---\n".join(self.texts())


@pytest.fixture
def offline() -> OfflineRequest:
    return OfflineRequest()


@pytest.fixture
async def app(engine: Engine, offline: OfflineRequest) -> AsyncIterator[AnyApp]:
    application = build_offline(engine, offline)
    await application.initialize()
    yield application
    await application.shutdown()


@pytest.fixture
def campaign(engine: Engine) -> Iterator[Campaign]:
    """An open campaign of the factory test survey (any audience, English and Spanish)."""
    with Session(engine, expire_on_commit=False) as session:
        stored = make_campaign(
            session,
            follow_up={
                "en": "See you on May 5 at the library.",
                "es": "Nos vemos el 5 de mayo en la biblioteca.",
            },
        )
        session.commit()
    yield stored


@pytest.fixture
def chat(app: AnyApp, offline: OfflineRequest) -> Chat:
    return Chat(app, offline, 5001)


@dataclass(frozen=True)
class Stored:
    value: str | None
    text: str | None
    skipped: bool
    flagged: bool


def stored_answers(engine: Engine, chat_id: int) -> dict[str, Stored]:
    """The answers of the respondent behind `chat_id`, read straight from the tables."""
    with Session(engine) as session:
        rows = session.exec(
            select(Answer)
            .join(Contact, col(Contact.respondent_id) == col(Answer.respondent_id))
            .where(Contact.chat_id == chat_id)
        ).all()
        return {a.question_id: Stored(a.value, a.text, a.skipped, a.flagged) for a in rows}


def respondent_of(engine: Engine, chat_id: int) -> Respondent | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(
            select(Respondent)
            .join(Contact, col(Contact.respondent_id) == col(Respondent.id))
            .where(Contact.chat_id == chat_id)
        ).first()


def count_rows(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


async def join(chat: Chat, campaign: Campaign, *, language: str = "English") -> None:
    """Open the link, pick the language, agree and say who is answering: question 1 is next."""
    await chat.send(f"/start {campaign.code}")
    await chat.tap(language)
    await chat.tap("Start" if language == "English" else "Empezar")
    await chat.tap("I'm a student" if language == "English" else "Soy estudiante")


async def reach_number_question(chat: Chat, campaign: Campaign) -> None:
    """Join and answer up to the fixture survey's number question (n1)."""
    await join(chat, campaign)
    for label in ("Agree", "Agree", "Often"):
        await chat.tap(label)
    await chat.tap("Skip")  # h1, the multi-choice


async def reach_last_question(chat: Chat, campaign: Campaign) -> None:
    """Join and answer up to the fixture survey's last question, the open text (t1)."""
    await reach_number_question(chat, campaign)
    await chat.send("4")
    await chat.tap("No")
