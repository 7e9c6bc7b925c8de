"""Organizations: the CBOs that own campaigns, staff and alerts.

A campaign launched with `--org NAME` for a name not seen before creates the
organization on the spot (UTC, the campaign's language), so `chorus launch`
keeps working as it did before organizations existed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session, col, select

from surveys.crud.columns import column_limit, text_problem
from surveys.errors import ChorusError
from surveys.i18n import languages
from surveys.models import Campaign, Organization
from surveys.reach_schedule import (
    DEFAULT_QUIET_HOURS,
    ScheduleError,
    parse_quiet_hours,
    store_quiet_hours,
)

MIN_GROUP_SIZE_RANGE = (3, 100)
"""Below 3 a group is a person; above 100 nothing in a school would ever show."""
ESCALATION_RANGE = (1, 24 * 60)
RETENTION_RANGE = (1, 10 * 366)
"""At least a day (reminders and results need the chat ids); at most ten years."""


class OrganizationError(ChorusError, ValueError):
    """An organization cannot be created or found as asked."""


def check_timezone(name: str) -> str:
    """The IANA name, or a one-line error naming an example."""
    cleaned = name.strip()
    if cleaned.upper() == "UTC":
        return "UTC"
    try:
        if cleaned in available_timezones():
            ZoneInfo(cleaned)
            return cleaned
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise OrganizationError(
        f"unknown timezone {name!r}; give an IANA name such as America/Chicago or Europe/Madrid"
    )


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise OrganizationError("the organization name is empty; give it as on the flyer")
    problem = text_problem(
        cleaned, what="organization name", limit=column_limit(Organization, "name")
    )
    if problem is not None:
        raise OrganizationError(f"{problem}; give the organization's name as on the flyer")
    return cleaned


def _check_range(value: int, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise OrganizationError(f"{what} must be between {low} and {high}, not {value}")
    return value


def create_organization(
    session: Session,
    *,
    name: str,
    timezone: str = "UTC",
    language: str = "en",
    min_group_size: int = 10,
    escalation_minutes: int = 30,
    quiet_hours: str = DEFAULT_QUIET_HOURS,
    retention_days: int = 90,
) -> Organization:
    """`quiet_hours` as typed ("19:00-09:00", or "none"); `retention_days` after a
    campaign closes before the chat ids behind its answers are purged."""
    cleaned = _check_name(name)
    try:
        quiet = store_quiet_hours(parse_quiet_hours(quiet_hours))
    except ScheduleError as exc:
        raise OrganizationError(str(exc)) from None
    if get_organization(session, name=cleaned) is not None:
        raise OrganizationError(f"an organization named {cleaned!r} already exists")
    if language not in languages():
        raise OrganizationError(
            f"unknown language {language!r}; use one of: {', '.join(languages())}"
        )
    organization = Organization(
        name=cleaned,
        timezone=check_timezone(timezone),
        default_language=language,
        min_group_size=_check_range(min_group_size, MIN_GROUP_SIZE_RANGE, "the minimum group size"),
        escalation_minutes=_check_range(
            escalation_minutes, ESCALATION_RANGE, "the escalation time in minutes"
        ),
        quiet_hours=quiet,
        retention_days=_check_range(retention_days, RETENTION_RANGE, "the retention in days"),
    )
    session.add(organization)
    session.flush()
    return organization


def get_organization(session: Session, *, name: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.name == name.strip())).first()


def require_organization(session: Session, *, name: str) -> Organization:
    """The organization by name, or a one-line error saying how to create it."""
    organization = get_organization(session, name=name)
    if organization is None:
        raise OrganizationError(
            f"no organization is named {name.strip()!r}; "
            "`chorus org list` shows them and `chorus org create` adds one"
        )
    return organization


def organization_for_campaign(session: Session, *, name: str, language: str) -> Organization:
    """The organization a campaign launched under `name` belongs to, created if new."""
    existing = get_organization(session, name=name)
    if existing is not None:
        return existing
    return create_organization(session, name=name, language=language)


def campaign_timezone(session: Session, *, campaign: Campaign) -> str:
    """The timezone a campaign's days are read in: its organization's, or UTC."""
    organization = campaign_organization(session, campaign=campaign)
    return organization.timezone if organization is not None else "UTC"


def list_organizations(session: Session) -> list[Organization]:
    return list(session.exec(select(Organization).order_by(col(Organization.name))).all())


def campaign_organization(session: Session, *, campaign: Campaign) -> Organization | None:
    if campaign.organization_id is None:
        return None
    return session.get(Organization, campaign.organization_id)


def check_campaigns_of(session: Session, *, organization: str, codes: list[str]) -> Organization:
    """The named organization, after checking every campaign code belongs to it.

    `--org` on a command that takes codes: a code of another organization is refused
    (it would be someone else's data), with a line naming the fix.
    """
    found = require_organization(session, name=organization)
    owned = set(
        session.exec(
            select(Campaign.code).where(
                Campaign.organization_id == found.id, col(Campaign.code).in_(codes)
            )
        ).all()
    )
    for code in codes:
        if code not in owned:
            raise OrganizationError(
                f"campaign {code!r} is not one of {found.name}'s; "
                f"`chorus campaigns --org {found.name!r}` lists theirs"
            )
    return found
