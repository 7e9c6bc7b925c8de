"""A campaign's days are read in its organization's timezone, not in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveys.campaign_days import closing_moment, last_day, start_of


@pytest.mark.parametrize(
    ("timezone", "closes"),
    [
        ("America/New_York", datetime(2026, 12, 6, 5, 0, tzinfo=UTC)),  # EST, UTC-5
        ("America/Los_Angeles", datetime(2026, 12, 6, 8, 0, tzinfo=UTC)),
        ("Asia/Tokyo", datetime(2026, 12, 5, 15, 0, tzinfo=UTC)),  # UTC+9: earlier in UTC
        ("UTC", datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),
        (None, datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),
        ("Not/A_Zone", datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),  # unknown: UTC
    ],
)
def test_a_campaign_closes_at_the_midnight_after_its_last_day_where_it_runs(
    timezone: str | None, closes: datetime
) -> None:
    assert closing_moment(date(2026, 12, 5), timezone) == closes
    assert last_day(closes, timezone) == date(2026, 12, 5)


def test_summer_time_moves_the_moment_not_the_day() -> None:
    assert closing_moment(date(2026, 7, 4), "America/New_York") == datetime(
        2026, 7, 5, 4, 0, tzinfo=UTC
    )  # EDT, UTC-4
    # The day the clocks go back in New York (1 November 2026) is 25 hours long.
    opens, closes = (
        start_of(date(2026, 11, 1), "America/New_York"),
        closing_moment(date(2026, 11, 1), "America/New_York"),
    )
    assert (closes - opens).total_seconds() == 25 * 3600


def test_a_stored_moment_without_a_timezone_is_read_as_utc() -> None:
    assert last_day(datetime(2026, 12, 6, 5, 0), "America/New_York") == date(2026, 12, 5)
