"""Reminder delays and quiet hours: parsing, and "the morning" across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from surveys.reach_schedule import (
    QuietHours,
    ScheduleError,
    describe_reminders,
    parse_quiet_hours,
    parse_reminders,
    release_time,
    store_reminders,
    stored_reminders,
)

NIGHT = QuietHours(time(19), time(9))
NEW_YORK = "America/New_York"


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("24h,72h", (86400, 259200)),
        ("1m", (60,)),
        ("30m, 2d", (1800, 172800)),
        ("none", ()),
        ("NONE", ()),
    ],
)
def test_reminder_schedules_are_read_as_seconds(typed: str, seconds: tuple[int, ...]) -> None:
    assert parse_reminders(typed) == seconds
    assert stored_reminders(store_reminders(seconds)) == seconds


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("24", "30m, 24h or 3d"),
        ("0m", "between 1 minute"),
        ("30s", "30m, 24h or 3d"),
        ("400d", "between 1 minute"),
        ("24h,,72h", "cannot read"),
        (",".join(["1h"] * 11), "at most 10"),
    ],
)
def test_bad_schedules_say_what_to_write(typed: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says) as caught:
        parse_reminders(typed)
    assert "\n" not in str(caught.value)


def test_a_schedule_is_described_as_typed() -> None:
    assert describe_reminders((86400, 259200)) == "24h, 72h"
    assert describe_reminders((90,)) == "1m"
    assert describe_reminders(()) == "none"


def test_quiet_hours_are_read_and_none_turns_them_off() -> None:
    assert parse_quiet_hours("19:00-09:00") == NIGHT
    assert parse_quiet_hours("none") is None
    for bad in ("7pm-9am", "25:00-09:00", "19:00-19:00", "19:00"):
        with pytest.raises(ScheduleError):
            parse_quiet_hours(bad)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "released"),
    [
        (at(10, 18, 59), at(10, 18, 59)),  # before the quiet hours
        (at(10, 19), at(11, 9)),  # they start: the next morning
        (at(10, 23, 30), at(11, 9)),  # before midnight: the next morning
        (at(11, 0, 30), at(11, 9)),  # after midnight: this morning
        (at(11, 8, 59), at(11, 9)),
        (at(11, 9), at(11, 9)),  # the morning itself
    ],
)
def test_quiet_hours_across_midnight_wait_for_the_morning(
    due: datetime, released: datetime
) -> None:
    assert release_time(due, timezone="UTC", quiet=NIGHT) == released


def test_a_window_within_one_day() -> None:
    lunch = QuietHours(time(12), time(13))
    assert release_time(at(10, 12, 30), timezone="UTC", quiet=lunch) == at(10, 13)
    assert release_time(at(10, 13, 30), timezone="UTC", quiet=lunch) == at(10, 13, 30)


def test_no_quiet_hours_release_at_once() -> None:
    assert release_time(at(10, 23), timezone=NEW_YORK, quiet=None) == at(10, 23)


def test_the_morning_is_local_time_in_the_organizations_timezone() -> None:
    # 01:00 UTC on March 11 is 21:00 the evening before in New York (EDT, UTC-4).
    assert release_time(at(11, 1), timezone=NEW_YORK, quiet=NIGHT) == at(11, 13)
    # 20:00 UTC is 16:00 in New York: not quiet there, though it is in UTC.
    assert release_time(at(11, 20), timezone=NEW_YORK, quiet=NIGHT) == at(11, 20)


def test_spring_forward_the_morning_comes_an_hour_earlier_in_utc() -> None:
    # Clocks go 02:00 EST -> 03:00 EDT on 2026-03-08. Midnight EST = 05:00 UTC.
    assert release_time(at(8, 5), timezone=NEW_YORK, quiet=NIGHT) == at(8, 13)  # 09:00 EDT
    # The evening before is still EST: 09:00 on the 7th is 14:00 UTC.
    assert release_time(at(7, 5), timezone=NEW_YORK, quiet=NIGHT) == at(7, 14)


def test_fall_back_the_morning_comes_an_hour_later_in_utc() -> None:
    # Clocks go 02:00 EDT -> 01:00 EST on 2026-11-01. Midnight EDT = 04:00 UTC.
    due = at(1, 4, month=11)
    assert release_time(due, timezone=NEW_YORK, quiet=NIGHT) == at(1, 14, month=11)  # 09:00 EST


def test_a_morning_skipped_by_the_clocks_is_the_first_moment_after_the_jump() -> None:
    early = QuietHours(time(22), time(2, 30))  # 02:30 does not exist on 2026-03-08
    released = release_time(at(8, 6), timezone=NEW_YORK, quiet=early)  # 01:00 EST
    assert released == at(8, 7, 30)  # 03:30 EDT
