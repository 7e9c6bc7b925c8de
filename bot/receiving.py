"""Receiving updates durably: stored in the inbox before Telegram is told they arrived.

- Polling: a batch from `getUpdates` is stored, and only then is its offset
  confirmed (by the next `getUpdates` call). PTB's own updater confirms first and
  processes later, which loses updates to a `kill -9`; chorus polls itself.
- Webhook: the update is stored, and only then is 200 returned. The server checks
  the secret token first and refuses oversized bodies before reading them.

Updates are stored as the JSON Telegram sent, so one PTB cannot parse is stored,
skipped when processed (logged once, without its content) and never stalls polling.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.database import Database
from bot.delivery import retry_after_seconds
from surveys.crud import inbox
from surveys.crud.inbox import Incoming

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
"""A real update is a few KB; anything larger is refused before it is read."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 25
"""Seconds Telegram holds a `getUpdates` call open when there is nothing to give."""

_CHAT_HOLDERS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
)


def chat_of(raw: dict[str, Any]) -> int:
    """The chat an update belongs to, its ordering lane; 0 when it names none."""
    for key in _CHAT_HOLDERS:
        item = raw.get(key)
        if isinstance(item, dict) and isinstance(item.get("chat"), dict):
            chat_id = item["chat"].get("id")
            if isinstance(chat_id, int):
                return chat_id
    query = raw.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            chat_id = message["chat"].get("id")
            if isinstance(chat_id, int):
                return chat_id
    for item in raw.values():  # inline queries, polls answers...: the sender is the lane
        if isinstance(item, dict) and isinstance(item.get("from"), dict):
            user_id = item["from"].get("id")
            if isinstance(user_id, int):
                return user_id
    return 0


def incoming(raw: object) -> Incoming | None:
    """One update as stored, or None when it is not an update at all (no integer id)."""
    if not isinstance(raw, dict):
        return None
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    # ASCII JSON: NUL and lone surrogates stay escaped, so every database takes the text.
    return Incoming(update_id=update_id, chat_id=chat_of(raw), payload=json.dumps(raw))


async def store_batch(database: Database, raws: list[object]) -> list[Incoming]:
    """Store the updates of one delivery; returns those not seen before."""
    items = [item for item in map(incoming, raws) if item is not None]
    if len(items) < len(raws):
        logger.warning("%d item(s) without an update id ignored", len(raws) - len(items))
    if not items:
        return []
    return await database.run(lambda db: inbox.store(db, updates=items))


class Poller:
    """Long polling that confirms an offset only after the batch is stored."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        *,
        on_stored: Callable[[list[int]], None],
        timeout: int = POLL_TIMEOUT,
        allowed_updates: list[str] | None = None,
    ) -> None:
        self.bot = bot
        self.database = database
        self.on_stored = on_stored
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        await self.bot.delete_webhook()
        failures = 0
        while not stop.is_set():
            try:
                await self.poll_once()
                failures = 0
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await _pause(stop, retry_after_seconds(exc))
            except Conflict:
                logger.warning("another poller or a webhook is using this bot; retrying in 5 s")
                await _pause(stop, 5.0)
            except (NetworkError, TelegramError) as exc:
                failures += 1
                wait = min(30.0, 0.5 * 2 ** min(failures, 6))
                logger.warning("getUpdates: %s; retrying in %.1f s", _reason(exc), wait)
                await _pause(stop, wait)
            except Exception as exc:  # the database is down: the offset stays, nothing is lost
                failures += 1
                wait = min(30.0, 0.5 * 2 ** min(failures, 6))
                logger.warning(
                    "storing updates failed (%s); retrying in %.1f s", type(exc).__name__, wait
                )
                await _pause(stop, wait)

    async def poll_once(self) -> int:
        """One `getUpdates`: store what came, then move the offset past it."""
        params: dict[str, Any] = {"timeout": self.timeout}
        if self.offset is not None:
            params["offset"] = self.offset
        if self.allowed_updates is not None:
            params["allowed_updates"] = json.dumps(self.allowed_updates)
        raws = await self.bot.do_api_request(
            "getUpdates",
            api_kwargs=params,
            return_type=None,
            read_timeout=self.timeout + 10,
        )
        if not isinstance(raws, list) or not raws:
            return 0
        fresh = await store_batch(self.database, raws)
        ids = [
            r["update_id"]
            for r in raws
            if isinstance(r, dict) and isinstance(r.get("update_id"), int)
        ]
        if ids:
            self.offset = max(ids) + 1
        if fresh:
            self.on_stored([item.chat_id for item in fresh])
        return len(fresh)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__} ({exc})"


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def webhook_app(
    database: Database,
    *,
    path: str,
    secret_token: str,
    on_stored: Callable[[list[int]], None],
) -> web.Application:
    """The webhook endpoint: secret first, size second, store third, then 200."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret_token.encode()):
            return web.Response(status=403)
        length = request.content_length
        if length is None or length > MAX_BODY_BYTES:
            return web.Response(status=413 if length else 411)
        try:
            raw = json.loads(await request.read())
        except (ValueError, web.HTTPRequestEntityTooLarge):
            return web.Response(status=400)
        item = incoming(raw)
        if item is None:
            return web.Response(status=400)
        try:
            fresh = await database.run(lambda db: inbox.store(db, updates=[item]))
        except Exception as exc:  # not stored: Telegram must try again
            logger.warning("webhook: storing update failed (%s)", type(exc).__name__)
            return web.Response(status=503)
        if fresh:
            on_stored([item.chat_id])
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/" + path.strip("/"), receive)
    return app
