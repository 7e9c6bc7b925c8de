"""Emergent themes: key noun phrases from TextBlob's PatternParser chunks (English only).

A phrase never is a single generic word: the `stop-words` package's English list, the
`GENERIC_WORDS` below and the codebook's stop phrases rule those out ("nobody", "work").

TextBlob's `.noun_phrases` needs NLTK corpora that cannot be installed here, so phrases are
read from the parser's chunk tags (B-NP/I-NP) instead. Spanish answers are not parsed: the
parser is English, and its chunks of Spanish text are noise. A phrase is normalized so that
"the tutoring programs" and "Tutoring program" count as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from stop_words import get_stop_words
from textblob import Word
from textblob.en import lexicon as _lexicon
from textblob.en import parser as _parser

from analysis.deidentify import is_allowed_proper_noun

# Tokens that end one noun phrase and may start the next ("my son every day" -> son, day).
_SPLIT_TAGS = frozenset({"DT", "PDT", "PRP", "PRP$", "WP", "WP$", "WDT", "CD", "CC", "POS", "EX"})
_KEEP_TAGS = frozenset({"NN", "NNS", "JJ", "VBG", "NNP", "NNPS", "FW"})
# Words that say how much or how good rather than what: "more tutors" is about tutors.
_EVALUATIVE_TEXT = """
    good great bad nice best better worse worst more most less least many much some few
    several other own same different whole real awesome amazing excellent terrible horrible
    wonderful poor big little small large huge enough every all any such certain various main
    only very really new old extra lot lots fine cool happy sad"""
_EVALUATIVE = frozenset(_EVALUATIVE_TEXT.split())
_MAX_WORDS = 3
# Single words too generic to name a theme, on top of the `stop-words` list (which already
# holds "nobody", "work", "home", "thing") and the codebook's stop phrases.
_GENERIC_TEXT = """
    school kid kids child children student students parent parents family people son
    daughter teacher teachers class staff everyone everybody nobody someone anyone thing
    things stuff lot time day year week way part work home job life place person"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
_BEFORE_GERUND_MODIFIER = frozenset(
    {"", "DT", "PRP$", "JJ", "JJR", "JJS", "RBR", "IN", "NN", "NNS"}
)


@lru_cache(maxsize=65536)
def _singular(word: str) -> str:
    return str(Word(word).singularize())


def parse_tokens(sentences: list[str]) -> list[list[list[str]]]:
    """Chunk already-tokenized sentences: per sentence, [word, tag, chunk, pnp] tokens."""
    parsed: list[list[list[str]]] = _parser.parse(sentences, tokenize=False, collapse=False)
    return parsed


def tokens_from_tagged(tagged: str) -> list[list[list[str]]]:
    """Split PatternParser's slash-format output ("school/NN/B-NP/O") back into tokens."""
    result: list[list[list[str]]] = []
    for line in str(tagged).split("\n"):
        sentence = []
        for token in line.split(" "):
            if not token:
                continue
            fields = token.split("/")
            fields[0] = fields[0].replace("&slash;", "/")
            sentence.append(fields)
        result.append(sentence)
    return result


def noun_phrases(
    sentences: Sequence[Sequence[Sequence[str]]], stop_phrases: frozenset[str]
) -> list[str]:
    """Normalized key noun phrases of one parsed answer, in order, repeats kept."""
    phrases: list[str] = []
    for sentence in sentences:
        for chunk in _chunks(sentence):
            for piece in _split(chunk):
                phrase = _normalize(piece, stop_phrases)
                if phrase is not None:
                    phrases.append(phrase)
    return phrases


def _chunks(sentence: Sequence[Sequence[str]]) -> Iterable[list[tuple[str, str]]]:
    """NP chunks as (word, tag) lists, with a gerund modifier joined to the noun after it.

    The pattern chunker reads "the tutoring program" as VP "tutoring" + NP "program"; a
    VBG right after a determiner, possessive or adjective and right before an NP is joined.
    """
    current: list[tuple[str, str]] = []
    previous_tag = ""
    for index, token in enumerate(sentence):
        word, tag = token[0], token[1] if len(token) > 1 else ""
        chunk = token[2] if len(token) > 2 else "O"
        if chunk == "I-NP" and current:
            current.append((word, tag))
        elif chunk == "B-NP" or (chunk == "I-NP" and not current):
            if current and not _is_gerund_modifier(current):
                yield current
                current = []
            current.append((word, tag))
        else:
            if current:
                yield current
                current = []
            following = sentence[index + 1] if index + 1 < len(sentence) else None
            if (
                tag == "VBG"
                and following is not None
                and len(following) > 2
                and following[2] == "B-NP"
                and following[1].startswith("NN")
                and previous_tag in _BEFORE_GERUND_MODIFIER
            ):
                current = [(word, "VBG*")]
        previous_tag = tag
    if current:
        yield current


def _is_gerund_modifier(tokens: list[tuple[str, str]]) -> bool:
    return len(tokens) == 1 and tokens[0][1] == "VBG*"


def _split(chunk: list[tuple[str, str]]) -> Iterable[list[tuple[str, str]]]:
    piece: list[tuple[str, str]] = []
    for word, tag in chunk:
        if tag in _SPLIT_TAGS:
            if piece:
                yield piece
            piece = []
        else:
            piece.append((word, tag))
    if piece:
        yield piece


@lru_cache(maxsize=1)
def stop_words_en() -> frozenset[str]:
    """The maintained English stop-word list (`stop-words` package)."""
    return frozenset(get_stop_words("en"))


def is_generic(words: list[str], stop_phrases: frozenset[str]) -> bool:
    """A phrase that would label a theme with nothing: one generic or stop word."""
    if len(words) != 1:
        return False
    word = words[0]
    return word in GENERIC_WORDS or word in stop_words_en() or word in stop_phrases


def _is_name(word: str) -> bool:
    if is_allowed_proper_noun(word):
        return False
    return _lexicon.get(word) == "NNP" or word.lower() not in _lexicon


def _common_tag(word: str, tag: str) -> str:
    if not tag.startswith("NNP"):
        return tag
    return "NNS" if tag == "NNPS" or _lexicon.get(word.lower()) == "NNS" else "NN"


def _normalize(piece: list[tuple[str, str]], stop_phrases: frozenset[str]) -> str | None:
    tokens = [
        (w, "VBG" if t == "VBG*" else t)
        for w, t in piece
        if (t == "VBG*" or t in _KEEP_TAGS) and any(c.isalnum() for c in w)
    ]
    # A phrase holding a name would put that name in the theme table. Title Case common
    # words ("Tutoring Programs") are tagged NNP too; the lexicon tells them apart.
    if any(t.startswith("NNP") and _is_name(w) for w, t in tokens):
        return None
    tokens = [(w, _common_tag(w, t)) for w, t in tokens]
    while len(tokens) > 1 and tokens[0][0].lower() in _EVALUATIVE:
        tokens.pop(0)
    if not tokens or tokens[-1][1] not in {"NN", "NNS"}:
        return None
    tokens = tokens[-_MAX_WORDS:]
    while len(tokens) > 1 and tokens[0][0].lower() in _EVALUATIVE:
        tokens.pop(0)
    words = [_singular(w.lower()) if t == "NNS" else w.lower() for w, t in tokens]
    phrase = " ".join(words)
    if len(phrase) < 3 or phrase in stop_phrases or is_generic(words, stop_phrases):
        return None
    return phrase
