"""Data-walk prompts tied to this campaign's own findings.

A generic "What do you notice?" gets generic answers; pinning each of the four
data-walk questions to a specific number from the packet gives the room something
concrete to argue about. Only shown (unsuppressed) figures are ever quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.locales import domain_label, group_label, number, percent, text

QUESTIONS = ("notice", "surprise", "missing", "together")


@dataclass(frozen=True)
class DataWalkPrompt:
    key: str
    question: str
    findings: tuple[str, ...] = field(default_factory=tuple)


def _shown(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame.iloc[0:0]
    keep = frame[column].notna()
    if "shown" in frame.columns:
        keep &= frame["shown"].astype(bool)
    return frame[keep]


def build_prompts(
    *,
    items: pd.DataFrame,
    domains: pd.DataFrame,
    gaps: pd.DataFrame,
    waves: pd.DataFrame,
    themes: pd.DataFrame,
    hidden: list[str],
    response_rate: float | None,
    language: str,
    min_n: int,
) -> list[DataWalkPrompt]:
    """Four prompts (notice, surprise, missing, together), each with the findings behind it.

    `items` needs `label` and `pct_favorable` sorted strongest first; `gaps` is sorted by
    absolute gap; `themes` needs `theme` and `share` (0..1).
    """
    found: dict[str, list[str]] = {key: [] for key in QUESTIONS}
    ranked = _shown(items, "pct_favorable")
    if not ranked.empty:
        top = ranked.iloc[0]
        found["notice"].append(
            text(
                "prompt_strong",
                language,
                question=top["label"],
                pct=percent(top["pct_favorable"], language),
            )
        )
    scored = _shown(domains, "score")
    if len(scored) > 1:
        low = scored.sort_values("score").iloc[0]
        found["notice"].append(
            text(
                "prompt_domain_low",
                language,
                domain=domain_label(str(low["domain"]), language),
                score=number(low["score"], language),
            )
        )
    gap_rows = _shown(gaps, "gap_pct_favorable")
    if not gap_rows.empty:
        g = gap_rows.iloc[0]
        found["surprise"].append(
            text(
                "prompt_gap",
                language,
                question=g["label"],
                student=percent(g["student_pct_favorable"], language),
                caregiver=percent(g["caregiver_pct_favorable"], language),
                gap=f"{abs(g['gap_pct_favorable']):.0f}",
            )
        )
    change_rows = _shown(waves, "change_pct_favorable")
    if not change_rows.empty:
        c = change_rows.loc[change_rows["change_pct_favorable"].abs().idxmax()]
        found["surprise"].append(
            text(
                "prompt_change",
                language,
                domain=domain_label(str(c["domain"]), language),
                audience=group_label("role", str(c["audience"]), language),
                school=c["school"],
                grade=c["grade"],
                change=f"{c['change_pct_favorable']:+.0f}",
            )
        )
    if hidden:
        found["missing"].append(
            text("prompt_hidden", language, groups=", ".join(hidden), min_n=min_n)
        )
    if response_rate is not None:
        found["missing"].append(
            text("prompt_rate", language, rate=percent(response_rate, language))
        )
    found["missing"].append(text("prompt_missing_default", language))
    if len(ranked) > 1:
        low = ranked.iloc[-1]
        found["together"].append(
            text(
                "prompt_weak",
                language,
                question=low["label"],
                pct=percent(low["pct_favorable"], language),
            )
        )
    theme_rows = _shown(themes, "share")
    if not theme_rows.empty:
        top_theme = theme_rows.sort_values("share", ascending=False).iloc[0]
        found["together"].append(
            text(
                "prompt_theme",
                language,
                share=percent(top_theme["share"] * 100, language),
                theme=top_theme["theme"],
            )
        )
    if not found["surprise"] and len(ranked) > 1:
        found["surprise"].append(found["together"][0])
    return [DataWalkPrompt(key, text(key, language), tuple(found[key])) for key in QUESTIONS]
