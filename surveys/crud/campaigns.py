"""Campaigns: one survey version asked of one audience at one school, behind one link.

Every rule about what makes a campaign valid lives here, not in the CLI, so the
bot, the demo and the tests launch campaigns the same way and get the same
one-line `CampaignError` for the same mistake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from surveys.campaign_days import closing_moment, last_day, start_of
from surveys.crud.columns import column_limit, text_problem
from surveys.crud.organizations import get_organization, organization_for_campaign
from surveys.crud.surveys import survey_from_record
from surveys.definition import Survey
from surveys.errors import ChorusError
from surveys.message_limits import MessageTooLong, check_fits
from surveys.models import (
    Campaign,
    CampaignStatus,
    Organization,
    Respondent,
    RespondentStatus,
    SurveyRecord,
)
from surveys.reach_schedule import store_reminders, stored_reminders

AUDIENCES = ("student", "caregiver", "any")
"""`any` lets one link serve students and caregivers alike: the bot asks who is answering."""

STARTED_STATUSES = (RespondentStatus.ROLE, RespondentStatus.IN_PROGRESS, RespondentStatus.COMPLETED)
"""A respondent has started once they agreed to take part (past the consent step)."""

Availability = Literal["open", "closed", "not_yet_open"]

ROSTER_LIMIT = 1_000_000
"""More people than any school community: a bigger number is a typo."""
LONGEST_CAMPAIGN = timedelta(days=5 * 366)
"""A campaign closes within five years: a later date (9999-12-31) is a typo."""
EARLIEST_OPENING = datetime(2000, 1, 1, tzinfo=UTC)
FOLLOW_UP_LIMIT = 1000
"""Characters of a follow-up message: a date, a place and a phone number or two."""


class CampaignError(ChorusError, ValueError):
    """A campaign cannot be created or changed as asked; the message says what to do instead."""


@dataclass(frozen=True)
class CampaignSummary:
    """One row of `chorus campaigns`: a campaign and how many people answered it."""

    code: str
    survey_id: str
    survey_version: str
    organization: str
    organization_id: int | None
    school: str
    grade: str
    audience: str
    default_language: str
    opens_at: datetime
    closes_at: datetime | None
    availability: Availability
    roster_size: int | None
    started: int
    completed: int
    declined: int
    reminders: tuple[int, ...] = ()
    """The reminder schedule, seconds after a respondent's last activity."""
    reminders_sent: int = 0
    timezone: str = "UTC"
    """The organization's: the campaign's days are read in it."""

    @property
    def last_day(self) -> date | None:
        """The last day people can answer, on the organization's calendar."""
        return None if self.closes_at is None else last_day(self.closes_at, self.timezone)

    @property
    def response_rate(self) -> float | None:
        """Completed surveys over the roster, when the roster size is known."""
        if not self.roster_size:
            return None
        return self.completed / self.roster_size


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (how chorus stores time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _moment(value: datetime | date, timezone: str | None, *, closing: bool) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return closing_moment(value, timezone) if closing else start_of(value, timezone)


def _require_text(name: str, value: str) -> str:
    """`value` stripped, checked against the `campaign` column of the same name."""
    cleaned = value.strip()
    if not cleaned:
        raise CampaignError(f"the {name} is empty; give the {name} as it should appear on flyers")
    problem = text_problem(cleaned, what=name, limit=column_limit(Campaign, name))
    if problem is not None:
        raise CampaignError(f"{problem}; give the {name} as it should appear on flyers")
    return cleaned


def _check_dates(opens: datetime, closes: datetime, current: datetime) -> None:
    if closes <= current:
        raise CampaignError(
            f"the closing date {closes:%Y-%m-%d %H:%M} UTC is in the past; pick a later date"
        )
    if closes > current + LONGEST_CAMPAIGN:
        raise CampaignError(
            f"the closing date {closes:%Y-%m-%d} is more than five years away; "
            "pick a date within the school year"
        )
    if opens < EARLIEST_OPENING:
        raise CampaignError(f"the opening date {opens:%Y-%m-%d} is before 2000; pick a later date")
    if closes <= opens:
        raise CampaignError(
            f"the campaign would close ({closes:%Y-%m-%d}) before it opens ({opens:%Y-%m-%d}); "
            "pick a closing date after the opening date"
        )


def _check_roster(roster_size: int | None) -> None:
    if roster_size is not None and not 0 < roster_size <= ROSTER_LIMIT:
        raise CampaignError(
            f"the roster size must be a positive number of people, not {roster_size} "
            f"(at most {ROSTER_LIMIT:,})"
        )


def _check_audience(audience: str, survey: Survey) -> None:
    if audience not in AUDIENCES:
        raise CampaignError(f"unknown audience {audience!r}; use one of: {', '.join(AUDIENCES)}")
    if survey.audience != "any" and audience != survey.audience:
        raise CampaignError(
            f"survey {survey.id} is written for {survey.audience}s, not {audience}s; "
            f"use audience {survey.audience} or a survey written for {audience}s"
        )


def _check_language(language: str, survey: Survey) -> None:
    if language not in survey.languages:
        raise CampaignError(
            f"survey {survey.id} is not offered in {language!r}; "
            f"use one of: {', '.join(survey.languages)}"
        )


def _follow_up_texts(follow_up: Mapping[str, str] | None, survey: Survey) -> dict[str, str]:
    if not follow_up:
        return {}
    texts = {language: text.strip() for language, text in follow_up.items() if text.strip()}
    for language, text in texts.items():
        if language not in survey.languages:
            raise CampaignError(
                f"a follow-up message is given in {language!r}, which survey {survey.id} "
                f"does not offer; use one of: {', '.join(survey.languages)}"
            )
        what = f"follow-up message in {language!r}"
        problem = text_problem(text, what=what, limit=FOLLOW_UP_LIMIT, single_line=False)
        if problem is not None:
            raise CampaignError(f"{problem}; shorten the follow-up message")
    return texts


def _check_messages_fit(survey: Survey, organization: str, follow_up: dict[str, str]) -> None:
    """The campaign's own texts join the survey's in the consent and thanks messages."""
    try:
        check_fits(survey, organization=organization, follow_up=follow_up or None)
    except MessageTooLong as problem:
        where = f"question {problem.question}: " if problem.question else ""
        raise CampaignError(
            f"with this organization name and follow-up message, {where}{problem.reason}"
        ) from None


def create_campaign(
    session: Session,
    *,
    survey_record: SurveyRecord,
    organization: str,
    school: str,
    grade: str,
    audience: str,
    default_language: str,
    closes_at: datetime | date,
    opens_at: datetime | date | None = None,
    roster_size: int | None = None,
    follow_up: Mapping[str, str] | None = None,
    now: datetime | None = None,
    reminders: tuple[int, ...] | None = None,
) -> Campaign:
    """Validate and store a new campaign pinned to `survey_record`.

    `closes_at` and `opens_at` are moments, or days as staff give them: a `date` closes
    at the midnight after it and opens at the midnight before it, in the organization's
    timezone (`surveys.campaign_days`). `follow_up` maps a language to the message sent
    after the thanks (the date of the community conversation, say). `reminders` are
    seconds after a respondent's last activity (default 24 h and 72 h; () for none).
    `now` is only for tests.
    """
    survey = survey_from_record(survey_record)
    current = as_utc(now) if now is not None else datetime.now(UTC)
    existing = get_organization(session, name=organization.strip())
    timezone = existing.timezone if existing is not None else None
    opens = current if opens_at is None else _moment(opens_at, timezone, closing=False)
    closes = _moment(closes_at, timezone, closing=True)
    if not isinstance(closes_at, datetime) and closes <= current:
        raise CampaignError(
            f"the last day, {closes_at.isoformat()}, is in the past (in {timezone or 'UTC'}, "
            "the organization's timezone); give the last day people can answer, today or later"
        )
    organization = _require_text("organization", organization)
    school = _require_text("school", school)
    grade = _require_text("grade", grade)
    _check_audience(audience, survey)
    _check_language(default_language, survey)
    _check_dates(opens, closes, current)
    _check_roster(roster_size)
    texts = _follow_up_texts(follow_up, survey)
    _check_messages_fit(survey, organization, texts)
    if survey_record.id is None:
        raise CampaignError("the survey is not stored yet; add it with `chorus surveys add`")
    owner = organization_for_campaign(session, name=organization, language=default_language)
    campaign = Campaign(
        survey_pk=survey_record.id,
        organization=owner.name,
        organization_id=owner.id,
        school=school,
        grade=grade,
        audience=audience,
        default_language=default_language,
        opens_at=opens,
        closes_at=closes,
        status=CampaignStatus.OPEN,
        roster_size=roster_size,
        follow_up=json.dumps(texts, ensure_ascii=False, sort_keys=True) if texts else None,
        created_at=current,
    )
    if reminders is not None:
        campaign.reminders = store_reminders(reminders)
    session.add(campaign)
    session.flush()
    return campaign


def get_campaign(session: Session, *, code: str) -> Campaign | None:
    return session.exec(select(Campaign).where(Campaign.code == code)).first()


class CampaignLike(Protocol):
    """What the campaign helpers read: a `Campaign` row, or the `CampaignFacts` the
    conversation service loads with a respondent in one query."""

    @property
    def code(self) -> str: ...
    @property
    def survey_pk(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def opens_at(self) -> datetime: ...
    @property
    def closes_at(self) -> datetime | None: ...
    @property
    def follow_up(self) -> str | None: ...


def campaign_survey(session: Session, *, campaign: CampaignLike) -> Survey:
    """The survey version the campaign was launched with, whatever was stored since."""
    record = session.get(SurveyRecord, campaign.survey_pk)
    if record is None:  # only possible if the foreign key was bypassed
        raise CampaignError(f"campaign {campaign.code} has lost its survey definition")
    return survey_from_record(record)


def campaign_follow_up(campaign: CampaignLike) -> dict[str, str] | None:
    """The follow-up messages by language, as given at launch."""
    return json.loads(campaign.follow_up) if campaign.follow_up else None


def campaign_availability(campaign: CampaignLike, *, now: datetime) -> Availability:
    """Whether the link takes answers at `now`. Closing by hand wins over the dates."""
    if campaign.status == CampaignStatus.CLOSED:
        return "closed"
    current = as_utc(now)
    if current < as_utc(campaign.opens_at):
        return "not_yet_open"
    if campaign.closes_at is not None and current >= as_utc(campaign.closes_at):
        return "closed"
    return "open"


def close_campaign(session: Session, *, code: str) -> Campaign:
    """Stop a campaign taking answers now; what it already collected stays."""
    campaign = get_campaign(session, code=code)
    if campaign is None:
        raise CampaignError(f"no campaign has the code {code!r}; `chorus campaigns` lists them")
    if campaign.status == CampaignStatus.CLOSED:
        raise CampaignError(f"campaign {code} is already closed")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = datetime.now(UTC)
    session.add(campaign)
    session.flush()
    return campaign


def list_campaigns_with_counts(
    session: Session, *, now: datetime | None = None, organization_id: int | None = None
) -> list[CampaignSummary]:
    """Every campaign (of one organization, if given), newest first, with its respondent
    counts from one grouped query."""
    started = func.count(case((col(Respondent.status).in_(STARTED_STATUSES), 1)))
    completed = func.count(case((col(Respondent.status) == RespondentStatus.COMPLETED, 1)))
    counts = (
        select(
            col(Respondent.campaign_id).label("campaign_id"),
            started.label("started"),
            completed.label("completed"),
        )
        .group_by(col(Respondent.campaign_id))
        .subquery()
    )
    query = (
        select(  # type: ignore[call-overload]
            Campaign, SurveyRecord, counts.c.started, counts.c.completed, Organization.timezone
        )
        .join(SurveyRecord, col(SurveyRecord.id) == col(Campaign.survey_pk))
        .outerjoin(counts, counts.c.campaign_id == col(Campaign.id))
        .outerjoin(Organization, col(Organization.id) == col(Campaign.organization_id))
        .order_by(col(Campaign.created_at).desc(), col(Campaign.id).desc())
    )
    if organization_id is not None:
        query = query.where(Campaign.organization_id == organization_id)
    rows = session.exec(query).all()
    current = as_utc(now) if now is not None else datetime.now(UTC)
    return [
        CampaignSummary(
            code=campaign.code,
            survey_id=record.survey_id,
            survey_version=record.version,
            organization=campaign.organization,
            organization_id=campaign.organization_id,
            school=campaign.school,
            grade=campaign.grade,
            audience=campaign.audience,
            default_language=campaign.default_language,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            availability=campaign_availability(campaign, now=current),
            roster_size=campaign.roster_size,
            started=n_started or 0,
            completed=n_completed or 0,
            declined=campaign.declined_count,
            reminders=stored_reminders(campaign.reminders),
            reminders_sent=campaign.reminders_sent,
            timezone=timezone or "UTC",
        )
        for campaign, record, n_started, n_completed, timezone in rows
    ]
