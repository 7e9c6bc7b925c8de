"""The data walk's stations: one finding each, stated without interpretation.

A station has a plain headline that says what the data show (the room interprets),
one chart (students and caregivers side by side where a question was asked of both),
at most three numbers each with the n behind it, and the same three prompts. Stations
come from shown figures only, so a suppressed group never gets a station.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis import charts
from analysis.locales import domain_label, group_label, integer, text
from analysis.packet_model import Number, Station
from analysis.packet_sections import pct, signed

MAX_STATIONS = 7
CHART_ROWS = 6
"""Bars per station chart: a station is read standing up, in a minute or two."""
ROLES = (
    ("student", "students", charts.STUDENT_COLOR),
    ("caregiver", "caregivers", charts.CAREGIVER_COLOR),
)


@dataclass(frozen=True)
class Inputs:
    """The suppressed tables a station may read."""

    domains: pd.DataFrame
    roles: pd.DataFrame
    items: pd.DataFrame
    gaps: pd.DataFrame
    waves: pd.DataFrame
    lang: str


def _shown(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame.iloc[0:0]
    return frame[frame["shown"].astype(bool) & frame[column].notna()]


def _n(value: object, lang: str) -> str:
    return text("n_is", lang, n=integer(float(str(value)), lang))


def _station(
    key: str, title: str, headline: str, chart: str, numbers: list[Number], lang: str
) -> Station:
    prompts = tuple(text("station_prompts", lang).split("|"))
    return Station(key, title, headline, chart, headline, tuple(numbers[:3]), prompts)


def _role_row(inputs: Inputs, role: str, domain: str) -> pd.Series | None:
    rows = _shown(inputs.roles, "pct_favorable")
    hit = rows[(rows["group"] == role) & (rows["domain"] == domain)] if not rows.empty else rows
    return None if hit.empty else hit.iloc[0]


def mirrored_domain(inputs: Inputs, d: pd.Series) -> Station | None:
    """Students and caregivers on the questions of one area that both were asked."""
    lang, domain = inputs.lang, str(d["domain"])
    gaps = _shown(inputs.gaps, "gap_pct_favorable")
    gaps = gaps[gaps["domain"] == domain].head(CHART_ROWS) if not gaps.empty else gaps
    sides = [_role_row(inputs, role, domain) for role, _, _ in ROLES]
    if gaps.empty or any(s is None for s in sides):
        return None
    student, carer = sides[0], sides[1]
    assert student is not None and carer is not None
    series = [
        (text(key, lang), gaps[f"{role}_pct_favorable"].astype(float).tolist(), color)
        for role, key, color in ROLES
    ]
    chart = charts.grouped_bars(
        gaps["label"].astype(str).tolist(), series, xlabel=text("pct_favorable", lang)
    )
    name = domain_label(domain, lang)
    headline = text(
        "station_mirror_headline",
        lang,
        domain=name,
        students=pct(student["pct_favorable"], lang),
        caregivers=pct(carer["pct_favorable"], lang),
    )
    numbers = [
        Number(text("students", lang), pct(student["pct_favorable"], lang), _n(student["n"], lang)),
        Number(text("caregivers", lang), pct(carer["pct_favorable"], lang), _n(carer["n"], lang)),
        Number(text("everyone", lang), pct(d["pct_favorable"], lang), _n(d["respondents"], lang)),
    ]
    return _station(f"domain-{domain}", name, headline, chart, numbers, lang)


def single_domain(inputs: Inputs, d: pd.Series) -> Station | None:
    """An area asked of one audience: its questions, strongest first."""
    lang, domain = inputs.lang, str(d["domain"])
    items = _shown(inputs.items, "pct_favorable")
    items = items[items["domain"] == domain] if not items.empty else items
    if items.empty:
        return None
    chart_rows = items.head(CHART_ROWS)
    chart = charts.ranked_bars(
        chart_rows["question"].astype(str).tolist(),
        chart_rows["pct_favorable"].astype(float).tolist(),
        xlabel=text("pct_favorable", lang),
    )
    name = domain_label(domain, lang)
    headline = text("station_domain_headline", lang, domain=name, pct=pct(d["pct_favorable"], lang))
    top, low = items.iloc[0], items.iloc[-1]
    numbers = [
        Number(text("everyone", lang), pct(d["pct_favorable"], lang), _n(d["respondents"], lang)),
        Number(text("highest_question", lang), pct(top["pct_favorable"], lang), _n(top["n"], lang)),
    ]
    if len(items) > 1:
        numbers.append(
            Number(
                text("lowest_question", lang), pct(low["pct_favorable"], lang), _n(low["n"], lang)
            )
        )
    return _station(f"domain-{domain}", name, headline, chart, numbers, lang)


def biggest_gaps(inputs: Inputs) -> Station | None:
    """The mirrored questions on which students and caregivers differ most."""
    lang = inputs.lang
    gaps = _shown(inputs.gaps, "gap_pct_favorable").head(CHART_ROWS)
    if len(gaps) < 2:
        return None
    series = [
        (text(key, lang), gaps[f"{role}_pct_favorable"].astype(float).tolist(), color)
        for role, key, color in ROLES
    ]
    chart = charts.grouped_bars(
        gaps["label"].astype(str).tolist(), series, xlabel=text("pct_favorable", lang)
    )
    g = gaps.iloc[0]
    s, c = pct(g["student_pct_favorable"], lang), pct(g["caregiver_pct_favorable"], lang)
    headline = text("station_gap_headline", lang, question=g["label"], students=s, caregivers=c)
    both = text(
        "n_is", lang, n=f"{integer(g['student_n'], lang)} + {integer(g['caregiver_n'], lang)}"
    )
    numbers = [
        Number(text("students", lang), s, _n(g["student_n"], lang)),
        Number(text("caregivers", lang), c, _n(g["caregiver_n"], lang)),
        Number(text("gap", lang), signed(g["gap_pct_favorable"], lang), both),
    ]
    return _station("gaps", text("gaps_h", lang), headline, chart, numbers, lang)


def _wave_label(r: pd.Series, lang: str) -> str:
    who = group_label("role", str(r["audience"]), lang)
    return f"{who} · {domain_label(str(r['domain']), lang)} · {r['school']} {r['grade']}"


def wave_change(inputs: Inputs) -> Station | None:
    """Change since the previous wave of the same survey, school, grade and audience."""
    lang = inputs.lang
    waves = _shown(inputs.waves, "change_pct_favorable")
    if waves.empty:
        return None
    waves = waves.loc[waves["change_pct_favorable"].abs().sort_values(ascending=False).index]
    rows = waves.head(CHART_ROWS)
    chart = charts.diverging_bars(
        [_wave_label(r, lang) for _, r in rows.iterrows()],
        rows["change_pct_favorable"].astype(float).tolist(),
        xlabel=text("change", lang),
    )
    w = waves.iloc[0]
    headline = text(
        "station_wave_headline",
        lang,
        domain=domain_label(str(w["domain"]), lang),
        audience=group_label("role", str(w["audience"]), lang),
        grade=w["grade"],
        school=w["school"],
        before=pct(w["previous_pct_favorable"], lang),
        now=pct(w["current_pct_favorable"], lang),
    )
    numbers = [
        Number(
            text("previous", lang),
            pct(w["previous_pct_favorable"], lang),
            _n(w["previous_n"], lang),
        ),
        Number(
            text("current", lang), pct(w["current_pct_favorable"], lang), _n(w["current_n"], lang)
        ),
        Number(
            text("change", lang), signed(w["change_pct_favorable"], lang), _n(w["current_n"], lang)
        ),
    ]
    return _station("waves", text("waves_h", lang), headline, chart, numbers, lang)


def build_stations(inputs: Inputs) -> list[Station]:
    """5 to 7 stations where the data allow: mirrored areas, gaps, change, one-audience areas."""
    domains = _shown(inputs.domains, "pct_favorable")
    mirrored: list[Station | None] = []
    single: list[Station | None] = []
    for _, d in domains.iterrows():
        station = mirrored_domain(inputs, d)
        if station is not None:
            mirrored.append(station)
        else:
            single.append(single_domain(inputs, d))
    extra: list[Callable[[Inputs], Station | None]] = [biggest_gaps, wave_change]
    found = mirrored + [make(inputs) for make in extra] + single
    return [s for s in found if s is not None][:MAX_STATIONS]
