"""The demo's staff: four people of one organization, each in their own simulated chat.

Against a local fake Telegram and the real runtime, as in the rest of the demo:

1. `join_and_launch`: the owner, an organizer, a facilitator and a safeguarding lead open
   their invitation links; the organizer then launches the student survey step by step
   with `/launch` and receives the link, the QR code and the printable flyer.
2. `disclose_and_report`: after the crowd has answered, a student writes something that
   speaks of harm; the lead's phone gets the alert and the lead taps "I'm following up".
   The facilitator asks for `/report` and receives the packet as a document.

Each step waits for what a person would see, and `StaffReport` keeps what each chat
received so the demo can print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, UserAction
from bot.simulation.respondents import polling_bot
from surveys.i18n import t
from surveys.models import Alert, Campaign, SurveyRecord
from surveys.roles import StaffRole

TOKEN = "7000000003:DEMO-chorus-staff"
USERNAME = "chorus_demo_bot"
WAIT = 30.0
"""Seconds any one step may take; the packet is made while the facilitator waits."""
CHATS = {
    StaffRole.OWNER: 6_200_000_001,
    StaffRole.ORGANIZER: 6_200_000_002,
    StaffRole.FACILITATOR: 6_200_000_003,
    StaffRole.SAFEGUARDING_LEAD: 6_200_000_004,
}
NAMES = {
    StaffRole.OWNER: "Olga",
    StaffRole.ORGANIZER: "Marcus",
    StaffRole.FACILITATOR: "Fatima",
    StaffRole.SAFEGUARDING_LEAD: "Lena",
}
STUDENT = 6_200_000_101
DISCLOSURE = "Sometimes I feel like I want to hurt myself."
REPORT_TIMEOUT = 180.0
"""The packet (with its PDF) is made while the facilitator waits."""


@dataclass(frozen=True)
class LaunchPlan:
    """What the organizer types and taps in `/launch`."""

    survey_title: str
    school: str
    grade: str
    audience: str
    closes: datetime
    roster: int
    follow_up: str


@dataclass
class StaffReport:
    """What each staff chat received, in order: texts, and files as "[photo qr.png]"."""

    received: dict[StaffRole, list[str]] = field(default_factory=dict)
    campaign_code: str | None = None
    alert_handled: bool = False

    def add(self, role: StaffRole, messages: list[ChatMessage]) -> None:
        self.received.setdefault(role, []).extend(_shown(m) for m in messages)


def _shown(message: ChatMessage) -> str:
    if message.attachment is not None:
        upload = message.attachment
        return f"[{upload.kind} {upload.filename or ''}, {upload.size:,} bytes] {message.text}"
    return message.text


async def _said(api: FakeBotApi, action: UserAction) -> None:
    await api.wait_for_reply(action.chat_id, after=action, timeout=WAIT)
    await api.wait_settled(action.chat_id, since=action, quiet=0.2, timeout=WAIT)


def _new_since(api: FakeBotApi, chat_id: int, seen: int) -> list[ChatMessage]:
    return api.messages(chat_id)[seen:]


async def _join(api: FakeBotApi, tokens: dict[StaffRole, str]) -> None:
    for role, token in tokens.items():
        chat = CHATS[role]
        api.add_user(chat, first_name=NAMES[role], language_code="en")
        await _said(api, api.send_command(chat, "/start", token))


async def _launch(api: FakeBotApi, plan: LaunchPlan) -> None:
    organizer = CHATS[StaffRole.ORGANIZER]
    await _said(api, api.send_command(organizer, "/launch"))
    await _said(api, api.press_button(organizer, plan.survey_title))
    for typed in (plan.school, plan.grade):
        await _said(api, api.send_text(organizer, typed))
    audience = t(f"staff.audience.{plan.audience}", "en")
    latest = api.latest(organizer)
    if latest is not None and audience in (b.text for b in latest.buttons):
        # Asked only of a survey written for both audiences.
        await _said(api, api.press_button(organizer, audience))
    await _said(api, api.press_button(organizer, t("language.name", "en")))
    for typed in (f"{plan.closes:%Y-%m-%d}", str(plan.roster), plan.follow_up):
        await _said(api, api.send_text(organizer, typed))
    await _said(api, api.press_button(organizer, t("staff.launch.launch_button", "en")))

    def files_arrived() -> bool:
        return sum(m.attachment is not None for m in api.messages(organizer)) >= 2

    await api.wait_in_chat(organizer, files_arrived, timeout=WAIT)


def _newest_campaign(engine: Engine) -> str | None:
    with Session(engine) as session:
        return session.exec(
            select(Campaign.code).order_by(col(Campaign.id).desc()).limit(1)
        ).first()


async def join_and_launch(
    engine: Engine, *, tokens: dict[StaffRole, str], plan: LaunchPlan
) -> StaffReport:
    """Stage one: the staff join from their links; the organizer launches in the chat."""
    report = StaffReport()
    async with (
        FakeBotApi(token=TOKEN, username=USERNAME) as api,
        polling_bot(api, engine, username=USERNAME) as served,
    ):
        await _join(api, tokens)
        await _launch(api, plan)
        await served.settle(timeout=WAIT)
        for role, chat in CHATS.items():
            report.add(role, api.messages(chat))
    report.campaign_code = _newest_campaign(engine)
    return report


async def _student_discloses(api: FakeBotApi, code: str) -> None:
    """Open the link, agree, tap through to the first question asking for words, and write."""
    api.add_user(STUDENT, first_name="Sam", language_code="en")
    await _said(api, api.send_command(STUDENT, "/start", code))
    for label in (t("language.name", "en"), t("consent.start", "en")):
        await _said(api, api.press_button(STUDENT, label))
    moves = {t("buttons.skip", "en"), t("buttons.back", "en")}
    for _ in range(40):
        latest = api.latest(STUDENT)
        if latest is None:
            break
        labels = [b.text for b in latest.callback_buttons]
        if set(labels) <= moves:  # nothing to choose: the question asks for words
            await _said(api, api.send_text(STUDENT, DISCLOSURE))
            return
        skip = t("buttons.skip", "en")
        choice = next((x for x in labels if x == skip), labels[0])
        await _said(api, api.press_button(STUDENT, choice, latest.message_id))
    raise RuntimeError("the demo student found no question to write an answer to")


async def _lead_follows_up(api: FakeBotApi, engine: Engine) -> bool:
    lead = CHATS[StaffRole.SAFEGUARDING_LEAD]
    following = t("alerts.buttons.following_up", "en")

    def alerted() -> bool:
        return any(following in (b.text for b in m.buttons) for m in api.messages(lead))

    await api.wait_in_chat(lead, alerted, timeout=WAIT)
    tap = api.press_button(lead, following)
    await api.wait_for_answer(str(tap.query_id), timeout=WAIT)
    await api.wait_settled(lead, since=tap, quiet=0.3, timeout=WAIT)
    with Session(engine) as session:
        alert = session.exec(select(Alert).order_by(col(Alert.id).desc())).first()
    return alert is not None and alert.handled_at is not None


async def _facilitator_reports(api: FakeBotApi, school: str, grade: str) -> None:
    facilitator = CHATS[StaffRole.FACILITATOR]
    last = api.send_command(facilitator, "/report")
    await _said(api, last)
    for audience in ("students", "caregivers"):  # both voices of the school, side by side
        offered = api.latest(facilitator)
        label = f"{school}, {grade}, {audience}"
        if offered is not None and label in (b.text for b in offered.callback_buttons):
            last = api.press_button(facilitator, label)
            await _said(api, last)
    make = t("staff.report.make", "en")
    offered = api.latest(facilitator)
    if offered is not None and make in (b.text for b in offered.callback_buttons):
        last = api.press_button(facilitator, make)  # else: no other campaign left to add
        await _said(api, last)

    def documents_arrived() -> bool:
        return any(m.attachment is not None for m in api.messages(facilitator))

    await api.wait_in_chat(facilitator, documents_arrived, timeout=REPORT_TIMEOUT)
    await api.wait_settled(facilitator, since=last, quiet=2.0, timeout=REPORT_TIMEOUT)


async def disclose_and_report(engine: Engine, *, code: str, school: str, grade: str) -> StaffReport:
    """Stage two: a disclosure reaches the lead, who follows up; the facilitator's report."""
    report = StaffReport(campaign_code=code)
    async with (
        FakeBotApi(token=TOKEN, username=USERNAME) as api,
        polling_bot(api, engine, username=USERNAME) as served,
    ):
        for role, chat in CHATS.items():
            api.add_user(chat, first_name=NAMES[role], language_code="en")
        await _student_discloses(api, code)
        report.alert_handled = await _lead_follows_up(api, engine)
        await _facilitator_reports(api, school, grade)
        await served.settle(timeout=WAIT)
        for role, chat in CHATS.items():
            report.add(role, api.messages(chat))
    return report


def survey_title(engine: Engine, survey_id: str) -> str:
    """The title `/launch` shows on the survey's button."""
    with Session(engine) as session:
        title = session.exec(
            select(SurveyRecord.title)
            .where(SurveyRecord.survey_id == survey_id)
            .order_by(col(SurveyRecord.id).desc())
        ).first()
    if title is None:
        raise LookupError(f"survey {survey_id} is not stored")
    return title


def default_plan(
    engine: Engine, *, school: str, grade: str, closes: datetime, follow_up: str
) -> LaunchPlan:
    """The student survey as the demo's organizer launches it."""
    return LaunchPlan(
        survey_title=survey_title(engine, "student-belonging"),
        school=school,
        grade=grade,
        audience="student",
        closes=closes - timedelta(days=1),  # the last day to answer
        roster=120,
        follow_up=follow_up,
    )
