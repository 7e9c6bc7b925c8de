"""Themes from open text, summarized in a worker process while the numbers are worked out.

Only comments of people quotable under the group rule (`analysis.breakdowns.quotable`)
ever reach the theme engine, so neither a theme's count nor a quote can come from a
group hidden for being small.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal

import pandas as pd
from sqlmodel import Session

from analysis.breakdowns import quotable
from analysis.frames import Responses, count_open_texts, load_open_texts
from analysis.locales import text
from analysis.packet_tables import open_texts
from analysis.peak_memory import peak_memory_mb
from analysis.suppression import may_show_text
from analysis.theme_results import COLUMNS as THEME_COLUMNS
from surveys.db import sqlite_file

StartMethod = Literal["fork", "spawn"]
WORKER_TIMEOUT_S = 900.0
"""Past this, a worker is taken to be stuck, and the summary is made in-process."""
PARALLEL_TEXTS = 20_000
"""From this many open answers on, themes are summarized in a worker process."""


@dataclass(frozen=True)
class TextSource:
    """Where a theme worker reads the open text itself: a database it can open on its own.

    Reading 100,000 comments (with what the analysis loop kept for them) takes the packet
    process over half a second it can spend on the numbers instead; the worker has time to
    spare. An in-memory database cannot be opened from another process: no source then.
    """

    url: str
    campaign_codes: tuple[str, ...]
    count: int
    """How many open answers there are (before the group rule): decides worker or not."""

    @classmethod
    def of(cls, session: Session, campaign_codes: Sequence[str]) -> TextSource | None:
        url = session.get_bind().engine.url
        if url.get_backend_name() == "sqlite" and sqlite_file(url) is None:
            return None
        count = count_open_texts(session, campaign_codes=campaign_codes)
        return cls(url.render_as_string(hide_password=False), tuple(campaign_codes), count)

    def read(self) -> pd.DataFrame:
        from surveys.db import make_engine, session_scope

        engine = make_engine(self.url)
        try:
            with session_scope(engine) as session:
                return load_open_texts(session, campaign_codes=self.campaign_codes)
        finally:
            engine.dispose()


def worker_text_source(session: Session, campaign_codes: Sequence[str]) -> TextSource | None:
    """The source a theme worker reads the open text from, when there will be a worker to
    read it (a large packet, a database another process can open); else None."""
    if (os.cpu_count() or 1) < 2:
        return None
    source = TextSource.of(session, campaign_codes)
    return source if source is not None and source.count >= PARALLEL_TEXTS else None


@dataclass(frozen=True)
class _Unread:
    """Open text the worker reads, and the group rule it is filtered by once read."""

    source: TextSource
    allowed: pd.Series

    def read(self) -> pd.DataFrame:
        return _quotable_texts(self.source.read(), self.allowed)


Texts = pd.DataFrame | _Unread


def _quotable_texts(texts: pd.DataFrame, allowed: pd.Series) -> pd.DataFrame:
    return texts[texts["respondent_id"].map(allowed).fillna(False).astype(bool)]


def _summarize_themes() -> Callable[..., pd.DataFrame]:
    """The open-text engine, behind a function so tests can stand another in."""
    return _summarize


def _summarize(texts: pd.DataFrame, **options: object) -> pd.DataFrame:
    """`analysis.themes.summarize_themes`, imported where it runs: in the theme worker, the
    packet process is spared TextBlob and its parser (about a third of a second)."""
    from analysis.themes import summarize_themes

    return summarize_themes(texts, **options)  # type: ignore[arg-type]


class PendingThemes:
    """The open-text summary, computed in a worker process while the numbers are worked out.

    Themes are the slowest part of a large packet and independent of the numbers, so on a
    multi-core machine they run side by side. Small inputs (and any failure to start a
    worker) run in-process; either way the result is the same function's output.

    `start` is how the worker starts. "fork" (the default) is the quickest and is right for
    `chorus report` and the benchmark, single-threaded processes. A process with threads
    (the bot, which builds `/report` in a thread) passes "spawn": a fork copies only the
    calling thread, and a lock another thread held at that moment (logging's, say) would
    stay locked in the worker for good.
    """

    def __init__(
        self,
        summarize: Callable[..., pd.DataFrame],
        texts: Texts,
        language: str,
        start: StartMethod = "fork",
    ):
        self._call = (summarize, texts, language)
        self.peak_mb = 0.0
        """The worker's own peak memory, once its result is in (0 when run in-process)."""
        self._receiver: Connection | None = None
        self._process: BaseProcess | None = None
        size = texts.source.count if isinstance(texts, _Unread) else len(texts)
        if size >= PARALLEL_TEXTS and (os.cpu_count() or 1) > 1:
            try:
                context = (
                    multiprocessing.get_context("spawn")
                    if start == "spawn"
                    else multiprocessing.get_context("fork")
                )
                self._receiver, sender = context.Pipe(duplex=False)
                # Not a daemon: a daemon may not fork, and a theme engine is free to.
                self._process = context.Process(
                    target=_themes_worker, args=(sender, *self._call), daemon=False
                )
                self._process.start()
                sender.close()
            except (OSError, ValueError, AttributeError, TypeError, pickle.PicklingError):
                # No worker (or, with "spawn", a summarizer that cannot be pickled): in-process.
                self._receiver = self._process = None

    @property
    def in_worker(self) -> bool:
        """Whether the summary runs in a worker process: the packet is a large one."""
        return self._process is not None

    def cancel(self) -> None:
        """Stop a worker whose result will not be shown (the group turned out too small)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
        if self._receiver is not None:
            self._receiver.close()
        self._process = self._receiver = None
        self._call = (_no_themes, pd.DataFrame(), self._call[2])

    def result(self) -> tuple[pd.DataFrame, float]:
        if self._receiver is not None and self._process is not None:
            try:
                if not self._receiver.poll(WORKER_TIMEOUT_S):
                    self._process.terminate()  # stuck: the summary is made here instead
                    raise EOFError
                status, payload, seconds, self.peak_mb = self._receiver.recv()
            except EOFError:
                status = "lost"
            finally:
                self._process.join()
                self._receiver.close()
            if status == "ok":
                return payload, seconds
            if status == "error":
                raise payload
        return _run_themes(*self._call)


def _no_themes(texts: pd.DataFrame, **_: object) -> pd.DataFrame:
    return pd.DataFrame(columns=THEME_COLUMNS)


def _run_themes(
    summarize: Callable[..., pd.DataFrame], texts: Texts, language: str
) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    if isinstance(texts, _Unread):
        texts = texts.read()
    themes = summarize(texts, language=language, max_quotes=3)
    return themes, time.perf_counter() - started


def _themes_worker(
    sender: Connection,
    summarize: Callable[..., pd.DataFrame],
    texts: Texts,
    language: str,
) -> None:
    try:
        themes, seconds = _run_themes(summarize, texts, language)
        sender.send(("ok", themes, seconds, peak_memory_mb()))
    except Exception as exc:  # handed to the parent, which raises it
        sender.send(("error", exc, 0.0, peak_memory_mb()))
    finally:
        sender.close()


Started = tuple["PendingThemes | None", str]
"""A theme summary under way (or None), and what the packet says if there are no themes."""


def start_themes(
    current: Responses,
    people: pd.DataFrame,
    language: str,
    min_n: int,
    *,
    texts: pd.DataFrame | None = None,
    source: TextSource | None = None,
    start: StartMethod = "fork",
) -> Started:
    """Begin the theme summary if this group may show open text; else say why not.

    Only comments of people quotable under the group rule go in, so neither a theme's
    count nor a quote can come from a group hidden for being small. The text is `texts`,
    else read from `source` (by the worker, for a large packet), else `current`'s.
    """
    if not may_show_text(len(people), min_n):
        return None, text("themes_hidden", language, min_n=min_n)
    allowed = quotable(people, min_n)
    no_themes = text("no_themes", language)
    if texts is None and source is not None:
        if source.count == 0:
            return None, no_themes
        unread = _Unread(source, allowed)
        return PendingThemes(_summarize_themes(), unread, language, start), no_themes
    texts = _quotable_texts(open_texts(current) if texts is None else texts, allowed)
    if texts.empty:
        return None, no_themes
    return PendingThemes(_summarize_themes(), texts, language, start), no_themes


def finish_themes(pending: PendingThemes | None) -> tuple[pd.DataFrame, float]:
    if pending is None:
        return pd.DataFrame(columns=THEME_COLUMNS), 0.0
    themes, seconds = pending.result()
    themes = themes[themes["respondents"] > 0].reset_index(drop=True)
    return themes[[c for c in THEME_COLUMNS if c in themes.columns]], seconds
