"""Alerts in storage: raised with the organization's escalation time, handled once,
escalated once (also by two PostgreSQL workers at the same moment), kept per organization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from surveys.crud.alerts import (
    alert_facts,
    alert_handler,
    claim_escalations,
    handle_alert,
    open_alerts,
    raise_alert,
)
from surveys.crud.organizations import create_organization
from surveys.models import Alert, AlertStatus, AuditEvent, Campaign
from tests.factories import T0, make_campaign, make_staff

ORG = "Bridges Tutoring"


def _campaign(session: Session, *, organization: str = ORG, minutes: int = 30) -> Campaign:
    create_organization(session, name=organization, escalation_minutes=minutes)
    return make_campaign(session, organization=organization, school=f"{organization} School")


def _raise(session: Session, campaign: Campaign, *, text: str = "I want to die", now=T0) -> int:
    assert campaign.id is not None
    alert_id = raise_alert(session, campaign_id=campaign.id, question_id="t1", text=text, now=now)
    assert alert_id is not None
    return alert_id


def test_an_alert_belongs_to_the_campaigns_organization_and_escalates_on_its_time(
    session: Session,
) -> None:
    campaign = _campaign(session, minutes=45)
    alert = alert_facts(session, alert_id=_raise(session, campaign))
    assert alert is not None
    assert alert.organization_id == campaign.organization_id
    assert alert.campaign_id == campaign.id
    assert (alert.school, alert.grade, alert.audience) == (campaign.school, "7", "any")
    assert alert.status == AlertStatus.OPEN
    assert alert.escalate_at - alert.created_at == timedelta(minutes=45)
    assert alert.text == "I want to die"


def test_the_first_acknowledgement_wins_and_is_audited_once(session: Session) -> None:
    campaign = _campaign(session)
    first = make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=1)
    second = make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=2)
    alert = alert_facts(session, alert_id=_raise(session, campaign))
    assert alert is not None and first.id is not None and second.id is not None
    moment = T0 + timedelta(minutes=3)
    assert handle_alert(
        session, alert=alert, member_id=first.id, status=AlertStatus.FOLLOWING_UP, now=moment
    )
    assert not handle_alert(
        session, alert=alert, member_id=second.id, status=AlertStatus.NOT_A_CONCERN
    )
    stored = session.get(Alert, alert.id)
    assert stored is not None
    session.refresh(stored)
    assert (stored.status, stored.handled_by) == (AlertStatus.FOLLOWING_UP, first.id)
    assert stored.handled_at is not None
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action).startswith("alert."))
    ).all()
    assert [(e.action, e.staff_member_id, e.campaign_id) for e in events] == [
        ("alert.following_up", first.id, campaign.id)
    ]
    assert events[0].detail == f"alert {alert.id}"  # names the alert, never its text


def test_only_a_lead_of_the_alerts_own_organization_may_handle_it(session: Session) -> None:
    campaign = _campaign(session)
    _campaign(session, organization="Other Org")
    lead = make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=1)
    make_staff(session, organization=ORG, roles="owner,organizer,facilitator", chat_id=2)
    make_staff(session, organization="Other Org", roles="safeguarding-lead", chat_id=3)
    alert = alert_facts(session, alert_id=_raise(session, campaign))
    assert alert is not None
    handler = alert_handler(session, chat_id=1, alert=alert)
    assert handler is not None and handler.member_id == lead.id
    assert alert_handler(session, chat_id=2, alert=alert) is None  # staff, not a lead
    assert alert_handler(session, chat_id=3, alert=alert) is None  # a lead elsewhere
    assert alert_handler(session, chat_id=4, alert=alert) is None  # nobody
    lead.revoked_at = T0
    session.add(lead)
    session.flush()
    assert alert_handler(session, chat_id=1, alert=alert) is None  # revoked


def test_an_alert_escalates_once_after_its_time_and_never_once_handled(
    session: Session,
) -> None:
    campaign = _campaign(session, minutes=30)
    lead = make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=1)
    waiting = _raise(session, campaign)
    handled = _raise(session, campaign)
    facts = alert_facts(session, alert_id=handled)
    assert facts is not None and lead.id is not None
    handle_alert(session, alert=facts, member_id=lead.id, status=AlertStatus.NOT_A_CONCERN)
    assert claim_escalations(session, now=T0 + timedelta(minutes=29)) == []
    assert claim_escalations(session, now=T0 + timedelta(minutes=30)) == [waiting]
    assert claim_escalations(session, now=T0 + timedelta(minutes=90)) == []
    escalated = alert_facts(session, alert_id=waiting)
    assert escalated is not None and escalated.escalated_at is not None
    assert escalated.status == AlertStatus.OPEN  # still waiting for a lead


def test_open_alerts_are_the_organizations_own_newest_first(session: Session) -> None:
    ours = _campaign(session)
    theirs = _campaign(session, organization="Other Org")
    older = _raise(session, ours, now=T0)
    newer = _raise(session, ours, now=T0 + timedelta(minutes=5))
    _raise(session, theirs, now=T0 + timedelta(minutes=9))
    lead = make_staff(session, organization=ORG, roles="safeguarding-lead", chat_id=1)
    done = _raise(session, ours, now=T0 + timedelta(minutes=7))
    facts = alert_facts(session, alert_id=done)
    assert facts is not None and lead.id is not None and ours.organization_id is not None
    handle_alert(session, alert=facts, member_id=lead.id, status=AlertStatus.FOLLOWING_UP)
    shown, total = open_alerts(session, organization_id=ours.organization_id)
    assert [a.id for a in shown] == [newer, older]
    assert total == 2
    shown, total = open_alerts(session, organization_id=ours.organization_id, limit=1)
    assert ([a.id for a in shown], total) == ([newer], 2)


def test_two_workers_escalating_at_once_escalate_each_alert_once(engine: Engine) -> None:
    """Worker A holds its claim uncommitted; worker B, at the same moment, takes none of
    A's alerts (SKIP LOCKED on PostgreSQL; SQLite's single writer waits) and, after A
    commits, finds nothing left to escalate."""
    with Session(engine) as session:
        campaign = _campaign(session)
        ids = sorted(_raise(session, campaign) for _ in range(3))
        session.commit()
    later = T0 + timedelta(hours=1)
    if engine.dialect.name != "postgresql":
        with engine.begin() as a:
            assert claim_escalations(a, now=later) == ids
        with engine.begin() as b:
            assert claim_escalations(b, now=later) == []
        return
    with engine.connect() as a, engine.connect() as b:
        assert claim_escalations(a, now=later, limit=2) == ids[:2]
        assert claim_escalations(b, now=later) == ids[2:]  # skips A's locked rows
        b.commit()
        a.commit()
    with engine.begin() as c:
        assert claim_escalations(c, now=later) == []
    with Session(engine) as session:
        rows = session.exec(select(Alert)).all()
        assert all(row.escalated_at is not None for row in rows)


@pytest.mark.parametrize("minutes", [1, 24 * 60])
def test_the_escalation_time_is_the_organizations(session: Session, minutes: int) -> None:
    campaign = _campaign(session, minutes=minutes)
    alert_id = _raise(session, campaign)
    before = T0 + timedelta(minutes=minutes) - timedelta(seconds=1)
    assert claim_escalations(session, now=before) == []
    assert claim_escalations(session, now=T0 + timedelta(minutes=minutes)) == [alert_id]
