"""Small, hand-checkable campaigns for the analysis tests.

Tests build their own data with `Seed` so every expected figure can be worked out on
paper from the few answers written in each test. Kept out of conftest.py so tests can
import `SKIP`/`Text` from one module object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlmodel import Session

from surveys.definition import Survey
from surveys.models import Answer, Campaign, Contact, Respondent, SurveyRecord

FIXTURES = Path(__file__).parent.parent / "fixtures" / "analysis"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
"""Every timestamp is given explicitly and time-zone aware, as sqlmodel's UTC type requires."""
SKIP = object()
"""Marks a skipped answer in `Seed.respondent`."""


def load_fixture_survey(name: str) -> Survey:
    return Survey.model_validate(yaml.safe_load((FIXTURES / f"{name}.yaml").read_text()))


@dataclass
class Text:
    """A free-text answer (optionally flagged by safeguarding)."""

    text: str
    flagged: bool = False


@dataclass
class Seed:
    session: Session

    def survey(self, name: str) -> SurveyRecord:
        survey = load_fixture_survey(name)
        record = SurveyRecord(
            survey_id=survey.id,
            version=survey.version,
            version_hash=survey.version_hash,
            title=survey.title["en"],
            definition=survey.canonical_json(),
            created_at=T0,
        )
        self.session.add(record)
        self.session.flush()
        return record

    def campaign(
        self,
        record: SurveyRecord,
        code: str,
        *,
        school: str = "Lincoln",
        grade: str = "9",
        audience: str | None = None,
        opens_at: datetime | None = None,
        roster_size: int | None = None,
        follow_up: dict[str, str] | None = None,
    ) -> Campaign:
        definition = json.loads(record.definition)
        campaign = Campaign(
            code=code,
            survey_pk=record.id,  # type: ignore[arg-type]
            organization="Org",
            school=school,
            grade=grade,
            audience=audience or definition["audience"],
            default_language="en",
            opens_at=opens_at or T0,
            roster_size=roster_size,
            follow_up=json.dumps(follow_up) if follow_up else None,
            created_at=T0,
        )
        self.session.add(campaign)
        self.session.flush()
        return campaign

    def respondent(
        self,
        campaign: Campaign,
        answers: Mapping[str, object],
        *,
        role: str | None = None,
        language: str = "en",
        chat_id: int | None = None,
    ) -> Respondent:
        respondent = Respondent(
            campaign_id=campaign.id,  # type: ignore[arg-type]
            role=role or (campaign.audience if campaign.audience != "any" else None),
            language=language,
            status="completed",
            started_at=T0,
            updated_at=T0,
            completed_at=T0,
        )
        self.session.add(respondent)
        self.session.flush()
        if chat_id is not None:
            self.session.add(
                Contact(respondent_id=respondent.id, chat_id=chat_id, created_at=T0, updated_at=T0)
            )
        for qid, given in answers.items():
            if given is SKIP:
                row = Answer(respondent_id=respondent.id, question_id=qid, skipped=True)
            elif isinstance(given, Text):
                row = Answer(
                    respondent_id=respondent.id,
                    question_id=qid,
                    text=given.text,
                    flagged=given.flagged,
                )
            elif isinstance(given, list):
                row = Answer(respondent_id=respondent.id, question_id=qid, value=json.dumps(given))
            else:
                row = Answer(respondent_id=respondent.id, question_id=qid, value=str(given))
            row.answered_at = T0
            self.session.add(row)
        self.session.flush()
        return respondent

    def many(self, campaign: Campaign, count: int, answers: Mapping[str, object], **kw: object):
        for _ in range(count):
            self.respondent(campaign, answers, **kw)  # type: ignore[arg-type]
