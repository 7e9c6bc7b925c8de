"""Pattern's tokenizer, one sentence at a time, with a cache: same output, far less work.

`textblob.en.parser.find_tokens` tokenizes a whole answer and splits it into sentences. It
costs about a third of the open-text time, yet answers share sentences ("Thank you.", "More
tutoring.") far more often than whole texts. So an answer is cut where the tokenizer is
certain to end a sentence (after ".", "!" or "?", before a capital letter), each piece is
tokenized once and cached, and the pieces are joined. A piece that does not end in a
sentence mark once tokenized (it ended in "Mr.") is tokenized together with the next one;
a text with line breaks is tokenized whole, as before. `tests/analysis/test_sentences.py` checks the
result equals `find_tokens` on the benchmark answers and the PII corpus.
"""

from __future__ import annotations

import re
from functools import lru_cache

from textblob.en import parser as _parser

_CUT = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z])")
_ENDS = (" .", " !", " ?", " ...")
_CACHE = 200_000


@lru_cache(maxsize=_CACHE)
def _piece(piece: str) -> tuple[str, ...]:
    return tuple(_parser.find_tokens(piece))


def find_sentences(text: str) -> list[str]:
    """Exactly `textblob.en.parser.find_tokens(text)`: tokenized sentences of the text."""
    if "\n" in text or "\r" in text:
        return list(_parser.find_tokens(text))
    pieces = _CUT.split(text)
    if len(pieces) == 1:
        return list(_piece(text))
    found: list[str] = []
    pending = ""
    for piece in pieces:
        # A cut after an abbreviation ("Ms. Lopez") is no sentence end: carry the piece
        # over and tokenize it together with the next one.
        pending = f"{pending} {piece}" if pending else piece
        sentences = _piece(pending)
        if sentences and _ends_sentence(sentences[-1]):
            found.extend(sentences)
            pending = ""
    if pending:
        found.extend(_piece(pending))
    return found


def cut(text: str) -> list[str] | None:
    """The pieces `find_sentences` tokenizes `text` in, or None for a text it tokenizes
    whole (one with line breaks). When every piece but the last ends a sentence
    (`ends_sentence`), the text's sentences are its pieces' sentences one after the other."""
    if "\n" in text or "\r" in text:
        return None
    return _CUT.split(text)


def piece_sentences(piece: str) -> tuple[str, ...]:
    """The tokenized sentences of one piece of `cut` (cached)."""
    return _piece(piece)


def ends_sentence(sentences: tuple[str, ...]) -> bool:
    """Whether a piece's sentences end with a sentence mark (not in "Mr.")."""
    return bool(sentences) and _ends_sentence(sentences[-1])


def _ends_sentence(sentence: str) -> bool:
    return sentence.endswith(_ENDS) or sentence in {".", "!", "?", "..."}
