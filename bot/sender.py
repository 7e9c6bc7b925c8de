"""Talking to Telegram when Telegram misbehaves.

Every reply goes through `Sender`, so the failure rules live in one place:
flood control, timeouts and network errors are retried a bounded number of
times; a user who blocked the bot is marked as opted out (and never retried);
editing a message into what it already says is not an error. Answers are
already committed when these calls run, so a failed send loses nothing: the
respondent gets the question again on their next message.

Sends and edits go through `Bot.do_api_request` without a return type, so
Telegram's reply stays the JSON it came as: it echoes the whole keyboard, and
parsing that into PTB objects cost a third of an answer's time while nothing
reads it. The request itself takes PTB's usual path (the rate limiter, the error
mapping to `RetryAfter`, `Forbidden`, `BadRequest`...), so the rules above hold.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
"""Doubled after each timeout or network error: 0.5 s, then 1 s."""
MAX_RETRY_AFTER_SECONDS = 30.0
"""Longer flood waits are not worth holding a handler for; the next message resumes anyway."""

NOT_MODIFIED = "message is not modified"
QUERY_TOO_OLD = ("query is too old", "query id is invalid")

RAW_ENDPOINTS = ("sendMessage", "editMessageText")
"""Called through `do_api_request`, whose hint to use `Bot.send_message` instead is silenced."""

JSONResult = dict[str, Any] | bool
"""What the Bot API answered: the message as JSON, or True for an edit of an inline message."""

_MARKUP_CACHE_SIZE = 4096
_markups: dict[int, tuple[InlineKeyboardMarkup, str]] = {}
"""Serialized keyboards by object id. Keyboards are built once per question and shared
(`bot.keyboards`), so each is serialized once; the object is kept so its id stays its own."""


def markup_json(markup: InlineKeyboardMarkup) -> str:
    """The keyboard as the Bot API's JSON, exactly what PTB would send for it."""
    cached = _markups.get(id(markup))
    if cached is not None and cached[0] is markup:
        return cached[1]
    if len(_markups) >= _MARKUP_CACHE_SIZE:
        _markups.clear()
    serialized = json.dumps(markup.to_dict())
    _markups[id(markup)] = (markup, serialized)
    return serialized


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
        # Idempotent (an identical filter replaces itself), and narrow: only these calls.
        warnings.filterwarnings(
            "ignore",
            message=rf"Please use 'Bot\.({'|'.join(RAW_ENDPOINTS)})'",
            category=PTBUserWarning,
        )

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

    async def _raw(
        self,
        chat_id: int,
        endpoint: str,
        params: dict[str, Any],
        reply_markup: InlineKeyboardMarkup | None,
    ) -> JSONResult | None:
        """Call `endpoint` with the retry rules, leaving Telegram's reply unparsed."""
        if reply_markup is not None:
            params["reply_markup"] = markup_json(reply_markup)
        result: JSONResult | None = await self._call(
            chat_id,
            endpoint,
            lambda: self.bot.do_api_request(endpoint, api_kwargs=params, return_type=None),
        )
        return result

    async def send(
        self, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
    ) -> JSONResult | None:
        """Send a message; Telegram's answer as JSON, or None when it did not go through."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        return await self._raw(chat_id, "sendMessage", params, reply_markup)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> JSONResult | None:
        """Replace a message's text; without `reply_markup` its keyboard goes away."""
        params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        return await self._raw(chat_id, "editMessageText", params, reply_markup)

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
