"""The alert buttons: only an active lead of the alert's organization acts, the first
acknowledgement wins and is audited, the others are told; forged taps change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import AlertStatus, AuditEvent, Campaign, StaffMember
from tests.bot.alerts.conftest import (
    FACILITATOR,
    LEAD,
    OTHER_LEAD,
    OWNER,
    SECOND_LEAD,
    Staff,
    Student,
    alerts,
    disclose,
    sent_to,
    shown,
)
from tests.bot.conftest import AnyApp, Chat, next_update_id


def alert_audits(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent).where(col(AuditEvent.action).startswith("alert."))
            ).all()
        )


async def test_the_first_lead_to_tap_takes_it_and_the_other_is_told(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    lead, second = Chat(app, offline, LEAD), Chat(app, offline, SECOND_LEAD)
    ana_alert, luis_alert = (
        shown(sent_to(offline, LEAD)[0]),
        shown(sent_to(offline, SECOND_LEAD)[0]),
    )
    before = len(offline.calls)
    await lead.tap("I'm following up", on=ana_alert)
    (alert,) = alerts(engine)
    assert alert.status == AlertStatus.FOLLOWING_UP
    assert alert.handled_by == staff.lead.id and alert.handled_at is not None
    (event,) = alert_audits(engine)
    assert (event.action, event.staff_member_id, event.campaign_id) == (
        "alert.following_up", staff.lead.id, campaign.id,
    )  # fmt: skip
    # Ana's alert now records the outcome, and its buttons are gone.
    edits = [c for c in lead.last_calls if c.method == "editMessageText"]
    (edit,) = [c for c in edits if c.chat_id == LEAD]
    assert edit.params["message_id"] == ana_alert.message_id
    assert "✅ Ana Lead is following up on this alert." in (edit.text or "")
    assert edit.buttons == []
    # Luis is told who took it, in Spanish, and his copy loses its buttons too.
    (told,) = sent_to(offline, SECOND_LEAD, since=before)
    assert (told.text or "").startswith("Ana Lead está haciendo el seguimiento")
    (luis_edit,) = [c for c in edits if c.chat_id == SECOND_LEAD]
    assert luis_edit.params["message_id"] == luis_alert.message_id
    assert luis_edit.buttons == [] and "Ana Lead" in (luis_edit.text or "")
    assert sent_to(offline, OWNER, since=before) == []  # not escalated: owners never heard
    # Luis taps his own copy afterwards: told it was already handled; nothing changes.
    await second.tap(t("alerts.buttons.not_a_concern", "es"), on=luis_alert)
    assert second.said().startswith("Esta alerta ya fue atendida.")
    assert "Ana Lead" in second.said()
    (alert,) = alerts(engine)
    assert (alert.status, alert.handled_by) == (AlertStatus.FOLLOWING_UP, staff.lead.id)
    assert len(alert_audits(engine)) == 1


async def test_not_a_concern_is_recorded_too(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    second = Chat(app, offline, SECOND_LEAD)
    await second.tap(
        t("alerts.buttons.not_a_concern", "es"), on=shown(sent_to(offline, SECOND_LEAD)[0])
    )
    (alert,) = alerts(engine)
    assert (alert.status, alert.handled_by) == (AlertStatus.NOT_A_CONCERN, staff.second_lead.id)
    assert [e.action for e in alert_audits(engine)] == ["alert.not_a_concern"]
    (told,) = sent_to(offline, LEAD, since=len(offline.calls) - len(second.last_calls))
    assert told.text == (
        f"Luis Segundo marked the alert from {campaign.school} "
        f"({_time_of(told.text or '')}) as not a concern."
    )


def _time_of(text: str) -> str:
    return text.split("(", 1)[1].rsplit(") as not", 1)[0]


async def test_a_redelivered_tap_says_nothing_twice(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    lead = Chat(app, offline, LEAD)
    message = shown(sent_to(offline, LEAD)[0])
    update_id = next_update_id()
    await lead.tap("I'm following up", on=message, update_id=update_id)
    again = await lead.tap("I'm following up", on=message, update_id=update_id)
    assert [c for c in again if c.method != "answerCallbackQuery"] == []
    assert len(alert_audits(engine)) == 1


async def _nothing_changed(engine: Engine) -> None:
    (alert,) = alerts(engine)
    assert alert.status == AlertStatus.OPEN and alert.handled_by is None
    assert alert_audits(engine) == []


async def test_a_button_sent_to_another_chat_does_nothing(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    """Luis replays Ana's button (signed for Ana's chat): the signature fails."""
    await disclose(student, campaign)
    ana_button = shown(sent_to(offline, LEAD)[0]).data_for("I'm following up")
    second = Chat(app, offline, SECOND_LEAD)
    await second.tap_data(ana_button)
    assert second.texts() == [t("bot.buttons.invalid", "en")]
    await _nothing_changed(engine)


async def test_forged_alert_data_does_nothing(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    lead = Chat(app, offline, LEAD)
    await lead.tap_data(f"alert:{alert.id}:follow")  # unsigned
    assert lead.texts() == [t("bot.buttons.invalid", "en")]
    await lead.tap_signed(f"alert:{alert.id}:escalate")  # signed, but no such action
    assert lead.texts() == [t("bot.buttons.invalid", "en")]
    await _nothing_changed(engine)


async def test_only_a_lead_of_the_alerts_organization_can_act(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    """Properly signed data for their own chat, from people who may not act on this alert."""
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    for chat_id in (OTHER_LEAD, FACILITATOR, OWNER, student.chat_id, 424242):
        chat = Chat(app, offline, chat_id)
        await chat.tap_signed(f"alert:{alert.id}:follow")
        assert chat.texts() == [t("alerts.not_allowed", "en")], chat_id
    await _nothing_changed(engine)


async def test_a_revoked_lead_can_no_longer_act(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff,
    offline: OfflineRequest, engine: Engine,
) -> None:  # fmt: skip
    await disclose(student, campaign)
    with Session(engine) as session:
        member = session.get(StaffMember, staff.lead.id)
        assert member is not None
        member.revoked_at = datetime.now(UTC)
        session.add(member)
        session.commit()
    lead = Chat(app, offline, LEAD)
    await lead.tap("I'm following up", on=shown(sent_to(offline, LEAD)[0]))
    assert lead.texts() == [t("alerts.not_allowed", "en")]
    await _nothing_changed(engine)


async def test_an_alert_that_does_not_exist_reveals_nothing(
    app: AnyApp, student: Student, campaign: Campaign, staff: Staff, offline: OfflineRequest
) -> None:
    lead = Chat(app, offline, LEAD)
    await lead.tap_signed("alert:999999:follow")
    assert lead.texts() == [t("alerts.not_allowed", "en")]
