"""Small factories for tests that need stored campaigns, respondents and answers.

They write through the models (and `create_campaign`, so campaigns are valid),
flush but never commit, and give every timestamp explicitly as an aware UTC
datetime, as sqlmodel's `UTCDateTime` columns require. Typical use::

    campaign = make_campaign(session, survey_id="student-belonging", roster_size=40)
    alice = make_respondent(session, campaign=campaign, chat_id=1001)
    add_answers(session, respondent=alice, answers={"b1": "4", "t1": {"text": "More clubs"}})
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from surveys.crud.campaigns import create_campaign
from surveys.crud.organizations import create_organization, get_organization
from surveys.crud.surveys import add_survey, latest_survey_record
from surveys.definition import Survey
from surveys.models import (
    Answer,
    Campaign,
    Contact,
    Respondent,
    RespondentStatus,
    StaffMember,
    SurveyRecord,
)
from surveys.roles import format_roles, parse_roles

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
"""When factory respondents start, unless told otherwise: fixed, so tests can compute times."""

_AGREE = {
    "en": ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"),
    "es": ("Muy en desacuerdo", "En desacuerdo", "Ni uno ni otro", "De acuerdo", "Muy de acuerdo"),
}


def _both(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


def make_survey(**overrides: Any) -> Survey:
    """A small bilingual survey with one question of each type; override any `Survey` field.

    Questions: `b1` likert (agree scale, not-sure allowed), `b2` likert reverse-coded,
    `g1` single choice (`yes_often`/`sometimes`/`rarely`), `h1` multi choice with other,
    `n1` number 0-40, `y1` yes/no, `t1` free text.
    """
    fields: dict[str, Any] = {
        "id": "test-survey",
        "version": "1",
        "title": _both("Test survey", "Encuesta de prueba"),
        "audience": "any",
        "languages": ("en", "es"),
        "intro": _both("Hello", "Hola"),
        "consent": _both("Do you agree?", "¿Está de acuerdo?"),
        "thanks": _both("Thank you", "Gracias"),
        "scales": {"agree": _AGREE},
        "questions": (
            {"id": "b1", "type": "likert", "domain": "belonging", "scale": "agree",
             "not_sure": True, "text": _both("I feel welcome.", "Me siento bienvenido.")},
            {"id": "b2", "type": "likert", "domain": "belonging", "scale": "agree",
             "reverse": True, "text": _both("I feel left out.", "Me siento excluido.")},
            {"id": "g1", "type": "single_choice", "domain": "consistency",
             "text": _both("Is homework checked?", "¿Revisan la tarea?"),
             "favorable": ("yes_often",),
             "options": (
                 {"id": "yes_often", "label": _both("Often", "A menudo")},
                 {"id": "sometimes", "label": _both("Sometimes", "A veces")},
                 {"id": "rarely", "label": _both("Rarely", "Casi nunca")},
             )},
            {"id": "h1", "type": "multi_choice", "domain": "aspirations", "other": True,
             "text": _both("What would help?", "¿Qué ayudaría?"),
             "options": (
                 {"id": "tutoring", "label": _both("Tutoring", "Tutoría")},
                 {"id": "mentoring", "label": _both("Mentoring", "Mentoría")},
             )},
            {"id": "n1", "type": "number", "domain": "context", "min": 0, "max": 40,
             "text": _both("Hours of homework a week?", "¿Horas de tarea por semana?")},
            {"id": "y1", "type": "yes_no", "domain": "coherence",
             "text": _both("Do you know the school's goals?", "¿Conoce las metas?")},
            {"id": "t1", "type": "text", "domain": "open",
             "text": _both("Anything else?", "¿Algo más?")},
        ),
    }  # fmt: skip
    fields.update(overrides)
    return Survey.model_validate(fields)


def _survey_record(session: Session, survey_id: str, survey: Survey | None) -> SurveyRecord:
    if survey is not None:
        return add_survey(session, survey=survey)
    record = latest_survey_record(session, survey_id=survey_id)
    if record is not None:
        return record
    if survey_id == "test-survey":
        return add_survey(session, survey=make_survey())
    from surveys.loader import builtin_surveys

    for candidate in builtin_surveys():
        if candidate.id == survey_id:
            return add_survey(session, survey=candidate)
    raise LookupError(f"no stored or built-in survey {survey_id!r}; pass survey=make_survey(...)")


_CREATE_ARGS = frozenset(
    {"organization", "school", "grade", "audience", "default_language", "closes_at",
     "opens_at", "roster_size", "follow_up", "now"}
)  # fmt: skip


def make_campaign(
    session: Session,
    *,
    survey_id: str = "test-survey",
    survey: Survey | None = None,
    **overrides: Any,
) -> Campaign:
    """A valid open campaign of `survey` (stored here) or of the stored/built-in `survey_id`.

    Overrides naming `create_campaign` arguments are validated like a real launch;
    any other `Campaign` field (`status`, `declined_count`, `code`) is set on the row
    afterwards, for states a launch can't produce. For a campaign whose closing date
    has passed, pass an earlier `now` (and `opens_at`) instead of a past `closes_at`.
    """
    record = _survey_record(session, survey_id, survey)
    stored = survey or Survey.model_validate_json(record.definition)
    now = overrides.get("now", datetime.now(UTC))
    arguments: dict[str, Any] = {
        "organization": "Bridges Tutoring",
        "school": "Lincoln Middle School",
        "grade": "7",
        "audience": stored.audience,
        "default_language": stored.languages[0],
        "closes_at": now + timedelta(days=30),
    }
    arguments.update({k: v for k, v in overrides.items() if k in _CREATE_ARGS})
    campaign = create_campaign(session, survey_record=record, **arguments)
    after = {k: v for k, v in overrides.items() if k not in _CREATE_ARGS}
    for name, value in after.items():
        if name not in Campaign.model_fields:
            raise TypeError(f"Campaign has no field {name!r}")
        setattr(campaign, name, value)
    session.add(campaign)
    session.flush()
    return campaign


def make_respondent(
    session: Session,
    *,
    campaign: Campaign,
    role: str | None = None,
    language: str = "en",
    status: RespondentStatus | str = RespondentStatus.COMPLETED,
    chat_id: int | None = None,
    started_at: datetime = T0,
    **overrides: Any,
) -> Respondent:
    """A respondent of `campaign`, completed by default; `chat_id` also stores a `Contact`.

    `role` defaults to the campaign's audience (`student` for an `any` campaign).
    A completed respondent finishes ten minutes after `started_at`.
    """
    if role is None:
        role = campaign.audience if campaign.audience != "any" else "student"
    completed = status == RespondentStatus.COMPLETED
    fields: dict[str, Any] = {
        "campaign_id": campaign.id,
        "role": role,
        "language": language,
        "status": str(status),
        "started_at": started_at,
        "updated_at": started_at + timedelta(minutes=10),
        "completed_at": started_at + timedelta(minutes=10) if completed else None,
    }
    fields.update(overrides)
    respondent = Respondent(**fields)
    session.add(respondent)
    session.flush()
    if chat_id is not None:
        session.add(
            Contact(
                respondent_id=respondent.id,
                chat_id=chat_id,
                created_at=started_at,
                updated_at=started_at,
            )
        )
        session.flush()
    return respondent


AnswerSpec = str | Sequence[str] | Mapping[str, Any] | None
"""How `add_answers` reads each value:

- `"4"`, `"yes"`, `"tutoring"`, `"12"`: the stored `value` as is;
- `["tutoring", "other"]`: a multi-choice answer, stored as a JSON list;
- `None`: a skipped question;
- a mapping of `Answer` fields for anything else, e.g. `{"text": "More clubs"}`,
  `{"text": "...", "flagged": True}`, `{"value": '["other"]', "text": "Chess"}`.
"""


def add_answers(
    session: Session,
    *,
    respondent: Respondent,
    answers: Mapping[str, AnswerSpec],
    answered_at: datetime | None = None,
) -> list[Answer]:
    """Store `answers` (question id -> spec, see `AnswerSpec`), one minute apart, in order."""
    start = answered_at or respondent.started_at
    rows: list[Answer] = []
    for index, (question_id, spec) in enumerate(answers.items()):
        fields: dict[str, Any] = {
            "respondent_id": respondent.id,
            "question_id": question_id,
            "answered_at": start + timedelta(minutes=index + 1),
        }
        if spec is None:
            fields["skipped"] = True
        elif isinstance(spec, str):
            fields["value"] = spec
        elif isinstance(spec, Mapping):
            fields.update(spec)
        else:
            fields["value"] = json.dumps(list(spec))
        rows.append(Answer(**fields))
    session.add_all(rows)
    session.flush()
    return rows


def make_staff(
    session: Session,
    *,
    organization: str,
    roles: str,
    chat_id: int,
    display_name: str = "Staff",
    language: str = "en",
) -> StaffMember:
    """A staff member of `organization` (created if new) with `roles`, as if invited."""
    org = get_organization(session, name=organization) or create_organization(
        session, name=organization
    )
    assert org.id is not None
    member = StaffMember(
        organization_id=org.id,
        chat_id=chat_id,
        roles=format_roles(parse_roles(roles)),
        display_name=display_name,
        language=language,
    )
    session.add(member)
    session.flush()
    return member
