"""Database work off the event loop.

Every transaction the bot runs (storing updates, handling them, claiming and
marking outbox rows) goes through `Database.run`, on a thread pool no larger
than the engine's connection pool: the event loop never waits on SQL, and
threads never wait for a connection. Measured against running the same
transactions inline on the loop in docs/runtime.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine

from surveys import conversations
from surveys.crud.respondents import Db

T = TypeVar("T")

DEFAULT_THREADS = 8
"""SQLAlchemy's default pool holds 5 connections plus 10 on overflow: 8 threads always find one."""


class Database:
    def __init__(self, engine: Engine, *, threads: int = DEFAULT_THREADS) -> None:
        """`threads=0` runs each transaction on the event loop itself: only for measuring
        what the pool costs (bench/bench_bot.py --inline-db); it blocks every other chat."""
        self.engine = engine
        self.inline = threads == 0
        self.executor = ThreadPoolExecutor(
            max_workers=max(1, threads), thread_name_prefix="chorus-db"
        )

    @property
    def single_process(self) -> bool:
        """SQLite: one process serves the bot, so nothing another worker holds can be alive."""
        return self.engine.dialect.name == "sqlite"

    def run_now(self, work: Callable[[Db], T]) -> T:
        """One transaction on the calling thread (committed; retried on a lost race)."""
        return conversations.run(self.engine, work)

    async def run(self, work: Callable[[Db], T]) -> T:
        """One transaction on the pool, awaited from the event loop."""
        if self.inline:
            return conversations.run(self.engine, work)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, conversations.run, self.engine, work)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)
