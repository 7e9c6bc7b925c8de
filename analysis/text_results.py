"""What the text engine finds in one answer, in the form it is kept in the database.

The packet's theme summary used to parse every comment each time a packet was made. The bot
now works each comment out once, soon after it arrives (`analysis.arrivals`), and keeps the
result with its answer (`surveys.models.AnswerAnalysis`); the summary uses a kept result
only when its key says it was worked out by this very engine, for this text and this
language hint, and works the others out as before. Either way the packet is the same.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

_HERE = Path(__file__).parent
ENGINE_FILES = (
    "codebook.py",
    "codebook.yaml",
    "deidentify.py",
    "emergent.py",
    "names.py",
    "sentences.py",
    "sentiment.py",
    "sentiment_es.py",
    "text_results.py",
    "textnorm.py",
    "themes.py",
)
"""Everything a result depends on in this package; any change to them is a new engine."""
ENGINE_PACKAGES = ("textblob", "PyStemmer", "stop-words")
BLANK = "null"
"""What is kept for an answer that is only blanks: nothing to count, nothing to read again."""


@dataclass(frozen=True)
class TextResult:
    """One distinct answer text: its language, codebook themes and noun phrases (with how
    often each is mentioned), and its polarity."""

    language: str
    themes: dict[str, int]
    phrases: dict[str, int]
    polarity: float


@lru_cache(maxsize=1)
def engine_version() -> str:
    """A digest of the engine's code, its codebook and its libraries' versions: a kept
    result made by anything else is not used, and the bot works it out again."""
    digest = hashlib.blake2b(digest_size=16)
    for name in ENGINE_FILES:
        digest.update(name.encode())
        digest.update((_HERE / name).read_bytes())
    for package in ENGINE_PACKAGES:
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


def text_key(language_hint: str, text: str) -> str:
    """What a kept result is for: this engine, this respondent language and this text."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{engine_version()}\x1f{language_hint}\x1f{text}".encode())
    return digest.hexdigest()


def encode(result: TextResult) -> str:
    polarity = None if math.isnan(result.polarity) else result.polarity
    return json.dumps(
        [result.language, result.themes, result.phrases, polarity],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(stored: str) -> TextResult:
    language, themes, phrases, polarity = json.loads(stored)
    return TextResult(
        str(language),
        {str(k): int(v) for k, v in themes.items()},
        {str(k): int(v) for k, v in phrases.items()},
        math.nan if polarity is None else float(polarity),
    )


def kept_results(
    hints: list[str], texts: list[str], keys: list[object], stored: list[object]
) -> dict[str, TextResult]:
    """The kept results that still hold, by "hint\\x1ftext" (the summary's own key).

    `keys` and `stored` are the `text_key` and `result` read with each answer (None where
    there is none). Each distinct text is checked and decoded once.
    """
    found: dict[str, TextResult] = {}
    for hint, text, key, result in zip(hints, texts, keys, stored, strict=True):
        if not isinstance(result, str) or not isinstance(key, str) or result == BLANK:
            continue
        joined = f"{hint}\x1f{text}"
        if joined not in found and key == text_key(hint, text):
            found[joined] = decode(result)
    return found
