"""Sending a closed campaign's results back to the people who answered it.

Shared by `chorus share CODE` and the staff chat's `/share`: `plan_share` checks
the campaign may be shared and composes the message in every voice (the preview);
`queue_share_batch` queues the next batch of recipients in the caller's
transaction; `share_progress` says how far it got. Nothing is shared for a
campaign still open, or with fewer completions than the organization's minimum
group size (the packet's small-group rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from analysis.suppression import DEFAULT_MIN_N
from surveys.crud import sharing
from surveys.crud.campaigns import campaign_availability, get_campaign
from surveys.crud.organizations import campaign_organization
from surveys.crud.respondents import Db, now_utc
from surveys.crud.sharing import ShareProgress
from surveys.errors import ChorusError
from surveys.i18n import languages

if TYPE_CHECKING:
    from analysis.headlines import Finding


class ShareError(ChorusError, ValueError):
    """A campaign whose results cannot be shared; the message says why and what to do."""


@dataclass(frozen=True)
class SharePlan:
    campaign_id: int
    code: str
    school: str
    min_n: int
    findings: list[Finding]
    texts: dict[str, str]
    """The message by voice: "en", "en@formal", "es", "es@formal"."""
    default_voice: str
    waiting: int
    """Recipients not yet sent the results: 0 means sharing again sends nothing."""
    progress: ShareProgress

    @property
    def preview(self) -> str:
        return self.texts[self.default_voice]


def plan_share(session: Session, *, code: str, now: datetime | None = None) -> SharePlan:
    """What sharing campaign `code` would send and to how many; `ShareError` if it may not."""
    campaign = get_campaign(session, code=code)
    if campaign is None or campaign.id is None:
        raise ShareError(f"no campaign has the code {code!r}; `chorus campaigns` lists them")
    if campaign_availability(campaign, now=now or now_utc()) != "closed":
        raise ShareError(
            f"campaign {code} is still taking answers; share its results once it has closed "
            f"(`chorus close {code}` closes it now)"
        )
    organization = campaign_organization(session, campaign=campaign)
    min_n = organization.min_group_size if organization is not None else DEFAULT_MIN_N
    # Imported here: pandas is for the moment a share is planned, not for every bot start.
    from analysis.headlines import campaign_findings, results_message

    findings = campaign_findings(session, campaign=campaign, min_n=min_n)
    if not findings:
        raise ShareError(
            f"fewer than {min_n} people completed campaign {code}, the minimum group size: "
            "nothing is shared, to protect who answered"
        )
    voices = [f"{lang}{register}" for lang in languages() for register in ("", "@formal")]
    texts = {v: results_message(findings, campaign=campaign, language=v) for v in voices}
    default = f"{campaign.default_language}@formal"
    return SharePlan(
        campaign_id=campaign.id,
        code=campaign.code,
        school=campaign.school,
        min_n=min_n,
        findings=findings,
        texts=texts,
        default_voice=default if default in texts else voices[0],
        waiting=sum(sharing.voices_waiting(session, campaign_id=campaign.id).values()),
        progress=sharing.share_progress(session, campaign_id=campaign.id),
    )


def queue_share_batch(db: Db, *, plan: SharePlan, limit: int = sharing.BATCH) -> int:
    """Queue the results for the next `limit` recipients; 0 once everyone has them."""
    return sharing.queue_results(
        db,
        campaign_id=plan.campaign_id,
        texts=plan.texts,
        fallback=plan.preview,
        limit=limit,
    )


def share_progress(db: Db, *, campaign_id: int) -> ShareProgress:
    return sharing.share_progress(db, campaign_id=campaign_id)
