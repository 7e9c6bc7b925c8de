"""Charts for the packet, rendered offline and embedded as data URIs.

The packet must be one file a facilitator can e-mail or print, so every chart is an
SVG inside the HTML (no external assets); SVG stays sharp on paper and in the PDF.
Figures are built with `matplotlib.figure.Figure` and the Agg canvas directly, not
pyplot: no global figure registry to fill up or close, and no display needed.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

STUDENT_COLOR = "#1f6f8b"
CAREGIVER_COLOR = "#c7832f"
TOTAL_COLOR = "#5b5b5b"
POSITIVE_COLOR = "#2e7d32"
NEGATIVE_COLOR = "#c62828"
WIDTH = 6.6
"""Inches: the printable width of a Letter or A4 page with the packet's margins."""


@lru_cache(maxsize=1)
def preload() -> type[Figure]:
    """Import matplotlib (about a second) and set it up; `Figure` is what the charts use.

    Imported on first use, not with this module: the packet forks its theme worker first,
    so the worker starts that much sooner and the import runs alongside it.
    """
    import matplotlib

    matplotlib.use("Agg")
    # Text stays text in the SVG (not glyph outlines): a third of the size, and WeasyPrint
    # lays it out several times faster. The hash salt keeps the SVG ids, and so the packet,
    # reproducible.
    matplotlib.rcParams.update({"font.size": 9, "svg.fonttype": "none", "svg.hashsalt": "chorus"})
    from matplotlib.figure import Figure

    return Figure


def _figure(height: float) -> Figure:
    return preload()(figsize=(WIDTH, height))


def _data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _wrap(label: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _missing(v: float) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _frame(ax: Axes, xlabel: str, limits: tuple[float, float]) -> None:
    ax.invert_yaxis()
    ax.set_xlim(*limits)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    xlabel: str,
    wrap: int = 34,
) -> str:
    """Horizontal bars, one group per category, one bar per series (label, values, color).

    Students and caregivers side by side on mirrored questions; a NaN value (a suppressed
    group) is not drawn.
    """
    count, width = max(len(categories), 1), max(len(series), 1)
    fig = _figure(min(0.7 + 0.32 * count * width, 3.6))
    ax = fig.subplots()
    height = 0.8 / width
    for i, (label, values, color) in enumerate(series):
        ys = [c + i * height for c in range(len(categories))]
        ax.barh(
            ys, [0 if _missing(v) else v for v in values], height=height, label=label, color=color
        )
        for y, v in zip(ys, values, strict=True):
            if not _missing(v):
                ax.text(v + 1, y, f"{v:.0f}", va="center", fontsize=8)
    ax.set_yticks([c + height * (width - 1) / 2 for c in range(len(categories))])
    ax.set_yticklabels([_wrap(c, wrap) for c in categories], fontsize=8)
    _frame(ax, xlabel, (0, 105))
    if len(series) > 1:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(series), frameon=False)
    return _data_uri(fig)


def ranked_bars(
    labels: Sequence[str], values: Sequence[float], *, xlabel: str, color: str = STUDENT_COLOR
) -> str:
    """Items from strongest to weakest, as given."""
    fig = _figure(min(0.6 + 0.36 * max(len(labels), 1), 3.6))
    ax = fig.subplots()
    ax.barh(range(len(labels)), values, color=color)
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.0f}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([_wrap(label, 44) for label in labels], fontsize=8)
    _frame(ax, xlabel, (0, 105))
    return _data_uri(fig)


def diverging_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str,
    colors: tuple[str, str] = (POSITIVE_COLOR, NEGATIVE_COLOR),
) -> str:
    """Signed differences around zero. Changes over time are green/red; a student–caregiver
    gap is neither good nor bad, so it is drawn in the two roles' colors instead."""
    fig = _figure(min(0.6 + 0.38 * max(len(labels), 1), 3.6))
    ax = fig.subplots()
    ax.barh(range(len(labels)), values, color=[colors[0] if v >= 0 else colors[1] for v in values])
    ax.axvline(0, color="#333333", linewidth=0.8)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:+.0f} ", va="center", ha="left" if v >= 0 else "right", fontsize=8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([_wrap(label, 44) for label in labels], fontsize=8)
    limit = max([abs(v) for v in values] + [10]) * 1.3
    _frame(ax, xlabel, (-limit, limit))
    return _data_uri(fig)
