"""Escalation with a controllable clock: nothing before the organization's time; after it
the owners get the alert and the leads are told, exactly once, however often it runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.alerts.escalation import Escalator
from bot.alerts.messages import format_moment
from bot.runtime import runtime_of
from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import Alert, AlertStatus, Campaign, OutboxPriority
from tests.bot.alerts.conftest import (
    DISCLOSURE,
    FACILITATOR,
    LEAD,
    OTHER_LEAD,
    OWNER,
    SECOND_LEAD,
    TIMEZONE,
    Staff,
    Student,
    alerts,
    disclose,
    outbox_rows,
    sent_to,
    shown,
)
from tests.bot.conftest import AnyApp, Chat


def clock_at(alert: Alert, minutes: float) -> datetime:
    return alert.created_at + timedelta(minutes=minutes)


async def escalate(app: AnyApp, at: datetime) -> list[int]:
    runtime = runtime_of(app)
    escalated = await Escalator(runtime, clock=lambda: at).run_once()
    await runtime.delivery.flush()
    return escalated


async def test_nothing_escalates_before_the_organizations_time(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    before = len(offline.calls)
    assert await escalate(app, clock_at(alert, 29.9)) == []
    assert offline.calls[before:] == []
    assert alerts(engine)[0].escalated_at is None


async def test_an_unacknowledged_alert_goes_to_the_owners_once(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    before = len(offline.calls)
    assert await escalate(app, clock_at(alert, 31)) == [alert.id]
    (to_owner,) = sent_to(offline, OWNER, since=before)
    text = to_owner.text or ""
    assert DISCLOSURE in text and campaign.school in text  # the same content...
    assert format_moment(alert.created_at, TIMEZONE, "en") in text
    assert t("alerts.owner_note", "en", minutes=30) in text  # ...and why it came
    assert [b["text"] for b in to_owner.buttons] == ["I'm following up", "Not a concern"]
    (row,) = outbox_rows(engine, OWNER)
    assert row.priority == OutboxPriority.ALERT
    for lead, language in ((LEAD, "en"), (SECOND_LEAD, "es")):
        (told,) = sent_to(offline, lead, since=before)
        when = format_moment(alert.created_at, TIMEZONE, language)
        expected = t(
            "alerts.escalated_to_leads", language, school=campaign.school, time=when, minutes=30
        )
        assert told.text == expected
        assert outbox_rows(engine, lead)[-1].priority == OutboxPriority.ALERT
    for chat_id in (FACILITATOR, OTHER_LEAD):
        assert sent_to(offline, chat_id) == []
    stored = alerts(engine)[0]
    assert stored.escalated_at is not None and stored.status == AlertStatus.OPEN
    # Running again, later, and from a second worker's loop: nothing more is sent.
    again = len(offline.calls)
    assert await escalate(app, clock_at(alert, 45)) == []
    results = await asyncio.gather(*(escalate(app, clock_at(alert, 60)) for _ in range(3)))
    assert results == [[], [], []]
    assert offline.calls[again:] == []


async def test_an_acknowledged_alert_never_escalates(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    lead = Chat(app, offline, LEAD)
    await lead.tap("I'm following up", on=shown(sent_to(offline, LEAD)[0]))
    before = len(offline.calls)
    assert await escalate(app, clock_at(alert, 120)) == []
    assert sent_to(offline, OWNER, since=before) == []


async def test_after_escalation_the_owners_hear_who_took_it(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    await escalate(app, clock_at(alert, 31))
    before = len(offline.calls)
    lead = Chat(app, offline, LEAD)
    await lead.tap("I'm following up", on=shown(sent_to(offline, LEAD)[0]))
    (told,) = sent_to(offline, OWNER, since=before)
    assert (told.text or "").startswith("Ana Lead is following up on the alert from")
    edits = [c for c in lead.last_calls if c.method == "editMessageText"]
    (edit,) = [c for c in edits if c.chat_id == LEAD]
    assert "⏰" in (edit.text or "")  # the lead's copy says it had been escalated
    # The owner's copy, sent with buttons at escalation, loses them and says who took it.
    (owner_copy,) = [c for c in edits if c.chat_id == OWNER]
    escalated = [c for c in offline.of("sendMessage") if c.chat_id == OWNER and c.buttons]
    assert owner_copy.params["message_id"] == shown(escalated[0]).message_id
    assert owner_copy.buttons == []
    assert "Ana Lead" in (owner_copy.text or "")


async def test_with_no_owner_the_leads_are_reminded_instead(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    from sqlmodel import Session

    from surveys.models import StaffMember

    with Session(engine) as session:
        owner = session.get(StaffMember, staff.owner.id)
        assert owner is not None
        owner.revoked_at = datetime.now(UTC)
        session.add(owner)
        session.commit()
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    before = len(offline.calls)
    assert await escalate(app, clock_at(alert, 31)) == [alert.id]
    assert sent_to(offline, OWNER, since=before) == []
    (told,) = sent_to(offline, LEAD, since=before)
    when = format_moment(alert.created_at, TIMEZONE, "en")
    expected = t("alerts.overdue_no_owner", "en", school=campaign.school, time=when, minutes=30)
    assert told.text == expected


async def test_an_owner_can_take_an_escalated_alert_and_the_leads_hear_it(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    """If no lead acts (or none is left), the owners the alert reached can close it."""
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    await escalate(app, clock_at(alert, 31))
    before = len(offline.calls)
    owner = Chat(app, offline, OWNER)
    await owner.tap("I'm following up", on=shown(sent_to(offline, OWNER)[-1]))
    stored = alerts(engine)[0]
    assert stored.status == AlertStatus.FOLLOWING_UP
    assert stored.handled_by == staff.owner.id
    for lead in (LEAD, SECOND_LEAD):
        (told,) = sent_to(offline, lead, since=before)
        assert "following up on the alert from" in (told.text or "") or "seguimiento" in (
            told.text or ""
        )
    # A lead's later tap is told it was already handled, and changes nothing.
    lead = Chat(app, offline, LEAD)
    await lead.tap("Not a concern", on=shown(sent_to(offline, LEAD)[0]))
    assert alerts(engine)[0].status == AlertStatus.FOLLOWING_UP


async def test_an_owner_cannot_act_on_an_alert_before_it_is_escalated(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    from bot.alerts.handling import AlertTap, act

    await disclose(student, campaign)
    (alert,) = alerts(engine)
    request = AlertTap(OWNER, alert.id, AlertStatus.FOLLOWING_UP, None, "en")
    assert await runtime_of(app).transact(lambda out: act(out, request)) is False
    assert alerts(engine)[0].status == AlertStatus.OPEN
