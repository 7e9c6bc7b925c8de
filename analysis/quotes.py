"""Choosing representative quotes for a theme, deterministically.

A good quote for a room of parents is readable (neither "yes" nor a page), clearly about the
theme (more keyword hits), and the three quotes come from three different people. Ties are
broken by respondent id and text so that the same data always gives the same packet.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from analysis.deidentify import deidentify, truncate
from analysis.theme_results import REMOVED

SHORTEST = 40
LONGEST = 240
IDEAL = 120
_LETTER = re.compile(r"[^\W\d_]")


def rank_key(text: str, hits: int, respondent_id: Hashable) -> tuple[int, int, int, str, str]:
    """Sort key, best first: inside the readable window, most hits, closest to ideal length."""
    length = len(text)
    outside = max(0, SHORTEST - length, length - LONGEST)
    return (outside, -hits, abs(length - IDEAL), str(respondent_id), text)


def pick_quotes(ranked: Iterable[tuple[Hashable, str, str]], max_quotes: int) -> list[str]:
    """Take quotes from (respondent_id, text, language) best first, one per respondent.

    The caller has already dropped flagged answers and sorted by `rank_key`. A quote that is
    mostly names (nothing left to read once de-identified) is skipped.
    """
    quotes: list[str] = []
    if max_quotes <= 0:
        return quotes
    respondents: set[Hashable] = set()
    seen_texts: set[str] = set()
    for respondent_id, text, language in ranked:
        if respondent_id in respondents or text in seen_texts:
            continue
        quote = truncate(deidentify(text, language=language))
        if len(_LETTER.findall(quote.replace(REMOVED, ""))) < 3:
            continue
        respondents.add(respondent_id)
        seen_texts.add(text)
        quotes.append(quote)
        if len(quotes) >= max_quotes:
            break
    return quotes
