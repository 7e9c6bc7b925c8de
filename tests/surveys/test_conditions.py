"""The show_if language: parsing, evaluation semantics, and errors with positions."""

from __future__ import annotations

import pytest

from surveys.conditions import AnswerValue, Comparison, ConditionError, parse_condition


def _eval(source: str, **answers: AnswerValue) -> bool:
    return parse_condition(source).evaluate(answers)


# ------------------------------------------------------------------ equality


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("plan == work", {"plan": "work"}, True),
        ("plan == work", {"plan": "military"}, False),
        ("plan == 'work'", {"plan": "work"}, True),
        ('plan == "work"', {"plan": "work"}, True),
        ("plan != work", {"plan": "work"}, False),
        ("plan != work", {"plan": "trade"}, True),
        ("plan in [college4, college2]", {"plan": "college2"}, True),
        ("plan in [college4, college2]", {"plan": "work"}, False),
        ("plan not in [college4, college2]", {"plan": "work"}, True),
        ("plan not in [college4, college2]", {"plan": "college4"}, False),
        ("note == 'two words'", {"note": "two words"}, True),
    ],
)
def test_text_comparisons(source: str, answers: dict[str, AnswerValue], expected: bool) -> None:
    assert parse_condition(source).evaluate(answers) is expected


def test_numbers_compare_as_numbers_when_both_sides_are_numbers() -> None:
    assert _eval("grade == 9", grade="9")
    assert _eval("grade == 9", grade="9.0")
    assert _eval("grade == 9.0", grade="9")
    assert _eval("grade == 9", grade=9)
    assert _eval("grade == 9", grade=9.0)
    assert not _eval("grade == 9", grade="10")
    assert _eval("b1 in [1, 2]", b1="2")
    assert not _eval("b1 in [1, 2]", b1="3")


def test_only_plain_decimals_count_as_numbers() -> None:
    # "inf" == "infinity" and "1e3" == "1000" as floats, but these are words typed as text.
    assert not _eval("word == inf", word="infinity")
    assert not _eval("word == 1000", word="1e3")
    assert not _eval("word == nan", word="NaN")


# ------------------------------------------------------------------ ordering


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("kids > 1", "2", True),
        ("kids > 1", "1", False),
        ("kids >= 1", "1", True),
        ("kids < 3", "2.5", True),
        ("kids <= 2", "3", False),
        ("kids > -1", "0", True),
        ("b1 <= 2", "not_sure", False),
        ("b1 <= 2", "two", False),
    ],
)
def test_ordering_compares_numbers_only(source: str, value: str, expected: bool) -> None:
    assert _eval(source, kids=value, b1=value) is expected


def test_ordering_on_unanswered_is_false_and_its_negation_true() -> None:
    assert not _eval("kids > 1")
    assert _eval("not kids > 1")


# ------------------------------------------------------------------ multi-choice


def test_multi_choice_equals_any_chosen_value() -> None:
    chosen = ["tutoring", "other"]
    assert _eval("services == tutoring", services=chosen)
    assert _eval("services == other", services=chosen)
    assert not _eval("services == health", services=chosen)
    assert _eval("services != health", services=chosen)
    assert not _eval("services != tutoring", services=chosen)
    assert _eval("services in [health, other]", services=chosen)
    assert not _eval("services in [health, mentoring]", services=chosen)
    assert _eval("services not in [health, mentoring]", services=chosen)
    assert _eval("services == tutoring", services=("tutoring",))


# ------------------------------------------------------------------ unanswered


@pytest.mark.parametrize("missing", [None, "", [], ()])
def test_unanswered_or_skipped_equals_nothing(missing: AnswerValue) -> None:
    answers: dict[str, AnswerValue] = {} if missing is None else {"plan": missing}
    assert not parse_condition("plan == work").evaluate(answers)
    assert not parse_condition("plan in [work, trade]").evaluate(answers)
    assert parse_condition("plan != work").evaluate(answers)
    assert parse_condition("plan not in [work]").evaluate(answers)


def test_explicit_none_answer_is_unanswered() -> None:
    assert not _eval("plan == work", plan=None)
    assert _eval("plan != work", plan=None)


# ------------------------------------------------------------------ boolean logic


def test_and_binds_tighter_than_or() -> None:
    source = "a == 1 or b == 1 and c == 1"
    # Read as a == 1 or (b == 1 and c == 1).
    assert _eval(source, a="1", b="0", c="0")
    assert not _eval(source, a="0", b="1", c="0")
    assert _eval(source, a="0", b="1", c="1")


def test_parentheses_and_not() -> None:
    source = "(a == 1 or b == 1) and c == 1"
    assert not _eval(source, a="1", b="0", c="0")
    assert _eval(source, a="1", b="0", c="1")
    assert _eval("not a == 1", a="2")
    assert not _eval("not not a == 1", a="2")
    assert _eval("not (a == 1 and b == 1)", a="1", b="2")


def test_names_and_comparisons_report_what_is_read() -> None:
    condition = parse_condition("plan in [work, trade] and (kids > 1 or not plan != 'x')")
    assert condition.names() == frozenset({"plan", "kids"})
    assert condition.comparisons() == (
        Comparison("plan", "in", ("work", "trade")),
        Comparison("kids", ">", ("1",)),
        Comparison("plan", "!=", ("x",)),
    )
    assert parse_condition("a not in [1]").comparisons() == (Comparison("a", "not in", ("1",)),)
    assert parse_condition("a == 1").comparisons() == (Comparison("a", "==", ("1",)),)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "condition is empty"),
        ("   ", "condition is empty"),
        ("a = 1", "unexpected character '=' at position 2"),
        ("a == 1 # note", "unexpected character '#' at position 7"),
        ("a ==", "expected a value at position 4, found the end of the condition"),
        ("a == 1 b", "expected the end of the condition at position 7, found 'b'"),
        ("(a == 1", "expected ')' at position 7, found the end of the condition"),
        ("a in [1, 2", "expected ']' at position 10, found the end of the condition"),
        ("a in 1", "expected '[' at position 5, found '1'"),
        ("a < x", "expected a number at position 4, found 'x'"),
        ("and == 1", "expected a question id at position 0, found 'and'"),
        ("a == 1 and", "expected a question id at position 10, found the end of the condition"),
        ("a not == 1", "expected 'in' after 'a' at position 6, found '=='"),
        (
            "a",
            "expected ==, !=, <, <=, >, >=, 'in' or 'not in' after 'a' at position 1,"
            " found the end of the condition",
        ),
        ("a == 'open", 'unexpected character "\'" at position 5'),
    ],
)
def test_parse_errors_say_where(source: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(source)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('ls') == 1",
        "a == 1 and exec('x')",
        "open('/etc/passwd')",
        "a.b == 1",
        "a == 1; b == 2",
    ],
)
def test_code_is_a_parse_error_never_run(source: str) -> None:
    with pytest.raises(ConditionError):
        parse_condition(source)


def test_import_attempt_message() -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition("__import__('os')")
    assert str(caught.value) == (
        "expected ==, !=, <, <=, >, >=, 'in' or 'not in' after '__import__' at position 10,"
        " found '('"
    )


def test_condition_error_is_a_value_error() -> None:
    assert issubclass(ConditionError, ValueError)
