from __future__ import annotations

import pytest

from bot.callback_data import MAX_BYTES, CallbackDataError, Decoded, decode, encode
from surveys.engine import (
    Back,
    Choose,
    Consent,
    Done,
    Reply,
    SetLanguage,
    SetRole,
    Show,
    Skip,
    Toggle,
)


@pytest.mark.parametrize(
    ("action", "question_id", "data"),
    [
        (SetLanguage("es"), None, "l:7:es"),
        (Consent(True), None, "c:7:y"),
        (Consent(False), None, "c:7:n"),
        (SetRole("caregiver"), None, "r:7:caregiver"),
        (Choose("b1", "4"), "b1", "a:7:b1:4"),
        (Choose("b1", "not_sure"), "b1", "a:7:b1:not_sure"),
        (Toggle("h1", "tutoring"), "h1", "t:7:h1:tutoring"),
        (Done("h1"), "h1", "d:7:h1"),
        (Skip("t1"), "t1", "s:7:t1"),
        (Back(), "b2", "b:7:b2"),
    ],
)
def test_round_trip(action: object, question_id: str | None, data: str) -> None:
    assert encode(action, campaign_id=7, question_id=question_id) == data  # type: ignore[arg-type]
    assert decode(data) == Decoded(7, action, question_id)  # type: ignore[arg-type]


def test_the_longest_button_fits_in_64_bytes() -> None:
    data = encode(Toggle("q" * 16, "o" * 16), campaign_id=999_999_999_999)
    # t : 12 digits : 16 : 16 -> 1 + 1 + 12 + 1 + 16 + 1 + 16
    assert len(data.encode()) == 48 <= MAX_BYTES


@pytest.mark.parametrize("action", [Show(), Reply("hi")])
def test_only_buttons_can_be_encoded(action: object) -> None:
    with pytest.raises(CallbackDataError):
        encode(action, campaign_id=1)  # type: ignore[arg-type]


def test_back_needs_its_question() -> None:
    with pytest.raises(CallbackDataError):
        encode(Back(), campaign_id=1)


def test_fields_with_separators_are_refused() -> None:
    with pytest.raises(CallbackDataError):
        encode(Choose("b1", "a:b"), campaign_id=1)


@pytest.mark.parametrize(
    "data",
    [None, "", "a", "a:1", "a:1:b1", "a:01:b1:4", "a:-1:b1:4", "x:1:b1", "c:1:maybe",
     "a:1:b1:4:extra", "a:1:b 1:4", "a:1:" + "q" * 17 + ":4", "é:1:b1:4", "a:1:b1:" + "x" * 70],
)  # fmt: skip
def test_malformed_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None
