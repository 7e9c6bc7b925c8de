"""Stored survey versions.

A campaign pins the exact survey JSON it was launched with, so editing a YAML
file later never changes what an open campaign asks or how its answers are read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlmodel import Session, col, select

from surveys.crud.columns import column_limit, text_problem
from surveys.definition import Survey
from surveys.loader import SurveyDefinitionError, builtin_surveys
from surveys.models import SurveyRecord


def find_survey_record(
    session: Session, *, survey_id: str, version_hash: str
) -> SurveyRecord | None:
    """The record holding exactly this content, if it was stored before."""
    return session.exec(
        select(SurveyRecord).where(
            SurveyRecord.survey_id == survey_id,
            SurveyRecord.version_hash == version_hash,
        )
    ).first()


def add_survey(session: Session, *, survey: Survey) -> SurveyRecord:
    """Store `survey`, or return the record already holding this exact content."""
    existing = find_survey_record(session, survey_id=survey.id, version_hash=survey.version_hash)
    if existing is not None:
        return existing
    record = SurveyRecord(
        survey_id=survey.id,
        version=survey.version,
        version_hash=survey.version_hash,
        title=survey.title.get("en") or next(iter(survey.title.values()), survey.id),
        definition=survey.model_dump_json(),
        created_at=datetime.now(UTC),
    )
    _check_columns(record)
    session.add(record)
    session.flush()
    return record


def _check_columns(record: SurveyRecord) -> None:
    """A survey validated by the loader always fits; one built in code must fit too."""
    for name in ("survey_id", "version", "title"):
        value = str(getattr(record, name))
        problem = text_problem(value, what=name, limit=column_limit(SurveyRecord, name))
        if problem is not None:
            raise SurveyDefinitionError(record.survey_id[:40], f"cannot be stored: {problem}")


def add_builtin_surveys(session: Session) -> list[SurveyRecord]:
    """Store the surveys shipped with chorus; cheap to repeat, since storing is idempotent."""
    return [add_survey(session, survey=survey) for survey in builtin_surveys()]


def list_survey_records(session: Session) -> list[SurveyRecord]:
    """Every stored version, grouped by survey id, oldest version first."""
    return list(
        session.exec(
            select(SurveyRecord).order_by(
                col(SurveyRecord.survey_id), col(SurveyRecord.created_at), col(SurveyRecord.id)
            )
        ).all()
    )


def latest_survey_record(session: Session, *, survey_id: str) -> SurveyRecord | None:
    """The version of `survey_id` stored last: what a new campaign of that survey asks."""
    return session.exec(
        select(SurveyRecord)
        .where(SurveyRecord.survey_id == survey_id)
        .order_by(col(SurveyRecord.created_at).desc(), col(SurveyRecord.id).desc())
        .limit(1)
    ).first()


def survey_from_record(record: SurveyRecord) -> Survey:
    """The `Survey` stored in `record`, parsed once per process and then shared."""
    return _parse_definition(record.definition)


@lru_cache(maxsize=64)
def _parse_definition(definition: str) -> Survey:
    # Surveys are frozen, so every caller can share one parsed object; the bot reads
    # the campaign's survey on every update.
    return Survey.model_validate_json(definition)
