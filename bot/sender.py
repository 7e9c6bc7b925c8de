"""Talking to Telegram when Telegram misbehaves.

Every reply goes through `Sender`, so the failure rules live in one place:
flood control, timeouts and network errors are retried a bounded number of
times; a user who blocked the bot is marked as opted out (and never retried);
editing a message into what it already says is not an error. Answers are
already committed when these calls run, so a failed send loses nothing: the
respondent gets the question again on their next message.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
"""Doubled after each timeout or network error: 0.5 s, then 1 s."""
MAX_RETRY_AFTER_SECONDS = 30.0
"""Longer flood waits are not worth holding a handler for; the next message resumes anyway."""

NOT_MODIFIED = "message is not modified"
QUERY_TOO_OLD = ("query is too old", "query id is invalid")


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; accept both
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    """Sends, edits and answers callback queries for one bot.

    `on_forbidden(chat_id)` is called when a chat has blocked the bot; the
    application uses it to mark the contact as opted out.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        on_forbidden: Callable[[int], None] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.on_forbidden = on_forbidden
        self._sleep = sleep

    async def _call(
        self, chat_id: int | None, what: str, call: Callable[[], Awaitable[T]]
    ) -> T | None:
        """Run `call` with the retry rules; None when it finally did not go through."""
        backoff = BACKOFF_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            last = attempt == MAX_ATTEMPTS
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if last or wait > MAX_RETRY_AFTER_SECONDS:
                    logger.warning("%s: flood control (%.0f s), giving up", what, wait)
                    return None
                await self._sleep(wait)
            except Forbidden:
                logger.info("%s: the chat blocked the bot; marking it opted out", what)
                if chat_id is not None and self.on_forbidden is not None:
                    self.on_forbidden(chat_id)
                return None
            except BadRequest as exc:
                # A subclass of NetworkError, but retrying a bad request cannot help.
                message = str(exc).lower()
                if NOT_MODIFIED in message:
                    return None
                if any(text in message for text in QUERY_TOO_OLD):
                    logger.info("%s: callback query expired", what)
                    return None
                raise
            except NetworkError as exc:  # TimedOut is a NetworkError
                if last:
                    logger.warning("%s: %s after %d attempts", what, type(exc).__name__, attempt)
                    return None
                await self._sleep(backoff)
                backoff *= 2
        return None  # pragma: no cover - the loop always returns

    async def send(
        self, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        return await self._call(
            chat_id,
            "sendMessage",
            lambda: self.bot.send_message(chat_id=chat_id, text=text, reply_markup=reply_markup),
        )

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> Message | bool | None:
        """Replace a message's text; without `reply_markup` its keyboard goes away."""
        return await self._call(
            chat_id,
            "editMessageText",
            lambda: self.bot.edit_message_text(
                chat_id=chat_id, message_id=message_id, text=text, reply_markup=reply_markup
            ),
        )

    async def answer_callback(self, query_id: str, text: str | None = None) -> bool:
        """Stop the client's spinner. Never raises: a lost answer only costs a spinner."""
        try:
            result = await self._call(
                None,
                "answerCallbackQuery",
                lambda: self.bot.answer_callback_query(callback_query_id=query_id, text=text),
            )
        except TelegramError as exc:
            logger.info("answerCallbackQuery failed: %s", type(exc).__name__)
            return False
        return bool(result)
