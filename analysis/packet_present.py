"""Puts the packet together from its suppressed tables: cover, stations, pages, appendix.

Each part has its own small function; `present` only calls them in order.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pandas as pd

from analysis.breakdowns import hidden_in
from analysis.locales import group_label, integer, long_date, percent, text
from analysis.packet_model import Audience, Report, Station, Table
from analysis.packet_sections import (
    aspirations_section,
    campaigns_section,
    choices_section,
    dimension_sections,
    domains_section,
    gaps_section,
    items_section,
    themes_section,
    waves_section,
)
from analysis.packet_stations import Inputs, build_stations
from analysis.packet_tables import Tables
from analysis.prompts import DataWalkPrompt, build_prompts
from analysis.response_rate import response_rate
from analysis.suppression import SMALL, hidden_label, is_shown, rule_statement
from analysis.theme_results import COLUMNS as THEME_COLUMNS

THEME_PAGE_THEMES = 6
"""Themes on the theme page (most mentioned first); every theme is in the appendix."""


def _headline(tables: Tables, lang: str, min_n: int) -> list[tuple[str, str]]:
    total = len(tables.people)
    # Nobody answering is not a small group to protect: say 0 plainly.
    hidden = hidden_label(min_n, lang, SMALL)
    visible = is_shown(total, min_n) or not total
    completed = int(tables.people["completed"].sum())
    return [
        (text("respondents", lang), integer(total, lang) if visible else hidden),
        (text("completed", lang), integer(completed, lang) if visible else hidden),
    ]


def audiences(tables: Tables, lang: str, min_n: int) -> list[Audience]:
    """Who answered, per audience (students, caregivers), with one response rate each."""
    people, responses = tables.people, tables.frames["responses"]
    hidden = hidden_in(people, "role", min_n) if len(people) else {}
    out = []
    for role in dict.fromkeys(people["role"].astype(str)):
        mine = people[people["role"].astype(str) == role]
        rosters = pd.Series(dtype=float)
        if not responses.empty:
            rosters = responses.loc[responses["audience"] == role, "roster_size"].astype(float)
        roster = int(rosters.sum()) if len(rosters) and rosters.notna().all() else None
        label = group_label("role", role, lang)
        if role in hidden:
            note = hidden_label(min_n, lang, hidden[role])
            out.append(Audience(label, note, "", integer(roster, lang) if roster else "", ""))
            continue
        done = int(mine["completed"].sum())
        rate = response_rate(done, roster)
        out.append(
            Audience(
                label,
                integer(len(mine), lang),
                integer(done, lang),
                integer(roster, lang) if roster else "",
                "" if rate is None else percent(rate * 100, lang),
            )
        )
    return out


def _sections(tables: Tables, themes: pd.DataFrame, message: str, lang: str) -> dict[str, Table]:
    f = tables.frames
    by_group = f["domains_by_group"]
    roles = by_group[by_group["dimension"] == "role"] if not by_group.empty else by_group
    top = themes.sort_values("respondents", ascending=False).head(THEME_PAGE_THEMES)
    return {
        "campaigns": campaigns_section(f["responses"], lang),
        **dimension_sections(f["groups"], lang),
        "domains": domains_section(f["domains"], roles, lang),
        "items": items_section(f["items"], lang),
        "gaps": gaps_section(f["gaps"], lang),
        "themes": themes_section(themes, message, lang, quotes=None),
        "theme_page": themes_section(top, message, lang, quotes=2),
        "aspirations": aspirations_section(f["choices"], f["items"], lang),
        "choices": choices_section(f["choices"], lang),
        "waves": waves_section(f["waves"], lang),
    }


def follow_ups(campaigns: pd.DataFrame, language: str) -> list[str]:
    """Each campaign's follow-up message in `language` (else its first), without repeats."""
    found: list[str] = []
    for raw in campaigns.get("follow_up", pd.Series(dtype=object)).dropna():
        try:
            texts = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if isinstance(texts, dict) and texts:
            note = texts.get(language) or next(iter(texts.values()))
            if isinstance(note, str) and note.strip() and note.strip() not in found:
                found.append(note.strip())
    return found


def _prompts(tables: Tables, themes: pd.DataFrame, lang: str, min_n: int) -> list[DataWalkPrompt]:
    f = tables.frames
    groups = f["groups"]
    hidden = sorted(
        {
            group_label(str(r["dimension"]), str(r["group"]), lang)
            for _, r in groups.iterrows()
            if not r["shown"]
        }
    )
    rates = f["responses"]
    rate = None
    if not rates.empty and rates["shown"].all() and rates["roster_size"].notna().all():
        rate = response_rate(int(rates["completed"].sum()), float(rates["roster_size"].sum()))
    return build_prompts(
        items=f["items"].rename(columns={"question": "label"}),
        domains=f["domains"],
        gaps=f["gaps"],
        waves=f["waves"],
        themes=themes if not themes.empty else pd.DataFrame(columns=THEME_COLUMNS),
        hidden=hidden,
        response_rate=None if rate is None else rate * 100,
        language=lang,
        min_n=min_n,
    )


def _subtitle(tables: Tables, lang: str) -> str:
    current = tables.current
    surveys = ", ".join(
        dict.fromkeys(s.title.get(lang, s.title.get("en", s.id)) for s in current.surveys.values())
    )
    schools = ", ".join(dict.fromkeys(str(s) for s in current.campaigns["school"]))
    return text("subtitle", lang, surveys=surveys, schools=schools)


def stations_of(tables: Tables, language: str) -> list[Station]:
    """The stations with their charts. They need no themes, so a large packet draws them
    while its theme worker is still running."""
    f = tables.frames
    by_group = f["domains_by_group"]
    roles = by_group[by_group["dimension"] == "role"] if not by_group.empty else by_group
    return build_stations(Inputs(f["domains"], roles, f["items"], f["gaps"], f["waves"], language))


def present(
    tables: Tables,
    themes: pd.DataFrame,
    message: str,
    *,
    language: str,
    min_n: int,
    timings: dict[str, float],
    stations: list[Station] | None = None,
) -> Report:
    """The reader's view of the (already suppressed) tables: formatted cells, charts, prompts."""
    lang, f = language, tables.frames
    total = len(tables.people)
    if stations is None:
        started = time.perf_counter()
        stations = stations_of(tables, lang)
        timings["charts"] = time.perf_counter() - started
    return Report(
        language=lang,
        min_n=min_n,
        title=text("title", lang),
        subtitle=_subtitle(tables, lang),
        generated=text("generated", lang, date=long_date(datetime.now(UTC).date(), lang)),
        total=total,
        shown=is_shown(total, min_n),
        headline=_headline(tables, lang, min_n),
        sections=_sections(tables, themes, message, lang),
        prompts=_prompts(tables, themes, lang, min_n),
        privacy=rule_statement(min_n, lang),
        audiences=audiences(tables, lang, min_n),
        stations=stations,
        resources=follow_ups(tables.current.campaigns, lang),
        tables={**f, "themes": themes},
        timings=timings,
    )
