"""Charts for the packet, rendered offline and embedded as data URIs.

The packet must be one file a facilitator can e-mail or print, so every chart is
a PNG inside the HTML (no external assets). The Agg backend needs no display.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

STUDENT_COLOR = "#1f6f8b"
CAREGIVER_COLOR = "#e0a458"
TOTAL_COLOR = "#5b5b5b"
POSITIVE_COLOR = "#2e7d32"
NEGATIVE_COLOR = "#c62828"
DPI = 110


def _data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _wrap(label: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    xlabel: str,
) -> str:
    """Horizontal bars, one group per category, one bar per series (label, values, color).

    Used for domains by role: NaN values (a suppressed group) are simply not drawn.
    """
    count = max(len(categories), 1)
    fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.55 * count * max(len(series), 1) / 1.5))
    height = 0.8 / max(len(series), 1)
    for i, (label, values, color) in enumerate(series):
        ys = [c + i * height for c in range(len(categories))]
        ax.barh(ys, [0 if v != v else v for v in values], height=height, label=label, color=color)
        for y, v in zip(ys, values, strict=True):
            if v == v:
                ax.text(v + 1, y, f"{v:.0f}", va="center", fontsize=8)
    ax.set_yticks([c + height * (len(series) - 1) / 2 for c in range(len(categories))])
    ax.set_yticklabels([_wrap(c, 24) for c in categories])
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=len(series), frameon=False)
    return _data_uri(fig)


def ranked_bars(labels: Sequence[str], values: Sequence[float], *, xlabel: str) -> str:
    """Items from strongest to weakest, as given."""
    count = max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 + 0.42 * count))
    ax.barh(range(len(labels)), values, color=STUDENT_COLOR)
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.0f}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([_wrap(label, 44) for label in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
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
    count = max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 + 0.45 * count))
    colors = [colors[0] if v >= 0 else colors[1] for v in values]
    ax.barh(range(len(labels)), values, color=colors)
    ax.axvline(0, color="#333333", linewidth=0.8)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:+.0f} ", va="center", ha="left" if v >= 0 else "right", fontsize=8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([_wrap(label, 44) for label in labels], fontsize=8)
    ax.invert_yaxis()
    limit = max([abs(v) for v in values] + [10]) * 1.3
    ax.set_xlim(-limit, limit)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)
