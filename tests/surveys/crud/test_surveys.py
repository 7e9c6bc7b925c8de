from __future__ import annotations

from sqlmodel import Session, select

from surveys.crud.surveys import (
    add_builtin_surveys,
    add_survey,
    latest_survey_record,
    list_survey_records,
    survey_from_record,
)
from surveys.definition import Survey
from surveys.models import SurveyRecord
from tests.factories import make_survey


def test_add_survey_stores_the_definition(session: Session) -> None:
    survey = make_survey()
    record = add_survey(session, survey=survey)
    assert (record.survey_id, record.version, record.title) == ("test-survey", "1", "Test survey")
    assert record.version_hash == survey.version_hash
    assert len(record.version_hash) == 16


def test_add_survey_is_idempotent_per_version_hash(session: Session) -> None:
    first = add_survey(session, survey=make_survey())
    again = add_survey(session, survey=make_survey())
    assert again.id == first.id
    assert len(session.exec(select(SurveyRecord)).all()) == 1


def test_changed_content_is_a_new_version_and_becomes_latest(session: Session) -> None:
    old = add_survey(session, survey=make_survey())
    new = add_survey(session, survey=make_survey(version="2"))
    assert new.id != old.id
    assert new.version_hash != old.version_hash
    latest = latest_survey_record(session, survey_id="test-survey")
    assert latest is not None and latest.id == new.id


def test_latest_of_an_unknown_survey_is_none(session: Session) -> None:
    add_survey(session, survey=make_survey())
    assert latest_survey_record(session, survey_id="nope") is None


def test_survey_from_record_round_trips_with_the_same_hash(session: Session) -> None:
    survey = make_survey()
    record = add_survey(session, survey=survey)
    restored = survey_from_record(record)
    assert restored == survey
    assert restored.version_hash == record.version_hash
    assert restored.question("h1").option("mentoring") is not None


def test_list_groups_by_survey_id(session: Session) -> None:
    add_survey(session, survey=make_survey(id="zeta"))
    add_survey(session, survey=make_survey(id="alpha"))
    add_survey(session, survey=make_survey(id="alpha", version="2"))
    listed = [(r.survey_id, r.version) for r in list_survey_records(session)]
    assert listed == [("alpha", "1"), ("alpha", "2"), ("zeta", "1")]


def test_builtin_surveys_are_stored_once(session: Session, builtin: dict[str, Survey]) -> None:
    assert {"student-belonging", "caregiver-belonging", "student-aspirations"} <= set(builtin)
    first = add_builtin_surveys(session)
    again = add_builtin_surveys(session)
    assert [r.id for r in again] == [r.id for r in first]
    stored = {r.survey_id: r.version_hash for r in list_survey_records(session)}
    assert stored == {survey_id: s.version_hash for survey_id, s in builtin.items()}
