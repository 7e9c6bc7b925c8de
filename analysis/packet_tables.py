"""The packet's machine tables: every number, suppressed, before anything is formatted.

These frames are what the XLSX workbook and the CSV files hold, and what the station
pages and the appendix are formatted from. Every "is this group big enough" decision is
made by `analysis.suppression` (directly or through `analysis.breakdowns`); each hidden
row carries its `reason` and a `note` saying it in the packet's words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.breakdowns import (
    counts_table,
    domain_breakdown,
    hidden_in,
    latest_waves,
    mirror_gaps,
    wave_changes,
)
from analysis.frames import TEXT_COLUMNS, Responses, order_texts
from analysis.response_rate import response_rate
from analysis.scoring import (
    domain_table,
    item_table,
    participants,
    respondent_domains,
    scored_answers,
)
from analysis.suppression import hidden_label, is_shown, reason_for
from surveys.i18n import t as catalog_text

ITEM_NUMBERS = ["n", "mean", "pct_favorable", "skipped", "not_sure", "respondents"]
ITEM_NUMBERS += [f"n_{k}" for k in range(1, 6)]
DOMAIN_NUMBERS = ["respondents", "n", "score", "pct_favorable", "alpha", "alpha_n"]
CHOICE_COLUMNS = ["survey_id", "question_id", "domain", "question", "option_id", "option"]
CHOICE_COLUMNS += ["respondents", "chosen", "share"]
GROUP_COLUMNS = ["dimension", "group", "shown", "reason", "respondents", "share"]
QuestionTexts = dict[tuple[str, str], str]


@dataclass
class Tables:
    """The suppressed frames of one packet and the people behind them."""

    frames: dict[str, pd.DataFrame]
    people: pd.DataFrame
    current: Responses
    camp_hidden: dict[str, str]


def is_nan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def question_texts(responses: Responses, language: str) -> QuestionTexts:
    """(survey id, question id) -> the question's wording in `language` (English if missing)."""
    col = "text_es" if language == "es" else "text_en"
    q = responses.questions
    return {
        (s, qid): str(txt if isinstance(txt, str) else q_en)
        for s, qid, txt, q_en in zip(
            q["survey_id"], q["question_id"], q[col], q["text_en"], strict=True
        )
    }


def open_texts(responses: Responses) -> pd.DataFrame:
    """Free text (text questions and multi-choice "other") in the shape `summarize_themes` reads.

    The same frame, in the same order, as `load_open_texts` reads from the database, but
    with no kept analyses: the summary works every text out.
    """
    ans = responses.answers
    texts = ans.loc[ans["text"].notna() & ~ans["skipped"], ["respondent_id", "question_id", "text"]]
    langs = responses.respondents.set_index("respondent_id")["language"]
    texts = texts.assign(
        language=texts["respondent_id"].map(langs),
        flagged=ans.loc[texts.index, "flagged"],
        text_key=None,
        result=None,
    )
    return order_texts(texts[TEXT_COLUMNS])


def with_notes(frame: pd.DataFrame, min_n: int, language: str) -> pd.DataFrame:
    """A `note` column saying, in the packet's words, why each hidden row is hidden."""
    reasons = frame["reason"] if "reason" in frame.columns else [""] * len(frame)
    frame["note"] = [hidden_label(min_n, language, r) if r else "" for r in reasons]
    return frame


def suppress(
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
    return with_notes(out, min_n, language)


def _option_label(question: Any, option_id: str, language: str) -> str:
    option = question.option(option_id)
    if option is not None:
        return str(option.label.get(language, option.label.get("en", option_id)))
    if option_id in ("yes", "no", "other"):  # the button the respondent pressed
        return catalog_text(f"buttons.{option_id}", language)
    return option_id


def _picks(values: pd.Series) -> dict[str, int]:
    chosen: dict[str, int] = {}
    for value in values:
        picks = json.loads(value) if str(value).startswith("[") else [value]
        for pick in dict.fromkeys(str(p) for p in picks):
            chosen[pick] = chosen.get(pick, 0) + 1
    return chosen


def choice_table(responses: Responses, scored: pd.DataFrame, language: str) -> pd.DataFrame:
    """Option counts for choice and yes/no questions, as a share of who answered."""
    rows: list[dict[str, object]] = []
    kinds = {"single_choice", "multi_choice", "yes_no"}
    part = scored[scored["type"].isin(kinds) & ~scored["skipped"] & scored["value"].notna()]
    for (vh, qid), g in part.groupby(["version_hash", "question_id"], sort=False, observed=True):
        survey = responses.surveys[str(vh)]
        question = survey.question(str(qid))
        answered = g["respondent_id"].nunique()
        chosen = _picks(g["value"])
        order = [o.id for o in question.options] or ["yes", "no"]
        for option_id in [o for o in order if o in chosen] + [k for k in chosen if k not in order]:
            rows.append(
                {
                    "survey_id": survey.id,
                    "question_id": qid,
                    "domain": question.domain,
                    "question": question.text.get(language, question.text.get("en", "")),
                    "option_id": option_id,
                    "option": _option_label(question, option_id, language),
                    "respondents": answered,
                    "chosen": chosen[option_id],
                    "share": chosen[option_id] / answered * 100,
                }
            )
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


def responses_table(
    current: Responses, people: pd.DataFrame, camp_hidden: dict[str, str], min_n: int, lang: str
) -> pd.DataFrame:
    """One row per reported campaign: who could answer, who did, the response rate."""
    per_campaign = people.groupby("campaign").agg(
        respondents=("respondent_id", "count"), completed=("completed", "sum")
    )
    campaigns = current.campaigns.set_index("campaign")
    rows = []
    for code in campaigns.index:
        info = campaigns.loc[code]
        n = int(per_campaign["respondents"].get(code, 0))
        done = int(per_campaign["completed"].get(code, 0))
        roster = None if is_nan(info["roster_size"]) else info["roster_size"]
        rate = response_rate(done, None if roster is None else int(roster))
        rows.append(
            {"campaign": code, "survey_id": info["survey_id"], "school": info["school"]}
            | {"grade": info["grade"], "audience": info["audience"], "opens_at": info["opens_at"]}
            | {"roster_size": None if roster is None else int(roster), "respondents": n}
            | {"completed": done, "response_rate": float("nan") if rate is None else rate * 100}
            | {"declined": int(info["declined_count"])}
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    # Nobody answering is not a small group to protect: 0 is shown as 0.
    reasons = [
        camp_hidden.get(str(c), "") if n > 0 else ""
        for c, n in zip(table["campaign"], table["respondents"], strict=True)
    ]
    numbers = ["respondents", "completed", "response_rate"]
    return suppress(table, reasons, numbers, min_n, lang)


def _items(
    scored: pd.DataFrame, texts: QuestionTexts, total_ok: bool, min_n: int, lang: str
) -> pd.DataFrame:
    items = item_table(scored)
    pairs = zip(items["survey_id"], items["question_id"], strict=True)
    items.insert(2, "question", [texts.get((s, q), q) for s, q in pairs])
    reasons = [reason_for(int(n) if total_ok else 0, min_n) for n in items["n"]]
    items = suppress(items, reasons, ITEM_NUMBERS, min_n, lang)
    return items.sort_values(
        ["shown", "pct_favorable"], ascending=[False, False], na_position="last"
    ).reset_index(drop=True)


def _gaps(
    scored: pd.DataFrame, people: pd.DataFrame, texts: QuestionTexts, min_n: int, lang: str
) -> pd.DataFrame:
    gaps = mirror_gaps(scored, people, min_n)
    if gaps.empty:
        return gaps
    gaps.insert(
        2,
        "label",
        [
            texts.get((str(sv), str(q).split(", ")[0]), str(key))
            for key, sv, q in zip(
                gaps["mirror"], gaps["student_survey"], gaps["student_question"], strict=True
            )
        ],
    )
    gaps = with_notes(gaps, min_n, lang)
    return gaps[gaps["student_pct_favorable"].notna() | ~gaps["shown"]].reset_index(drop=True)


def _groups(people: pd.DataFrame, min_n: int, lang: str) -> pd.DataFrame:
    groups = counts_table(people, min_n) if len(people) else pd.DataFrame(columns=GROUP_COLUMNS)
    return with_notes(groups, min_n, lang)


def build_tables(everything: Responses, *, min_n: int, language: str) -> Tables:
    """Every machine table of the packet for the newest waves in `everything`."""
    current_codes = latest_waves(everything.campaigns)
    current = everything.subset(current_codes)
    people_all = participants(everything)
    scored_all = scored_answers(everything, people_all)
    scored = scored_all[scored_all["campaign"].isin(current_codes)]
    people = people_all[people_all["campaign"].isin(current_codes)]
    total = len(people)
    texts = question_texts(everything, language)
    camp_hidden = hidden_in(people, "campaign", min_n) if total else {}
    per_respondent = respondent_domains(scored)
    domains = domain_table(scored, per_respondent=per_respondent)
    domains = suppress(
        domains, [reason_for(total, min_n)] * len(domains), DOMAIN_NUMBERS, min_n, language
    )
    by_group = domain_breakdown(scored, people, min_n, per_respondent) if total else pd.DataFrame()
    if not by_group.empty:
        by_group = with_notes(by_group, min_n, language)
    waves = wave_changes(scored_all, people_all, min_n)
    if not waves.empty:
        waves = waves[waves["current"].isin(current_codes)].reset_index(drop=True)
        waves = with_notes(waves, min_n, language)
    choices = choice_table(current, scored, language)
    if not choices.empty:
        ok = is_shown(total, min_n)
        reasons = [reason_for(int(r) if ok else 0, min_n) for r in choices["respondents"]]
        choices = suppress(choices, reasons, ["respondents", "chosen", "share"], min_n, language)
    frames = {
        "responses": responses_table(current, people, camp_hidden, min_n, language),
        "groups": _groups(people, min_n, language),
        "domains": domains,
        "domains_by_group": by_group,
        "items": _items(scored, texts, not reason_for(total, min_n), min_n, language),
        "gaps": _gaps(scored, people, texts, min_n, language),
        "waves": waves,
        "choices": choices,
    }
    return Tables(frames=frames, people=people, current=current, camp_hidden=camp_hidden)
