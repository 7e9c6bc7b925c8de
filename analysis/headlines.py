"""Two or three headline findings of a campaign, for the results sent back to respondents.

The same numbers and the same small-group rule as the packet: percent favorable by
domain (`analysis.scoring`), and nothing at all when fewer than the organization's
minimum group size completed the survey (`analysis.suppression.is_shown`); a domain
is named only when at least that many people answered it. What is said is what a
respondent can take in on a phone: how many answered, the strongest area and the
one with most to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session

from analysis.frames import Responses, load_responses
from analysis.locales import domain_label, percent
from analysis.scoring import domain_table, participants, scored_answers
from analysis.suppression import is_shown
from surveys.i18n import format_number, t
from surveys.models import Campaign


@dataclass(frozen=True)
class Finding:
    """One headline, as numbers; `sentences` turns it into words in a language."""

    kind: str
    """"answered", "highest" or "lowest"."""
    count: int = 0
    domain: str = ""
    pct: float = 0.0


def completed_count(responses: Responses) -> int:
    people = participants(responses)
    return int(people["completed"].sum()) if not people.empty else 0


def headline_findings(responses: Responses, *, min_n: int) -> list[Finding]:
    """The findings of one campaign's responses; [] when the campaign is below `min_n`."""
    completed = completed_count(responses)
    if not is_shown(completed, min_n):
        return []
    findings = [Finding("answered", count=completed)]
    domains = domain_table(scored_answers(responses), with_alpha=False)
    shown = domains[(domains["respondents"] >= min_n) & domains["pct_favorable"].notna()]
    if shown.empty:
        return findings
    ordered = shown.sort_values(["pct_favorable", "domain"], ascending=[False, True])
    top = ordered.iloc[0]
    findings.append(Finding("highest", domain=str(top["domain"]), pct=float(top["pct_favorable"])))
    if len(ordered) > 1:
        low = ordered.iloc[-1]
        findings.append(
            Finding("lowest", domain=str(low["domain"]), pct=float(low["pct_favorable"]))
        )
    return findings


def sentences(findings: list[Finding], language: str) -> list[str]:
    """The findings in `language` ("es@formal" reads as "es": findings use no tú or usted)."""
    plain = language.partition("@")[0]
    out = []
    for finding in findings:
        if finding.kind == "answered":
            out.append(
                t("reach.results.answered", language, count=format_number(finding.count, plain))
            )
            continue
        out.append(
            t(
                f"reach.results.{finding.kind}",
                language,
                domain=domain_label(finding.domain, plain),
                percent=percent(finding.pct, plain),
            )
        )
    return out


def results_message(findings: list[Finding], *, campaign: Campaign, language: str) -> str:
    """The whole message: thanks, the findings, the follow-up text, and how to /delete."""
    plain = language.partition("@")[0]
    follow = json.loads(campaign.follow_up) if campaign.follow_up else {}
    parts = [t("reach.results.intro", language, school=campaign.school)]
    parts.append("\n".join(f"• {line}" for line in sentences(findings, language)))
    follow_up = follow.get(plain) or follow.get(campaign.default_language)
    if follow_up:
        parts.append(follow_up)
    parts.append(t("reach.results.delete", language))
    return "\n\n".join(parts)


def campaign_findings(session: Session, *, campaign: Campaign, min_n: int) -> list[Finding]:
    return headline_findings(load_responses(session, campaign_codes=[campaign.code]), min_n=min_n)
