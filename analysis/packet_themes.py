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
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal

import pandas as pd

from analysis.breakdowns import quotable
from analysis.frames import Responses
from analysis.locales import text
from analysis.packet_tables import open_texts
from analysis.peak_memory import peak_memory_mb
from analysis.suppression import may_show_text
from analysis.theme_results import COLUMNS as THEME_COLUMNS

StartMethod = Literal["fork", "spawn"]
WORKER_TIMEOUT_S = 900.0
"""Past this, a worker is taken to be stuck, and the summary is made in-process."""
PARALLEL_TEXTS = 20_000
"""From this many open answers on, themes are summarized in a worker process."""


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
        texts: pd.DataFrame,
        language: str,
        start: StartMethod = "fork",
    ):
        self._call = (summarize, texts, language)
        self.peak_mb = 0.0
        """The worker's own peak memory, once its result is in (0 when run in-process)."""
        self._receiver: Connection | None = None
        self._process: BaseProcess | None = None
        if len(texts) >= PARALLEL_TEXTS and (os.cpu_count() or 1) > 1:
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
        self._call = (_no_themes, self._call[1].iloc[0:0], self._call[2])

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
    summarize: Callable[..., pd.DataFrame], texts: pd.DataFrame, language: str
) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    themes = summarize(texts, language=language, max_quotes=3)
    return themes, time.perf_counter() - started


def _themes_worker(
    sender: Connection,
    summarize: Callable[..., pd.DataFrame],
    texts: pd.DataFrame,
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
    start: StartMethod = "fork",
) -> Started:
    """Begin the theme summary if this group may show open text; else say why not.

    Only comments of people quotable under the group rule go in, so neither a theme's
    count nor a quote can come from a group hidden for being small.
    """
    if not may_show_text(len(people), min_n):
        return None, text("themes_hidden", language, min_n=min_n)
    texts = open_texts(current) if texts is None else texts
    allowed = quotable(people, min_n)
    texts = texts[texts["respondent_id"].map(allowed).fillna(False).astype(bool)]
    if texts.empty:
        return None, text("no_themes", language)
    return PendingThemes(_summarize_themes(), texts, language, start), text("no_themes", language)


def finish_themes(pending: PendingThemes | None) -> tuple[pd.DataFrame, float]:
    if pending is None:
        return pd.DataFrame(columns=THEME_COLUMNS), 0.0
    themes, seconds = pending.result()
    themes = themes[themes["respondents"] > 0].reset_index(drop=True)
    return themes[[c for c in THEME_COLUMNS if c in themes.columns]], seconds
