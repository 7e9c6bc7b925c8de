"""The shape the inbox processor and the delivery loop share: per-chat tasks over a table.

Both keep one task per chat (`tasks`), start tasks for chats the table says have work
(`poll`), sweep claims a dead worker left behind now and then (`sweep`), and can be
driven to the end of their backlog for tests and the demo (`drain`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress

logger = logging.getLogger(__name__)


async def poll_until_stopped(
    stop: asyncio.Event,
    *,
    name: str,
    poll: Callable[[], Awaitable[object]],
    sweep: Callable[[], Awaitable[object]],
    poll_seconds: float,
    sweep_seconds: float,
) -> None:
    """`poll` every `poll_seconds`, `sweep` every `sweep_seconds`, until `stop` is set.

    A failure (the database away for a moment) is one log line; the loop carries on.
    """
    last_sweep = time.monotonic()
    while not stop.is_set():
        try:
            await poll()
            if time.monotonic() - last_sweep > sweep_seconds:
                last_sweep = time.monotonic()
                await sweep()
        except Exception as exc:
            logger.warning("%s poll failed: %s", name, type(exc).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)


async def drain(
    poll: Callable[[], Awaitable[int]],
    tasks: Mapping[int, asyncio.Task[None]],
    *,
    timeout: float,
) -> None:
    """Start tasks for everything waiting and wait for them, until nothing more starts."""
    async with asyncio.timeout(timeout):
        while True:
            started = await poll()
            if tasks:
                await asyncio.gather(*list(tasks.values()), return_exceptions=True)
                continue
            if not started:
                return
