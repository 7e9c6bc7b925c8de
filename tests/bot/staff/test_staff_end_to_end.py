"""Staff end to end: the real runtime polling the fake Bot API over HTTP.

Invitation links, the command menu per chat, /launch ending in a photo and a
document, /report sending the packet, and the refusals, as a phone would see them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, UserAction
from bot.simulation.respondents import polling_bot
from bot.staff import documents
from surveys.crud.organizations import create_organization
from surveys.crud.staff import create_invitation
from surveys.i18n import t
from surveys.roles import StaffRole
from tests.factories import add_answers, make_campaign, make_respondent, make_staff

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "5151:STAFF-END-TO-END"
ORGANIZER, FACILITATOR, STRANGER = 9101, 9102, 9103
WAIT = 8.0


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="chorus_e2e_bot") as server:
        yield server


def invitations(engine: Engine) -> dict[StaffRole, str]:
    """An organization with a safeguarding lead and answers to one campaign; two links."""
    with Session(engine) as session:
        organization = create_organization(session, name="Bridges Tutoring")
        make_staff(session, organization="Bridges Tutoring", roles="safeguarding-lead",
                   chat_id=9100)  # fmt: skip
        campaign = make_campaign(session, organization="Bridges Tutoring")
        for _ in range(12):
            someone = make_respondent(session, campaign=campaign)
            add_answers(session, respondent=someone, answers={"b1": "4", "y1": "yes"})
        tokens = {
            role: create_invitation(
                session, organization=organization, roles=frozenset({role})
            ).token
            for role in (StaffRole.ORGANIZER, StaffRole.FACILITATOR)
        }
        session.commit()
    return tokens


async def said(api: FakeBotApi, action: UserAction) -> ChatMessage:
    """The bot's first message after `action`, once the bot has gone quiet."""
    message = await api.wait_for_reply(action.chat_id, after=action, timeout=WAIT)
    await api.wait_settled(action.chat_id, since=action, quiet=0.1, timeout=WAIT)
    return message


async def latest(api: FakeBotApi, action: UserAction) -> ChatMessage:
    await said(api, action)
    message = api.latest(action.chat_id)
    assert message is not None
    return message


async def test_staff_join_launch_and_report_through_the_fake_telegram(
    api: FakeBotApi, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "REPORT_FORMATS", ("html", "xlsx"))
    tokens = invitations(engine)
    last_day = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%d")
    async with polling_bot(api, engine, username="chorus_e2e_bot"):
        welcome = await said(
            api, api.send_command(ORGANIZER, "/start", tokens[StaffRole.ORGANIZER])
        )
        assert "Bridges Tutoring" in welcome.text and "/launch" in welcome.text
        menu = [c["command"] for c in api.commands_for(ORGANIZER)]
        assert menu == [
            "launch",
            "campaigns",
            "report",
            "export",
            "close",
            "share",
            "help",
            "cancel",
        ]

        await said(api, api.send_command(ORGANIZER, "/launch"))
        await said(api, api.press_button(ORGANIZER, "Test survey"))
        for typed in ("Roosevelt Elementary", "5"):
            await said(api, api.send_text(ORGANIZER, typed))
        await said(api, api.press_button(ORGANIZER, t("staff.audience.caregiver", "en")))
        await said(api, api.press_button(ORGANIZER, "English"))
        await said(api, api.send_text(ORGANIZER, last_day))
        await said(api, api.press_button(ORGANIZER, t("staff.skip_button", "en")))
        await said(api, api.press_button(ORGANIZER, t("staff.skip_button", "en")))
        launched = await said(api, api.press_button(ORGANIZER, "Launch"))
        assert "https://t.me/chorus_e2e_bot?start=" in launched.text
        files = [m.attachment for m in api.messages(ORGANIZER) if m.attachment is not None]
        assert [f.kind for f in files] == ["photo", "document"]
        assert all(f.size > 100 for f in files)
        assert files[1].filename is not None and files[1].filename.startswith("flyer-")

        # A stranger learns nothing; a facilitator is refused the organizer's commands.
        unknown = await said(api, api.send_command(STRANGER, "/nonsense"))
        refused = await said(api, api.send_command(STRANGER, "/launch"))
        assert refused.text == unknown.text == t("bot.unsupported.command", "en")
        assert api.commands_for(STRANGER) == []
        await said(api, api.send_command(FACILITATOR, "/start", tokens[StaffRole.FACILITATOR]))
        denied = await said(api, api.send_command(FACILITATOR, "/launch"))
        assert denied.text == t("staff.not_allowed", "en")

        await said(api, api.send_command(FACILITATOR, "/report"))
        picked = await latest(api, api.press_button(FACILITATOR, "Lincoln"))
        if picked.buttons:  # other campaigns of the school are offered first
            await said(api, api.press_button(FACILITATOR, t("staff.report.make", "en")))

        def documents_arrived() -> bool:
            return sum(m.attachment is not None for m in api.messages(FACILITATOR)) == 2

        await api.wait_in_chat(FACILITATOR, documents_arrived, timeout=30)
        names = [m.attachment.filename for m in api.messages(FACILITATOR) if m.attachment]
        assert names == ["packet-en.html", "tables-en.xlsx"]
