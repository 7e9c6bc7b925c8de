"""Serving the bot: receive, process and deliver, until asked to stop.

Six loops share one event loop: the receiver (polling or the webhook server),
the inbox processor, the delivery loop, the housekeeping (pruning old queue
rows), the safeguarding escalation (`bot.alerts.escalation`) and reaching out
(reminders and the daily retention purge, `bot.reach`). Each can die and resume:
everything they hand each other is in the database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from aiohttp import web
from sqlalchemy import Engine
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.alerts.escalation import Escalator
from bot.analysing import analysis_loop
from bot.application import build_application
from bot.processing import InboxProcessor
from bot.reach import reach_loop
from bot.receiving import Poller, webhook_app
from bot.runtime import ChorusApplication, Runtime, runtime_of
from bot.settings import BotSettings
from bot.staff.report_jobs import report_loop
from surveys.crud import inbox, outbox
from surveys.crud.respondents import Db, now_utc
from surveys.errors import ChorusError

logger = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 3600.0


class ServeError(ChorusError):
    """The bot cannot start; the message is one line that says why and what to do."""


@dataclass(frozen=True)
class Webhook:
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


@dataclass
class Served:
    """A running bot: its application, runtime and inbox processor (for tests and the demo)."""

    application: ChorusApplication
    runtime: Runtime
    processor: InboxProcessor

    async def settle(self, *, timeout: float = 10.0) -> None:
        """Process what is stored and send what is queued (tests, the demo's end)."""
        await self.processor.drain_all(timeout=timeout)
        await self.runtime.delivery.flush(timeout=timeout)


async def start_application(application: ChorusApplication) -> None:
    """`initialize` (which asks Telegram `getMe`), turning refusals into one line."""
    try:
        await application.initialize()
    except InvalidToken as exc:
        raise ServeError(
            f"Telegram refused TELEGRAM_BOT_TOKEN ({exc}); copy the token again from @BotFather"
        ) from None
    except (NetworkError, TelegramError) as exc:
        raise ServeError(
            f"cannot reach the Bot API at {runtime_of(application).settings.api_base_url} "
            f"({type(exc).__name__}: {exc}); check the network and TELEGRAM_API_BASE_URL"
        ) from None
    except ValueError as exc:  # httpx: a malformed base URL
        raise ServeError(f"TELEGRAM_API_BASE_URL is not a usable URL ({exc})") from None


def prune_queues(db: Db, *, before: datetime) -> int:
    return inbox.prune(db, before=before) + outbox.prune(db, before=before)


async def housekeeping(runtime: Runtime, stop: asyncio.Event) -> None:
    """Prune handled updates and sent messages older than the retention setting."""
    while not stop.is_set():
        before = now_utc() - timedelta(days=runtime.settings.retention_days)
        try:
            pruned = await runtime.database.run(partial(prune_queues, before=before))
            if pruned:
                logger.info("pruned %d old queue row(s)", pruned)
        except Exception as exc:
            logger.warning("pruning failed: %s", type(exc).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HOUSEKEEPING_SECONDS)


@asynccontextmanager
async def serving(
    settings: BotSettings,
    engine: Engine,
    *,
    webhook: Webhook | None = None,
    rate_limit: bool = True,
    poll_timeout: int = 25,
) -> AsyncIterator[Served]:
    """Run the bot for the duration of the block."""
    application = build_application(settings, engine=engine, rate_limit=rate_limit)
    runtime = runtime_of(application)
    await start_application(application)
    processor = InboxProcessor(
        application, runtime.database, worker=runtime.worker, concurrency=settings.concurrency
    )
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(processor.run(stop), name="inbox"),
        asyncio.create_task(runtime.delivery.run(stop), name="outbox"),
        asyncio.create_task(housekeeping(runtime, stop), name="housekeeping"),
        asyncio.create_task(Escalator(runtime).run(stop), name="alerts"),
        asyncio.create_task(reach_loop(runtime, stop), name="reach"),
        asyncio.create_task(report_loop(runtime, stop), name="reports"),
        asyncio.create_task(analysis_loop(runtime, stop), name="analysis"),
    ]
    site: web.AppRunner | None = None
    try:
        if webhook is None:
            poller = Poller(
                application.bot, runtime.database, on_stored=processor.wake, timeout=poll_timeout
            )
            tasks.append(asyncio.create_task(poller.run(stop), name="polling"))
        else:
            site = await _start_webhook(application, runtime, processor, webhook)
        yield Served(application, runtime, processor)
    finally:
        stop.set()
        if site is not None:
            await site.cleanup()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await processor.close()
        await runtime.delivery.close()
        await application.shutdown()
        runtime.database.close()


async def _start_webhook(
    application: ChorusApplication, runtime: Runtime, processor: InboxProcessor, hook: Webhook
) -> web.AppRunner:
    app = webhook_app(
        runtime.database,
        path=hook.url_path,
        secret_token=hook.secret_token,
        on_stored=processor.wake,
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, hook.listen, hook.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ServeError(
            f"cannot listen on {hook.listen}:{hook.port} ({exc.strerror or exc}); "
            "choose another --listen address or --port"
        ) from None
    await application.bot.set_webhook(
        url=hook.webhook_url, secret_token=hook.secret_token, allowed_updates=None
    )
    return runner


async def serve_forever(
    settings: BotSettings,
    engine: Engine,
    *,
    webhook: Webhook | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """`chorus run`: serve until SIGINT or SIGTERM; a polling failure that cannot heal ends it."""
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    async with serving(settings, engine, webhook=webhook):
        if on_ready is not None:
            on_ready()
        await done.wait()
