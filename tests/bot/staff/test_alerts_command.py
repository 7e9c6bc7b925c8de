"""`/alerts`: a lead sees their own organization's open alerts, and never who wrote them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import Alert, AlertStatus, Campaign
from tests.bot.conftest import AnyApp
from tests.bot.staff.conftest import LEAD, Staffed, person
from tests.factories import make_respondent, make_staff


def alert(session: Session, campaign: Campaign, *, status: str = AlertStatus.OPEN) -> None:
    assert campaign.id is not None and campaign.organization_id is not None
    make_respondent(session, campaign=campaign, chat_id=555000111)
    now = datetime.now(UTC)
    session.add(Alert(organization_id=campaign.organization_id, campaign_id=campaign.id,
                      question_id="t1", text="someone hurts me", status=status,
                      escalate_at=now + timedelta(minutes=30)))  # fmt: skip
    session.flush()


async def test_a_lead_sees_only_their_organizations_open_alerts(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    with Session(engine) as session:
        alert(session, staffed.home)
        alert(session, staffed.home, status=AlertStatus.NOT_A_CONCERN)
        alert(session, staffed.away)
        make_staff(session, organization="Northside Mentors", roles="safeguarding-lead",
                   chat_id=7202)  # fmt: skip
        session.commit()
    lead = person(app, offline, LEAD)
    await lead.send("/alerts")
    text = lead.said()
    assert text.count("Lincoln Middle School") == 1
    assert "Far Away" not in text
    assert "555000111" not in text
    away = person(app, offline, 7202)
    await away.send("/alerts")
    assert "Far Away High School" in away.said() and "Lincoln" not in away.said()


async def test_no_open_alerts(app: AnyApp, offline: OfflineRequest, staffed: Staffed) -> None:
    lead = person(app, offline, LEAD)
    await lead.send("/alerts")
    assert lead.texts() == [t("alerts.none_open", "en")]
