"""What a theme summary hands the packet: its columns and their types, and the mark a quote
carries where de-identification took something out.

Apart from `analysis.themes` so the packet process can lay out the summary without importing
the text engine (TextBlob and its parser), which only the theme worker needs.
"""

from __future__ import annotations

import pandas as pd

REMOVED = "[removed]"
"""What a quote shows in place of a name, a number or an address it had."""

COLUMNS = [
    "theme_id",
    "theme",
    "kind",
    "respondents",
    "share",
    "sentiment",
    "sentiment_n",
    "not_scored",
    "quotes",
    "sentiment_label",
]
DTYPES = {
    "theme_id": object,
    "theme": object,
    "kind": object,
    "respondents": "int64",
    "share": "float64",
    "sentiment": "float64",
    "sentiment_n": "int64",
    "not_scored": "int64",
    "quotes": object,
    "sentiment_label": object,
}
EMERGENT_PREFIX = "emergent:"


def empty_result() -> pd.DataFrame:
    """The result for no text at all: the columns and dtypes, no rows."""
    return pd.DataFrame({column: pd.Series(dtype=DTYPES[column]) for column in COLUMNS})  # type: ignore[call-overload]
