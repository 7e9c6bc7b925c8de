"""Processing the inbox: every chat in parallel, each chat strictly in order.

PTB has no per-chat ordering (python-telegram-bot issues #3509 and #3575), so
chorus does not use its update queue. A chat with stored updates gets one drain
task, which claims the chat's oldest unfinished update, hands it to
`Application.process_update`, records it handled, and takes the next. At most
`concurrency` drains process at once. The claim rule in `surveys.crud.inbox`
keeps the order across worker processes too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.database import Database
from bot.loops import drain, poll_until_stopped
from surveys.crud import inbox
from surveys.crud.inbox import Claimed
from surveys.crud.respondents import now_utc
from surveys.models import InboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""An update that took its worker down this many times is set aside (a poison update)."""


class InboxProcessor:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        database: Database,
        *,
        worker: str,
        concurrency: int = 64,
        poll_seconds: float = 0.5,
        lease_seconds: float = 120.0,
    ) -> None:
        self.application = application
        self.database = database
        self.worker = worker
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._drains: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()

    def wake(self, chat_ids: list[int]) -> None:
        """New updates were stored for these chats."""
        for chat_id in dict.fromkeys(chat_ids):
            if chat_id in self._drains:
                self._again.add(chat_id)
            else:
                self._drains[chat_id] = asyncio.create_task(
                    self._drain(chat_id), name=f"inbox-chat-{chat_id}"
                )

    async def recover(self) -> None:
        """At start: updates a dead worker was processing are processed again."""
        lease = 0.0 if self.database.single_process else self.lease_seconds
        cutoff = now_utc() - timedelta(seconds=lease)
        chats = await self.database.run(
            partial(inbox.requeue_stale, claimed_before=cutoff, keep_worker=self.worker)
        )
        if chats:
            logger.warning("inbox: %d chat(s) had updates left unfinished; resuming", len(chats))

    async def poll_once(self) -> int:
        busy = list(self._drains)
        chats = await self.database.run(lambda db: inbox.waiting_chats(db, limit=500, exclude=busy))
        self.wake(chats)
        return len(chats)

    async def run(self, stop: asyncio.Event) -> None:
        """Pick up stored updates nobody woke us for (after a restart, or another worker's)."""
        await self.recover()
        await poll_until_stopped(
            stop,
            name="inbox",
            poll=self.poll_once,
            sweep=self._sweep,
            poll_seconds=self.poll_seconds,
            sweep_seconds=self.lease_seconds / 2,
        )

    async def _sweep(self) -> None:
        cutoff = now_utc() - timedelta(seconds=self.lease_seconds)
        sweep = partial(inbox.requeue_stale, claimed_before=cutoff, keep_worker=self.worker)
        await self.database.run(sweep)

    async def drain_all(self, *, timeout: float = 10.0) -> None:
        """Process everything stored and wait for it (tests and the demo)."""
        await drain(self.poll_once, self._drains, timeout=timeout)

    async def close(self, *, timeout: float = 5.0) -> None:
        if self._drains:
            await asyncio.wait(list(self._drains.values()), timeout=timeout)
        for task in list(self._drains.values()):
            task.cancel()

    async def _drain(self, chat_id: int) -> None:
        try:
            async with self._slots:
                while True:
                    self._again.discard(chat_id)
                    claimed = await self.database.run(
                        lambda db: inbox.claim_next(db, chat_id=chat_id, worker=self.worker)
                    )
                    if claimed is None:
                        if chat_id in self._again:
                            continue
                        return
                    await self._process(claimed)
        except Exception as exc:
            logger.warning("inbox drain failed: %s", type(exc).__name__)
        finally:
            self._drains.pop(chat_id, None)

    async def _process(self, claimed: Claimed) -> None:
        status = InboxStatus.DONE
        if claimed.attempts > MAX_ATTEMPTS:
            logger.error("update %d failed %d times; set aside", claimed.update_id, MAX_ATTEMPTS)
            status = InboxStatus.FAILED
        else:
            update = self._parse(claimed)
            if update is None:
                status = InboxStatus.FAILED
            else:
                try:
                    await self.application.process_update(update)
                except Exception as exc:  # PTB's error handler has already seen it
                    logger.warning("update %d: %s", claimed.update_id, type(exc).__name__)
        update_id = claimed.update_id
        await self.database.run(lambda db: inbox.finish(db, update_id=update_id, status=status))

    def _parse(self, claimed: Claimed) -> Update | None:
        """The stored JSON as a PTB update; None (logged once, without content) if it is not one."""
        try:
            update = Update.de_json(json.loads(claimed.payload), self.application.bot)
        except Exception as exc:
            logger.warning(
                "update %d could not be read (%s); skipped", claimed.update_id, type(exc).__name__
            )
            return None
        return update
