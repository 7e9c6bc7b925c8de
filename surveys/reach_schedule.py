"""When chorus may write first: reminder delays and an organization's quiet hours.

Pure functions over aware datetimes, so the rules are tested with any clock:
a delay list as typed on the command line (`24h,72h`, `none`), stored as seconds,
and a quiet-hours window in the organization's own timezone. A window may span
midnight (19:00-09:00); a reminder due inside it waits for the window's end, "the
morning", computed in local time so a daylight-saving change moves it correctly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from surveys.errors import ChorusError

DEFAULT_REMINDERS = "24h,72h"
DEFAULT_QUIET_HOURS = "19:00-09:00"
NONE = "none"
MIN_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(days=365)
MAX_REMINDERS = 10
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_DELAY = re.compile(r"^(\d{1,6})\s*([mhd])$")
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class ScheduleError(ChorusError, ValueError):
    """A reminder schedule or quiet-hours window that cannot be read; one line says why."""


def parse_reminders(text: str) -> tuple[int, ...]:
    """`24h,72h` -> (86400, 259200) seconds; `none` -> (). Units m, h, d; at least 1 minute."""
    cleaned = text.strip().lower()
    if cleaned in (NONE, ""):
        return ()
    delays = []
    for piece in cleaned.split(","):
        match = _DELAY.match(piece.strip())
        if match is None:
            raise ScheduleError(
                f"cannot read the reminder delay {piece.strip()!r}; write durations such as "
                "30m, 24h or 3d separated by commas, or none"
            )
        seconds = int(match[1]) * _UNITS[match[2]]
        if not MIN_DELAY.total_seconds() <= seconds <= MAX_DELAY.total_seconds():
            raise ScheduleError(
                f"the reminder delay {piece.strip()!r} must be between 1 minute and 365 days"
            )
        delays.append(seconds)
    if len(delays) > MAX_REMINDERS:
        raise ScheduleError(f"at most {MAX_REMINDERS} reminders, not {len(delays)}")
    return tuple(delays)


def store_reminders(delays: tuple[int, ...]) -> str:
    """The `campaign.reminders` column: seconds, comma-separated ("" for none)."""
    return ",".join(str(d) for d in delays)


def stored_reminders(column: str) -> tuple[int, ...]:
    return tuple(int(piece) for piece in column.split(",") if piece.strip())


def describe_reminders(delays: tuple[int, ...]) -> str:
    """(86400, 259200) -> "24h, 72h": how `chorus campaigns` shows a schedule."""
    if not delays:
        return NONE
    parts = []
    for seconds in delays:
        if seconds % 3600 == 0:
            parts.append(f"{seconds // 3600}h")
        else:
            parts.append(f"{seconds // 60}m")
    return ", ".join(parts)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # spans midnight


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`19:00-09:00` -> a window; `none` (or "") -> None. One-line error otherwise."""
    cleaned = text.strip().lower()
    if cleaned in (NONE, ""):
        return None
    match = _WINDOW.match(cleaned)
    problem = f"cannot read the quiet hours {text.strip()!r}; write them as HH:MM-HH:MM, e.g. "
    problem += f"{DEFAULT_QUIET_HOURS}, or none"
    if match is None:
        raise ScheduleError(problem)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ScheduleError(problem)
    window = QuietHours(time(h1, m1), time(h2, m2))
    if window.start == window.end:
        raise ScheduleError(f"the quiet hours {text.strip()!r} start and end at the same time")
    return window


def store_quiet_hours(window: QuietHours | None) -> str:
    return "" if window is None else str(window)


def release_time(due: datetime, *, timezone: str, quiet: QuietHours | None) -> datetime:
    """When a message due at `due` may go: `due` itself, or the end of the quiet hours it
    falls in (the next local `end` time; on a day whose clocks jump over it, the first
    moment after the jump)."""
    if quiet is None:
        return due
    zone = ZoneInfo(timezone)
    local = due.astimezone(zone)
    if not quiet.contains(local.time()):
        return due
    day = local.date() if local.time() < quiet.end else local.date() + timedelta(days=1)
    morning = datetime.combine(day, quiet.end, tzinfo=zone)
    # A wall time skipped by a spring-forward jump does not exist: zoneinfo reads it with
    # the offset before the jump, which lands after the jump once converted to UTC.
    return max(morning.astimezone(UTC), due.astimezone(UTC))
