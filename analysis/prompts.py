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


def _notice(items: pd.DataFrame, domains: pd.DataFrame, language: str) -> list[str]:
    found = []
    ranked = _shown(items, "pct_favorable")
    if not ranked.empty:
        top = ranked.iloc[0]
        pct = percent(top["pct_favorable"], language)
        found.append(text("prompt_strong", language, question=top["label"], pct=pct))
    scored = _shown(domains, "score")
    if len(scored) > 1:
        low = scored.sort_values("score").iloc[0]
        domain = domain_label(str(low["domain"]), language)
        score = number(low["score"], language)
        found.append(text("prompt_domain_low", language, domain=domain, score=score))
    return found


def _surprise(gaps: pd.DataFrame, waves: pd.DataFrame, language: str) -> list[str]:
    found = []
    gap_rows = _shown(gaps, "gap_pct_favorable")
    if not gap_rows.empty:
        g = gap_rows.iloc[0]
        found.append(
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
        c = change_rows.loc[change_rows["change_pct_favorable"].abs().idxmax()]  # type: ignore[call-overload]
        found.append(
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
    return found


def _missing(hidden: list[str], rate: float | None, language: str, min_n: int) -> list[str]:
    found = []
    if hidden:
        groups = ", ".join(hidden)
        found.append(text("prompt_hidden", language, groups=groups, min_n=min_n))
    if rate is not None:
        found.append(text("prompt_rate", language, rate=percent(rate, language)))
    found.append(text("prompt_missing_default", language))
    return found


def _together(items: pd.DataFrame, themes: pd.DataFrame, language: str) -> list[str]:
    found = []
    ranked = _shown(items, "pct_favorable")
    if len(ranked) > 1:
        low = ranked.iloc[-1]
        pct = percent(low["pct_favorable"], language)
        found.append(text("prompt_weak", language, question=low["label"], pct=pct))
    theme_rows = _shown(themes, "share")
    if not theme_rows.empty:
        top = theme_rows.sort_values("share", ascending=False).iloc[0]
        share = percent(top["share"] * 100, language)
        found.append(text("prompt_theme", language, share=share, theme=top["theme"]))
    return found


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
    found = {
        "notice": _notice(items, domains, language),
        "surprise": _surprise(gaps, waves, language),
        "missing": _missing(hidden, response_rate, language, min_n),
        "together": _together(items, themes, language),
    }
    if not found["surprise"] and len(_shown(items, "pct_favorable")) > 1:
        found["surprise"].append(found["together"][0])
    return [DataWalkPrompt(key, text(key, language), tuple(found[key])) for key in QUESTIONS]
