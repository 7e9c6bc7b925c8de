"""`/launch` in the chat: each step, typed mistakes, the safeguarding rule, restarts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import Campaign
from tests.bot.conftest import AnyApp, Chat, build_offline
from tests.bot.staff.conftest import (
    AWAY_ORGANIZER,
    FACILITATOR,
    ORGANIZER,
    Staffed,
    audit_actions,
    calls,
    nonce_of,
    person,
)

LAST_DAY = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%d")


def newest(engine: Engine) -> Campaign:
    with Session(engine) as session:
        return session.exec(select(Campaign).order_by(col(Campaign.id).desc())).first()  # type: ignore[return-value]


def campaigns(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Campaign)).all())


async def to_school(chat: Chat) -> None:
    await chat.send("/launch")
    await chat.tap("Test survey")
    assert chat.texts() == [t("staff.launch.school", "en")]


async def test_an_organizer_launches_and_gets_link_qr_and_flyer(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await to_school(organizer)
    await organizer.send("Roosevelt Elementary")
    assert organizer.texts() == [t("staff.launch.grade", "en")]
    await organizer.send("5")
    await organizer.tap(t("staff.audience.caregiver", "en"))
    await organizer.tap("Español")
    await organizer.send(LAST_DAY)
    await organizer.send("120")
    await organizer.send("See you on May 5 at the library.")
    confirm = organizer.texts()[0]
    assert "Roosevelt Elementary" in confirm and "120" in confirm
    before = campaigns(engine)
    await organizer.tap(t("staff.launch.launch_button", "en"))
    assert campaigns(engine) == before + 1
    campaign = newest(engine)
    assert (campaign.school, campaign.grade, campaign.audience) == ("Roosevelt Elementary", "5",
                                                                    "caregiver")  # fmt: skip
    assert (campaign.default_language, campaign.roster_size) == ("es", 120)
    assert json.loads(campaign.follow_up or "{}") == {"es": "See you on May 5 at the library."}
    assert campaign.organization == "Bridges Tutoring"
    assert f"https://t.me/chorus_test_bot?start={campaign.code}" in organizer.said()
    assert [c.method for c in organizer.last_calls if c.method.startswith("send")][-2:] == [
        "sendPhoto",
        "sendDocument",
    ]
    assert ("campaign.launch", campaign.id) in audit_actions(engine)
    # The flow is over: its buttons do nothing more.
    await organizer.send("another school")
    assert organizer.texts() != [t("staff.launch.grade", "en")]


async def test_typed_mistakes_get_one_line_and_the_step_again(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await to_school(organizer)
    await organizer.send("Lincoln\nMiddle")
    assert organizer.texts()[0] == t("staff.launch.errors.text", "en", limit=200)
    assert organizer.texts()[1] == t("staff.launch.school", "en")
    await organizer.send("Lincoln Middle School")
    await organizer.send("7" * 61)
    assert organizer.texts()[0] == t("staff.launch.errors.text", "en", limit=60)
    await organizer.send("7")
    await organizer.tap(t("staff.audience.student", "en"))
    await organizer.tap("English")
    for typed, key in (("next friday", "date"), ("2001-01-01", "past"), ("2099-01-01", "far")):
        await organizer.send(typed)
        assert organizer.texts()[0].startswith(t(f"staff.launch.errors.{key}", "en",
                                                 example="")[:20])  # fmt: skip
        assert len(organizer.texts()) == 2
    await organizer.send(LAST_DAY)
    for typed in ("many", "0", "2000000"):
        await organizer.send(typed)
        assert organizer.texts()[0] == t("staff.launch.errors.roster", "en")
    await organizer.tap(t("staff.skip_button", "en"))
    await organizer.send("x" * 1001)
    assert organizer.texts()[0] == t("staff.launch.errors.follow_up", "en", limit=1000)
    await organizer.tap(t("staff.skip_button", "en"))
    assert organizer.texts()[0].startswith("Launch this campaign?")


async def test_a_student_campaign_without_a_lead_needs_an_explicit_test_launch(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, AWAY_ORGANIZER)  # their organization has no lead
    await to_school(organizer)
    for typed in ("Far Away High School", "9"):
        await organizer.send(typed)
    await organizer.tap(t("staff.audience.student", "en"))
    await organizer.tap("English")
    await organizer.send(LAST_DAY)
    await organizer.tap(t("staff.skip_button", "en"))
    await organizer.tap(t("staff.skip_button", "en"))
    confirm = organizer.latest()
    assert t("staff.launch.launch_button", "en") not in confirm.labels
    assert "no safeguarding lead" in confirm.text
    before = campaigns(engine)
    # A forged plain "launch" is refused by the same rule as `chorus launch`.
    await organizer.tap_signed(f"S:{nonce_of(engine, AWAY_ORGANIZER)}:L:confirm:go")
    assert campaigns(engine) == before
    assert "safeguarding lead" in organizer.said()
    await to_school(organizer)
    for typed in ("Far Away High School", "9"):
        await organizer.send(typed)
    await organizer.tap(t("staff.audience.student", "en"))
    await organizer.tap("English")
    await organizer.send(LAST_DAY)
    await organizer.tap(t("staff.skip_button", "en"))
    await organizer.tap(t("staff.skip_button", "en"))
    await organizer.tap(t("staff.launch.test_button", "en"))
    assert campaigns(engine) == before + 1
    assert t("staff.launch.test_warning", "en") in organizer.texts()
    assert ("campaign.launch", newest(engine).id) in audit_actions(engine)


async def test_a_restart_resumes_the_flow(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await to_school(organizer)
    await organizer.send("Roosevelt Elementary")
    restarted = build_offline(engine, offline)  # a new process: nothing in memory
    await restarted.initialize()
    try:
        again = Chat(restarted, offline, ORGANIZER)
        await again.send("5")
        assert again.texts() == [t("staff.launch.audience", "en")]
    finally:
        await restarted.shutdown()


async def test_cancel_leaves_the_flow(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await to_school(organizer)
    await organizer.send("/cancel")
    assert organizer.texts() == [t("staff.cancelled", "en")]
    await organizer.send("Roosevelt Elementary")
    assert organizer.texts() == [t("bot.join.how_to_join", "en")]
    await organizer.send("/cancel")
    assert organizer.texts() == [t("staff.nothing_to_cancel", "en")]


async def test_a_facilitator_cannot_use_a_launch_button(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/report")
    await facilitator.tap_signed(f"S:{nonce_of(engine, FACILITATOR)}:L:confirm:test")
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    assert calls(facilitator, "sendPhoto") == []


class _NineInTheEveningInNewYork(datetime):
    """21:00 on 5 December in New York is 02:00 on the 6th in UTC."""

    @classmethod
    def now(cls, tz: object = None) -> _NineInTheEveningInNewYork:  # type: ignore[override]
        return cls(2026, 12, 6, 2, 0, tzinfo=UTC)


def test_the_last_day_typed_is_checked_on_the_organizations_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.staff import launch_flow

    monkeypatch.setattr(launch_flow, "datetime", _NineInTheEveningInNewYork)
    # Still 5 December in New York, so it is a fine last day there; in UTC it is over.
    assert launch_flow._check_day("2026-12-05", "America/New_York") == ("2026-12-05", None)
    assert launch_flow._check_day("2026-12-05", "UTC") == (None, "staff.launch.errors.past")
    assert launch_flow._check_day("2026-12-04", "America/New_York") == (
        None,
        "staff.launch.errors.past",
    )
