"""`/share` in the staff chat: preview, confirm, bulk queue once; progress when asked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import Campaign, CampaignStatus, OutboxMessage, OutboxPriority
from tests.bot.conftest import AnyApp
from tests.bot.staff.conftest import (
    FACILITATOR,
    ORGANIZER,
    Staffed,
    audit_actions,
    nonce_of,
    person,
)
from tests.factories import add_answers, make_respondent

PEOPLE = 12
"""More than the default minimum group size of 10, so results may be shared."""


def answered_and_closed(engine: Engine, campaign: Campaign, people: int = PEOPLE) -> list[int]:
    """`people` completed respondents with chats; the campaign closed yesterday."""
    chats = [880_000 + n for n in range(people)]
    with Session(engine) as session:
        stored = session.get(Campaign, campaign.id)
        assert stored is not None
        for chat_id in chats:
            someone = make_respondent(session, campaign=stored, chat_id=chat_id)
            add_answers(session, respondent=someone, answers={"b1": "4", "y1": "yes"})
        stored.status = CampaignStatus.CLOSED
        stored.closed_at = datetime.now(UTC) - timedelta(days=1)
        session.add(stored)
        session.commit()
    return chats


def bulk_chats(engine: Engine) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.priority == OutboxPriority.BULK)
        ).all()
    return sorted(row.chat_id for row in rows)


async def test_an_organizer_previews_confirms_and_a_second_share_sends_nothing(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    chats = answered_and_closed(engine, staffed.home)
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/share")
    await organizer.tap(organizer.latest().labels[0])
    preview = organizer.said()
    assert f"{PEOPLE} people" in preview and "/delete" in preview
    assert bulk_chats(engine) == []  # nothing goes before the confirm
    await organizer.tap(t("staff.share.send_button", "en", people=PEOPLE))
    assert "Queued for 12 people" in organizer.said()
    assert bulk_chats(engine) == chats
    assert ("campaign.share", staffed.home.id) in audit_actions(engine)

    await organizer.send("/share")  # again: progress, and nothing queued twice
    await organizer.tap(organizer.latest().labels[0])
    assert "were shared" in organizer.said()
    assert bulk_chats(engine) == chats


async def test_an_open_campaign_is_not_shared(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/share")
    await organizer.tap(organizer.latest().labels[0])
    assert "still taking answers" in organizer.said()
    assert bulk_chats(engine) == []


async def test_a_facilitator_cannot_share_even_with_a_forged_confirm(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    answered_and_closed(engine, staffed.home)
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/share")
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    await facilitator.send("/export")  # a flow in progress, to forge a button with
    nonce = nonce_of(engine, FACILITATOR)
    await facilitator.tap_signed(f"S:{nonce}:Y:{staffed.home.id}")
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    assert bulk_chats(engine) == []


async def test_another_organizations_campaign_cannot_be_shared(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    answered_and_closed(engine, staffed.away)
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/share")
    nonce = nonce_of(engine, ORGANIZER)
    await organizer.tap_signed(f"S:{nonce}:S:{staffed.away.id}")
    assert organizer.texts() == [t("staff.unavailable", "en")]
    await organizer.tap_signed(f"S:{nonce}:Y:{staffed.away.id}")
    assert bulk_chats(engine) == []


async def test_campaigns_shows_how_many_reminders_went_out(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    with Session(engine) as session:
        stored = session.get(Campaign, staffed.home.id)
        assert stored is not None
        stored.reminders_sent = 7
        session.add(stored)
        session.commit()
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/campaigns")
    assert "7 reminders sent" in organizer.said()
