"""The small-group rule, including the complementary cases worked out by hand."""

from __future__ import annotations

import pytest

from analysis.suppression import (
    PROTECT,
    SMALL,
    hidden_groups,
    hidden_label,
    hidden_reasons,
    is_shown,
    may_show_text,
    rule_statement,
)


def test_groups_at_or_above_min_n_are_all_shown() -> None:
    assert hidden_groups({"student": 10, "caregiver": 25}, min_n=10) == set()


def test_one_small_group_hides_the_next_smallest_too() -> None:
    # total 30 is shown: with only c hidden, c = 30 - 12 - 15; hiding a (12) stops that.
    assert hidden_groups({"a": 12, "b": 15, "c": 3}, min_n=10) == {"c", "a"}


def test_two_small_groups_that_together_stay_small_hide_a_third() -> None:
    # c + d = 7 < 10 could be recovered together as total - a - b, so a (the smallest shown) goes.
    assert hidden_groups({"a": 12, "b": 15, "c": 3, "d": 4}, min_n=10) == {"a", "c", "d"}


def test_two_small_groups_that_together_reach_min_n_are_enough() -> None:
    assert hidden_groups({"a": 12, "b": 15, "c": 6, "d": 5}, min_n=10) == {"c", "d"}


def test_with_two_groups_hiding_one_hides_both() -> None:
    assert hidden_groups({"es": 3, "en": 40}, min_n=10) == {"es", "en"}


def test_a_single_small_group_is_hidden() -> None:
    assert hidden_groups({"only": 4}, min_n=10) == {"only"}


def test_empty_groups_are_ignored() -> None:
    assert hidden_groups({"a": 0, "b": 12, "c": 30}, min_n=10) == set()


def test_min_n_is_configurable() -> None:
    assert hidden_groups({"a": 4, "b": 6, "c": 30}, min_n=5) == {"a", "b"}


@pytest.mark.parametrize(("n", "shown"), [(9, False), (10, True), (11, True)])
def test_threshold_is_inclusive(n: int, shown: bool) -> None:
    assert is_shown(n, 10) is shown
    assert may_show_text(n, 10) is shown


def test_labels_and_rule_in_both_languages() -> None:
    assert hidden_label(10, "en") == "fewer than 10 responses"
    assert hidden_label(10, "en", PROTECT) == "hidden to protect a smaller group"
    assert "10" not in hidden_label(10, "es", PROTECT)
    assert hidden_label(5, "es") == "menos de 5 respuestas"
    assert "fewer than 7 responses" in rule_statement(7, "en")
    assert "next-smallest" in rule_statement(7, "en")
    assert "menos de 7 respuestas" in rule_statement(7, "es")


def test_a_group_hidden_to_protect_another_is_not_called_small() -> None:
    # 114 people are hidden only because 6 are: the label must not say "fewer than 10".
    reasons = hidden_reasons({"student": 114, "caregiver": 6}, min_n=10)
    assert reasons == {"caregiver": SMALL, "student": PROTECT}
    assert hidden_label(10, "en", reasons["student"]) != hidden_label(
        10, "en", reasons["caregiver"]
    )


def test_two_small_groups_and_one_protector() -> None:
    reasons = hidden_reasons({"a": 12, "b": 15, "c": 3, "d": 4}, min_n=10)
    assert reasons == {"a": PROTECT, "c": SMALL, "d": SMALL}
