"""The retry rules, with a stand-in bot so each failure is exact and no time passes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.sender import MAX_ATTEMPTS, Sender

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class FlakyBot:
    """Fails with the given errors in turn, then succeeds."""

    def __init__(self, failures: Iterable[Exception] = ()) -> None:
        self.failures = list(failures)
        self.attempts = 0

    async def _call(self, *args: Any, **kwargs: Any) -> str:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"

    send_message = edit_message_text = answer_callback_query = do_api_request = _call


def _sender(bot: FlakyBot, blocked: list[int] | None = None) -> tuple[Sender, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    sender = Sender(
        bot, on_forbidden=(blocked.append if blocked is not None else None), sleep=sleep
    )  # type: ignore[arg-type]
    return sender, slept


async def test_retry_after_waits_as_told_then_sends() -> None:
    bot = FlakyBot([RetryAfter(3)])
    sender, slept = _sender(bot)
    assert await sender.send(1, "hi") == "ok"
    assert slept == [3.0]
    assert bot.attempts == 2


async def test_timeouts_and_network_errors_back_off() -> None:
    bot = FlakyBot([TimedOut(), NetworkError("connection reset")])
    sender, slept = _sender(bot)
    assert await sender.send(1, "hi") == "ok"
    assert slept == [0.5, 1.0]
    assert bot.attempts == 3


async def test_retries_are_bounded() -> None:
    bot = FlakyBot([TimedOut()] * 10)
    sender, _ = _sender(bot)
    assert await sender.send(1, "hi") is None
    assert bot.attempts == MAX_ATTEMPTS


async def test_a_very_long_flood_wait_is_not_held() -> None:
    bot = FlakyBot([RetryAfter(600)])
    sender, slept = _sender(bot)
    assert await sender.send(1, "hi") is None
    assert slept == []


async def test_forbidden_opts_out_and_is_not_retried() -> None:
    bot = FlakyBot([Forbidden("Forbidden: bot was blocked by the user")])
    blocked: list[int] = []
    sender, _ = _sender(bot, blocked)
    assert await sender.send(42, "hi") is None
    assert blocked == [42]
    assert bot.attempts == 1


async def test_not_modified_is_ignored() -> None:
    bot = FlakyBot([BadRequest("Message is not modified: specified new message content")])
    sender, _ = _sender(bot)
    assert await sender.edit(1, 10, "same") is None
    assert bot.attempts == 1


async def test_other_bad_requests_are_real_errors() -> None:
    bot = FlakyBot([BadRequest("Chat not found")])
    sender, _ = _sender(bot)
    with pytest.raises(BadRequest):
        await sender.send(1, "hi")
    assert bot.attempts == 1


async def test_answering_a_callback_never_raises() -> None:
    bot = FlakyBot([BadRequest("Bad Request: some other problem")])
    sender, _ = _sender(bot)
    assert await sender.answer_callback("q1") is False
