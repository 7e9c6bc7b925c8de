"""Access control, each rule through `Application.process_update` with an offline Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.offline_request import OfflineRequest
from bot.staff.commands import STAFF_COMMANDS
from surveys.crud.organizations import require_organization
from surveys.crud.staff import revoke_member
from surveys.i18n import t
from surveys.models import AuditEvent, Campaign, Contact, Respondent, StaffMember
from tests.bot.conftest import AnyApp, count_rows, join
from tests.bot.staff.conftest import (
    AWAY_ORGANIZER,
    FACILITATOR,
    HOME,
    ORGANIZER,
    STRANGER,
    Staffed,
    audit_actions,
    calls,
    campaign_status,
    nonce_of,
    person,
)

ALL_STAFF_COMMANDS = sorted(STAFF_COMMANDS)


@pytest.mark.parametrize("command", ALL_STAFF_COMMANDS)
async def test_a_stranger_gets_what_a_respondent_gets_for_an_unknown_command(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine, command: str
) -> None:
    stranger = person(app, offline, STRANGER)
    await stranger.send("/nonsense")
    unknown = stranger.texts()
    await stranger.send(f"/{command}")
    assert stranger.texts() == unknown == [t("bot.unsupported.command", "en")]
    assert [c.method for c in stranger.last_calls] == ["sendMessage"]  # no menu, no buttons
    assert count_rows(engine, StaffMember) == 5  # nothing was made of the stranger


async def test_a_stranger_gets_the_respondent_help_unchanged(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed
) -> None:
    stranger = person(app, offline, STRANGER, "es")
    await stranger.send("/help")
    assert stranger.texts() == [t("bot.help", "es@formal")]
    assert "/launch" not in stranger.texts()[0]


async def test_staff_help_lists_only_what_the_role_may_use(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed
) -> None:
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/help")
    text = facilitator.texts()[0]
    for allowed in ("/campaigns", "/report", "/export", "/help", "/cancel"):
        assert allowed in text
    for refused in ("/launch", "/close", "/invite", "/staff", "/alerts"):
        assert refused not in text
    menu = calls(facilitator, "setMyCommands")[0].params
    assert menu["scope"] == {"type": "chat", "chat_id": FACILITATOR}


@pytest.mark.parametrize("command", ["/launch", "/close", "/invite", "/staff", "/alerts"])
async def test_a_facilitator_cannot_launch_close_or_invite(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine, command: str
) -> None:
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send(command)
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    assert ("refused", None) in audit_actions(engine)


async def test_a_facilitators_forged_close_button_closes_nothing(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/export")  # starts a flow: a nonce to forge with
    nonce = nonce_of(engine, FACILITATOR)
    await facilitator.tap_signed(f"S:{nonce}:C:{staffed.home.id}")
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    assert campaign_status(engine, staffed.home.id) == "open"


async def test_campaigns_shows_only_the_organizations_own(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/campaigns")
    text = organizer.said()
    assert "Lincoln Middle School" in text
    assert "Far Away High School" not in text
    assert HOME in text
    away = person(app, offline, AWAY_ORGANIZER)
    await away.send("/campaigns")
    assert "Far Away High School" in away.said()
    assert "Lincoln Middle School" not in away.said()


@pytest.mark.parametrize(("command", "kind"), [("/close", "C"), ("/export", "E"), ("/report", "R")])
async def test_a_forged_campaign_id_of_another_organization_shows_nothing(
    app: AnyApp,
    offline: OfflineRequest,
    staffed: Staffed,
    engine: Engine,
    command: str,
    kind: str,
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send(command)
    offered = organizer.latest().labels
    assert any("Lincoln" in label for label in offered)
    assert not any("Far Away" in label for label in offered)
    nonce = nonce_of(engine, ORGANIZER)
    await organizer.tap_signed(f"S:{nonce}:{kind}:{staffed.away.id}")
    assert organizer.texts() == [t("staff.unavailable", "en")]
    assert calls(organizer, "sendDocument") == []
    assert campaign_status(engine, staffed.away.id) == "open"
    assert all(campaign != staffed.away.id for _, campaign in audit_actions(engine))


async def test_replayed_and_other_chat_buttons_do_nothing(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/close")
    picker = organizer.latest()
    label = next(lb for lb in picker.labels if "Lincoln" in lb)
    data = picker.data_for(label)
    await organizer.tap(label)
    assert campaign_status(engine, staffed.home.id) == "closed"
    events = len(audit_actions(engine))
    # The same tap again: the flow it belonged to is over.
    await organizer.tap_data(data, on=picker)
    assert organizer.texts() == [t("staff.old_button", "en")]
    assert len(audit_actions(engine)) == events
    # Another staff member of the same organization sends the first chat's button.
    with Session(engine) as session:
        campaign = session.get(Campaign, staffed.home.id)
        assert campaign is not None
        campaign.status = "open"
        session.add(campaign)
        session.commit()
    await organizer.send("/close")
    stolen = organizer.latest().data_for(label)
    owner_chat = person(app, offline, AWAY_ORGANIZER)
    await owner_chat.tap_data(stolen)
    assert owner_chat.texts() == [t("bot.buttons.invalid", "en")]
    # Unsigned data of the right shape.
    await organizer.tap_data(stolen.rsplit("|", 1)[0])
    assert organizer.texts() == [t("bot.buttons.invalid", "en")]
    assert campaign_status(engine, staffed.home.id) == "open"
    assert len(audit_actions(engine)) == events


async def test_a_revoked_member_is_refused_and_their_menu_reset(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/close")  # a flow in progress when the access goes
    button = organizer.latest()
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == ORGANIZER)).one()
        assert member.id is not None
        revoke_member(session, organization=require_organization(session, name=HOME),
                      member_id=member.id, now=datetime.now(UTC))  # fmt: skip
        session.commit()
    await organizer.send("/campaigns")
    assert organizer.texts() == [t("bot.unsupported.command", "en")]
    reset = calls(organizer, "deleteMyCommands")
    assert len(reset) == 1
    await organizer.tap(button.labels[0], on=button)
    assert organizer.texts() == [t("bot.buttons.invalid", "en")]
    assert campaign_status(engine, staffed.home.id) == "open"
    await organizer.send("Lincoln")  # typed text no longer goes to a flow
    assert organizer.texts() == [t("bot.join.how_to_join", "en")]


async def test_every_staff_action_is_audited(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await organizer.send("/campaigns")
    await organizer.send("/export")
    await organizer.tap(next(lb for lb in organizer.latest().labels if "Lincoln" in lb))
    await organizer.tap("CSV")
    await organizer.send("/close")
    await organizer.tap(next(lb for lb in organizer.latest().labels if "Lincoln" in lb))
    owner = person(app, offline, 7101)
    await owner.send("/staff")
    await owner.send("/invite")
    await owner.tap(t("staff.roles.facilitator", "en"))
    lead = person(app, offline, 7104)
    await lead.send("/alerts")
    home = staffed.home.id
    assert audit_actions(engine) == [
        ("campaigns.list", None),
        ("campaign.export", home),
        ("campaign.close", home),
        ("staff.list", None),
        ("invitation.create", None),
        ("alerts.list", None),
    ]
    with Session(engine) as session:
        events = session.exec(select(AuditEvent)).all()
        assert all(e.staff_member_id is not None for e in events)


async def test_a_staff_member_answers_a_survey_as_anyone_else(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    organizer = person(app, offline, ORGANIZER)
    await join(organizer, staffed.home)
    await organizer.tap("Agree")
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == ORGANIZER)).one()
        respondent = session.get(Respondent, contact.respondent_id)
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == ORGANIZER)).one()
        assert respondent is not None and respondent.campaign_id == staffed.home.id
        # Nothing joins the two: the staff row names no respondent, the respondent no staff.
        assert member.state is None
        assert str(member.id) not in (respondent.id, contact.respondent_id)
        assert "staff" not in Respondent.model_fields and "staff" not in Contact.model_fields
    await organizer.send("/campaigns")  # still staff
    assert "Lincoln Middle School" in organizer.said()
    await organizer.send("/close")  # a button-only flow does not take typed text
    await organizer.send("Some text")  # the survey's question (a button one) reads it
    assert organizer.texts()[0] == t("errors.tap_button", "en")
