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
    for col in ("survey_id", "school", "grade", "audience", "opens_at"):
        out[col] = out["campaign"].map(camp[col])
    out["completed"] = out["completed_at"].notna()
    return out.reset_index(drop=True)


def _choice_hit(value: object, fav: tuple[str, ...], unsure: frozenset[str]) -> float:
    """1/0 for a counted choice answer, NaN when it is out of the denominator."""
    if not isinstance(value, str):
        return np.nan
    if value.startswith("["):
        try:
            chosen = [str(x) for x in json.loads(value)]
        except ValueError:
            return np.nan
        counted = [c for c in chosen if c not in unsure]
        if not counted:
            return np.nan
        return 1.0 if any(c in fav for c in counted) else 0.0
    if value in unsure:
        return np.nan
    return 1.0 if value in fav else 0.0


def _categorical(values: pd.Series, codes: np.ndarray) -> pd.Categorical:
    """`values` (one per respondent or question) spread over answers by integer `codes`."""
    cat = values.astype("category")
    return pd.Categorical.from_codes(cat.cat.codes.to_numpy()[codes], dtype=cat.dtype)  # type: ignore[call-overload]


def scored_answers(responses: Responses, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every answer with its respondent's groups, its question's facts, and derived columns.

    `raw` is the likert value as answered; `score` is it reverse-coded (NaN for skips,
    "not sure" and non-likert); `favorable_hit` is 1/0 where the answer counts toward percent
    favorable, else NaN; `has_favorable` marks choice questions with favorable options.

    Built from integer codes and categoricals rather than merges on text keys: on a
    million answers that is the difference between seconds and a fraction of one.
    `people` is `participants(responses)` when the caller already has it (it scans every
    answer once more to find out).
    """
    out, ans = _with_groups(responses, participants(responses) if people is None else people)
    out = _with_questions(responses, out, ans)
    return _with_scores(responses, out)


def _with_groups(responses: Responses, people: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per answer of a participant, with the respondent's groups as categoricals."""
    ans = responses.answers
    rcodes = pd.Categorical(ans["respondent_id"], categories=people["respondent_id"]).codes
    mine = rcodes >= 0
    if not mine.all():
        ans, rcodes = ans[mine], rcodes[mine]
    out = pd.DataFrame(
        {"respondent_id": pd.Categorical.from_codes(rcodes, categories=people["respondent_id"])}  # type: ignore[call-overload]
    )
    hashes = responses.campaigns.set_index("campaign")["version_hash"]
    people = people.assign(version_hash=people["campaign"].map(hashes))
    for col in ("campaign", "role", "language", "survey_id", "school", "grade", "version_hash"):
        out[col] = _categorical(people[col], rcodes)
    return out, ans


def _with_questions(responses: Responses, out: pd.DataFrame, ans: pd.DataFrame) -> pd.DataFrame:
    """Each answer's question facts and value; answers to unknown questions are dropped."""

    # One lookup per distinct (survey version, question id), spread back over the answers.
    qcat = pd.Categorical(ans["question_id"])
    vcodes = out["version_hash"].cat.codes.to_numpy().astype(np.int64)
    nq = max(len(qcat.categories), 1)
    uniq, inverse = np.unique(vcodes * nq + qcat.codes, return_inverse=True)
    versions = out["version_hash"].cat.categories
    qmeta = responses.questions.set_index(["version_hash", "question_id"])
    keys = [(versions[k // nq], qcat.categories[k % nq]) for k in uniq]
    found = [qmeta.loc[key] if key in qmeta.index else None for key in keys]
    meta = pd.DataFrame(
        {
            "question_id": [str(qid) for _, qid in keys],
            "domain": [f["domain"] if f is not None else None for f in found],
            "type": [f["type"] if f is not None else None for f in found],
            "reverse": [bool(f["reverse"]) if f is not None else False for f in found],
            "mirror": [f["mirror"] if f is not None else None for f in found],
            "favorable": [tuple(f["favorable"]) if f is not None else () for f in found],
        }
    )
    out["question_id"] = _categorical(meta["question_id"], inverse)
    for col in ("domain", "type", "mirror"):
        out[col] = _categorical(meta[col], inverse)
    out["reverse"] = meta["reverse"].to_numpy(dtype=bool)[inverse]
    out["has_favorable"] = meta["favorable"].map(bool).to_numpy(dtype=bool)[inverse]
    favorable = meta["favorable"].to_numpy()
    out["favorable"] = favorable[inverse]
    out["value"] = pd.Categorical(ans["value"])
    out["text"] = ans["text"].to_numpy()
    out["skipped"] = ans["skipped"].to_numpy(dtype=bool)
    out["flagged"] = ans["flagged"].to_numpy(dtype=bool)
    return out[out["type"].notna()].reset_index(drop=True)


def _with_scores(responses: Responses, out: pd.DataFrame) -> pd.DataFrame:
    """`raw`, reverse-coded `score` and `favorable_hit` (likert and favorable choices)."""
    likert = out["type"].eq("likert").to_numpy()
    vcat = out["value"].cat
    # codes are -1 for a missing value: index -1 is the NaN appended at the end
    numbers = pd.to_numeric(pd.Series(vcat.categories.astype(str)), errors="coerce").to_numpy()
    raw = np.append(numbers.astype(float), np.nan)[vcat.codes]
    raw[~likert | out["skipped"].to_numpy() | ~((raw >= 1) & (raw <= LIKERT_POINTS))] = np.nan
    reverse = out["reverse"].to_numpy(dtype=bool)
    score = np.where(reverse, LIKERT_POINTS + 1 - raw, raw)
    out["raw"] = raw
    out["score"] = score
    fav = np.where(np.isnan(score), np.nan, (score >= FAVORABLE_FROM).astype(float))
    fav[~likert] = np.nan

    choice = (
        ~likert & out["has_favorable"].to_numpy(dtype=bool) & ~out["skipped"].to_numpy(dtype=bool)
    )
    if choice.any():
        unsure_opts = _not_sure_options(responses)
        part = out.loc[choice, ["version_hash", "question_id", "value", "favorable"]]
        pairs = part.groupby(["version_hash", "question_id", "value"], observed=True).groups
        for (vh, qid, value), idx in pairs.items():
            fav_ids = out.at[idx[0], "favorable"]
            hit = _choice_hit(value, fav_ids, unsure_opts.get((vh, qid), frozenset()))  # type: ignore[arg-type]
            fav[np.asarray(idx)] = hit
    out["favorable_hit"] = fav
    return out


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
    keep = likert | scored["has_favorable"]
    part = scored.loc[keep].assign(
        _uncounted=lambda d: (d["favorable_hit"].isna() & ~d["skipped"]).astype(int),
        _skipped=lambda d: d["skipped"].astype(int),
    )
    if part.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    keys = ["survey_id", "question_id"]
    grouped = part.groupby(keys, sort=False, observed=True)
    out = grouped.agg(
        domain=("domain", "first"),
        type=("type", "first"),
        reverse=("reverse", "first"),
        mirror=("mirror", "first"),
        respondents=("respondent_id", "size"),  # one answer per respondent and question
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
        .groupby([*keys, "raw"], sort=False, observed=True)
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
    out = frame.groupby(["respondent_id", "domain"], sort=False, observed=True).agg(
        score=("score", "mean"), fav_hits=("fav_hits", "sum"), fav_counted=("fav_counted", "sum")
    )
    return out.reset_index()[columns]


def summarize_domains(per_respondent: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Domain score (mean over respondents of their domain mean) and pooled percent favorable."""
    keys = [*by, "domain"]
    grouped = per_respondent.groupby(keys, sort=False, observed=True)
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
    """Alpha for one domain and the number of complete cases it rests on.

    Student and caregiver surveys have different items, so a pooled matrix would have no
    complete rows: alpha is computed per survey and the one resting on most cases is kept.
    """
    lik = scored.loc[
        scored["domain"].eq(domain).to_numpy() & ~np.isnan(scored["score"].to_numpy()),
        ["survey_id", "respondent_id", "question_id", "score"],
    ]
    best: tuple[float | None, int] = (None, 0)
    for _, part in lik.groupby("survey_id", observed=True):
        rows, r_index = np.unique(part["respondent_id"].cat.codes.to_numpy(), return_inverse=True)
        cols, c_index = np.unique(part["question_id"].cat.codes.to_numpy(), return_inverse=True)
        matrix = np.full((len(rows), len(cols)), np.nan)
        matrix[r_index, c_index] = part["score"].to_numpy()
        complete = matrix[~np.isnan(matrix).any(axis=1)]
        alpha = cronbach_alpha(pd.DataFrame(complete)) if len(complete) >= ALPHA_MIN_CASES else None
        if alpha is not None and (best[0] is None or len(complete) > best[1]):
            best = (alpha, len(complete))
        elif best[0] is None:
            best = (None, max(best[1], len(complete)))
    return best


def domain_table(
    scored: pd.DataFrame, *, with_alpha: bool = True, per_respondent: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per domain: items, respondents n, score (1..5), percent favorable, alpha.

    A domain is listed when it has likert items or favorable-coded choice questions.
    Breakdowns pass `with_alpha=False`: alpha is a property of the instrument, reported
    once for everyone, and computing it per group is most of the cost on large campaigns.
    `per_respondent` is `respondent_domains(scored)` when the caller already has it.
    """
    columns = ["domain", "items", "respondents", "n", "score", "pct_favorable", "alpha", "alpha_n"]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    reportable = scored["type"].eq("likert") | scored["favorable_hit"].notna()
    domains = scored.loc[reportable, "domain"].dropna().unique().tolist()
    if not domains:
        return pd.DataFrame(columns=columns)
    if per_respondent is None:
        per_respondent = respondent_domains(scored)
    summary = summarize_domains(per_respondent).set_index("domain")
    items = (
        scored.loc[scored["type"].eq("likert"), ["domain", "survey_id", "question_id"]]
        .drop_duplicates()
        .groupby("domain", observed=True)
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
