"""Charts are SVG data URIs (so the packet needs no other file) and tolerate hidden values."""

from __future__ import annotations

import base64

from analysis.charts import diverging_bars, grouped_bars, ranked_bars


def _svg(uri: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :])


def test_every_chart_is_an_embedded_svg() -> None:
    grouped = grouped_bars(
        ["Belonging", "Safety"],
        [("Students", [70.0, float("nan")], "#111111"), ("Caregivers", [60.0, 50.0], "#222222")],
        xlabel="% favorable",
    )
    assert b"<svg" in _svg(grouped)
    assert b"<svg" in _svg(ranked_bars(["a", "b"], [90.0, 10.0], xlabel="%"))
    assert b"<svg" in _svg(diverging_bars(["a", "b"], [-40.0, 12.0], xlabel="gap"))


def test_the_same_chart_is_the_same_bytes() -> None:
    # A packet rebuilt from the same data must not differ (no dates, stable ids).
    first = ranked_bars(["a", "b"], [90.0, 10.0], xlabel="%")
    assert first == ranked_bars(["a", "b"], [90.0, 10.0], xlabel="%")
