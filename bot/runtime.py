"""What every handler needs, reached through a typed context: `context.runtime`.

Only wiring lives here, never conversation state: that is read from the
database on every update, so any worker process can take any update.

`Runtime.transact` is how a handler does its work: the conversation service and
everything the handler means to say run in one transaction on the database
thread pool; the outbox rows commit with the change that caused them, and are
then handed to the delivery loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.database import Database
from bot.delivery import Delivery
from bot.outgoing import Outgoing
from bot.settings import BotSettings
from surveys import conversations
from surveys.crud.outbox import Queued
from surveys.crud.respondents import Db
from surveys.i18n import t

T = TypeVar("T")


@dataclass
class Runtime:
    database: Database
    settings: BotSettings
    delivery: Delivery
    key: bytes
    """Signs button data for the chat it is sent to (`BotSettings.callback_key`)."""
    worker: str
    """This process's name in the queues' claims."""

    async def transact(self, work: Callable[[Outgoing], T]) -> T:
        """Run `work` in one committed transaction, with what it queued; then deliver."""
        queued: list[Queued] = []

        def attempt(db: Db) -> T:
            outgoing = Outgoing(db, self.key, self.worker)
            result = work(outgoing)
            queued[:] = outgoing.commit()
            return result

        result = await self.database.run(attempt)
        self.delivery.hand_over(queued)
        return result

    async def reply_in_language(
        self,
        update: Update,
        key: str,
        *,
        keyboard: Callable[[str], InlineKeyboardMarkup] | None = None,
    ) -> None:
        """Send catalog text `key` in the chat's language (with `keyboard(language)`),
        once per update: a redelivered update says nothing twice."""
        chat = update.effective_chat
        if chat is None:
            return
        chat_id, hint = chat.id, language_hint(update)

        def work(out: Outgoing) -> None:
            if not conversations.claim(out.db, update.update_id):
                return
            language = conversations.language_of(out.db, chat_id=chat_id, language_hint=hint)
            markup = keyboard(language) if keyboard is not None else None
            out.send(chat_id, t(key, language), reply_markup=markup)

        await self.transact(work)


class RuntimeSlot:
    """`bot_data`: where the application keeps its runtime (set once, at build)."""

    def __init__(self) -> None:
        self.runtime: Runtime | None = None


class ChorusContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], RuntimeSlot]):
    @property
    def runtime(self) -> Runtime:
        runtime = self.bot_data.runtime
        if runtime is None:  # pragma: no cover - build_application always installs one
            raise RuntimeError("the application was built without a chorus runtime")
        return runtime


CONTEXT_TYPES = ContextTypes(context=ChorusContext, bot_data=RuntimeSlot)

ChorusApplication = Application[
    ExtBot[None], ChorusContext, dict[Any, Any], dict[Any, Any], RuntimeSlot, Any
]


def install(application: ChorusApplication, runtime: Runtime) -> None:
    application.bot_data.runtime = runtime


def runtime_of(application: ChorusApplication) -> Runtime:
    runtime = application.bot_data.runtime
    if runtime is None:  # pragma: no cover
        raise RuntimeError("the application was built without a chorus runtime")
    return runtime


def language_hint(update: Update) -> str:
    """The client's language, as a fallback for chats not yet in a survey."""
    user = update.effective_user
    return conversations.hint_language(user.language_code if user else None)
