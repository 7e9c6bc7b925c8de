"""The demo's last act: a reminder, a respondent who comes back, and the results sent back.

Against the same local fake Telegram as the rest of the demo, with the real runtime:
one person opens the student survey, answers three questions and stops. The clock is
moved on two days (to noon, outside the quiet hours) and the reminder job runs: they
get the reminder, tap Continue and finish. Then every demo campaign is closed and its
results are shared with everyone who completed it, and the fake Telegram counts who
received them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.reach import send_due_reminders
from bot.serving import Served
from bot.sharing import ShareError, plan_share, queue_share_batch
from bot.simulation.fake_bot_api import FakeBotApi, UserAction
from bot.simulation.respondents import polling_bot
from surveys import conversations
from surveys.crud.campaigns import CampaignError, close_campaign
from surveys.i18n import t
from surveys.models import Contact, Respondent, RespondentStatus

TOKEN = "7000000002:DEMO-chorus-reach"
PERSON = 6_100_000_001
WAIT = 15.0
STEPS = 60
"""Taps at most before the demo person must have finished (the longest survey has ~20)."""


@dataclass
class ReachReport:
    reminders: int = 0
    reminder_text: str = ""
    continued_at: str = ""
    finished: bool = False
    shared: dict[str, int] = field(default_factory=dict)
    """Campaign code -> people the results reached."""
    refused: dict[str, str] = field(default_factory=dict)
    sample: str = ""

    def summary(self) -> str:
        lines = [
            f"{self.reminders} reminder(s) went out two days later; the demo person tapped "
            f"Continue, was asked again {self.continued_at[:60]!r}... and "
            + ("finished." if self.finished else "did NOT finish."),
        ]
        for code, n in self.shared.items():
            lines.append(f"campaign {code}: results reached {n} people")
        for code, why in self.refused.items():
            lines.append(f"campaign {code}: not shared ({why})")
        return "\n".join(lines)


async def _reply(api: FakeBotApi, action: UserAction) -> None:
    await api.wait_for_reply(action.chat_id, after=action, timeout=WAIT)
    await api.wait_settled(action.chat_id, since=action, quiet=0.1, timeout=WAIT)


def _status(engine: Engine) -> str | None:
    with Session(engine) as session:
        row = session.exec(
            select(Respondent.status)
            .join(Contact, Contact.respondent_id == Respondent.id)  # type: ignore[arg-type]
            .where(Contact.chat_id == PERSON)
        ).first()
    return row


async def _answer_on(api: FakeBotApi, engine: Engine, *, steps: int) -> None:
    """Tap through: Skip where offered, Done after a choice, else the first button; type
    a short answer where there are no buttons. Stops after `steps` or at the end."""
    tapped: set[int] = set()
    for _ in range(steps):
        if _status(engine) == RespondentStatus.COMPLETED:
            return
        message = api.latest(PERSON)
        if message is None:
            return
        labels = [b.text for b in message.callback_buttons]
        if not labels:
            await _reply(api, api.send_text(PERSON, "More clubs after school."))
            continue
        choice = (
            next((x for x in labels if x == "Done"), None) if message.message_id in tapped else None
        )
        choice = choice or next((x for x in labels if x == "Skip"), None)
        choice = choice or next(x for x in labels if x != "Back")
        tapped.add(message.message_id)
        await _reply(api, api.press_button(PERSON, choice, message.message_id))


async def _remind_and_finish(
    api: FakeBotApi, served: Served, engine: Engine, code: str
) -> ReachReport:
    report = ReachReport()
    await _reply(api, api.send_command(PERSON, "/start", code))
    for label in ("English", "Start"):
        await _reply(api, api.press_button(PERSON, label))
    await _answer_on(api, engine, steps=3)  # ... and stops
    later = (datetime.now(UTC) + timedelta(days=2)).replace(hour=12, minute=0)
    report.reminders = await send_due_reminders(served.runtime, now=later)
    text = t("reach.reminder.text", "en")
    await api.wait_until(lambda: any(m.text == text for m in api.messages(PERSON)), timeout=WAIT)
    report.reminder_text = text
    await _reply(api, api.press_button(PERSON, "Continue"))
    report.continued_at = api.messages(PERSON)[-1].text
    await _answer_on(api, engine, steps=STEPS)
    report.finished = _status(engine) == RespondentStatus.COMPLETED
    return report


def _share(engine: Engine, codes: list[str], report: ReachReport) -> dict[str, set[int]]:
    """Close every campaign and queue its results; returns the chats each was queued for."""
    recipients: dict[str, set[int]] = {}
    for code in codes:
        with Session(engine, expire_on_commit=False) as session:
            try:
                close_campaign(session, code=code)
                session.commit()
                plan = plan_share(session, code=code)
            except (CampaignError, ShareError) as exc:
                report.refused[code] = str(exc)
                continue
        while conversations.run(engine, partial(queue_share_batch, plan=plan)):
            pass
        with Session(engine) as session:
            chats = session.exec(
                select(Contact.chat_id)
                .join(Respondent, Respondent.id == Contact.respondent_id)  # type: ignore[arg-type]
                .where(Respondent.campaign_id == plan.campaign_id, Contact.shared_at.is_not(None))  # type: ignore[union-attr]
            ).all()
        recipients[code] = set(chats)
        report.sample = report.sample or plan.texts["en"]
    return recipients


async def run_reach_demo(
    engine: Engine, *, student_code: str, codes: list[str], known_chats: list[int]
) -> ReachReport:
    """The reminder and the results, through the real runtime and a fake Telegram."""
    async with (
        FakeBotApi(token=TOKEN, username="chorus_demo_bot") as api,
        polling_bot(api, engine, username="chorus_demo_bot") as served,
    ):
        for chat_id in known_chats:
            api.add_user(chat_id)
        report = await _remind_and_finish(api, served, engine, student_code)
        recipients = _share(engine, codes, report)
        everyone = set().union(*recipients.values()) if recipients else set()
        await api.wait_until(lambda: all(api.messages(c) for c in everyone), timeout=60.0)
        await served.settle(timeout=WAIT)
        for code, chats in recipients.items():
            report.shared[code] = sum(1 for c in chats if api.messages(c))
    return report
