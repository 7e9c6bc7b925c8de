"""The `show_if` condition language.

Conditions are parsed into a small tree and evaluated against earlier answers;
they are never passed to `eval`, because survey files are written by
organizations, not by us.

Grammar::

    expr   := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | test
    test   := NAME ("==" | "!=") value | NAME ["not"] "in" "[" value ("," value)* "]"
    value  := 'string' | "string" | number | bare_word

Semantics, chosen to match what XLSForm users expect:

- Values compare as text, or as numbers when both sides parse as numbers,
  so ``grade == 9`` matches a stored ``"9"`` or ``"9.0"``.
- A multi-choice answer (a list) equals a value when that value was chosen,
  and is ``in`` a list when any chosen value is in it.
- An unanswered or skipped question equals nothing: ``==`` and ``in`` are false,
  ``!=`` and ``not in`` are true.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

AnswerValue = str | int | float | Sequence[str] | None


class ConditionError(ValueError):
    """A `show_if` expression that cannot be parsed."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
      | (?P<op>==|!=|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "string", "number", "op", "name", "keyword", "end"
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ConditionError(f"unexpected character {source[pos:].lstrip()[:1]!r}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        start = match.start(kind)
        if kind == "string":
            text = text[1:-1]
        elif kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, text, start))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class Condition:
    """A parsed condition: evaluate it, or ask which questions it reads."""

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        raise NotImplementedError

    def names(self) -> frozenset[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Compare(Condition):
    name: str
    values: tuple[str, ...]
    negate: bool  # != or "not in"

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        answer = answers.get(self.name)
        if answer is None or answer == "" or (isinstance(answer, (list, tuple)) and not answer):
            return self.negate
        chosen = [answer] if isinstance(answer, (str, int, float)) else list(answer)
        hit = any(_same(str(c), v) for c in chosen for v in self.values)
        return hit != self.negate

    def names(self) -> frozenset[str]:
        return frozenset({self.name})


@dataclass(frozen=True)
class _Not(Condition):
    inner: Condition

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return not self.inner.evaluate(answers)

    def names(self) -> frozenset[str]:
        return self.inner.names()


@dataclass(frozen=True)
class _All(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return all(p.evaluate(answers) for p in self.parts)

    def names(self) -> frozenset[str]:
        return frozenset().union(*(p.names() for p in self.parts))


@dataclass(frozen=True)
class _Any(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return any(p.evaluate(answers) for p in self.parts)

    def names(self) -> frozenset[str]:
        return frozenset().union(*(p.names() for p in self.parts))


def _same(answer: str, value: str) -> bool:
    if answer == value:
        return True
    try:
        return float(answer) == float(value)
    except ValueError:
        return False


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> _Token:
        token = self.peek
        if token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            found = token.text or "end of condition"
            raise ConditionError(f"expected {wanted!r} at position {token.pos}, found {found!r}")
        self.i += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        if self.peek.kind == kind and self.peek.text == text:
            self.i += 1
            return True
        return False

    def parse(self) -> Condition:
        expr = self.expr()
        self.take("end")
        return expr

    def expr(self) -> Condition:
        parts = [self.conjunction()]
        while self.accept("keyword", "or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _Any(tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.unary()]
        while self.accept("keyword", "and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else _All(tuple(parts))

    def unary(self) -> Condition:
        if self.accept("keyword", "not"):
            return _Not(self.unary())
        if self.accept("op", "("):
            inner = self.expr()
            self.take("op", ")")
            return inner
        return self.test()

    def test(self) -> Condition:
        name = self.take("name").text
        if self.accept("op", "=="):
            return _Compare(name, (self.value(),), negate=False)
        if self.accept("op", "!="):
            return _Compare(name, (self.value(),), negate=True)
        negate = self.accept("keyword", "not")
        self.take("keyword", "in")
        self.take("op", "[")
        values = [self.value()]
        while self.accept("op", ","):
            values.append(self.value())
        self.take("op", "]")
        return _Compare(name, tuple(values), negate=negate)

    def value(self) -> str:
        token = self.peek
        if token.kind in {"string", "number", "name"}:
            self.i += 1
            return token.text
        found = token.text or "end of condition"
        raise ConditionError(f"expected a value at position {token.pos}, found {found!r}")


def parse_condition(source: str) -> Condition:
    """Parse a `show_if` expression, raising `ConditionError` with a position."""
    if not source or not source.strip():
        raise ConditionError("condition is empty")
    return _Parser(source).parse()
