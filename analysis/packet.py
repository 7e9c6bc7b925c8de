"""The facilitator packet: every number, chart and prompt, assembled once and written as
HTML, Markdown, an XLSX workbook and CSV tables.

`build_report` computes; `render_*`/`write_report` only format. The packet reports on
the newest campaign of each survey and school among those asked for; earlier waves
(named or found in the database) are used only for the change table. Suppression is
applied while building, so no output format can leak a hidden group.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session

from analysis.breakdowns import (
    DIMENSIONS,
    counts_table,
    domain_breakdown,
    hidden_in,
    latest_waves,
    mirror_gaps,
    quotable,
    wave_changes,
)
from analysis.deidentify import REMOVED
from analysis.frames import (
    TEXT_COLUMNS,
    Responses,
    load_campaigns,
    load_open_texts,
    load_responses,
    order_texts,
    previous_campaign_codes,
)
from analysis.locales import domain_label, group_label, integer, number, percent
from analysis.locales import text as t
from analysis.prompts import DataWalkPrompt, build_prompts
from analysis.response_rate import response_rate
from analysis.scoring import (
    ALPHA_MIN_CASES,
    domain_table,
    item_table,
    participants,
    scored_answers,
)
from analysis.suppression import (
    DEFAULT_MIN_N,
    hidden_label,
    is_shown,
    may_show_text,
    reason_for,
    rule_statement,
)
from analysis.themes import COLUMNS as THEME_COLUMNS
from analysis.themes import summarize_themes
from surveys.i18n import t as catalog_text

FORMATS = ("html", "md", "xlsx", "csv")
PARALLEL_TEXTS = 20_000
"""From this many open answers on, themes are summarized in a worker process."""
CHART_ENDS = 8
"""Items charted at each end (strongest, weakest) when a survey has more than twice as many."""
GAPS_SHOWN = 10
"""Mirrored items listed in the gap chart and table, biggest gap first."""


@dataclass(frozen=True)
class ReportPaths:
    """What `write_report` wrote, so the CLI and `chorus demo` can print it."""

    html: Path | None = None
    md: Path | None = None
    xlsx: Path | None = None
    csv: tuple[Path, ...] = ()

    def all(self) -> list[Path]:
        return [p for p in (self.html, self.md, self.xlsx) if p is not None] + list(self.csv)


@dataclass(frozen=True)
class Table:
    """A table as the reader sees it: formatted cells, already suppressed."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    empty: str = ""


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
    charts: dict[str, str]
    prompts: list[DataWalkPrompt]
    privacy: str
    resources: list[str] = field(default_factory=list)
    """The campaigns' follow-up messages (meeting date, services), as respondents got them."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage (load, themes, build), for the benchmark and curious users."""


def _summarize_themes() -> Callable[..., pd.DataFrame]:
    """The open-text engine, behind a function so tests can stand another in."""
    return summarize_themes


def _question_text(responses: Responses, language: str) -> dict[tuple[str, str], str]:
    col = "text_es" if language == "es" else "text_en"
    q = responses.questions
    return {
        (s, qid): str(txt if isinstance(txt, str) else q_en)
        for s, qid, txt, q_en in zip(
            q["survey_id"], q["question_id"], q[col], q["text_en"], strict=True
        )
    }


def _pct(value: Any, language: str) -> str:
    return "" if value is None or _nan(value) else percent(float(value), language)


def _num(value: Any, language: str, digits: int = 1) -> str:
    return "" if value is None or _nan(value) else number(float(value), language, digits)


def _nan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def open_texts(responses: Responses) -> pd.DataFrame:
    """Free text (text questions and multi-choice "other") in the shape `summarize_themes` reads.

    The same frame, in the same order, as `load_open_texts` reads from the database.
    """
    ans = responses.answers
    texts = ans.loc[ans["text"].notna() & ~ans["skipped"], ["respondent_id", "question_id", "text"]]
    langs = responses.respondents.set_index("respondent_id")["language"]
    texts = texts.assign(
        language=texts["respondent_id"].map(langs), flagged=ans.loc[texts.index, "flagged"]
    )
    return order_texts(texts[TEXT_COLUMNS])


def _choice_table(responses: Responses, scored: pd.DataFrame, language: str) -> pd.DataFrame:
    """Option counts for choice and yes/no questions, as a share of who answered."""
    rows: list[dict[str, object]] = []
    kinds = {"single_choice", "multi_choice", "yes_no"}
    part = scored[scored["type"].isin(kinds) & ~scored["skipped"] & scored["value"].notna()]
    for (vh, qid), g in part.groupby(["version_hash", "question_id"], sort=False, observed=True):
        survey = responses.surveys[str(vh)]
        question = survey.question(str(qid))
        answered = g["respondent_id"].nunique()
        chosen: dict[str, int] = {}
        for value in g["value"]:
            picks = json.loads(value) if str(value).startswith("[") else [value]
            for pick in dict.fromkeys(str(p) for p in picks):
                chosen[pick] = chosen.get(pick, 0) + 1
        order = [o.id for o in question.options] or ["yes", "no"]
        extra = [k for k in chosen if k not in order]
        for option_id in order + extra:
            if option_id not in chosen:
                continue
            option = question.option(option_id)
            if option is not None:
                label = option.label.get(language, option.label.get("en", option_id))
            elif option_id in ("yes", "no", "other"):
                # The button the respondent pressed, from the one catalog.
                label = catalog_text(f"buttons.{option_id}", language)
            else:
                label = option_id
            rows.append(
                {
                    "survey_id": survey.id,
                    "question_id": qid,
                    "domain": question.domain,
                    "question": question.text.get(language, question.text.get("en", "")),
                    "option_id": option_id,
                    "option": label,
                    "respondents": answered,
                    "chosen": chosen[option_id],
                    "share": chosen[option_id] / answered * 100,
                }
            )
    columns = [
        "survey_id",
        "question_id",
        "domain",
        "question",
        "option_id",
        "option",
        "respondents",
        "chosen",
        "share",
    ]
    return pd.DataFrame(rows, columns=columns)


def _suppress(
    frame: pd.DataFrame, reasons: Sequence[str], numeric: Sequence[str], min_n: int, language: str
) -> pd.DataFrame:
    """Blank the numbers of hidden rows and say why, for the machine-readable tables.

    `reasons` holds, per row, "" (shown) or why it is hidden (`analysis.suppression`).
    """
    out = frame.copy()
    out["shown"] = [not r for r in reasons]
    out["reason"] = list(reasons)
    for col in numeric:
        if col not in out.columns:
            continue
        if pd.api.types.is_integer_dtype(out[col]):  # counts stay whole numbers in CSV/XLSX
            out[col] = out[col].astype("Int64").mask(~out["shown"])
        else:
            out[col] = out[col].astype(float).where(out["shown"])
    return _with_notes(out, min_n, language)


def _with_notes(frame: pd.DataFrame, min_n: int, language: str) -> pd.DataFrame:
    """A `note` column saying, in the packet's words, why each hidden row is hidden."""
    reasons = frame["reason"] if "reason" in frame.columns else [""] * len(frame)
    frame["note"] = [hidden_label(min_n, language, r) if r else "" for r in reasons]
    return frame


def build_report(
    session: Session,
    *,
    campaign_codes: Sequence[str],
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
    include_previous: bool = True,
) -> Report:
    """Compute every figure of the packet for `campaign_codes` (ValueError on an unknown code).

    Large open-text sets are read first and summarized in a worker process while the
    answers load and the numbers are computed; the result is the same either way.
    """
    codes = list(dict.fromkeys(campaign_codes))
    started = time.perf_counter()
    extra = previous_campaign_codes(session, campaign_codes=codes) if include_previous else []
    current = latest_waves(load_campaigns(session, campaign_codes=codes + extra))
    texts = load_open_texts(session, campaign_codes=current)
    everything = load_responses(session, campaign_codes=codes + extra)
    loaded = time.perf_counter() - started
    report = report_from_responses(everything, language=language, min_n=min_n, texts=texts)
    report.timings["load"] = loaded
    return report


def report_from_responses(
    everything: Responses,
    *,
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
    texts: pd.DataFrame | None = None,
) -> Report:
    """The packet for loaded frames; earlier waves in `everything` feed only the change table.

    `texts` lets `build_report` hand over the open text it read with its own small query.
    """
    if min_n < 1:
        raise ValueError("the minimum group size must be at least 1")
    started = time.perf_counter()
    timings: dict[str, float] = {}
    current_codes = latest_waves(everything.campaigns)
    current = everything.subset(current_codes)
    scored_all = scored_answers(everything)
    people_all = participants(everything)
    scored = scored_all[scored_all["campaign"].isin(current_codes)]
    people = people_all[people_all["campaign"].isin(current_codes)]
    total = len(people)
    shown = is_shown(total, min_n)
    pending_themes, themes_message = _start_themes(current, people, language, min_n, texts=texts)
    texts_of = _question_text(everything, language)

    # --- machine tables -------------------------------------------------------------
    camp_hidden = hidden_in(people, "campaign", min_n) if total else set()
    per_campaign = people.groupby("campaign").agg(
        respondents=("respondent_id", "count"), completed=("completed", "sum")
    )
    campaigns = current.campaigns.set_index("campaign")
    resp_rows = []
    for code in current_codes:
        info = campaigns.loc[code]
        n = int(per_campaign["respondents"].get(code, 0))
        done = int(per_campaign["completed"].get(code, 0))
        roster = info["roster_size"]
        roster = None if roster is None or _nan(roster) else int(roster)
        rate = response_rate(done, roster)
        resp_rows.append(
            {
                "campaign": code,
                "survey_id": info["survey_id"],
                "school": info["school"],
                "grade": info["grade"],
                "audience": info["audience"],
                "opens_at": info["opens_at"],
                "roster_size": roster,
                "respondents": n,
                "completed": done,
                "response_rate": float("nan") if rate is None else rate * 100,
                "declined": int(info["declined_count"]),
            }
        )
    responses_table = pd.DataFrame(resp_rows)
    if not responses_table.empty:
        # Nobody answering is not a small group to protect: 0 is shown as 0.
        reasons = [
            camp_hidden.get(str(c), "") if n > 0 else ""
            for c, n in zip(
                responses_table["campaign"], responses_table["respondents"], strict=True
            )
        ]
        responses_table = _suppress(
            responses_table, reasons, ["respondents", "completed", "response_rate"], min_n, language
        )

    groups = (
        counts_table(people, min_n)
        if total
        else pd.DataFrame(columns=["dimension", "group", "shown", "reason", "respondents", "share"])
    )
    groups = _with_notes(groups, min_n, language)

    items = item_table(scored)
    items.insert(
        2,
        "question",
        [
            texts_of.get((s, q), q)
            for s, q in zip(items["survey_id"], items["question_id"], strict=True)
        ],
    )
    items = _suppress(
        items,
        [reason_for(int(n) if shown else 0, min_n) for n in items["n"]],
        [
            "n",
            "mean",
            "pct_favorable",
            "skipped",
            "not_sure",
            "respondents",
            "n_1",
            "n_2",
            "n_3",
            "n_4",
            "n_5",
        ],
        min_n,
        language,
    )
    items = items.sort_values(
        ["shown", "pct_favorable"], ascending=[False, False], na_position="last"
    ).reset_index(drop=True)

    domains = domain_table(scored)
    domains = _suppress(
        domains,
        [reason_for(total, min_n)] * len(domains),
        ["respondents", "n", "score", "pct_favorable", "alpha", "alpha_n"],
        min_n,
        language,
    )
    by_group = domain_breakdown(scored, people, min_n) if total else pd.DataFrame()
    if not by_group.empty:
        by_group = _with_notes(by_group, min_n, language)

    gaps = mirror_gaps(scored, people, min_n)
    if not gaps.empty:
        gaps.insert(
            2,
            "label",
            [
                texts_of.get((str(sv), str(q).split(", ")[0]), str(key))
                for key, sv, q in zip(
                    gaps["mirror"], gaps["student_survey"], gaps["student_question"], strict=True
                )
            ],
        )
        gaps = _with_notes(gaps, min_n, language)
        gaps = gaps[gaps["student_pct_favorable"].notna() | ~gaps["shown"]].reset_index(drop=True)

    waves = wave_changes(scored_all, people_all, min_n)
    if not waves.empty:
        waves = waves[waves["current"].isin(current_codes)].reset_index(drop=True)
        waves = _with_notes(waves, min_n, language)

    choices = _choice_table(current, scored, language)
    if not choices.empty:
        choices = _suppress(
            choices,
            [reason_for(int(r) if shown else 0, min_n) for r in choices["respondents"]],
            ["respondents", "chosen", "share"],
            min_n,
            language,
        )

    themes, timings["themes"] = _finish_themes(pending_themes)

    tables = {
        "responses": responses_table,
        "groups": groups,
        "domains": domains,
        "domains_by_group": by_group,
        "items": items,
        "gaps": gaps,
        "waves": waves,
        "choices": choices,
        "themes": themes,
    }

    return _present(
        tables,
        people=people,
        current=current,
        camp_hidden=camp_hidden,
        themes_message=themes_message,
        language=language,
        min_n=min_n,
        timings={**timings, "build": time.perf_counter() - started},
    )


def _present(
    tables: dict[str, pd.DataFrame],
    *,
    people: pd.DataFrame,
    current: Responses,
    camp_hidden: set[str],
    themes_message: str,
    language: str,
    min_n: int,
    timings: dict[str, float],
) -> Report:
    """The reader's view of the (already suppressed) tables: formatted cells, charts, prompts."""
    lang = language
    hidden_text = hidden_label(min_n, lang)
    total = len(people)
    shown = is_shown(total, min_n)
    responses_table, groups, domains = tables["responses"], tables["groups"], tables["domains"]
    by_group, items, gaps = tables["domains_by_group"], tables["items"], tables["gaps"]
    waves, choices, themes = tables["waves"], tables["choices"], tables["themes"]
    hidden_groups_named = sorted(
        {
            group_label(str(r["dimension"]), str(r["group"]), lang)
            for _, r in groups.iterrows()
            if not r["shown"]
        }
    )
    roster_total = responses_table["roster_size"].dropna().sum() if not responses_table.empty else 0
    rate = None
    if roster_total and not camp_hidden and shown and responses_table["roster_size"].notna().all():
        rate = total / roster_total * 100
    completed_total = int(people["completed"].sum())
    # Nobody answering is not a small group to protect: say 0 plainly.
    headline = [
        (t("respondents", lang), integer(total, lang) if shown or not total else hidden_text),
        (
            t("completed", lang),
            integer(completed_total, lang) if shown or not total else hidden_text,
        ),
    ]
    if rate is not None:
        headline.append((t("response_rate", lang), percent(rate, lang)))

    sections: dict[str, Table] = {}
    sections["campaigns"] = Table(
        "campaigns",
        t("headline_h", lang),
        (
            t("school", lang),
            t("grade", lang),
            t("audience", lang),
            t("respondents", lang),
            t("roster", lang),
            t("response_rate", lang),
        ),
        tuple(
            (
                str(r["school"]),
                str(r["grade"]),
                group_label("role", str(r["audience"]), lang),
                integer(r["respondents"], lang) if r["shown"] else r["note"],
                ""
                if r["roster_size"] is None or _nan(r["roster_size"])
                else integer(r["roster_size"], lang),
                _pct(r["response_rate"], lang) if r["shown"] else "",
            )
            for _, r in responses_table.iterrows()
        ),
    )
    for dim in DIMENSIONS:
        part = groups[groups["dimension"] == dim]
        if len(part) < 1:
            continue
        sections[f"by_{dim}"] = Table(
            f"by_{dim}",
            t("by_dimension", lang, dimension=t(f"dim_{dim}", lang)),
            (t("group", lang), t("respondents", lang), t("share", lang)),
            tuple(
                (
                    group_label(dim, str(r["group"]), lang),
                    integer(r["respondents"], lang) if r["shown"] else str(r["note"]),
                    _pct(r["share"], lang) if r["shown"] else "",
                )
                for _, r in part.iterrows()
            ),
        )

    role_scores = by_group[by_group["dimension"] == "role"] if not by_group.empty else by_group
    domain_rows = []
    for _, d in domains.iterrows():
        row = [domain_label(str(d["domain"]), lang)]
        if d["shown"]:
            row += [
                _num(d["score"], lang),
                _pct(d["pct_favorable"], lang),
            ]
            for role in ("student", "caregiver"):
                row.append(_role_cell(role_scores, role, str(d["domain"]), lang, hidden_text))
            row.append(
                _num(d["alpha"], lang, 2)
                if d["alpha"] is not None and not _nan(d["alpha"])
                else t("not_enough", lang)
            )
        else:
            row += [str(d["note"]), "", "", "", ""]
        domain_rows.append(tuple(row))
    sections["domains"] = Table(
        "domains",
        t("domains_h", lang),
        (
            t("domain", lang),
            t("score", lang),
            t("pct_favorable", lang),
            f"{t('students', lang)} ({t('pct_favorable', lang)})",
            f"{t('caregivers', lang)} ({t('pct_favorable', lang)})",
            t("alpha", lang),
        ),
        tuple(domain_rows),
        caption=t("domain_chart_caption", lang),
        empty=t("empty", lang),
    )
    sections["items"] = Table(
        "items",
        t("items_h", lang),
        (
            t("question", lang),
            t("domain", lang),
            t("n", lang),
            t("mean", lang),
            t("pct_favorable", lang),
        ),
        tuple(
            (
                str(r["question"]),
                domain_label(str(r["domain"]), lang),
                integer(r["n"], lang) if r["shown"] else str(r["note"]),
                _num(r["mean"], lang) if r["shown"] else "",
                _pct(r["pct_favorable"], lang) if r["shown"] else "",
            )
            for _, r in items.iterrows()
        ),
        caption=t("items_caption", lang),
        empty=t("empty", lang),
    )
    sections["gaps"] = Table(
        "gaps",
        t("gaps_h", lang),
        (t("question", lang), t("students", lang), t("caregivers", lang), t("gap", lang)),
        tuple(
            (
                str(r["label"]),
                _pct(r["student_pct_favorable"], lang) if r["shown"] else str(r["note"]),
                _pct(r["caregiver_pct_favorable"], lang) if r["shown"] else str(r["note"]),
                f"{r['gap_pct_favorable']:+.0f}" if r["shown"] else "",
            )
            for _, r in gaps.head(GAPS_SHOWN).iterrows()
        )
        if not gaps.empty
        else (),
        caption=t("gaps_caption", lang),
        empty=t("no_gaps", lang),
    )
    sections["themes"] = Table(
        "themes",
        t("themes_h", lang),
        (t("theme", lang), t("mentioned_by", lang), t("sentiment", lang), t("quotes", lang)),
        tuple(
            (
                str(r["theme"]),
                f"{integer(r['respondents'], lang)} ({_pct(float(r['share']) * 100, lang)})",
                _num(r["sentiment"], lang, 2)
                if not _nan(r["sentiment"])
                else t("not_scored", lang),
                "\n".join(
                    f"“{q.replace(REMOVED, t('removed', lang))}”" for q in (r["quotes"] or [])
                ),
            )
            for _, r in themes.iterrows()
        ),
        caption=t("themes_caption", lang),
        empty=themes_message,
    )
    asp = (
        choices[choices["domain"].astype(str).str.startswith("aspiration")]
        if not choices.empty
        else choices
    )
    other_choices = choices[~choices.index.isin(asp.index)] if not choices.empty else choices
    asp_items = items[items["domain"].astype(str).str.startswith("aspiration")]
    sections["aspirations"] = Table(
        "aspirations",
        t("aspirations_h", lang),
        (t("question", lang), t("option", lang), t("chosen_by", lang)),
        tuple(_choice_rows(asp, lang, hidden_text))
        + tuple(
            (
                str(r["question"]),
                t("pct_favorable", lang),
                _pct(r["pct_favorable"], lang) if r["shown"] else str(r["note"]),
            )
            for _, r in asp_items.iterrows()
        ),
        caption=t("aspirations_caption", lang),
        empty=t("no_aspirations", lang),
    )
    sections["choices"] = Table(
        "choices",
        t("choices_h", lang),
        (t("question", lang), t("option", lang), t("chosen_by", lang)),
        tuple(_choice_rows(other_choices, lang, hidden_text)),
    )
    sections["waves"] = Table(
        "waves",
        t("waves_h", lang),
        (
            t("audience", lang),
            t("school", lang),
            t("grade", lang),
            t("domain", lang),
            t("previous", lang),
            t("current", lang),
            t("change", lang),
        ),
        tuple(
            (
                group_label("role", str(r["audience"]), lang),
                str(r["school"]),
                str(r["grade"]),
                domain_label(str(r["domain"]), lang),
                _pct(r["previous_pct_favorable"], lang) if r["shown"] else str(r["note"]),
                _pct(r["current_pct_favorable"], lang) if r["shown"] else str(r["note"]),
                f"{r['change_pct_favorable']:+.0f}"
                if r["shown"] and not _nan(r["change_pct_favorable"])
                else "",
            )
            for _, r in waves.iterrows()
        )
        if not waves.empty
        else (),
        caption=t("waves_caption", lang),
        empty=t("no_waves", lang),
    )

    chart_uris = _charts(domains, role_scores, items, gaps.head(GAPS_SHOWN), waves, lang)
    prompts = build_prompts(
        items=items.rename(columns={"question": "label"}),
        domains=domains,
        gaps=gaps,
        waves=waves,
        themes=themes if not themes.empty else pd.DataFrame(columns=THEME_COLUMNS),
        hidden=hidden_groups_named,
        response_rate=rate,
        language=lang,
        min_n=min_n,
    )
    resources = _follow_ups(current.campaigns, lang)
    surveys_named = ", ".join(
        dict.fromkeys(s.title.get(lang, s.title.get("en", s.id)) for s in current.surveys.values())
    )
    schools = ", ".join(dict.fromkeys(str(s) for s in current.campaigns["school"]))
    return Report(
        language=lang,
        min_n=min_n,
        title=t("title", lang),
        subtitle=t("subtitle", lang, surveys=surveys_named, schools=schools),
        generated=t("generated", lang, date=datetime.now(UTC).date().isoformat()),
        total=total,
        shown=shown,
        headline=headline,
        sections=sections,
        charts=chart_uris,
        prompts=prompts,
        privacy=rule_statement(min_n, lang),
        resources=resources,
        tables=tables,
        timings=timings,
    )


def _follow_ups(campaigns: pd.DataFrame, language: str) -> list[str]:
    """Each campaign's follow-up message in `language` (else its first), without repeats."""
    found: list[str] = []
    for raw in campaigns.get("follow_up", pd.Series(dtype=object)).dropna():
        try:
            texts = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if isinstance(texts, dict) and texts:
            text = texts.get(language) or next(iter(texts.values()))
            if isinstance(text, str) and text.strip() and text.strip() not in found:
                found.append(text.strip())
    return found


def _role_cell(role_scores: pd.DataFrame, role: str, domain: str, lang: str, hidden: str) -> str:
    if role_scores.empty:
        return ""
    hit = role_scores[(role_scores["group"] == role) & (role_scores["domain"] == domain)]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    return _pct(r["pct_favorable"], lang) if r["shown"] else str(r["note"])


def _choice_rows(frame: pd.DataFrame, lang: str, hidden: str) -> list[tuple[str, str, str]]:
    rows = []
    for _, r in frame.iterrows():
        value = (
            f"{integer(r['chosen'], lang)} ({_pct(r['share'], lang)})"
            if r["shown"]
            else str(r["note"])
        )
        rows.append((str(r["question"]), str(r["option"]), value))
    return rows


class _PendingThemes:
    """The open-text summary, computed in a forked worker while the numbers are worked out.

    Themes are the slowest part of a large packet and independent of the numbers, so on a
    multi-core machine they run side by side. Small inputs (and any failure to fork) run
    in-process; either way the result is the same function's output.
    """

    def __init__(self, summarize: Callable[..., pd.DataFrame], texts: pd.DataFrame, language: str):
        self._call = (summarize, texts, language)
        self._receiver: Connection | None = None
        self._process: BaseProcess | None = None
        if len(texts) >= PARALLEL_TEXTS and (os.cpu_count() or 1) > 1:
            try:
                context = multiprocessing.get_context("fork")
                self._receiver, sender = context.Pipe(duplex=False)
                # Not a daemon: a daemon may not fork, and a theme engine is free to.
                self._process = context.Process(
                    target=_themes_worker, args=(sender, *self._call), daemon=False
                )
                self._process.start()
                sender.close()
            except (OSError, ValueError):
                self._receiver = self._process = None

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
                status, payload, seconds = self._receiver.recv()
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
        sender.send(("ok", themes, seconds))
    except Exception as exc:  # handed to the parent, which raises it
        sender.send(("error", exc, 0.0))
    finally:
        sender.close()


def _start_themes(
    current: Responses,
    people: pd.DataFrame,
    language: str,
    min_n: int,
    *,
    texts: pd.DataFrame | None = None,
) -> tuple[_PendingThemes | None, str]:
    """Begin the theme summary if this group may show open text; else say why not.

    Only comments of people quotable under the group rule go in, so neither a theme's
    count nor a quote can come from a group hidden for being small.
    """
    if not may_show_text(len(people), min_n):
        return None, t("themes_hidden", language, min_n=min_n)
    texts = open_texts(current) if texts is None else texts
    allowed = quotable(people, min_n)
    texts = texts[texts["respondent_id"].map(allowed).fillna(False).astype(bool)]
    if texts.empty:
        return None, t("no_themes", language)
    return _PendingThemes(_summarize_themes(), texts, language), t("no_themes", language)


def _finish_themes(pending: _PendingThemes | None) -> tuple[pd.DataFrame, float]:
    if pending is None:
        return pd.DataFrame(columns=THEME_COLUMNS), 0.0
    themes, seconds = pending.result()
    themes = themes[themes["respondents"] > 0].reset_index(drop=True)
    return themes[[c for c in THEME_COLUMNS if c in themes.columns]], seconds


def _charts(
    domains: pd.DataFrame,
    role_scores: pd.DataFrame,
    items: pd.DataFrame,
    gaps: pd.DataFrame,
    waves: pd.DataFrame,
    lang: str,
) -> dict[str, str]:
    # Imported here: matplotlib takes half a second to load, and a large packet starts its
    # theme worker before that matters.
    from analysis import charts

    out: dict[str, str] = {}
    xlabel = t("pct_favorable", lang)
    shown_domains = domains[domains["shown"] & domains["pct_favorable"].notna()]
    if not shown_domains.empty:
        labels = [domain_label(str(d), lang) for d in shown_domains["domain"]]
        series: list[tuple[str, list[float], str]] = []
        for role, key, color in (
            ("student", "students", charts.STUDENT_COLOR),
            ("caregiver", "caregivers", charts.CAREGIVER_COLOR),
        ):
            part = (
                role_scores[(role_scores["group"] == role) & role_scores["shown"]]
                if not role_scores.empty
                else role_scores
            )
            if part.empty:
                continue
            values = part.set_index("domain")["pct_favorable"]
            series.append(
                (
                    t(key, lang),
                    [float(values.get(d, float("nan"))) for d in shown_domains["domain"]],
                    color,
                )
            )
        if not series:
            series.append(
                (
                    t("total", lang),
                    shown_domains["pct_favorable"].astype(float).tolist(),
                    charts.TOTAL_COLOR,
                )
            )
        out["domains"] = charts.grouped_bars(labels, series, xlabel=xlabel)
    ranked = items[items["shown"] & items["pct_favorable"].notna()]
    if len(ranked) > 2 * CHART_ENDS:
        # A long survey charts only its strongest and weakest items; the table lists them all.
        ranked = pd.concat([ranked.head(CHART_ENDS), ranked.tail(CHART_ENDS)])
    if not ranked.empty:
        out["items"] = charts.ranked_bars(
            ranked["question"].astype(str).tolist(),
            ranked["pct_favorable"].astype(float).tolist(),
            xlabel=xlabel,
        )
    if not gaps.empty:
        g = gaps[gaps["shown"] & gaps["gap_pct_favorable"].notna()]
        if not g.empty:
            out["gaps"] = charts.diverging_bars(
                g["label"].astype(str).tolist(),
                g["gap_pct_favorable"].astype(float).tolist(),
                xlabel=t("gap", lang),
                colors=(charts.STUDENT_COLOR, charts.CAREGIVER_COLOR),
            )
    if not waves.empty:
        w = waves[waves["shown"] & waves["change_pct_favorable"].notna()]
        if not w.empty:
            labels = [
                f"{group_label('role', str(a), lang)} · {domain_label(str(d), lang)} · {s} {g}"
                for a, d, s, g in zip(
                    w["audience"], w["domain"], w["school"], w["grade"], strict=True
                )
            ]
            out["waves"] = charts.diverging_bars(
                labels, w["change_pct_favorable"].astype(float).tolist(), xlabel=t("change", lang)
            )
    return out


# --- rendering -------------------------------------------------------------------------

_ENV = Environment(
    loader=PackageLoader("analysis", "templates"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_MD_ENV = Environment(
    loader=PackageLoader("analysis", "templates"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_MD_ENV.filters["cell"] = lambda v: (
    # Respondents' words end up in table cells: keep them from becoming markup.
    str(v)
    .replace("&", "&amp;")
    .replace("<", "&lt;")
    .replace(">", "&gt;")
    .replace("|", "\\|")
    .replace("\n", "<br>")
)


def _context(report: Report) -> dict[str, Any]:
    lang = report.language
    return {
        "r": report,
        "t": lambda key, **kw: t(key, lang, **kw),
        "rules": t("rules", lang).split("|"),
        "method": t("method", lang, alpha_min=ALPHA_MIN_CASES),
    }


def render_html(report: Report) -> str:
    """The packet as one self-contained HTML page (charts are data URIs; CSS is inline)."""
    return _ENV.get_template("packet.html.j2").render(**_context(report))


def render_markdown(report: Report) -> str:
    """The same packet in Markdown, for pasting into e-mail or a wiki (no charts)."""
    return _MD_ENV.get_template("packet.md.j2").render(**_context(report))


def _for_export(frame: pd.DataFrame) -> pd.DataFrame:
    """Flatten lists and drop time zones: Excel and CSV readers want plain cells."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
        elif out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: " | ".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
            if out[col].map(lambda v: isinstance(v, datetime)).any():
                out[col] = out[col].map(
                    lambda v: v.replace(tzinfo=None) if isinstance(v, datetime) else v
                )
    return out


def write_tables_xlsx(report: Report, path: Path) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in report.tables.items():
            _for_export(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return path


def write_tables_csv(report: Report, directory: Path) -> tuple[Path, ...]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in report.tables.items():
        path = directory / f"{name}.csv"
        _for_export(frame).to_csv(path, index=False)
        written.append(path)
    return tuple(written)


def write_outputs(report: Report, out_dir: Path, formats: Sequence[str] = FORMATS) -> ReportPaths:
    """Write `report` in each of `formats` under `out_dir` (created if needed)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = report.language
    html = md = xlsx = None
    csv: tuple[Path, ...] = ()
    if "html" in formats:
        html = out_dir / f"packet-{suffix}.html"
        html.write_text(render_html(report), encoding="utf-8")
    if "md" in formats:
        md = out_dir / f"packet-{suffix}.md"
        md.write_text(render_markdown(report), encoding="utf-8")
    if "xlsx" in formats:
        xlsx = write_tables_xlsx(report, out_dir / f"tables-{suffix}.xlsx")
    if "csv" in formats:
        csv = write_tables_csv(report, out_dir / f"csv-{suffix}")
    return ReportPaths(html=html, md=md, xlsx=xlsx, csv=csv)


def write_report(
    session: Session,
    *,
    campaign_codes: Sequence[str],
    out_dir: Path | str,
    formats: Sequence[str] = FORMATS,
    language: str = "en",
    min_n: int = DEFAULT_MIN_N,
) -> ReportPaths:
    """Build the packet for `campaign_codes` and write it; the entry point for `chorus demo`."""
    report = build_report(session, campaign_codes=campaign_codes, language=language, min_n=min_n)
    return write_outputs(report, Path(out_dir), formats)
