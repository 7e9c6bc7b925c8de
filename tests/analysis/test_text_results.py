"""The kept form of a text result, and when a kept result may be used."""

from __future__ import annotations

import math

from analysis.text_results import (
    BLANK,
    TextResult,
    decode,
    encode,
    engine_version,
    kept_results,
    text_key,
)


def test_a_result_comes_back_exactly_as_it_went_in() -> None:
    result = TextResult("es", {"transport": 2, "teaching": 1}, {"el autobús": 1}, -0.123456789)
    back = decode(encode(result))
    assert back == result
    assert list(back.themes) == ["transport", "teaching"]  # order kept too


def test_a_polarity_that_is_not_a_number_survives() -> None:
    back = decode(encode(TextResult("en", {}, {}, math.nan)))
    assert math.isnan(back.polarity)


def test_the_key_depends_on_the_language_hint_and_the_text() -> None:
    assert text_key("en", "The bus is late") == text_key("en", "The bus is late")
    assert text_key("en", "The bus is late") != text_key("es", "The bus is late")
    assert text_key("en", "The bus is late") != text_key("en", "The bus is early")
    assert len(engine_version()) == 32


def test_only_results_whose_key_still_holds_are_used() -> None:
    good = encode(TextResult("en", {"transport": 1}, {}, 0.0))
    found = kept_results(
        ["en", "en", "es", "en", "en"],
        ["The bus", "Changed text", "The bus", "No analysis", "Blank"],
        [
            text_key("en", "The bus"),
            text_key("en", "Old text"),  # the answer was changed after it was analysed
            text_key("en", "The bus"),  # analysed under another language hint
            None,
            text_key("en", "Blank"),
        ],
        [good, good, good, None, BLANK],
    )
    assert list(found) == ["en\x1fThe bus"]
    assert found["en\x1fThe bus"].themes == {"transport": 1}
