"""`/alerts` (`queue_open_alerts`): the member's organization's open alerts, newest first,
each with its buttons; nothing for someone who may not handle alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.alerts.listing import queue_open_alerts
from bot.runtime import runtime_of
from bot.simulation.offline_request import Call, OfflineRequest
from surveys.crud.alerts import LISTING_LIMIT, alert_facts, handle_alert, raise_alert
from surveys.i18n import t
from surveys.models import AlertStatus, Campaign, StaffMember
from tests.bot.alerts.conftest import LEAD, OTHER_ORG, Staff, shown
from tests.bot.conftest import AnyApp, Chat
from tests.factories import T0, make_campaign


def _raise(engine: Engine, campaign_id: int, text: str, minutes: int) -> int:
    with Session(engine) as session:
        alert_id = raise_alert(
            session,
            campaign_id=campaign_id,
            question_id="t1",
            text=text,
            now=T0 + timedelta(minutes=minutes),
        )
        session.commit()
    assert alert_id is not None
    return alert_id


async def listing(app: AnyApp, offline: OfflineRequest, member: StaffMember) -> list[Call]:
    runtime = runtime_of(app)
    before = len(offline.calls)
    await runtime.transact(
        lambda out: queue_open_alerts(out, chat_id=member.chat_id, member=member)
    )
    await runtime.delivery.flush()
    return [c for c in offline.calls[before:] if c.method == "sendMessage"]


async def test_open_alerts_newest_first_with_buttons_and_only_the_organizations(
    app: AnyApp, campaign: Campaign, staff: Staff, offline: OfflineRequest, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        elsewhere = make_campaign(session, organization=OTHER_ORG, school="Elsewhere High")
        session.commit()
    assert campaign.id is not None and elsewhere.id is not None
    _raise(engine, campaign.id, "first worry", 0)
    handled = _raise(engine, campaign.id, "handled worry", 5)
    _raise(engine, campaign.id, "second worry", 10)
    _raise(engine, elsewhere.id, "another organization's worry", 20)
    with Session(engine) as session:
        facts = alert_facts(session, alert_id=handled)
        assert facts is not None and staff.lead.id is not None
        handle_alert(session, alert=facts, member_id=staff.lead.id, status=AlertStatus.FOLLOWING_UP)
        session.commit()
    messages = await listing(app, offline, staff.lead)
    assert [m.chat_id for m in messages] == [LEAD, LEAD]
    assert "second worry" in (messages[0].text or "")
    assert "first worry" in (messages[1].text or "")
    for message in messages:
        assert [b["text"] for b in message.buttons] == ["I'm following up", "Not a concern"]
    everything = " ".join(m.text or "" for m in messages)
    assert "another organization's worry" not in everything and "handled worry" not in everything
    # The listed buttons work like the original message's.
    lead = Chat(app, offline, LEAD)
    await lead.tap("Not a concern", on=shown(messages[0]))
    assert [m.text for m in await listing(app, offline, staff.lead)] == [messages[1].text]


async def test_no_open_alerts(
    app: AnyApp, campaign: Campaign, staff: Staff, offline: OfflineRequest
) -> None:
    (message,) = await listing(app, offline, staff.lead)
    assert message.text == t("alerts.none_open", "en")


async def test_a_long_list_says_how_many_more(
    app: AnyApp, campaign: Campaign, staff: Staff, offline: OfflineRequest, engine: Engine
) -> None:
    assert campaign.id is not None
    for minute in range(LISTING_LIMIT + 2):
        _raise(engine, campaign.id, f"worry {minute}", minute)
    messages = await listing(app, offline, staff.lead)
    assert len(messages) == LISTING_LIMIT + 1
    assert f"worry {LISTING_LIMIT + 1}" in (messages[0].text or "")
    assert messages[-1].text == t("alerts.more", "en", shown=LISTING_LIMIT, total=LISTING_LIMIT + 2)


@pytest.mark.parametrize("who", ["facilitator", "owner"])
async def test_someone_who_may_not_handle_alerts_sees_none(
    app: AnyApp, campaign: Campaign, staff: Staff, offline: OfflineRequest, engine: Engine,
    who: str,
) -> None:  # fmt: skip
    assert campaign.id is not None
    _raise(engine, campaign.id, "a worry", 0)
    member = getattr(staff, who)
    (message,) = await listing(app, offline, member)
    assert message.text == t("alerts.not_allowed", "en")
