"""A campaign's first and last day, in the timezone of the organization that runs it.

Staff give days ("open until 5 December"); chorus stores moments in UTC. Read in UTC, the
last day of a New York campaign would end at 7 p.m. local time, and people answering that
evening would be told the campaign has closed. So a day is turned into a moment, and back,
in the organization's own timezone (`organization.timezone`, UTC when none is set).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """An organization's timezone; UTC for none or one this machine does not know (the
    alert messages read their times in it too)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def start_of(day: date, timezone: str | None) -> datetime:
    """Midnight at the start of `day` where the organization is, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone(timezone)).astimezone(UTC)


def closing_moment(last_day: date, timezone: str | None) -> datetime:
    """When a campaign open all of `last_day` closes: the midnight after it, local, in UTC."""
    return start_of(last_day + timedelta(days=1), timezone)


def last_day(closes_at: datetime, timezone: str | None) -> date:
    """The last day people can answer, as the organization reads its calendar."""
    moment = closes_at if closes_at.tzinfo is not None else closes_at.replace(tzinfo=UTC)
    return (moment.astimezone(zone(timezone)) - timedelta(seconds=1)).date()
