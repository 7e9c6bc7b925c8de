"""The `show_if` condition language.

Conditions are parsed into a small tree and evaluated against earlier answers;
they are never passed to `eval`, because survey files are written by
organizations, not by us.

Grammar::

    expr   := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | test
    test   := NAME ("==" | "!=") value
            | NAME ("<" | "<=" | ">" | ">=") number
            | NAME ["not"] "in" "[" value ("," value)* "]"
    value  := 'string' | "string" | number | bare_word

Semantics, chosen to match what XLSForm users expect:

- Values compare as text, or as numbers when both sides are plain decimal
  numbers, so ``grade == 9`` matches a stored ``"9"`` or ``"9.0"``.
- ``<``, ``<=``, ``>`` and ``>=`` compare numbers only: an answer that is not a
  number never matches them (likert answers are ``"1"`` .. ``"5"``, so
  ``b1 <= 2`` means "one of the two lowest labels"; ``"not_sure"`` never matches).
- A multi-choice answer (a list) equals a value when that value was chosen,
  and is ``in`` a list when any chosen value is in it.
- An unanswered or skipped question equals nothing: ``==``, ``in`` and the
  ordering tests are false, ``!=`` and ``not in`` are true.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from surveys.errors import ChorusError

AnswerValue = str | int | float | Sequence[str] | None


class ConditionError(ChorusError, ValueError):
    """A `show_if` expression that cannot be parsed."""


MAX_LENGTH = 1000
"""Characters in one condition: a real `show_if` is a line, and the parser need not guard more."""
MAX_DEPTH = 30
"""Nested parentheses and `not`s: the parser recurses, so a file must not be able to exhaust
Python's stack (3,000 nested parentheses raised `RecursionError` before this bound)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in"}
_PLAIN_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")
_ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


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
            at = len(source) - len(source[pos:].lstrip())
            raise ConditionError(f"unexpected character {source[at]!r} at position {at}")
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


@dataclass(frozen=True)
class Comparison:
    """One test inside a condition, so a survey loader can check it against the question
    it names (``plan == colege`` is a typo the parser cannot see)."""

    name: str
    op: str  # "==", "!=", "in", "not in", "<", "<=", ">", ">="
    values: tuple[str, ...]


class Condition:
    """A parsed condition: evaluate it, or ask which questions it reads."""

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        raise NotImplementedError

    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.comparisons())

    def comparisons(self) -> tuple[Comparison, ...]:
        raise NotImplementedError


def _chosen(answer: AnswerValue) -> list[str]:
    """The answer as a list of values; empty when unanswered or skipped."""
    if answer is None or answer == "":
        return []
    if isinstance(answer, (str, int, float)):
        return [str(answer)]
    return [str(a) for a in answer]


@dataclass(frozen=True)
class _Compare(Condition):
    name: str
    values: tuple[str, ...]
    negate: bool  # != or "not in"
    op: str = "=="

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        chosen = _chosen(answers.get(self.name))
        hit = any(_same(c, v) for c in chosen for v in self.values)
        return hit != self.negate

    def comparisons(self) -> tuple[Comparison, ...]:
        return (Comparison(self.name, self.op, self.values),)


@dataclass(frozen=True)
class _Order(Condition):
    name: str
    op: str
    value: float

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        compare = _ORDER[self.op]
        return any(
            compare(float(c), self.value)
            for c in _chosen(answers.get(self.name))
            if _PLAIN_NUMBER.fullmatch(c)
        )

    def comparisons(self) -> tuple[Comparison, ...]:
        return (Comparison(self.name, self.op, (f"{self.value:g}",)),)


@dataclass(frozen=True)
class _Not(Condition):
    inner: Condition

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return not self.inner.evaluate(answers)

    def comparisons(self) -> tuple[Comparison, ...]:
        return self.inner.comparisons()


@dataclass(frozen=True)
class _All(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return all(p.evaluate(answers) for p in self.parts)

    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(c for p in self.parts for c in p.comparisons())


@dataclass(frozen=True)
class _Any(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> bool:
        return any(p.evaluate(answers) for p in self.parts)

    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(c for p in self.parts for c in p.comparisons())


def _same(answer: str, value: str) -> bool:
    """Text equality, or numeric equality between plain decimals ("9" == "9.0").

    Only plain decimals count as numbers, so "inf", "nan" or "1e3" typed into a
    text answer are compared as the words they are.
    """
    if answer == value:
        return True
    if _PLAIN_NUMBER.fullmatch(answer) and _PLAIN_NUMBER.fullmatch(value):
        return float(answer) == float(value)
    return False


_KIND_NAMES = {"number": "a number", "name": "a question id", "end": "the end of the condition"}


def _found(token: _Token) -> str:
    return "the end of the condition" if token.kind == "end" else repr(token.text)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> _Token:
        token = self.peek
        if token.kind != kind or (text is not None and token.text != text):
            wanted = repr(text) if text else _KIND_NAMES.get(kind, kind)
            raise ConditionError(
                f"expected {wanted} at position {token.pos}, found {_found(token)}"
            )
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
        if self.peek.text in {"not", "("} and self.peek.kind in {"keyword", "op"}:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ConditionError(
                    f"nested more than {MAX_DEPTH} levels deep (parentheses and 'not') "
                    f"at position {self.peek.pos}; simplify the condition"
                )
            try:
                return self._nested()
            finally:
                self.depth -= 1
        return self.test()

    def _nested(self) -> Condition:
        if self.accept("keyword", "not"):
            return _Not(self.unary())
        self.take("op", "(")
        inner = self.expr()
        self.take("op", ")")
        return inner

    def test(self) -> Condition:
        token = self.peek
        if token.kind != "name":
            raise ConditionError(
                f"expected a question id at position {token.pos}, found {_found(token)}"
            )
        self.i += 1
        name = token.text
        if self.accept("op", "=="):
            return _Compare(name, (self.value(),), negate=False, op="==")
        if self.accept("op", "!="):
            return _Compare(name, (self.value(),), negate=True, op="!=")
        for op in _ORDER:
            if self.accept("op", op):
                return _Order(name, op, self.number())
        negate = self.accept("keyword", "not")
        if not (self.peek.kind == "keyword" and self.peek.text == "in"):
            wanted = "'in'" if negate else "==, !=, <, <=, >, >=, 'in' or 'not in'"
            raise ConditionError(
                f"expected {wanted} after {name!r} at position {self.peek.pos}, "
                f"found {_found(self.peek)}"
            )
        self.i += 1
        self.take("op", "[")
        values = [self.value()]
        while self.accept("op", ","):
            values.append(self.value())
        self.take("op", "]")
        return _Compare(name, tuple(values), negate=negate, op="not in" if negate else "in")

    def number(self) -> float:
        token = self.take("number")
        value = float(token.text)
        if not math.isfinite(value):
            raise ConditionError(f"the number at position {token.pos} is too large")
        return value

    def value(self) -> str:
        token = self.peek
        if token.kind in {"string", "number", "name"}:
            self.i += 1
            return token.text
        raise ConditionError(f"expected a value at position {token.pos}, found {_found(token)}")


def parse_condition(source: str) -> Condition:
    """Parse a `show_if` expression, raising `ConditionError` with a position."""
    if not source or not source.strip():
        raise ConditionError("condition is empty")
    if len(source) > MAX_LENGTH:
        raise ConditionError(
            f"condition is {len(source)} characters long; the limit is {MAX_LENGTH}"
        )
    return _Parser(source).parse()
