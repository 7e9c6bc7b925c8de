"""The facilitator packet: a data walk, written as HTML, PDF, Markdown, XLSX and CSV.

`build_report` computes; rendering and exporting only format. The packet reports on the
newest campaign of each survey, school, grade and audience among those asked for;
earlier waves (named or found in the database) are used only for the change figures.
Suppression is applied while building, so no output format can leak a hidden group.

The work is split by responsibility: `packet_tables` (the suppressed numbers),
`packet_themes` (open text, in a worker), `packet_stations` and `packet_sections` (each
page and table as the reader sees it), `packet_present` (the whole packet),
`packet_render` (HTML, Markdown), `packet_pdf` (the PDF, in two helper processes) and
`packet_export` (XLSX, CSV).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from analysis.breakdowns import latest_waves
from analysis.charts import preload as preload_charts
from analysis.frames import (
    Responses,
    load_campaigns,
    load_open_texts,
    load_people,
    load_responses,
)
from analysis.frames import previous_campaign_codes as previous_campaign_codes
from analysis.packet_export import write_tables_csv, write_tables_xlsx
from analysis.packet_formats import BILINGUAL, FORMATS
from analysis.packet_model import Report, Station, Table
from analysis.packet_pdf import PendingPdf
from analysis.packet_pdf import prestart as prestart_pdf_helper
from analysis.packet_present import present, stations_of
from analysis.packet_render import render_html, render_markdown, render_pdf_parts
from analysis.packet_tables import build_tables, open_texts
from analysis.packet_themes import (
    Started,
    StartMethod,
    finish_themes,
    start_themes,
    worker_text_source,
)
from analysis.scoring import participants
from analysis.suppression import DEFAULT_MIN_N

__all__ = [
    "BILINGUAL",
    "FORMATS",
    "Report",
    "ReportPaths",
    "Station",
    "Table",
    "build_report",
    "open_texts",
    "render_html",
    "render_markdown",
    "report_from_responses",
    "write_outputs",
    "write_report",
]


@dataclass(frozen=True)
class ReportPaths:
    """What `write_report` wrote, so the CLI and `chorus demo` can print it."""

    html: Path | None = None
    md: Path | None = None
    xlsx: Path | None = None
    csv: tuple[Path, ...] = ()
    pdf: Path | None = None

    def all(self) -> list[Path]:
        found = [self.html, self.pdf, self.md, self.xlsx]
        return [p for p in found if p is not None] + list(self.csv)


def languages_of(language: str) -> list[str]:
    """ "en+es" -> ["en", "es"]; "es" -> ["es"]."""
    return [part for part in language.split("+") if part]


def report_from_responses(
    everything: Responses,
    *,
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
    texts: pd.DataFrame | None = None,
    themes: Started | None = None,
) -> Report:
    """The packet for loaded frames; earlier waves in `everything` feed only the change figures.

    `texts` lets `build_report` hand over the open text it read with its own small query, and
    `themes` a theme summary it already started from it.
    """
    if min_n < 1:
        raise ValueError("the minimum group size must be at least 1")
    started = time.perf_counter()
    tables = build_tables(everything, min_n=min_n, language=language)
    if themes is None:
        themes = start_themes(tables.current, tables.people, language, min_n, texts=texts)
    pending, message = themes
    numbers = time.perf_counter() - started
    stations = stations_of(tables, language)  # while the theme worker may still be running
    charts = time.perf_counter() - started - numbers
    if pending is not None and pending.in_worker:
        # A large packet: start the PDF's helpers now, so they warm up on the core this
        # process leaves idle while it waits for the themes and puts the packet together.
        prestart_pdf_helper()
    summary, theme_seconds = finish_themes(pending)
    timings = {"numbers": numbers, "charts": charts, "themes": theme_seconds}
    if pending is not None:
        timings["themes_worker_mb"] = pending.peak_mb
    report = present(
        tables,
        summary,
        message,
        language=language,
        min_n=min_n,
        timings=timings,
        stations=stations,
    )
    report.timings["build"] = time.perf_counter() - started
    return report


def build_report(
    session: Session,
    *,
    campaign_codes: Sequence[str],
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
    include_previous: bool = True,
    worker_start: StartMethod = "fork",
) -> Report:
    """Compute every figure of the packet for `campaign_codes` (ValueError on an unknown code).

    The open text and who answered are read first (small queries), so the slow theme
    summary runs in a worker while the answers load and the numbers are worked out; only
    quotable people's comments go in, exactly as if it had started after the load. The
    chart library is imported only after the worker is forked: it starts about a second
    sooner, and the import runs alongside it. WeasyPrint is not imported here at all: a
    large packet's PDF is laid out by helper processes (`analysis.packet_pdf`).
    `worker_start` is how the theme worker starts: "spawn" from a process with threads
    (`analysis.packet_themes.PendingThemes`).
    """
    codes = list(dict.fromkeys(campaign_codes))
    started = time.perf_counter()
    extra = previous_campaign_codes(session, campaign_codes=codes) if include_previous else []
    current = latest_waves(load_campaigns(session, campaign_codes=codes + extra))
    # A large packet's theme worker reads the open text itself (`TextSource`).
    source = worker_text_source(session, current)
    texts = load_open_texts(session, campaign_codes=current) if source is None else None
    light = load_people(session, campaign_codes=current)
    early = start_themes(
        light,
        participants(light),
        language,
        min_n,
        texts=texts,
        source=source,
        start=worker_start,
    )
    try:
        preload_charts()
        everything = load_responses(session, campaign_codes=codes + extra, answer_times=False)
    except BaseException:
        if early[0] is not None:
            early[0].cancel()
        raise
    loaded = time.perf_counter() - started
    report = report_from_responses(everything, language=language, min_n=min_n, themes=early)
    report.timings["load"] = loaded
    return report


def write_outputs(
    report: Report, out_dir: Path, formats: Sequence[str] = FORMATS, *others: Report
) -> ReportPaths:
    """Write `report` (side by side with `others`, if any) in each of `formats` under `out_dir`."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "+".join([report.language, *(o.language for o in others)])
    html = pdf = md = xlsx = None
    csv: tuple[Path, ...] = ()
    if "html" in formats:
        html = out_dir / f"packet-{suffix}.html"
        html.write_text(render_html(report, *others), encoding="utf-8")
    # A large PDF is laid out by helper processes (`analysis.packet_pdf`): hand them their
    # parts before the other formats are written, so those are written alongside.
    pending = PendingPdf(*render_pdf_parts(report, *others)) if "pdf" in formats else None
    try:
        if "md" in formats:
            md = out_dir / f"packet-{report.language}.md"
            md.write_text(render_markdown(report), encoding="utf-8")
        if "xlsx" in formats:
            xlsx = write_tables_xlsx(report, out_dir / f"tables-{report.language}.xlsx")
        if "csv" in formats:
            csv = write_tables_csv(report, out_dir / f"csv-{report.language}")
    except BaseException:
        if pending is not None:
            pending.close()
        raise
    if pending is not None:
        pdf = out_dir / f"packet-{suffix}.pdf"
        stats = pending.finish(pdf)
        report.timings["pdf"] = stats.seconds
        report.timings["pdf_helper_mb"] = stats.helper_mb
        report.timings["pdf_helper_cpu"] = stats.helper_cpu_s
    return ReportPaths(html=html, md=md, xlsx=xlsx, csv=csv, pdf=pdf)


def write_report(
    session: Session,
    *,
    campaign_codes: Sequence[str],
    out_dir: Path | str,
    formats: Sequence[str] = FORMATS,
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
) -> ReportPaths:
    """Build the packet for `campaign_codes` and write it; "en+es" writes it side by side."""
    reports = [
        build_report(session, campaign_codes=campaign_codes, language=lang, min_n=min_n)
        for lang in languages_of(language)
    ]
    return write_outputs(reports[0], Path(out_dir), formats, *reports[1:])
