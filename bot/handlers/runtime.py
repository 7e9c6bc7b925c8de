"""What every handler needs: the database engine and the sender, found on the application.

Only wiring lives here, never conversation state: that is read from the
database on every update, so any worker process can take any update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.sender import Sender
from bot.settings import BotSettings
from surveys import conversations
from surveys.crud.respondents import Db

T = TypeVar("T")

KEY = "chorus"


@dataclass
class Runtime:
    engine: Engine
    settings: BotSettings
    sender: Sender

    def run(self, work: Callable[[Db], T]) -> T:
        """One service call, in its own committed transaction.

        Synchronous on purpose: the transaction is a few milliseconds, and
        handing it to a thread would cost more than it saves while making
        SQLite's single writer harder to reason about.
        """
        return conversations.run(self.engine, work)


def install(application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    application.bot_data[KEY] = runtime


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    runtime = context.bot_data[KEY]
    assert isinstance(runtime, Runtime)
    return runtime


def language_hint(update: Update) -> str:
    """The client's language, as a fallback for chats not yet in a survey."""
    user = update.effective_user
    return conversations.hint_language(user.language_code if user else None)
