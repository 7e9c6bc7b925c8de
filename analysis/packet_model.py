"""What the packet holds, as plain data: the templates and exporters read only these.

Every cell is already formatted and already suppressed, so no output format can show a
number the tables decided to hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.prompts import DataWalkPrompt


@dataclass(frozen=True)
class Table:
    """A table as the reader sees it: formatted cells, already suppressed."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    empty: str = ""


@dataclass(frozen=True)
class Number:
    """One of a station's (at most three) numbers, with how many people are behind it."""

    label: str
    value: str
    n: str


@dataclass(frozen=True)
class Station:
    """One data-walk station: a finding stated plainly, one chart, a few numbers, prompts."""

    key: str
    title: str
    headline: str
    chart: str
    chart_alt: str
    numbers: tuple[Number, ...]
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Audience:
    """A cover line: who answered, per audience, with the response rate."""

    label: str
    answered: str
    completed: str
    invited: str
    rate: str


@dataclass
class Report:
    """Everything the packet shows, plus the raw tables behind it for XLSX/CSV."""

    language: str
    min_n: int
    title: str
    subtitle: str
    generated: str
    total: int
    shown: bool
    headline: list[tuple[str, str]]
    sections: dict[str, Table]
    prompts: list[DataWalkPrompt]
    privacy: str
    audiences: list[Audience] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    """The campaigns' follow-up messages (meeting date, services), as respondents got them."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage (load, themes, build, charts), for the benchmark."""
