"""Lengths and ranges are refused before the database sees them, the same on every backend.

Before, PostgreSQL raised `StringDataRightTruncation` for a 201-character school
and SQLite silently stored a 10,000-character one; both now get one `CampaignError`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from surveys.crud.campaigns import CampaignError, create_campaign
from surveys.crud.columns import column_limit, text_problem
from surveys.crud.surveys import add_survey
from surveys.loader import SurveyDefinitionError
from surveys.models import Campaign, SurveyRecord
from tests.factories import make_survey

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _create(session: Session, **overrides: Any) -> Campaign:
    record = add_survey(session, survey=make_survey())
    arguments: dict[str, Any] = {
        "organization": "Bridges Tutoring",
        "school": "Lincoln Middle School",
        "grade": "7",
        "audience": "student",
        "default_language": "en",
        "closes_at": NOW + timedelta(days=14),
        "now": NOW,
    }
    arguments.update(overrides)
    return create_campaign(session, survey_record=record, **arguments)


def test_the_limits_come_from_the_tables() -> None:
    assert column_limit(Campaign, "organization") == 200
    assert column_limit(Campaign, "grade") == 60
    assert column_limit(Campaign, "follow_up") is None
    assert column_limit(SurveyRecord, "title") == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"organization": "o" * 201}, "the organization is 201 characters long; the limit is 200"),
        ({"organization": "o" * 10_000}, "10,000 characters long; the limit is 200"),
        ({"school": "s" * 201}, "the school is 201 characters long; the limit is 200"),
        ({"grade": "g" * 61}, "the grade is 61 characters long; the limit is 60"),
        ({"school": "Lin\x00coln"}, "control character '\\x00'"),
        ({"grade": "7\r"}, "the grade is 7"),  # stripped, so accepted: see below
        ({"roster_size": 10**30}, "at most 1,000,000"),
        ({"closes_at": datetime(2099, 1, 1, tzinfo=UTC)}, "more than five years away"),
        ({"opens_at": datetime(1970, 1, 1, tzinfo=UTC)}, "before 2000"),
        ({"follow_up": {"en": "x" * 1001}}, "1,001 characters long; the limit is 1,000"),
        ({"follow_up": {"en": "a\x00b"}}, "control character"),
    ],
)
def test_bad_values_are_refused_before_the_database(
    session: Session, overrides: dict[str, Any], message: str
) -> None:
    if message.startswith("the grade is 7"):
        assert _create(session, **overrides).grade == "7"
        return
    with pytest.raises(CampaignError, match=re.escape(message)):
        _create(session, **overrides)
    assert session.exec(select(Campaign)).all() == []


def test_values_at_the_limit_are_stored(session: Session) -> None:
    campaign = _create(session, organization="o" * 200, school="s" * 200, grade="g" * 60)
    session.commit()
    stored = session.exec(select(Campaign)).one()
    assert (len(stored.organization), len(stored.school), len(stored.grade)) == (200, 200, 60)
    assert stored.code == campaign.code


def test_a_survey_that_does_not_fit_its_columns_is_refused(session: Session) -> None:
    survey = make_survey().model_copy(update={"title": {"en": "t" * 201, "es": "t"}})
    with pytest.raises(SurveyDefinitionError, match="the title is 201 characters long"):
        add_survey(session, survey=survey)


def test_text_problem_allows_line_breaks_only_when_asked() -> None:
    assert text_problem("a\nb", what="x", limit=None, single_line=False) is None
    assert "control character" in (text_problem("a\nb", what="x", limit=None) or "")
