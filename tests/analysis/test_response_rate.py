"""One response-rate definition for `chorus campaigns` and the packet."""

from __future__ import annotations

import pytest

from analysis.response_rate import response_rate


@pytest.mark.parametrize(
    ("completed", "roster", "rate"),
    [(5, 20, 0.25), (0, 20, 0.0), (3, None, None), (3, 0, None), (3, float("nan"), None)],
)
def test_completed_over_roster(completed: int, roster: float | None, rate: float | None) -> None:
    assert response_rate(completed, roster) == rate
