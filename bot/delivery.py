"""The delivery loop: sends the outbox, one chat in order, many chats at once.

Modelled on RapidPro's courier. Rows written by a handler are handed over as
soon as their transaction commits (`hand_over`), so a reply goes out without
waiting for a poll; the poll (`run`) picks up the rest: rows due for a retry,
rows another worker wrote, and rows a dead worker left `sending`.

What a Bot API answer means for a row:
- success, or "message is not modified": sent;
- 429 flood control: back in the queue until `retry_after` has passed; only that
  chat waits, and the attempt is not counted against the message;
- 5xx, timeouts and network errors: retried with exponential backoff, then failed;
- 403 (blocked, deactivated): the contact is opted out and the chat's rows are cancelled;
- any other 400: failed at once (retrying the same request cannot help).

Crash window: a row is marked sent in the transaction right after Telegram's
answer. A worker killed between the two leaves the row `sending`; it is sent
again on restart (SQLite) or when its claim's lease runs out (PostgreSQL), so in
that window of a few milliseconds a person may see one message twice. Nothing
is ever lost. See docs/runtime.md.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import partial
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.database import Database
from bot.loops import drain, poll_until_stopped
from bot.outgoing import FILE_KEY
from bot.ratelimit import ChatLimiter, PriorityLimiter
from surveys import conversations
from surveys.crud import outbox
from surveys.crud.outbox import Claimed, Queued
from surveys.crud.respondents import Db, now_utc

logger = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
BACKOFF_SECONDS = 0.5
"""Doubled after each failed attempt (0.5 s, 1 s, 2 s ...), up to `MAX_BACKOFF_SECONDS`."""
MAX_BACKOFF_SECONDS = 60.0
BLOCKED = "blocked by the user"
MAX_LANES = 200
"""Chats started by one poll at most (the unpaced tests and demo reach it)."""


class Result(Enum):
    SENT = "sent"
    RETRY = "retry"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempt:
    result: Result
    error: str = ""
    wait: float = 0.0
    counts: bool = True
    message_id: int | None = None
    """Telegram's id of the message sent or edited, when the call returned one."""


@dataclass(frozen=True)
class DeliveryConfig:
    send_rate: float = 30.0
    burst: float = 30.0
    chat_rate: float = 1.0
    chat_burst: float = 4.0
    max_attempts: int = 6
    poll_seconds: float = 0.5
    lease_seconds: float = 60.0
    """A claim older than this belongs to a dead worker (PostgreSQL; SQLite reclaims at start)."""
    batch: int = 20
    paid_broadcast: bool = False


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; accept both
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def backoff(attempts: int) -> float:
    return float(min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Delivery:
    """Sends outbox rows through `bot`. `on_blocked(db, chat_id)` runs in the transaction
    that cancels a blocked chat's rows (the application opts its contacts out there)."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        *,
        worker: str,
        config: DeliveryConfig | None = None,
        on_blocked: Callable[[Db, int], None] | None = None,
    ) -> None:
        self.bot = bot
        self.database = database
        self.worker = worker
        self.config = config or DeliveryConfig()
        self.on_blocked = on_blocked
        self._limiter = PriorityLimiter(self.config.send_rate, self.config.burst)
        self._chats = ChatLimiter(self.config.chat_rate, self.config.chat_burst)
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._handed: dict[int, list[Claimed]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

    # ------------------------------------------------------------------ scheduling

    def hand_over(self, queued: list[Queued]) -> None:
        """Rows just committed by a handler: start their chats' lanes now. Rows the handler's
        transaction already claimed for this worker are sent without reading them back."""
        for row in queued:
            if row.claimed:
                self._handed.setdefault(row.chat_id, []).append(row.as_claimed())
        for chat_id in dict.fromkeys(q.chat_id for q in queued):
            self.wake(chat_id)

    def wake(self, chat_id: int) -> None:
        if chat_id in self._lanes:
            self._again.add(chat_id)
            return
        task = asyncio.create_task(self._lane(chat_id), name=f"outbox-lane-{chat_id}")
        self._lanes[chat_id] = task

    def _wake_later(self, chat_id: int, seconds: float) -> None:
        timer = self._timers.pop(chat_id, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[chat_id] = loop.call_later(seconds, self._timer_fired, chat_id)

    def _timer_fired(self, chat_id: int) -> None:
        self._timers.pop(chat_id, None)
        self.wake(chat_id)

    async def recover(self) -> None:
        """At start: rows a dead worker left `sending` go back to the queue."""
        lease = 0.0 if self.database.single_process else self.config.lease_seconds
        cutoff = now_utc() - timedelta(seconds=lease)
        chats = await self.database.run(
            partial(outbox.requeue_stale, claimed_before=cutoff, keep_worker=self.worker)
        )
        if chats:
            logger.warning(
                "outbox: %d chat(s) had messages left sending; sending again", len(chats)
            )

    async def poll_once(self) -> int:
        """Start lanes for chats with rows due; returns how many were started.

        No more lanes run at once than the send rate can serve in about two seconds: a
        broadcast of thousands would otherwise start hundreds of lanes whose claims queue
        on the database threads ahead of the next interactive reply.
        """
        busy = list(self._lanes)
        room = min(MAX_LANES, max(4, int(self.config.send_rate * 2))) - len(busy)
        if room <= 0:
            return 0
        chats = await self.database.run(lambda db: outbox.due_chats(db, limit=room, exclude=busy))
        for chat_id in chats:
            self.wake(chat_id)
        return len(chats)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll for due rows until `stop` is set; reclaims stale claims now and then."""
        await self.recover()
        await poll_until_stopped(
            stop,
            name="outbox",
            poll=self.poll_once,
            sweep=self._sweep,
            poll_seconds=self.config.poll_seconds,
            sweep_seconds=self.config.lease_seconds / 2,
        )

    async def _sweep(self) -> None:
        cutoff = now_utc() - timedelta(seconds=self.config.lease_seconds)
        sweep = partial(outbox.requeue_stale, claimed_before=cutoff, keep_worker=self.worker)
        await self.database.run(sweep)

    async def settle(self) -> None:
        """Wait for the lanes already running (what handlers just handed over) to finish."""
        while self._lanes:
            await asyncio.gather(*list(self._lanes.values()), return_exceptions=True)

    async def flush(self, *, timeout: float = 10.0) -> None:
        """Send everything due now and wait until it is out (tests, the demo's end, shutdown)."""
        await drain(self.poll_once, self._lanes, timeout=timeout)

    async def close(self, *, timeout: float = 5.0) -> None:
        """Let lanes finish what they hold (briefly), then stop the timers."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._lanes:
            await asyncio.wait(list(self._lanes.values()), timeout=timeout)
        for task in list(self._lanes.values()):
            task.cancel()

    # ------------------------------------------------------------------ one chat

    async def _lane(self, chat_id: int) -> None:
        try:
            while True:
                handed = self._handed.pop(chat_id, None)
                if handed:  # claimed by the handler's own transaction: no read needed
                    await self._send_rows(chat_id, handed)
                    if chat_id not in self._again:
                        return
                self._again.discard(chat_id)
                rows = await self.database.run(
                    lambda db: outbox.claim_lane(
                        db, chat_id=chat_id, worker=self.worker, limit=self.config.batch
                    )
                )
                if rows:
                    await self._send_rows(chat_id, rows)
                elif chat_id not in self._again and chat_id not in self._handed:
                    return
        except Exception as exc:  # never let one chat's trouble stop the loop
            logger.warning("outbox lane failed: %s", _describe(exc))
            self._wake_later(chat_id, self.config.poll_seconds * 4)
        finally:
            self._lanes.pop(chat_id, None)
            if chat_id in self._again or chat_id in self._handed:
                self._again.discard(chat_id)
                self.wake(chat_id)

    async def _send_rows(self, chat_id: int, rows: list[Claimed]) -> None:
        """Send a claimed batch in order, marking each row sent as soon as Telegram took it."""
        sent: list[int] = []
        message_ids: dict[int, int] = {}
        try:
            for index, row in enumerate(rows):
                # Telegram's limits (30 messages/s, about 1/s per chat) are about new
                # messages; editing one already there (the record of an answer) is paced
                # by its own 429s, which hold only that chat.
                if row.method.startswith("send"):
                    pause = self._chats.reserve(chat_id)
                    if pause > 0:
                        await asyncio.sleep(pause)
                    await self._limiter.acquire(row.priority)
                attempt = await self._attempt(row)
                if attempt.result is Result.SENT:
                    # At once: the window in which a crash could send it again stays one
                    # round trip and one commit long (docs/runtime.md).
                    sent.append(row.id)
                    if attempt.message_id is not None:
                        message_ids[row.id] = attempt.message_id
                    await self._mark_sent(sent, message_ids)
                    continue
                if attempt.result is Result.FAILED:
                    logger.warning("outbox %d (%s) failed: %s", row.id, row.method, attempt.error)
                    await self.database.run(
                        partial(outbox.mark_failed, id=row.id, error=attempt.error)
                    )
                    continue
                if attempt.result is Result.BLOCKED:
                    await self.database.run(lambda db: self._blocked(db, chat_id))
                    return
                await self._retry(row, attempt, [r.id for r in rows[index + 1 :]])
                return
        finally:
            await self._mark_sent(sent, message_ids)

    async def _mark_sent(self, ids: list[int], message_ids: dict[int, int]) -> None:
        if ids:
            done = list(ids)
            ids.clear()
            await self.database.run(
                partial(outbox.mark_sent, ids=done, message_ids=dict(message_ids))
            )

    async def _retry(self, row: Claimed, attempt: Attempt, rest: list[int]) -> None:
        at = now_utc() + timedelta(seconds=attempt.wait)

        def requeue(db: Db) -> None:
            outbox.retry_later(
                db, id=row.id, at=at, error=attempt.error, count_attempt=attempt.counts
            )
            outbox.release(db, ids=rest)

        logger.info(
            "outbox %d (%s): %s; again in %.1f s", row.id, row.method, attempt.error, attempt.wait
        )
        await self.database.run(requeue)
        self._wake_later(row.chat_id, attempt.wait)

    def _blocked(self, db: Db, chat_id: int) -> None:
        if self.on_blocked is not None:
            self.on_blocked(db, chat_id)
        cancelled = outbox.cancel_chat(db, chat_id=chat_id, error=BLOCKED)
        logger.info("a chat blocked the bot: opted out, %d message(s) cancelled", cancelled)

    # ------------------------------------------------------------------ one call

    def _params(self, row: Claimed) -> dict[str, Any]:
        params = {key: _input_file(value) for key, value in row.params.items()}
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            params["reply_markup"] = json.dumps(markup, ensure_ascii=False)
        if self.config.paid_broadcast and row.method.startswith("send"):
            params["allow_paid_broadcast"] = True
        return params

    async def _attempt(self, row: Claimed) -> Attempt:
        try:
            result = await self.bot.do_api_request(
                row.method, api_kwargs=self._params(row), return_type=None
            )
        except RetryAfter as exc:
            return Attempt(Result.RETRY, "flood control", retry_after_seconds(exc), counts=False)
        except Forbidden as exc:
            return Attempt(Result.BLOCKED, _describe(exc))
        except BadRequest as exc:  # a NetworkError subclass, but retrying cannot help
            if NOT_MODIFIED in str(exc).lower():
                return Attempt(Result.SENT)
            return Attempt(Result.FAILED, _describe(exc))
        except NetworkError as exc:  # TimedOut, 5xx, connection errors
            if row.attempts >= self.config.max_attempts:
                return Attempt(Result.FAILED, _describe(exc))
            return Attempt(Result.RETRY, _describe(exc), backoff(row.attempts))
        except TelegramError as exc:
            return Attempt(Result.FAILED, _describe(exc))
        return Attempt(Result.SENT, message_id=_message_id(result))


def _message_id(result: object) -> int | None:
    """The `message_id` of a call that returned a Message (send, edit); None otherwise."""
    if isinstance(result, dict):
        found = result.get("message_id")
        if isinstance(found, int) and not isinstance(found, bool):
            return found
    return None


def _input_file(value: Any) -> Any:
    """A file stored in the row (`bot.outgoing.file_param`) as PTB uploads it; else `value`."""
    if isinstance(value, dict) and FILE_KEY in value:
        content = base64.b64decode(value[FILE_KEY])
        return InputFile(content, filename=str(value.get("filename") or "file"))
    return value


def opt_out_blocked(db: Db, chat_id: int) -> None:
    """`Delivery.on_blocked` for the survey bot: the person's contacts stop being messaged."""
    conversations.opt_out(db, chat_id=chat_id)
