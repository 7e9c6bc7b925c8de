"""Item and domain numbers: n, mean, distribution, percent favorable and Cronbach's alpha.

The conventions (see `/work/shared/reference/reporting.md`) are decided here once:

* Likert answers are stored as given, "1".."5"; reverse-worded items are flipped
  (6 - value) before anything is computed, so "higher is better" everywhere.
* Percent favorable is the share of answers in the top 2 of 5 options after flipping.
  Skips and "not sure" are out of the denominator. A choice question counts only when
  its definition lists `favorable` option ids (a multi-choice answer is favorable when
  any chosen option is favorable); an option marked `not_sure` is out of the denominator.
* A domain score is computed per respondent as the mean of the domain's likert items
  they answered, then averaged over respondents. Respondents who answered none of the
  domain's items are not in its n.
* Cronbach's alpha uses complete cases only, and needs at least two items and
  `ALPHA_MIN_CASES` complete cases; otherwise it is reported as not enough data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.frames import Responses

LIKERT_POINTS = 5
FAVORABLE_FROM = 4
"""After reverse-coding, 4 and 5 are the top two of five options."""
ALPHA_MIN_CASES = 5
NOT_SURE = "not_sure"
GROUP_COLUMNS = ("role", "school", "grade", "language")


def _respondent_role(respondents: pd.DataFrame, campaigns: pd.DataFrame) -> pd.Series:
    """A respondent's role, falling back to the campaign audience for single-audience campaigns."""
    audience = respondents["campaign"].map(campaigns.set_index("campaign")["audience"])
    fallback = audience.where(audience.isin(["student", "caregiver"]), "unknown")
    return respondents["role"].where(respondents["role"].notna(), fallback)


def participants(responses: Responses) -> pd.DataFrame:
    """Respondents who gave (or skipped) at least one answer, with their groups.

    Someone who opened the bot but never consented has no answers and is not a
    respondent for any count, rate or suppression decision.
    """
    resp = responses.respondents
    answered = resp["respondent_id"].isin(responses.answers["respondent_id"].unique())
    out = resp.loc[answered].copy()
    out["role"] = _respondent_role(out, responses.campaigns)
    camp = responses.campaigns.set_index("campaign")
    for col in ("survey_id", "school", "grade", "opens_at"):
        out[col] = out["campaign"].map(camp[col])
    out["completed"] = out["completed_at"].notna()
    return out.reset_index(drop=True)


def _choice_favorable(values: pd.Series, fav: tuple[str, ...], unsure: frozenset[str]) -> pd.Series:
    def one(v: object) -> float:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return np.nan
        text = str(v)
        if text.startswith("["):
            try:
                chosen = [str(x) for x in json.loads(text)]
            except ValueError:
                return np.nan
            counted = [c for c in chosen if c not in unsure]
            if not counted:
                return np.nan
            return 1.0 if any(c in fav for c in counted) else 0.0
        if text in unsure:
            return np.nan
        return 1.0 if text in fav else 0.0

    return values.map(one).astype(float)


def scored_answers(responses: Responses) -> pd.DataFrame:
    """Every answer with its respondent's groups, its question's facts, and two derived columns.

    `score` is the reverse-coded likert value (NaN for skips, "not sure" and non-likert);
    `favorable` is 1/0 where the answer counts toward percent favorable, else NaN.
    """
    people = participants(responses)
    ans = responses.answers.merge(
        people[["respondent_id", "role", "language", "survey_id", "school", "grade"]],
        on="respondent_id",
        how="inner",
    )
    hashes = responses.campaigns.set_index("campaign")["version_hash"]
    ans["version_hash"] = ans["campaign"].map(hashes)
    qcols = ["version_hash", "question_id", "domain", "type", "reverse", "mirror", "favorable"]
    ans = ans.merge(responses.questions[qcols], on=["version_hash", "question_id"], how="left")
    ans = ans[ans["type"].notna()].reset_index(drop=True)

    likert = ans["type"].eq("likert")
    raw = pd.to_numeric(ans["value"].where(likert & ~ans["skipped"]), errors="coerce")
    raw = raw.where(raw.between(1, LIKERT_POINTS))
    reverse = ans["reverse"].fillna(False).astype(bool)
    ans["raw"] = raw
    ans["score"] = raw.where(~reverse, LIKERT_POINTS + 1 - raw)
    fav = pd.Series(np.nan, index=ans.index)
    fav[likert] = (ans.loc[likert, "score"] >= FAVORABLE_FROM).astype(float)
    fav[likert & ans["score"].isna()] = np.nan

    has_fav = ~likert & ans["favorable"].map(lambda f: bool(f) if isinstance(f, tuple) else False)
    if has_fav.any():
        unsure_opts = _not_sure_options(responses)
        for (vh, qid), idx in ans[has_fav].groupby(["version_hash", "question_id"]).groups.items():
            rows = ans.loc[idx]
            choice = rows["value"].where(~rows["skipped"])
            fav.loc[idx] = _choice_favorable(
                choice, rows["favorable"].iloc[0], unsure_opts.get((vh, qid), frozenset())
            )
    ans["favorable_hit"] = fav
    return ans


def _not_sure_options(responses: Responses) -> dict[tuple[str, str], frozenset[str]]:
    out: dict[tuple[str, str], frozenset[str]] = {}
    for vh, survey in responses.surveys.items():
        for q in survey.questions:
            ids = frozenset(o.id for o in q.options if o.not_sure)
            if ids:
                out[(vh, q.id)] = ids
    return out


def percent_favorable(hits: pd.Series) -> float:
    """Percent (0..100) of counted answers that are favorable; NaN when none counted."""
    counted = hits.dropna()
    return float(counted.mean() * 100) if len(counted) else float("nan")


ITEM_COLUMNS = [
    "survey_id",
    "question_id",
    "domain",
    "type",
    "reverse",
    "mirror",
    "respondents",
    "n",
    "skipped",
    "not_sure",
    "mean",
    "pct_favorable",
    *[f"n_{p}" for p in range(1, LIKERT_POINTS + 1)],
]


def item_table(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per item (survey_id, question_id) that has likert scores or favorable options.

    `n` is the percent-favorable denominator; `not_sure` counts "not sure" answers (and, for
    choice questions, any answered option that does not count); the `n_1`..`n_5` columns
    are the likert distribution as answered, before reverse-coding.
    """
    if scored.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    likert = scored["type"].eq("likert")
    has_fav = scored["favorable"].map(lambda f: bool(f) if isinstance(f, tuple) else False)
    keep = likert | has_fav
    part = scored.loc[keep].assign(
        _uncounted=lambda d: (d["favorable_hit"].isna() & ~d["skipped"]).astype(int),
        _skipped=lambda d: d["skipped"].astype(int),
    )
    if part.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    keys = ["survey_id", "question_id"]
    grouped = part.groupby(keys, sort=False)
    out = grouped.agg(
        domain=("domain", "first"),
        type=("type", "first"),
        reverse=("reverse", "first"),
        mirror=("mirror", "first"),
        respondents=("respondent_id", "nunique"),
        n=("favorable_hit", "count"),
        skipped=("_skipped", "sum"),
        not_sure=("_uncounted", "sum"),
        mean=("score", "mean"),
        pct_favorable=("favorable_hit", "mean"),
    )
    out["pct_favorable"] *= 100
    out["reverse"] = out["reverse"].fillna(False).astype(bool)
    out["mirror"] = out["mirror"].where(out["mirror"].notna(), None)
    dist = (
        part.loc[part["raw"].notna()]
        .groupby([*keys, "raw"], sort=False)
        .size()
        .unstack("raw")
        .reindex(columns=[float(p) for p in range(1, LIKERT_POINTS + 1)])
    )
    dist.columns = [f"n_{int(p)}" for p in dist.columns]
    out = out.join(dist).reset_index()
    for p in range(1, LIKERT_POINTS + 1):
        out[f"n_{p}"] = out[f"n_{p}"].fillna(0).astype(int)
    for col in ("respondents", "n", "skipped", "not_sure"):
        out[col] = out[col].astype(int)
    return out[ITEM_COLUMNS]


def respondent_domains(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent and domain: their domain score and favorable counts.

    Everything by group (breakdowns, waves) is a cheap groupby of this small frame
    instead of another pass over every answer.
    """
    columns = ["respondent_id", "domain", "score", "fav_hits", "fav_counted"]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    hits = scored["favorable_hit"]
    frame = scored[["respondent_id", "domain", "score"]].assign(
        fav_hits=hits.fillna(0.0), fav_counted=hits.notna().astype(int)
    )
    out = frame.groupby(["respondent_id", "domain"], sort=False).agg(
        score=("score", "mean"), fav_hits=("fav_hits", "sum"), fav_counted=("fav_counted", "sum")
    )
    return out.reset_index()[columns]


def summarize_domains(per_respondent: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Domain score (mean over respondents of their domain mean) and pooled percent favorable."""
    keys = [*by, "domain"]
    grouped = per_respondent.groupby(keys, sort=False)
    out = grouped.agg(
        respondents=("respondent_id", "nunique"),
        n=("score", "count"),
        score=("score", "mean"),
        fav_hits=("fav_hits", "sum"),
        fav_counted=("fav_counted", "sum"),
    )
    out["pct_favorable"] = (
        out["fav_hits"] / out["fav_counted"].where(out["fav_counted"] > 0)
    ) * 100
    return out.drop(columns=["fav_hits", "fav_counted"]).reset_index()


def cronbach_alpha(matrix: pd.DataFrame) -> float | None:
    """Alpha of a respondents x items matrix (complete rows only); None if it cannot be computed.

    k/(k-1) * (1 - sum of item variances / variance of the total), sample variances.
    """
    complete = matrix.dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return None
    total_var = complete.sum(axis=1).var(ddof=1)
    if not total_var or np.isnan(total_var):
        return None
    item_var = complete.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1 - item_var / total_var))


def domain_alpha(scored: pd.DataFrame, domain: str) -> tuple[float | None, int]:
    """Alpha for one domain and the number of complete cases it rests on."""
    lik = scored[(scored["domain"] == domain) & scored["score"].notna()]
    if lik.empty:
        return None, 0
    wide = lik.pivot_table(
        index="respondent_id", columns=["survey_id", "question_id"], values="score", aggfunc="first"
    )
    # Student and caregiver surveys have different items, so a pooled matrix would have no
    # complete rows: compute alpha per survey and report the one resting on the most cases.
    best: tuple[float | None, int] = (None, 0)
    for survey_id in wide.columns.get_level_values(0).unique():
        sub = wide[survey_id].dropna(how="all")
        complete = sub.dropna()
        alpha = cronbach_alpha(complete) if len(complete) >= ALPHA_MIN_CASES else None
        if alpha is not None and (best[0] is None or len(complete) > best[1]):
            best = (alpha, len(complete))
        elif best[0] is None:
            best = (None, max(best[1], len(complete)))
    return best


def domain_table(scored: pd.DataFrame, *, with_alpha: bool = True) -> pd.DataFrame:
    """One row per domain: items, respondents n, score (1..5), percent favorable, alpha.

    A domain is listed when it has likert items or favorable-coded choice questions.
    Breakdowns pass `with_alpha=False`: alpha is a property of the instrument, reported
    once for everyone, and computing it per group is most of the cost on large campaigns.
    """
    columns = ["domain", "items", "respondents", "n", "score", "pct_favorable", "alpha", "alpha_n"]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    reportable = scored["type"].eq("likert") | scored["favorable_hit"].notna()
    domains = scored.loc[reportable, "domain"].dropna().unique().tolist()
    if not domains:
        return pd.DataFrame(columns=columns)
    summary = summarize_domains(respondent_domains(scored)).set_index("domain")
    items = (
        scored.loc[scored["type"].eq("likert"), ["domain", "survey_id", "question_id"]]
        .drop_duplicates()
        .groupby("domain")
        .size()
    )
    rows: list[dict[str, object]] = []
    for domain in domains:
        d = summary.loc[domain]
        alpha, alpha_n = domain_alpha(scored, str(domain)) if with_alpha else (None, 0)
        rows.append(
            {
                "domain": domain,
                "items": int(items.get(domain, 0)),
                "respondents": int(d["respondents"]),
                "n": int(d["n"]),
                "score": float(d["score"]),
                "pct_favorable": float(d["pct_favorable"]),
                "alpha": alpha,
                "alpha_n": alpha_n,
            }
        )
    return pd.DataFrame(rows, columns=columns)
