"""Open answers worked out once, soon after they arrive, and kept for the packet.

The bot's analysis loop (`bot.analysing`) calls these a batch at a time: read what has no
analysis by the current engine, work it out outside any transaction, keep it. The packet's
theme summary then only counts what was kept (`analysis.text_results`); whatever is not
kept yet it works out itself, so a packet never waits for this loop, nor differs with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.text_results import BLANK, encode, engine_version, text_key
from analysis.themes import analyze_texts
from surveys.crud.analyses import Analysis, PendingText, store_analyses, texts_to_analyse
from surveys.crud.tables import Db

BATCH = 200
"""Answers per batch: about a tenth of a second of parsing on one core."""


def pending_texts(db: Db, *, limit: int = BATCH) -> list[PendingText]:
    return texts_to_analyse(db, version=engine_version(), limit=limit)


def analyse(pending: Sequence[PendingText]) -> list[Analysis]:
    """The engine's result for each answer, keyed as the theme summary checks it.

    A text that is only blanks is kept as the empty result, so it is not read again.
    """
    hints = [p.language for p in pending]
    stripped = [p.text.strip() for p in pending]
    found = iter(analyze_texts([(h, t) for h, t in zip(hints, stripped, strict=True) if t]))
    return [
        Analysis(
            answer_id=p.answer_id,
            text=p.text,
            language=p.language,
            text_key=text_key(hint, text),
            result=encode(next(found)) if text else BLANK,
        )
        for p, hint, text in zip(pending, hints, stripped, strict=True)
    ]


def blank(pending: PendingText) -> Analysis:
    """Kept for an answer the engine cannot work out: read no more, and worked out by the
    packet itself, where a failure is seen."""
    return Analysis(
        answer_id=pending.answer_id,
        text=pending.text,
        language=pending.language,
        text_key=text_key(pending.language, pending.text.strip()),
        result=BLANK,
    )


def keep(db: Db, analyses: Sequence[Analysis]) -> None:
    store_analyses(db, version=engine_version(), analyses=analyses)


def analyse_pending(db: Db, *, limit: int = BATCH) -> int:
    """One batch read, worked out and kept in `db`'s transaction; returns how many.

    For the command line, the benchmark and tests; the bot keeps its transactions short by
    working outside them (`bot.analysing`).
    """
    analyses = analyse(pending_texts(db, limit=limit))
    keep(db, analyses)
    return len(analyses)
