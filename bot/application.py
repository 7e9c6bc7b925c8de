"""The application factory: one PTB `Application` wired to the database.

Used by `chorus run` (through `bot.serving`), by the end-to-end tests and the
demo (against a local fake Bot API via `api_base_url`), and by the benchmark
(with an offline request). PTB here only routes an update to its handler and
makes HTTP calls: receiving, ordering and sending are chorus's own
(`bot.receiving`, `bot.processing`, `bot.delivery`).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import Engine
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest

from bot import handlers
from bot.database import Database
from bot.delivery import Delivery, DeliveryConfig, opt_out_blocked
from bot.runtime import CONTEXT_TYPES, ChorusApplication, Runtime, install, runtime_of
from bot.settings import BotSettings
from surveys.errors import ChorusError

logger = logging.getLogger(__name__)

UNPACED_RATE = 100_000.0
"""`rate_limit=False`: no pacing (the offline tests, the demo's simulated crowd)."""


class MissingTokenError(ChorusError, ValueError):
    """`TELEGRAM_BOT_TOKEN` is not set."""


def delivery_config(settings: BotSettings, *, rate_limit: bool) -> DeliveryConfig:
    if not rate_limit:
        return DeliveryConfig(
            send_rate=UNPACED_RATE,
            burst=UNPACED_RATE,
            chat_rate=UNPACED_RATE,
            chat_burst=UNPACED_RATE,
            max_attempts=settings.max_attempts,
        )
    return DeliveryConfig(
        send_rate=settings.send_rate,
        burst=max(1.0, settings.send_rate),
        chat_rate=settings.chat_rate,
        chat_burst=settings.chat_burst,
        max_attempts=settings.max_attempts,
        paid_broadcast=settings.paid_broadcast,
    )


def build_application(
    settings: BotSettings,
    *,
    engine: Engine,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> ChorusApplication:
    """A ready-to-initialize application; nothing is contacted until `initialize()`.

    `rate_limit` paces the outbox to Telegram's limits (`BotSettings.send_rate`,
    `chat_rate`); the delivery loop is the one place that waits out flood control.
    """
    if settings.token is None or not settings.token.get_secret_value():
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(CONTEXT_TYPES)
        .updater(None)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application: ChorusApplication = builder.build()
    database = Database(engine)
    worker = uuid.uuid4().hex[:12]
    delivery = Delivery(
        application.bot,
        database,
        worker=worker,
        config=delivery_config(settings, rate_limit=rate_limit),
        on_blocked=opt_out_blocked,
    )
    runtime = Runtime(
        database=database,
        settings=settings,
        delivery=delivery,
        key=settings.callback_key(),
        worker=worker,
    )
    install(application, runtime)
    handlers.register(application)
    return application


__all__ = ["MissingTokenError", "build_application", "runtime_of"]
