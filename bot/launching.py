"""Launching a campaign: the one path shared by `chorus launch`, `/launch`, the demo and
the load tool.

The campaign's validity rules live in `surveys.crud.campaigns`; this adds what a
launch does around them: resolving the survey (a stored id or a YAML file), the
safeguarding-lead rule, the link, and the QR code and flyer on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from bot.flyer import CampaignMaterials, campaign_link, write_campaign_materials
from surveys.crud.campaigns import CampaignError, create_campaign
from surveys.crud.organizations import campaign_timezone
from surveys.crud.staff import check_safeguarding_lead
from surveys.crud.surveys import add_survey, latest_survey_record, survey_from_record
from surveys.definition import Survey
from surveys.loader import load_survey_file
from surveys.models import Campaign, SurveyRecord
from surveys.settings import StorageSettings


@dataclass(frozen=True)
class Launched:
    """A new campaign and the files written for it."""

    campaign: Campaign
    survey: Survey
    link: str
    materials: CampaignMaterials


def default_campaigns_dir() -> Path:
    return StorageSettings().data_dir / "campaigns"


def resolve_survey(session: Session, survey: str) -> SurveyRecord:
    """A stored survey id, or a YAML file that is validated and stored first.

    Raises `SurveyDefinitionError` for a bad file and `CampaignError` for an unknown id.
    """
    path = Path(survey)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        return add_survey(session, survey=load_survey_file(path))
    record = latest_survey_record(session, survey_id=survey)
    if record is None:
        raise CampaignError(
            f"unknown survey {survey!r}; `chorus surveys list` shows the stored ids, "
            "and `chorus surveys add FILE` stores a new one"
        )
    return record


def launch_campaign(
    session: Session,
    *,
    survey: str,
    organization: str,
    school: str,
    grade: str,
    closes_at: datetime | date,
    audience: str | None = None,
    language: str | None = None,
    opens_at: datetime | date | None = None,
    roster_size: int | None = None,
    follow_up: dict[str, str] | None = None,
    out_dir: Path | None = None,
    username: str | None = None,
    allow_no_safeguarding_lead: bool = False,
    reminders: tuple[int, ...] | None = None,
) -> Launched:
    """Create a campaign and write its QR code and flyer; shared by `launch`, `/launch`
    and `demo`.

    The audience defaults to the survey's own and the language to English when offered.
    A campaign students can answer is refused unless the organization has a
    safeguarding lead, or `allow_no_safeguarding_lead` (test campaigns) is set.
    """
    record = resolve_survey(session, survey)
    definition = survey_from_record(record)
    if language is None:
        language = "en" if "en" in definition.languages else definition.languages[0]
    campaign = create_campaign(
        session,
        survey_record=record,
        organization=organization,
        school=school,
        grade=grade,
        audience=audience or definition.audience,
        default_language=language,
        closes_at=closes_at,
        opens_at=opens_at,
        roster_size=roster_size,
        follow_up=follow_up,
        reminders=reminders,
    )
    if not allow_no_safeguarding_lead and campaign.organization_id is not None:
        check_safeguarding_lead(
            session, organization_id=campaign.organization_id, audience=campaign.audience
        )
    link = campaign_link(campaign.code, username)
    materials = write_campaign_materials(
        campaign=campaign,
        survey=definition,
        link=link,
        out_dir=out_dir or default_campaigns_dir(),
        timezone=campaign_timezone(session, campaign=campaign),
    )
    return Launched(campaign=campaign, survey=definition, link=link, materials=materials)
