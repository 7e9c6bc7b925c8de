"""A disclosure reaches every safeguarding lead of the campaign's organization, in the
answer's transaction, at alert priority, and never names the respondent or gets logged."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.alerts.messages import format_moment
from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import AlertStatus, Campaign, OutboxPriority
from tests.bot.alerts.conftest import (
    DISCLOSURE,
    FACILITATOR,
    LEAD,
    ORG,
    OTHER_LEAD,
    OWNER,
    SCHOOL,
    SECOND_LEAD,
    TIMEZONE,
    Staff,
    Student,
    alerts,
    disclose,
    outbox_rows,
    sent_to,
)
from tests.bot.conftest import respondent_of, stored_answers


async def test_a_disclosure_raises_one_alert_for_the_campaigns_organization(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine
) -> None:
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    assert alert.organization_id == campaign.organization_id == staff.lead.organization_id
    assert (alert.campaign_id, alert.question_id, alert.text) == (campaign.id, "t1", DISCLOSURE)
    assert alert.status == AlertStatus.OPEN
    assert alert.escalate_at - alert.created_at == timedelta(minutes=30)
    assert stored_answers(engine, student.chat_id)["t1"].flagged is True
    # The respondent still gets the crisis resources first, from the engine's step.
    mine = [c.text for c in student.last_calls if c.chat_id == student.chat_id]
    assert mine[0] == t("safeguarding.support", "en")


async def test_every_lead_gets_the_alert_and_nobody_else(
    student: Student, campaign: Campaign, staff: Staff, offline: OfflineRequest, engine: Engine
) -> None:
    await disclose(student, campaign)
    (alert,) = alerts(engine)
    (english,) = sent_to(offline, LEAD)
    (spanish,) = sent_to(offline, SECOND_LEAD)
    for chat_id in (OWNER, FACILITATOR, OTHER_LEAD):
        assert sent_to(offline, chat_id) == []
    text = english.text or ""
    assert SCHOOL in text and "Grade or cohort: 7" in text
    assert t("alerts.audience.any", "en") in text
    assert DISCLOSURE in text
    assert format_moment(alert.created_at, TIMEZONE, "en") in text
    assert f"({TIMEZONE})" in text
    assert [b["text"] for b in english.buttons] == ["I'm following up", "Not a concern"]
    # The Spanish-speaking lead reads it in Spanish, with the same facts.
    assert (spanish.text or "").startswith("⚠️ Alerta de protección")
    assert format_moment(alert.created_at, TIMEZONE, "es") in (spanish.text or "")
    assert DISCLOSURE in (spanish.text or "")
    assert [b["text"] for b in spanish.buttons] == [
        t("alerts.buttons.following_up", "es"),
        t("alerts.buttons.not_a_concern", "es"),
    ]


async def test_the_alert_goes_out_at_alert_priority(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine
) -> None:
    await disclose(student, campaign)
    for chat_id in (LEAD, SECOND_LEAD):
        (row,) = outbox_rows(engine, chat_id)
        assert row.priority == OutboxPriority.ALERT
    assert {row.priority for row in outbox_rows(engine, student.chat_id)} == {
        OutboxPriority.INTERACTIVE
    }


async def test_the_alert_never_holds_the_respondents_identity(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine
) -> None:
    await disclose(student, campaign)
    respondent = respondent_of(engine, student.chat_id)
    assert respondent is not None
    identity = [str(student.chat_id), "Zorblatt", "Quuxley", "zq_secret_handle", respondent.id]
    for chat_id in (LEAD, SECOND_LEAD):
        (row,) = outbox_rows(engine, chat_id)
        payload = json.loads(row.payload)
        everything = row.payload + json.dumps(payload.get("reply_markup"))
        for secret in identity:
            assert secret not in everything, secret
        assert DISCLOSURE in payload["text"]  # the lead needs the words to judge urgency


async def test_the_disclosure_is_never_logged(
    student: Student, campaign: Campaign, staff: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what `chorus run` logs
    for name in ("bot", "surveys", "analysis"):  # and everything chorus itself could say
        caplog.set_level(logging.DEBUG, logger=name)
    await disclose(student, campaign)
    assert any("alert" in record.getMessage() for record in caplog.records)  # it was logged...
    for record in caplog.records:
        assert "kill myself" not in record.getMessage()  # ...without the words
        assert "kill myself" not in str(record.args)


async def test_a_disclosure_with_no_lead_still_raises_an_alert_for_escalation(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine, offline: OfflineRequest
) -> None:
    from sqlmodel import Session

    from surveys.models import StaffMember

    with Session(engine) as session:
        for member_id in (staff.lead.id, staff.second_lead.id):
            member = session.get(StaffMember, member_id)
            assert member is not None
            member.revoked_at = datetime.now(UTC)
            session.add(member)
        session.commit()
    await disclose(student, campaign)
    assert len(alerts(engine)) == 1
    assert sent_to(offline, LEAD) == [] and sent_to(offline, SECOND_LEAD) == []


async def test_an_ordinary_answer_raises_no_alert(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine, offline: OfflineRequest
) -> None:
    from tests.bot.conftest import reach_last_question

    await reach_last_question(student, campaign)
    await student.send("More clubs after school, please")
    assert alerts(engine) == []
    assert sent_to(offline, LEAD) == []
    assert ORG  # the organization has leads: they were simply not needed


async def test_a_redelivered_disclosure_raises_one_alert(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine, offline: OfflineRequest
) -> None:
    from tests.bot.conftest import next_update_id, reach_last_question

    await reach_last_question(student, campaign)
    update_id = next_update_id()
    await student.send(DISCLOSURE, update_id=update_id)
    await student.send(DISCLOSURE, update_id=update_id)  # Telegram delivers it again
    assert len(alerts(engine)) == 1
    assert len(sent_to(offline, LEAD)) == 1


async def test_the_alert_and_the_answer_commit_together_or_not_at_all(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """If telling the leads cannot be written, the answer is not stored either: the update
    stays unhandled and is tried again, rather than a disclosure stored that nobody hears of."""
    from bot.handlers import replies
    from tests.bot.conftest import reach_last_question

    await reach_last_question(student, campaign)

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(replies, "queue_new_alert", broken)
    await student.send(DISCLOSURE)  # the handler fails; PTB logs it (without the text)
    assert alerts(engine) == []
    assert "t1" not in stored_answers(engine, student.chat_id)


async def test_a_disclosure_in_an_other_answer_raises_an_alert_too(
    student: Student, campaign: Campaign, staff: Staff, engine: Engine, offline: OfflineRequest
) -> None:
    from tests.bot.conftest import join

    await join(student, campaign)
    for label in ("Agree", "Agree", "Often", "Other", "Done"):
        await student.tap(label)
    await student.send("mi papá me pega")
    (alert,) = alerts(engine)
    assert (alert.question_id, alert.text) == ("h1", "mi papá me pega")
    assert "mi papá me pega" in (sent_to(offline, LEAD)[0].text or "")
