"""Charts are PNG data URIs (so the packet needs no other file) and tolerate hidden values."""

from __future__ import annotations

import base64

from analysis.charts import diverging_bars, grouped_bars, ranked_bars

PNG = b"\x89PNG\r\n\x1a\n"


def _png(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :])


def test_every_chart_is_an_embedded_png() -> None:
    grouped = grouped_bars(
        ["Belonging", "Safety"],
        [("Students", [70.0, float("nan")], "#111111"), ("Caregivers", [60.0, 50.0], "#222222")],
        xlabel="% favorable",
    )
    assert _png(grouped).startswith(PNG)
    assert _png(ranked_bars(["a", "b"], [90.0, 10.0], xlabel="%")).startswith(PNG)
    assert _png(diverging_bars(["a", "b"], [-40.0, 12.0], xlabel="gap")).startswith(PNG)
