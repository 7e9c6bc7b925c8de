from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from surveys.crud.campaigns import (
    CampaignError,
    campaign_availability,
    campaign_follow_up,
    campaign_survey,
    close_campaign,
    create_campaign,
    get_campaign,
    list_campaigns_with_counts,
)
from surveys.crud.surveys import add_survey
from surveys.models import CampaignStatus, RespondentStatus
from tests.factories import make_campaign, make_respondent, make_survey

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _launch(session: Session, survey_audience: str = "student", **overrides: Any):
    record = add_survey(session, survey=make_survey(audience=survey_audience))
    arguments: dict[str, Any] = {
        "organization": "Bridges Tutoring",
        "school": "Lincoln Middle School",
        "grade": "7",
        "audience": survey_audience,
        "default_language": "es",
        "closes_at": NOW + timedelta(days=14),
        "now": NOW,
    }
    arguments.update(overrides)
    return create_campaign(session, survey_record=record, **arguments)


def test_create_campaign_stores_what_was_asked(session: Session) -> None:
    campaign = _launch(
        session,
        roster_size=40,
        follow_up={"en": " Meeting on May 2 ", "es": "Reunión el 2 de mayo"},
    )
    stored = get_campaign(session, code=campaign.code)
    assert stored is not None
    assert (stored.organization, stored.school, stored.grade) == (
        "Bridges Tutoring", "Lincoln Middle School", "7",
    )  # fmt: skip
    assert (stored.audience, stored.default_language, stored.roster_size) == ("student", "es", 40)
    assert stored.status == CampaignStatus.OPEN
    assert stored.opens_at == NOW
    assert stored.closes_at == datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    assert campaign_follow_up(stored) == {"en": "Meeting on May 2", "es": "Reunión el 2 de mayo"}
    # A Telegram /start payload: at most 64 characters of A-Za-z0-9_-.
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", stored.code)


def test_naive_datetimes_are_taken_as_utc(session: Session) -> None:
    campaign = _launch(session, closes_at=datetime(2026, 4, 1), now=datetime(2026, 3, 1))
    assert campaign.closes_at == datetime(2026, 4, 1, tzinfo=UTC)


def test_blank_follow_up_texts_are_dropped(session: Session) -> None:
    assert _launch(session, follow_up={"en": "  "}).follow_up is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"audience": "teacher"},
            "unknown audience 'teacher'; use one of: student, caregiver, any",
        ),
        ({"audience": "caregiver"}, "survey test-survey is written for students, not caregivers"),
        ({"default_language": "fr"}, "not offered in 'fr'; use one of: en, es"),
        (
            {"closes_at": NOW - timedelta(days=1)},
            "closing date 2026-02-28 12:00 UTC is in the past",
        ),
        ({"closes_at": NOW}, "is in the past"),
        (
            {"opens_at": NOW + timedelta(days=20)},
            "would close (2026-03-15) before it opens (2026-03-21)",
        ),
        ({"roster_size": 0}, "roster size must be a positive number of people, not 0"),
        ({"roster_size": -3}, "not -3"),
        ({"organization": "  "}, "the organization is empty"),
        ({"school": ""}, "the school is empty"),
        ({"follow_up": {"fr": "Merci"}}, "follow-up message is given in 'fr'"),
    ],
)
def test_invalid_campaigns_are_refused_in_one_line(
    session: Session, overrides: dict[str, Any], expected: str
) -> None:
    with pytest.raises(CampaignError) as caught:
        _launch(session, **overrides)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("audience", ["student", "caregiver", "any"])
def test_a_survey_for_anyone_takes_any_audience(session: Session, audience: str) -> None:
    assert _launch(session, survey_audience="any", audience=audience).audience == audience


def test_campaign_survey_is_the_pinned_version(session: Session) -> None:
    campaign = make_campaign(session, survey=make_survey(version="1"))
    add_survey(session, survey=make_survey(version="2"))
    assert campaign_survey(session, campaign=campaign).version == "1"
    assert make_campaign(session).survey_pk != campaign.survey_pk  # new launches get v2


def test_unknown_code_is_none(session: Session) -> None:
    make_campaign(session)
    assert get_campaign(session, code="nope") is None


def test_availability_follows_dates_and_closing_by_hand(session: Session) -> None:
    opens = NOW + timedelta(days=1)
    campaign = _launch(session, opens_at=opens, closes_at=opens + timedelta(days=7))
    assert campaign_availability(campaign, now=NOW) == "not_yet_open"
    assert campaign_availability(campaign, now=opens) == "open"
    assert campaign_availability(campaign, now=opens + timedelta(days=7, seconds=-1)) == "open"
    assert campaign_availability(campaign, now=opens + timedelta(days=7)) == "closed"
    close_campaign(session, code=campaign.code)
    assert campaign_availability(campaign, now=opens) == "closed"


def test_close_campaign_once(session: Session) -> None:
    campaign = make_campaign(session)
    assert close_campaign(session, code=campaign.code).status == CampaignStatus.CLOSED
    stored = get_campaign(session, code=campaign.code)
    assert stored is not None and stored.status == CampaignStatus.CLOSED
    with pytest.raises(CampaignError, match="already closed"):
        close_campaign(session, code=campaign.code)
    with pytest.raises(CampaignError, match="no campaign has the code 'missing'"):
        close_campaign(session, code="missing")


def test_counts_and_response_rate(session: Session) -> None:
    older = make_campaign(session, roster_size=10, now=NOW, declined_count=2)
    newer = make_campaign(session, now=NOW + timedelta(hours=1))
    statuses = [RespondentStatus.COMPLETED] * 3 + [
        RespondentStatus.IN_PROGRESS,
        RespondentStatus.ROLE,
        RespondentStatus.CONSENT,  # has not agreed yet: not started
        RespondentStatus.LANGUAGE,
    ]
    for status in statuses:
        make_respondent(session, campaign=older, status=status)
    make_respondent(session, campaign=newer, status=RespondentStatus.CONSENT)

    summaries = list_campaigns_with_counts(session, now=NOW + timedelta(hours=2))

    assert [s.code for s in summaries] == [newer.code, older.code]
    fresh, counted = summaries
    assert (counted.started, counted.completed, counted.declined) == (5, 3, 2)
    assert counted.response_rate == pytest.approx(0.3)
    assert counted.survey_id == "test-survey"
    assert counted.availability == "open"
    assert (fresh.started, fresh.completed, fresh.declined, fresh.response_rate) == (0, 0, 0, None)


def test_follow_up_is_stored_as_json(session: Session) -> None:
    campaign = _launch(session, follow_up={"es": "Gracias"})
    assert json.loads(campaign.follow_up or "") == {"es": "Gracias"}


def test_a_last_day_is_open_all_day_where_the_organization_is(session: Session) -> None:
    """A New York campaign whose last day is 15 March takes answers until midnight New York
    time (04:00 UTC on the 16th, summer time), not until 8 p.m. local (midnight UTC)."""
    from datetime import date

    from surveys.crud.organizations import create_organization

    create_organization(session, name="Bridges Tutoring", timezone="America/New_York")
    campaign = _launch(session, closes_at=date(2026, 3, 15))
    assert campaign.closes_at == datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
    evening = datetime(2026, 3, 16, 1, 30, tzinfo=UTC)  # 21:30 in New York on the 15th
    assert campaign_availability(campaign, now=evening) == "open"
    assert campaign_availability(campaign, now=datetime(2026, 3, 16, 4, 1, tzinfo=UTC)) == "closed"
    (summary,) = list_campaigns_with_counts(session, now=NOW)
    assert summary.last_day == date(2026, 3, 15)
    assert summary.timezone == "America/New_York"


def test_a_last_day_already_over_where_the_organization_is_is_refused(session: Session) -> None:
    from datetime import date

    from surveys.crud.organizations import create_organization

    create_organization(session, name="Bridges Tutoring", timezone="Asia/Tokyo")
    # 12:00 UTC on 1 March is 21:00 in Tokyo: 1 March is still open there, 28 February not.
    assert _launch(session, closes_at=date(2026, 3, 1)).closes_at == datetime(
        2026, 3, 1, 15, 0, tzinfo=UTC
    )
    with pytest.raises(CampaignError, match=r"the last day, 2026-02-28, is in the past"):
        _launch(session, closes_at=date(2026, 2, 28))
