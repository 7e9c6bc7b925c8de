"""The labelled PII corpus: nothing labelled survives a quote, and little else is removed."""

from __future__ import annotations

import re

import pytest

from analysis.deidentify import deidentify
from analysis.quotes import pick_quotes
from analysis.theme_results import REMOVED
from bench.pii_corpus import load_corpus, score

_WORD = re.compile(r"[^\W_]+")
MAX_OVER_REMOVAL = 0.05


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _survivors(text: str, items: list[str], output: str) -> list[str]:
    """Item words still in the output more often than the rest of the text explains."""
    rest = text
    for item in items:
        rest = rest.replace(item, " ")
    left = output.replace(REMOVED, " ").lower()
    survivors = []
    for item in items:
        for word in _WORD.findall(item.lower()):
            pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")
            if len(pattern.findall(left)) > len(pattern.findall(rest.lower())):
                survivors.append(f"{text!r}: {word!r}")
    return survivors


def test_corpus_is_large_bilingual_and_mostly_measures_both_ways(corpus):
    assert len(corpus) >= 300
    assert {entry["lang"] for entry in corpus} == {"en", "es"}
    assert sum(1 for entry in corpus if not entry["pii"]) >= 100
    for entry in corpus:
        for item in entry["pii"]:
            assert item in entry["text"], (item, entry["text"])


def test_no_pii_item_of_the_corpus_survives_deidentification(corpus):
    survivors = [
        leak
        for entry in corpus
        for leak in _survivors(
            entry["text"], entry["pii"], deidentify(entry["text"], language=entry["lang"])
        )
    ]
    assert survivors == []
    assert score(corpus).item_recall == 1.0


def test_no_pii_item_survives_in_a_quote(corpus):
    leaks = []
    quoted = 0
    for entry in corpus:
        # The packet's quote path: de-identify, drop what is mostly names, cut to length.
        for quote in pick_quotes([("r1", entry["text"], entry["lang"])], max_quotes=1):
            quoted += 1
            leaks.extend(_survivors(entry["text"], entry["pii"], quote))
    assert quoted > len(corpus) // 2
    assert leaks == []


def test_at_most_five_percent_of_other_words_are_removed(corpus):
    scores = score(corpus)
    assert scores.other_words > 1000
    assert scores.over_removal <= MAX_OVER_REMOVAL, scores.false_removals
    assert scores.precision >= 0.9
