"""Organizations (surveys/crud/organizations.py)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from surveys.crud.organizations import (
    OrganizationError,
    campaign_organization,
    check_timezone,
    create_organization,
    list_organizations,
    organization_for_campaign,
    require_organization,
)
from tests.factories import make_campaign


def test_create_and_find(session: Session) -> None:
    created = create_organization(session, name="  Bridges Tutoring ", timezone="Europe/Madrid",
                                  language="es", min_group_size=5)  # fmt: skip
    assert created.name == "Bridges Tutoring"
    assert (created.timezone, created.default_language, created.min_group_size) == (
        "Europe/Madrid", "es", 5)  # fmt: skip
    assert require_organization(session, name="Bridges Tutoring").id == created.id
    assert [o.name for o in list_organizations(session)] == ["Bridges Tutoring"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "empty"),
        ({"name": "x" * 201}, "limit"),
        ({"name": "A", "timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"name": "A", "language": "fr"}, "unknown language"),
        ({"name": "A", "min_group_size": 1}, "between 3 and 100"),
        ({"name": "A", "escalation_minutes": 0}, "between 1 and 1440"),
    ],
)
def test_bad_input_is_one_clear_line(
    session: Session, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(OrganizationError, match=message):
        create_organization(session, **kwargs)  # type: ignore[arg-type]


def test_names_are_unique(session: Session) -> None:
    create_organization(session, name="Bridges Tutoring")
    with pytest.raises(OrganizationError, match="already exists"):
        create_organization(session, name="Bridges Tutoring")


def test_unknown_organization_says_how_to_create_one(session: Session) -> None:
    with pytest.raises(OrganizationError, match="chorus org create"):
        require_organization(session, name="Nobody")


def test_timezones() -> None:
    assert check_timezone(" utc ") == "UTC"
    assert check_timezone("America/Chicago") == "America/Chicago"


def test_a_campaign_belongs_to_its_organization(session: Session) -> None:
    campaign = make_campaign(session, organization="Bridges Tutoring")
    owner = campaign_organization(session, campaign=campaign)
    assert owner is not None and owner.name == "Bridges Tutoring"
    again = organization_for_campaign(session, name="Bridges Tutoring", language="en")
    assert again.id == owner.id
