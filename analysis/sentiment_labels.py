"""The words the packet uses for sentiment, kept apart from the scoring.

The packet process only ever turns counts into "mostly positive", "mixed" or "mostly
negative"; the scorers (TextBlob's PatternAnalyzer and the Spanish lexicon) run where the
themes are summarized. Keeping the words here spares the packet process their import.
"""

from __future__ import annotations

from collections.abc import Iterable

from surveys.i18n import t

# A comment carries a tone when its polarity is at least this far from 0: "the bus comes
# at seven" (0.0) or "more tutoring" (0.0 to 0.05) say nothing about how people feel.
TONE_THRESHOLD = 0.1
# A group is "mostly" one way when at least this share of its toned comments lean that way.
MOSTLY_SHARE = 2 / 3
# Fewer toned comments than this: no label (one happy parent is not "mostly positive").
MIN_TONED = 3

POSITIVE = "mostly_positive"
MIXED = "mixed"
NEGATIVE = "mostly_negative"
LABELS = (POSITIVE, MIXED, NEGATIVE)


def label_from_counts(positive: int, negative: int) -> str | None:
    """The label for a group with `positive` and `negative` toned comments (see the
    thresholds above); None when fewer than MIN_TONED comments carry a tone."""
    toned = positive + negative
    if toned < MIN_TONED:
        return None
    if positive >= MOSTLY_SHARE * toned:
        return POSITIVE
    if negative >= MOSTLY_SHARE * toned:
        return NEGATIVE
    return MIXED


def sentiment_label(scores: Iterable[float]) -> str | None:
    """ "mostly_positive", "mixed", "mostly_negative", or None, for a group's polarities.

    NaN scores (answers not scored) are ignored, as are comments without a tone.
    """
    positive = negative = 0
    for score in scores:
        if score >= TONE_THRESHOLD:
            positive += 1
        elif score <= -TONE_THRESHOLD:
            negative += 1
    return label_from_counts(positive, negative)


_CATALOG_KEYS = {
    POSITIVE: "packet.sentiment_positive",
    MIXED: "packet.sentiment_mixed",
    NEGATIVE: "packet.sentiment_negative",
}


def describe_sentiment(label: str | None, language: str = "en") -> str:
    """The words for a label in the packet language ("mostly positive", "mixto"...), from
    the one string catalog; None reads "too few to say"."""
    key = _CATALOG_KEYS.get(label) if label is not None else None
    return t(key or "packet.sentiment_not_scored", language)
