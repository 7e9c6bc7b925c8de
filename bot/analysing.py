"""The analysis loop: open answers worked out soon after they arrive, for the packet.

A packet over 100,000 comments used to parse every one of them while the facilitator
waited. Inside `chorus run` this loop hands each new comment to the text engine once
(`analysis.arrivals`) and keeps the result with the answer, so the packet only counts.
The engine runs in a thread outside any transaction, a batch at a time, and the loop
yields between batches: replies to respondents come first. With several workers each may
work out the same answers; they keep the same thing, so the only cost is the work.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Sequence
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING

from bot.runtime import Runtime

if TYPE_CHECKING:
    from surveys.crud.analyses import Analysis, PendingText

logger = logging.getLogger(__name__)

ANALYSIS_SECONDS = 30.0
"""How often the loop looks for new comments: a packet made sooner works them out itself."""
BATCH = 200
BATCHES_PER_LOOK = 50
"""At most this many batches a look (10,000 comments, a few seconds of one core's work): a
backlog (a new engine version makes everything stale) is worked off over several looks, and
whatever could not be kept (its answer kept changing) cannot keep the loop spinning."""


async def analyse_arrivals(runtime: Runtime, *, batch: int = BATCH) -> int:
    """Work out and keep the comments not yet analysed by this engine, up to
    `BATCHES_PER_LOOK` batches; returns how many."""
    # The text engine (pandas, TextBlob) is imported on first use, in a thread: a second of
    # imports on the event loop would hold up the replies of a bot just back from a crash.
    arrivals = await asyncio.to_thread(importlib.import_module, "analysis.arrivals")
    total = 0
    for _ in range(BATCHES_PER_LOOK):
        pending = await runtime.database.run(partial(arrivals.pending_texts, limit=batch))
        if not pending:
            break
        analyses = await asyncio.to_thread(analyse_each, pending)
        await runtime.database.run(partial(arrivals.keep, analyses=analyses))
        total += len(pending)
        if len(pending) < batch:
            break
    return total


def analyse_each(pending: Sequence[PendingText]) -> list[Analysis]:
    """The batch's analyses. A text the engine fails on is kept as blank (the packet then
    works it out itself), so one odd comment cannot stop the loop for good."""
    from analysis import arrivals

    try:
        return arrivals.analyse(pending)
    except Exception:
        kept: list[Analysis] = []
        for one in pending:
            try:
                kept.extend(arrivals.analyse([one]))
            except Exception as exc:
                logger.warning(
                    "answer %d: text engine failed: %s", one.answer_id, type(exc).__name__
                )
                kept.append(arrivals.blank(one))
        return kept


async def analysis_loop(runtime: Runtime, stop: asyncio.Event) -> None:
    """Every `ANALYSIS_SECONDS`, analyse what arrived; a failure is one log line.

    The first look is one period after start-up, which belongs to the respondents.
    """
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), ANALYSIS_SECONDS)
    while not stop.is_set():
        try:
            done = await analyse_arrivals(runtime)
            if done:
                logger.info("analysed %d comment(s)", done)
        except Exception as exc:  # the database away for a moment: try again next time
            logger.warning("analysis loop failed: %s", type(exc).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ANALYSIS_SECONDS)
