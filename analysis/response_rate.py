"""The one response-rate definition, shared by `chorus campaigns` and the packet.

Response rate = people who *completed* the survey / the roster (how many could answer).
Completed rather than started: a person who opened the bot and stopped after one question
has not given the survey's answer, and counting them would make a campaign that loses
people half-way look as good as one that does not. The packet shows the number who
started next to it, so nothing is hidden by the choice. See docs/analysis.md.
"""

from __future__ import annotations

import math


def response_rate(completed: int, roster_size: int | float | None) -> float | None:
    """Completed over roster as a fraction (0.42), or None when the roster is unknown or 0."""
    if roster_size is None or (isinstance(roster_size, float) and math.isnan(roster_size)):
        return None
    if roster_size <= 0:
        return None
    return completed / roster_size
