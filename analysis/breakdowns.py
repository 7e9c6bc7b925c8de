"""Numbers by group, student–caregiver gaps and change between waves, with suppression applied.

Every table here carries a `shown` column: when it is False the numbers are NaN and the
packet prints the "fewer than N responses" label instead. Suppression is decided per
breakdown from respondent counts (`analysis.suppression.hidden_groups`), never per cell,
so the same group is hidden in every table of that breakdown.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analysis.scoring import (
    percent_favorable,
    respondent_domains,
    summarize_domains,
)
from analysis.suppression import (
    PROTECT,
    SMALL,
    hidden_reasons,
    is_shown,
    may_show_text,
    reason_for,
)

DIMENSIONS = ("role", "school", "grade", "language")
ROLES = ("student", "caregiver")


def _whole(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Counts as nullable integers, so a hidden count is empty rather than a float NaN."""
    return frame.astype({c: "Int64" for c in columns if c in frame.columns})


def group_counts(people: pd.DataFrame, dimension: str) -> pd.Series:
    """Respondents per group of one dimension, largest first."""
    return people[dimension].fillna("unknown").astype(str).value_counts()


def hidden_in(people: pd.DataFrame, dimension: str, min_n: int) -> dict[str, str]:
    """The groups of `dimension` that must not be shown, each with its reason (SMALL/PROTECT)."""
    counts = {str(g): int(n) for g, n in group_counts(people, dimension).items()}
    if not is_shown(len(people), min_n):
        return dict.fromkeys(counts, SMALL)
    return hidden_reasons(counts, min_n=min_n)


WAVE_KEYS = ["survey_id", "school", "grade", "audience"]
"""What makes two campaigns waves of one another: the same survey, school, grade and audience.

Two grades at one school (or the student and caregiver campaigns) are different groups of
people, so they are never compared as before and after."""


def quotable(people: pd.DataFrame, min_n: int) -> pd.Series:
    """Per respondent, whether their comments may be quoted: the group rule for open text.

    Someone who belongs to a group hidden for being small (in any breakdown) is never
    quoted, so a suppressed group's words cannot appear next to its hidden numbers. A
    group hidden only to protect a smaller one has at least `min_n` people and may be.
    """
    ok = pd.Series(may_show_text(len(people), min_n), index=people.index, dtype=bool)
    for dim in DIMENSIONS:
        small = [g for g, why in hidden_in(people, dim, min_n).items() if why == SMALL]
        ok &= ~people[dim].fillna("unknown").astype(str).isin(small)
    return pd.Series(ok.to_numpy(), index=people["respondent_id"].to_numpy(), dtype=bool)


def counts_table(people: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Respondents per group for each dimension: the response counts of the packet."""
    rows: list[dict[str, object]] = []
    for dim in DIMENSIONS:
        counts = group_counts(people, dim)
        hidden = hidden_in(people, dim, min_n)
        for group, n in counts.items():
            shown = group not in hidden
            rows.append(
                {
                    "dimension": dim,
                    "group": group,
                    "shown": shown,
                    "reason": hidden.get(str(group), ""),
                    "respondents": int(n) if shown else np.nan,
                    "share": float(n / len(people) * 100) if shown else np.nan,
                }
            )
    columns = ["dimension", "group", "shown", "reason", "respondents", "share"]
    out = pd.DataFrame(rows, columns=columns)
    return _whole(out, "respondents")


def domain_breakdown(
    scored: pd.DataFrame,
    people: pd.DataFrame,
    min_n: int,
    per_respondent: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Domain score and percent favorable for every group of every dimension.

    `per_respondent` is `respondent_domains(scored)` when the caller already has it: one
    pass over the answers serves the whole packet.
    """
    rows: list[dict[str, object]] = []
    columns = [
        "dimension",
        "group",
        "respondents",
        "shown",
        "reason",
        "domain",
        "n",
        "score",
        "pct_favorable",
    ]
    reportable = scored["type"].eq("likert") | scored["favorable_hit"].notna()
    scored_domains = scored.loc[reportable, "domain"].dropna().unique().tolist()
    if per_respondent is None:
        per_respondent = respondent_domains(scored)
    per_respondent = per_respondent[per_respondent["domain"].isin(scored_domains)]
    for dim in DIMENSIONS:
        hidden = hidden_in(people, dim, min_n)
        labels = people.set_index("respondent_id")[dim].fillna("unknown").astype(str)
        summary = summarize_domains(
            per_respondent.assign(group=per_respondent["respondent_id"].map(labels)), by=["group"]
        ).set_index(["group", "domain"])
        for group, n in group_counts(people, dim).items():
            shown = group not in hidden
            for domain in scored_domains:
                row: dict[str, object] = {
                    "dimension": dim,
                    "group": group,
                    "domain": domain,
                    "shown": shown,
                    "reason": hidden.get(str(group), ""),
                    "respondents": int(n) if shown else np.nan,
                    "n": np.nan,
                    "score": np.nan,
                    "pct_favorable": np.nan,
                }
                if shown and (group, domain) in summary.index:
                    d = summary.loc[(group, domain)]  # type: ignore[index]
                    row.update(n=int(d["n"]), score=d["score"], pct_favorable=d["pct_favorable"])
                elif shown:
                    row["n"] = 0
                rows.append(row)
    return _whole(pd.DataFrame(rows, columns=columns), "respondents", "n")


def _role_item_stats(scored: pd.DataFrame, role: str) -> pd.DataFrame:
    part = scored[(scored["role"] == role) & scored["mirror"].notna()]
    if part.empty:
        return pd.DataFrame(columns=["mirror", "question_id", "n", "mean", "pct_favorable"])
    return (
        part.groupby("mirror", sort=False, observed=True)  # type: ignore[call-overload]
        .apply(
            lambda g: pd.Series(
                {
                    "question_id": ", ".join(dict.fromkeys(g["question_id"])),
                    "survey_id": g["survey_id"].iloc[0],
                    "n": int(g["favorable_hit"].notna().sum()),
                    "mean": float(g["score"].mean()),
                    "pct_favorable": percent_favorable(g["favorable_hit"]),
                }
            ),
            include_groups=False,
        )
        .reset_index()
    )


GAP_COLUMNS = [
    "mirror",
    "domain",
    "student_survey",
    "student_question",
    "caregiver_question",
    "shown",
    "reason",
    "student_n",
    "caregiver_n",
    "student_pct_favorable",
    "caregiver_pct_favorable",
    "gap_pct_favorable",
    "student_mean",
    "caregiver_mean",
    "gap_mean",
]


def mirror_gaps(scored: pd.DataFrame, people: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Students minus caregivers on each mirrored item, biggest absolute gap first.

    Shown only when both roles survive the role breakdown's suppression and each side of
    the item has at least `min_n` counted answers.
    """
    students = _role_item_stats(scored, "student").set_index("mirror")
    carers = _role_item_stats(scored, "caregiver").set_index("mirror")
    hidden = hidden_in(people, "role", min_n)
    role_reasons = [hidden[r] for r in ROLES if r in hidden]
    roles_shown = not role_reasons
    rows: list[dict[str, object]] = []
    domains = scored.dropna(subset=["mirror"]).groupby("mirror", observed=True)["domain"].first()
    for key in students.index.intersection(carers.index):
        s, c = students.loc[key], carers.loc[key]
        # Like any item, a side answered by fewer than min_n people is not reported.
        small = not (is_shown(int(s["n"]), min_n) and is_shown(int(c["n"]), min_n))
        shown = roles_shown and not small
        reason = "" if shown else (SMALL if small or SMALL in role_reasons else PROTECT)
        row: dict[str, object] = {
            "mirror": key,
            "domain": domains.get(key),
            "student_survey": s["survey_id"],
            "student_question": s["question_id"],
            "caregiver_question": c["question_id"],
            "shown": shown,
            "reason": reason,
        }
        if shown:
            row.update(
                student_n=s["n"],
                caregiver_n=c["n"],
                student_pct_favorable=s["pct_favorable"],
                caregiver_pct_favorable=c["pct_favorable"],
                gap_pct_favorable=s["pct_favorable"] - c["pct_favorable"],
                student_mean=s["mean"],
                caregiver_mean=c["mean"],
                gap_mean=s["mean"] - c["mean"],
            )
        rows.append(row)
    out = _whole(pd.DataFrame(rows, columns=GAP_COLUMNS), "student_n", "caregiver_n")
    if out.empty:
        return out
    order = out["gap_pct_favorable"].abs().sort_values(ascending=False, na_position="last").index
    return out.loc[order].reset_index(drop=True)


def wave_pairs(campaigns: pd.DataFrame) -> list[tuple[str, str]]:
    """(previous, current) campaign codes: consecutive waves of one survey, school, grade and
    audience."""
    pairs: list[tuple[str, str]] = []
    for _, series in campaigns.groupby(WAVE_KEYS, sort=False, dropna=False):
        codes = series.sort_values("opens_at")["campaign"].tolist()
        pairs.extend(itertools.pairwise(codes))
    return pairs


def latest_waves(campaigns: pd.DataFrame) -> list[str]:
    """The newest campaign of each survey, school, grade and audience: what the packet reports."""
    latest = campaigns.sort_values("opens_at").groupby(WAVE_KEYS, dropna=False).tail(1)
    return [c for c in campaigns["campaign"] if c in set(latest["campaign"])]


WAVE_COLUMNS = [
    "survey_id",
    "school",
    "grade",
    "audience",
    "previous",
    "current",
    "previous_opens_at",
    "current_opens_at",
    "shown",
    "reason",
    "domain",
    "previous_n",
    "current_n",
    "previous_score",
    "current_score",
    "change_score",
    "previous_pct_favorable",
    "current_pct_favorable",
    "change_pct_favorable",
]


def _domains_by_campaign(scored: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Domain score and percent favorable per campaign, indexed by (campaign, domain)."""
    reportable = scored["type"].eq("likert") | scored["favorable_hit"].notna()
    wave_domains = set(scored.loc[reportable, "domain"].dropna())
    per_respondent = respondent_domains(scored)
    per_respondent = per_respondent[per_respondent["domain"].isin(wave_domains)]
    by_campaign = people.set_index("respondent_id")["campaign"]
    return summarize_domains(
        per_respondent.assign(campaign=per_respondent["respondent_id"].map(by_campaign)),
        by=["campaign"],
    ).set_index(["campaign", "domain"])


def wave_changes(scored: pd.DataFrame, people: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Domain score and percent favorable in each wave and the change since the previous one."""
    camp = (
        people.groupby("campaign")
        .agg(
            survey_id=("survey_id", "first"),
            school=("school", "first"),
            grade=("grade", "first"),
            audience=("audience", "first"),
            opens=("opens_at", "first"),
        )
        .reset_index()
        .rename(columns={"opens": "opens_at"})
    )
    sizes = people["campaign"].value_counts()
    rows: list[dict[str, object]] = []
    pairs = wave_pairs(camp)
    if not pairs:
        return pd.DataFrame(rows, columns=WAVE_COLUMNS)
    summary = _domains_by_campaign(scored, people)
    info = camp.set_index("campaign")
    for prev, cur in pairs:
        reason = reason_for(min(int(sizes.get(prev, 0)), int(sizes.get(cur, 0))), min_n)
        shown = not reason
        before = summary.loc[prev] if prev in summary.index.get_level_values(0) else None
        after = summary.loc[cur] if cur in summary.index.get_level_values(0) else None
        if before is None or after is None:
            continue
        for domain in after.index.intersection(before.index):
            row: dict[str, object] = {
                "survey_id": info.loc[cur, "survey_id"],
                "school": info.loc[cur, "school"],
                "grade": info.loc[cur, "grade"],
                "audience": info.loc[cur, "audience"],
                "previous": prev,
                "current": cur,
                "previous_opens_at": info.loc[prev, "opens_at"],
                "current_opens_at": info.loc[cur, "opens_at"],
                "shown": shown,
                "reason": reason,
                "domain": domain,
            }
            if shown:
                b, a = before.loc[domain], after.loc[domain]
                row.update(
                    previous_n=int(b["n"]),
                    current_n=int(a["n"]),
                    previous_score=b["score"],
                    current_score=a["score"],
                    change_score=a["score"] - b["score"],
                    previous_pct_favorable=b["pct_favorable"],
                    current_pct_favorable=a["pct_favorable"],
                    change_pct_favorable=a["pct_favorable"] - b["pct_favorable"],
                )
            rows.append(row)
    return _whole(pd.DataFrame(rows, columns=WAVE_COLUMNS), "previous_n", "current_n")
