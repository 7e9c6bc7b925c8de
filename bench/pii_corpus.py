"""Recall, precision and over-removal of `deidentify` on the labelled PII corpus.

    .venv/bin/python -m bench.pii_corpus            # figures for docs/deidentification.md
    .venv/bin/python -m bench.pii_corpus --misses   # also list every miss and false removal

Words are runs of letters and digits. A word is PII when it lies inside a labelled item; it is
removed when a span `pii_spans` returns touches it. An item is caught when all its words are
removed. Over-removal is the share of non-PII words removed (the issue's 5% budget).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.deidentify import pii_spans

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pii" / "corpus.yaml"
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Scores:
    sentences: int = 0
    items: int = 0
    items_caught: int = 0
    pii_words: int = 0
    pii_removed: int = 0
    other_words: int = 0
    other_removed: int = 0
    misses: list[str] = field(default_factory=list)
    false_removals: list[str] = field(default_factory=list)

    @property
    def item_recall(self) -> float:
        return self.items_caught / self.items if self.items else 1.0

    @property
    def word_recall(self) -> float:
        return self.pii_removed / self.pii_words if self.pii_words else 1.0

    @property
    def precision(self) -> float:
        removed = self.pii_removed + self.other_removed
        return self.pii_removed / removed if removed else 1.0

    @property
    def over_removal(self) -> float:
        return self.other_removed / self.other_words if self.other_words else 0.0


def load_corpus(path: Path = CORPUS) -> list[dict[str, object]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return list(items)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _item_spans(text: str, items: list[str]) -> list[tuple[int, int]]:
    spans = []
    for item in items:
        for match in re.finditer(re.escape(item), text):
            spans.append(match.span())
    return spans


def score(corpus: list[dict[str, object]]) -> Scores:
    scores = Scores()
    for entry in corpus:
        text, language = str(entry["text"]), str(entry["lang"])
        items = [str(i) for i in entry.get("pii") or []]  # type: ignore[attr-defined]
        removed = pii_spans(text, language=language)
        labelled = _item_spans(text, items)
        scores.sentences += 1
        for item_start, item_end in labelled:
            words = [m.span() for m in _WORD.finditer(text, item_start, item_end)]
            scores.items += 1
            if all(_overlaps(s, e, removed) for s, e in words):
                scores.items_caught += 1
            else:
                scores.misses.append(f"{text!r}: {text[item_start:item_end]!r}")
        for match in _WORD.finditer(text):
            is_pii = _overlaps(*match.span(), labelled)
            gone = _overlaps(*match.span(), removed)
            if is_pii:
                scores.pii_words += 1
                scores.pii_removed += gone
            else:
                scores.other_words += 1
                scores.other_removed += gone
                if gone:
                    scores.false_removals.append(f"{text!r}: {match.group(0)!r}")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list misses and false removals")
    args = parser.parse_args(argv)
    corpus = load_corpus()
    scores = score(corpus)
    by_language = {lang: score([e for e in corpus if e["lang"] == lang]) for lang in ("en", "es")}
    print(f"sentences: {scores.sentences}, PII items: {scores.items}")
    for label, part in [("all", scores), *by_language.items()]:
        print(
            f"{label:>3}: item recall {part.item_recall:.1%} ({part.items_caught}/{part.items}), "
            f"word recall {part.word_recall:.1%}, precision {part.precision:.1%}, "
            f"over-removal {part.over_removal:.1%} ({part.other_removed}/{part.other_words})"
        )
    if args.misses:
        print("\n".join(["misses:", *scores.misses, "false removals:", *scores.false_removals]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
