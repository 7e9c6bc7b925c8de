"""The application factory: one PTB `Application` wired to the database.

Used by `chorus run`, by the end-to-end tests and the demo (against a local fake
Bot API via `api_base_url`), and by the benchmark (with an offline request).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot import handlers
from bot.handlers.runtime import Runtime, install
from bot.sender import Sender
from bot.settings import BotSettings
from surveys import conversations

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 2
"""AIORateLimiter waits out a flood-control reply this many times before giving up."""


class MissingTokenError(ValueError):
    """`TELEGRAM_BOT_TOKEN` is not set."""


def build_application(
    settings: BotSettings,
    *,
    engine: Engine,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A ready-to-initialize application; nothing is contacted until `initialize()`."""
    if settings.token is None or not settings.token.get_secret_value():
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    application = builder.build()

    def opt_out(chat_id: int) -> None:
        conversations.run(engine, lambda s: conversations.opt_out(s, chat_id=chat_id))

    sender = Sender(application.bot, on_forbidden=opt_out)
    install(application, Runtime(engine=engine, settings=settings, sender=sender))
    handlers.register(application)
    return application
