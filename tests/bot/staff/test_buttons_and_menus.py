"""Staff button data and the per-role command menu."""

from __future__ import annotations

import pytest

from bot.callback_data import MAX_BYTES, sign
from bot.staff.buttons import decode, encode, is_staff_data
from bot.staff.menus import commands_for
from surveys.roles import Permission, StaffRole


@pytest.mark.parametrize(
    "fields",
    [
        ("L", "follow_up", "skip"),
        ("F", 999_999_999_999, "xlsx"),
        ("I", "safeguarding-lead"),
        ("G",),
    ],
)
def test_the_longest_buttons_fit_telegrams_64_bytes_once_signed(fields: tuple[object, ...]) -> None:
    data = encode("Ab-_", *fields)  # type: ignore[arg-type]
    assert len(sign(data, chat_id=-1001234567890, key=b"k").encode()) <= MAX_BYTES
    tap = decode(data)
    assert tap is not None and tap.nonce == "Ab-_" and tap.kind == fields[0]


@pytest.mark.parametrize(
    "data", ["S:abcd:Z:1", "S:abcd", "S:ab cd:C:1", "S:abcd:C:1:x y", "a:1:b1:4"]
)
def test_malformed_data_is_refused(data: str) -> None:
    assert decode(data) is None or not is_staff_data(data)


def test_a_campaign_id_must_be_a_number() -> None:
    tap = decode("S:abcd:C:drop")
    assert tap is not None and tap.first_id() is None
    assert tap.permission is Permission.CLOSE


def test_each_role_gets_only_its_commands() -> None:
    assert commands_for({StaffRole.FACILITATOR}) == ["campaigns", "report", "export", "help",
                                                      "cancel"]  # fmt: skip
    assert commands_for({StaffRole.SAFEGUARDING_LEAD}) == ["alerts", "help", "cancel"]
    assert commands_for({StaffRole.OWNER}) == ["campaigns", "invite", "staff", "help", "cancel"]
    both = commands_for({StaffRole.ORGANIZER, StaffRole.SAFEGUARDING_LEAD})
    assert "launch" in both and "alerts" in both and "invite" not in both
