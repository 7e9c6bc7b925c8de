"""The reader's view of each (already suppressed) table: one small function per section.

These are the appendix's full tables, the theme page and the aspirations-and-needs page.
Cells are text in the packet's language; a hidden cell says why it is hidden.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.breakdowns import DIMENSIONS
from analysis.locales import domain_label, group_label, integer, number, percent, text
from analysis.packet_model import Table
from analysis.packet_tables import is_nan
from analysis.sentiment_labels import describe_sentiment
from analysis.theme_results import REMOVED

GAPS_SHOWN = 10
"""Mirrored items listed in the gap table, biggest gap first."""
QUOTES_SHOWN = 2
"""Quotes per theme on the theme page: enough to hear a voice, few enough to fit a page."""


def pct(value: Any, language: str) -> str:
    return "" if value is None or is_nan(value) else percent(float(value), language)


def num(value: Any, language: str, digits: int = 1) -> str:
    return "" if value is None or is_nan(value) else number(float(value), language, digits)


def signed(value: Any, language: str) -> str:
    """A change or gap in points: "+11", "−4"."""
    if value is None or is_nan(value):
        return ""
    return ("+" if float(value) >= 0 else "−") + integer(abs(round(float(value))), language)


def sentiment_words(label: Any, language: str) -> str:
    """A theme's tone in words, never a raw score (`analysis.sentiment.sentiment_label`)."""
    return describe_sentiment(label if isinstance(label, str) else None, language)


def campaigns_section(responses: pd.DataFrame, lang: str) -> Table:
    headers = ("school", "grade", "audience", "respondents", "completed", "roster", "response_rate")
    rows = tuple(
        (
            str(r["school"]),
            str(r["grade"]),
            group_label("role", str(r["audience"]), lang),
            integer(r["respondents"], lang) if r["shown"] else str(r["note"]),
            integer(r["completed"], lang) if r["shown"] else "",
            ""
            if r["roster_size"] is None or is_nan(r["roster_size"])
            else integer(r["roster_size"], lang),
            pct(r["response_rate"], lang) if r["shown"] else "",
        )
        for _, r in responses.iterrows()
    )
    return Table(
        "campaigns",
        text("headline_h", lang),
        _heads(headers, lang),
        rows,
        caption=text("rate_caption", lang),
    )


def _heads(keys: tuple[str, ...], lang: str) -> tuple[str, ...]:
    return tuple(text(k, lang) for k in keys)


def dimension_sections(groups: pd.DataFrame, lang: str) -> dict[str, Table]:
    sections: dict[str, Table] = {}
    for dim in DIMENSIONS:
        part = groups[groups["dimension"] == dim]
        if part.empty:
            continue
        rows = tuple(
            (
                group_label(dim, str(r["group"]), lang),
                integer(r["respondents"], lang) if r["shown"] else str(r["note"]),
                pct(r["share"], lang) if r["shown"] else "",
            )
            for _, r in part.iterrows()
        )
        title = text("by_dimension", lang, dimension=text(f"dim_{dim}", lang))
        sections[f"by_{dim}"] = Table(
            f"by_{dim}", title, _heads(("group", "respondents", "share"), lang), rows
        )
    return sections


def role_cell(role_scores: pd.DataFrame, role: str, domain: str, lang: str) -> str:
    if role_scores.empty:
        return ""
    hit = role_scores[(role_scores["group"] == role) & (role_scores["domain"] == domain)]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    return pct(r["pct_favorable"], lang) if r["shown"] else str(r["note"])


def domains_section(domains: pd.DataFrame, role_scores: pd.DataFrame, lang: str) -> Table:
    rows = []
    for _, d in domains.iterrows():
        row = [domain_label(str(d["domain"]), lang)]
        if d["shown"]:
            row += [num(d["score"], lang), pct(d["pct_favorable"], lang)]
            row += [
                role_cell(role_scores, r, str(d["domain"]), lang) for r in ("student", "caregiver")
            ]
            has_alpha = d["alpha"] is not None and not is_nan(d["alpha"])
            row.append(num(d["alpha"], lang, 2) if has_alpha else text("not_enough", lang))
        else:
            row += [str(d["note"]), "", "", "", ""]
        rows.append(tuple(row))
    fav = text("pct_favorable", lang)
    headers = (
        *_heads(("domain", "score", "pct_favorable"), lang),
        f"{text('students', lang)} ({fav})",
        f"{text('caregivers', lang)} ({fav})",
        text("alpha", lang),
    )
    return Table(
        "domains",
        text("domains_h", lang),
        headers,
        tuple(rows),
        caption=text("domain_chart_caption", lang),
        empty=text("empty", lang),
    )


def items_section(items: pd.DataFrame, lang: str) -> Table:
    rows = tuple(
        (
            str(r["question"]),
            domain_label(str(r["domain"]), lang),
            integer(r["n"], lang) if r["shown"] else str(r["note"]),
            num(r["mean"], lang) if r["shown"] else "",
            pct(r["pct_favorable"], lang) if r["shown"] else "",
        )
        for _, r in items.iterrows()
    )
    headers = _heads(("question", "domain", "n", "mean", "pct_favorable"), lang)
    return Table(
        "items",
        text("items_h", lang),
        headers,
        rows,
        caption=text("items_caption", lang),
        empty=text("empty", lang),
    )


def gaps_section(gaps: pd.DataFrame, lang: str) -> Table:
    rows = tuple(
        (
            str(r["label"]),
            pct(r["student_pct_favorable"], lang) if r["shown"] else str(r["note"]),
            pct(r["caregiver_pct_favorable"], lang) if r["shown"] else str(r["note"]),
            signed(r["gap_pct_favorable"], lang) if r["shown"] else "",
        )
        for _, r in gaps.head(GAPS_SHOWN).iterrows()
    )
    headers = _heads(("question", "students", "caregivers", "gap"), lang)
    return Table(
        "gaps",
        text("gaps_h", lang),
        headers,
        rows,
        caption=text("gaps_caption", lang),
        empty=text("no_gaps", lang),
    )


def _quotes(quotes: Any, lang: str, limit: int | None) -> str:
    chosen = list(quotes or [])[:limit]
    return "\n".join(f"“{q.replace(REMOVED, text('removed', lang))}”" for q in chosen)


def themes_section(themes: pd.DataFrame, message: str, lang: str, quotes: int | None) -> Table:
    rows = tuple(
        (
            str(r["theme"]),
            f"{integer(r['respondents'], lang)} ({pct(float(r['share']) * 100, lang)})",
            sentiment_words(r.get("sentiment_label"), lang),
            _quotes(r["quotes"], lang, quotes),
        )
        for _, r in themes.iterrows()
    )
    headers = _heads(("theme", "mentioned_by", "sentiment", "quotes"), lang)
    return Table(
        "themes",
        text("themes_h", lang),
        headers,
        rows,
        caption=text("themes_caption", lang),
        empty=message,
    )


def choice_rows(frame: pd.DataFrame, lang: str) -> list[tuple[str, str, str]]:
    rows = []
    for _, r in frame.iterrows():
        cell = (
            f"{integer(r['chosen'], lang)} ({pct(r['share'], lang)})"
            if r["shown"]
            else str(r["note"])
        )
        rows.append((str(r["question"]), str(r["option"]), cell))
    return rows


def once_per_question(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The question's wording on its first option only: repeated on every option, it doubled
    the rows' height and pushed the aspirations page over one page (two side by side)."""
    out: list[tuple[str, ...]] = []
    previous = None
    for row in rows:
        out.append(("", *row[1:]) if row[0] == previous else row)
        previous = row[0]
    return tuple(out)


def _is_aspiration_or_need(domains: pd.Series) -> pd.Series:
    return domains.astype(str).str.startswith(("aspiration", "needs"))


def aspirations_section(choices: pd.DataFrame, items: pd.DataFrame, lang: str) -> Table:
    """What people hope for and what they need: choice questions and items of those areas."""
    asp = choices[_is_aspiration_or_need(choices["domain"])] if not choices.empty else choices
    asp_items = items[_is_aspiration_or_need(items["domain"])]
    rows: tuple[tuple[str, ...], ...] = tuple(choice_rows(asp, lang)) + tuple(
        (
            str(r["question"]),
            text("pct_favorable", lang),
            pct(r["pct_favorable"], lang) if r["shown"] else str(r["note"]),
        )
        for _, r in asp_items.iterrows()
    )
    rows = once_per_question(rows)
    headers = _heads(("question", "option", "chosen_by"), lang)
    return Table(
        "aspirations",
        text("aspirations_h", lang),
        headers,
        rows,
        caption=text("aspirations_caption", lang),
        empty=text("no_aspirations", lang),
    )


def choices_section(choices: pd.DataFrame, lang: str) -> Table:
    other = choices[~_is_aspiration_or_need(choices["domain"])] if not choices.empty else choices
    headers = _heads(("question", "option", "chosen_by"), lang)
    return Table("choices", text("choices_h", lang), headers, tuple(choice_rows(other, lang)))


def waves_section(waves: pd.DataFrame, lang: str) -> Table:
    rows = tuple(
        (
            group_label("role", str(r["audience"]), lang),
            str(r["school"]),
            str(r["grade"]),
            domain_label(str(r["domain"]), lang),
            pct(r["previous_pct_favorable"], lang) if r["shown"] else str(r["note"]),
            pct(r["current_pct_favorable"], lang) if r["shown"] else str(r["note"]),
            signed(r["change_pct_favorable"], lang) if r["shown"] else "",
        )
        for _, r in waves.iterrows()
    )
    keys = ("audience", "school", "grade", "domain", "previous", "current", "change")
    return Table(
        "waves",
        text("waves_h", lang),
        _heads(keys, lang),
        rows,
        caption=text("waves_caption", lang),
        empty=text("no_waves", lang),
    )
