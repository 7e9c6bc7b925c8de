"""Pacing sends to Telegram's limits: about 30 messages a second overall, 1 per chat.

The overall limit is shared by every chat, so when sends must wait the most
urgent go first: an alert before a reply, a reply before a broadcast message.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, holding at most `burst`."""

    def __init__(self, rate: float, burst: float, *, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self._clock = clock
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now

    def reserve(self) -> float:
        """Take a token now, going into debt if need be; seconds to wait before using it."""
        self._refill()
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def wait_time(self) -> float:
        """Seconds until a whole token is there."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    @property
    def idle(self) -> bool:
        self._refill()
        return self.tokens >= self.burst


class PriorityLimiter:
    """A shared rate, handed out in priority order (lower first), FIFO within a priority."""

    def __init__(
        self, rate: float, burst: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._bucket = TokenBucket(rate, burst, clock=clock)
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    async def acquire(self, priority: int) -> None:
        if not self._waiting and self._bucket.wait_time() == 0:
            self._bucket.reserve()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._release())
        await future

    async def _release(self) -> None:
        while self._waiting:
            wait = self._bucket.wait_time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                self._bucket.reserve()
                future.set_result(None)


class ChatLimiter:
    """One bucket per chat; idle chats are forgotten so the map stays small."""

    def __init__(
        self, rate: float, burst: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[int, TokenBucket] = {}

    def reserve(self, chat_id: int) -> float:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) > 10_000:
                self._buckets = {k: b for k, b in self._buckets.items() if not b.idle}
            bucket = self._buckets[chat_id] = TokenBucket(self.rate, self.burst, clock=self._clock)
        return bucket.reserve()
