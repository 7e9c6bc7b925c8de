"""Staff buttons, after their signature was checked (`bot.handlers.callbacks`).

A tap does something only when the member may, the flow run its nonce names is
the one in progress, and any campaign it names belongs to the member's
organization; otherwise it says so and changes nothing. `/report` builds the
packet between two transactions, in a thread, so no transaction waits on it.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update

from bot.flyer import campaign_link
from bot.outgoing import FileTooLarge, Outgoing
from bot.runtime import ChorusContext, language_hint
from bot.staff import launch_flow, members, report_jobs, share_flow, state
from bot.staff.access import Staff, run_as_staff
from bot.staff.buttons import StaffTap, button, column, decode
from bot.staff.campaign_views import label, own_campaign, own_campaigns
from bot.staff.documents import EXPORT_FORMATS, export_document
from bot.staff.report_jobs import ReportJob, names_of
from bot.staff.state import Flow
from surveys.crud.campaigns import close_campaign
from surveys.crud.staff import StaffError, create_invitation
from surveys.i18n import t
from surveys.models import Campaign, CampaignStatus
from surveys.roles import RoleError, parse_roles

logger = logging.getLogger(__name__)


def _record_choice(staff: Staff, query: CallbackQuery) -> None:
    """The tapped message keeps its text and shows the choice; its buttons go."""
    message = query.message if isinstance(query.message, Message) else None
    if message is None or not message.text:
        return
    chosen = next(
        (b.text for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
         for b in row if b.callback_data == query.data),
        None,
    )  # fmt: skip
    if chosen is None:
        return
    text = t("bot.answered", staff.language, question=message.text, answer=chosen)
    staff.out.edit(staff.chat_id, message.message_id, text)


def _close(staff: Staff, campaign: Campaign) -> None:
    name = label(campaign, staff.language)
    state.save(staff.session, staff.member, None)
    if campaign.status == CampaignStatus.CLOSED:
        staff.say("staff.close.already", campaign=name)
        return
    close_campaign(staff.session, code=campaign.code)  # as `chorus close`: dated, too
    staff.audit("campaign.close", campaign_id=campaign.id)
    staff.say("staff.close.done", campaign=name)


def _export_format(staff: Staff, flow: Flow, campaign: Campaign) -> None:
    flow.step, flow.data = "format", {"campaign": campaign.id}
    state.save(staff.session, staff.member, flow)
    markup = column(
        [button(f.upper(), flow.nonce, "F", campaign.id or 0, f) for f in EXPORT_FORMATS]
    )
    text = t("staff.export.format", staff.language, campaign=label(campaign, staff.language))
    staff.out.send(staff.chat_id, text, reply_markup=markup)


def _export(staff: Staff, flow: Flow, campaign: Campaign, fmt: str) -> None:
    state.save(staff.session, staff.member, None)
    exported = export_document(staff.session, code=campaign.code, fmt=fmt)
    name = label(campaign, staff.language)
    staff.audit("campaign.export", campaign_id=campaign.id, detail=fmt)
    caption = t("staff.export.caption", staff.language, campaign=name,
                answers=exported.answers, respondents=exported.respondents)  # fmt: skip
    try:
        staff.out.send_document(staff.chat_id, exported.document.content,
                                exported.document.filename, caption=caption)  # fmt: skip
    except FileTooLarge:
        staff.say("staff.too_large", filename=exported.document.filename)


def _report_choice(staff: Staff, flow: Flow, campaign: Campaign) -> ReportJob | None:
    """Add `campaign`; offer the school's other campaigns, or make the report at once."""
    assert campaign.id is not None
    chosen: list[int] = list(dict.fromkeys([*flow.data.get("campaigns", []), campaign.id]))
    flow.step, flow.data = "more", {"campaigns": chosen, "school": campaign.school}
    others = [c for c in own_campaigns(staff) if c.school == campaign.school and c.id not in chosen]
    if not others:
        return _report_job(staff, flow)
    state.save(staff.session, staff.member, flow)
    names = names_of(staff, chosen)
    buttons = [button(label(c, staff.language), flow.nonce, "A", c.id or 0) for c in others]
    buttons.append(button(t("staff.report.make", staff.language), flow.nonce, "G"))
    text = t("staff.report.add", staff.language, campaigns=names, school=campaign.school)
    staff.out.send(staff.chat_id, text, reply_markup=column(buttons))
    return None


def _report_job(staff: Staff, flow: Flow) -> ReportJob | None:
    found = [own_campaign(staff, i) for i in flow.data.get("campaigns", [])]
    campaigns = [c for c in found if c is not None]
    if not campaigns or len(campaigns) != len(found):
        state.save(staff.session, staff.member, None)
        staff.say("staff.unavailable")
        return None
    for campaign in campaigns:
        staff.audit("campaign.report", campaign_id=campaign.id, detail=staff.language)
    return report_jobs.begin(staff, flow, campaigns)


def _invite(staff: Staff, role: str) -> None:
    state.save(staff.session, staff.member, None)
    try:
        roles = parse_roles(role)
        issued = create_invitation(
            staff.session, organization=staff.organization, roles=roles, created_by=staff.member
        )
    except (RoleError, StaffError):
        staff.say("staff.old_button")
        return
    link = campaign_link(issued.token, staff.username)
    staff.say("staff.invite.link", role=t(f"staff.roles.{role}", staff.language), link=link)


def dispatch(staff: Staff, tap: StaffTap, query: CallbackQuery) -> ReportJob | None:
    """Do what the tap asks, if it is still the flow in progress; returns a report to build."""
    flow = state.load(staff.member)
    if flow is None or flow.nonce != tap.nonce:
        staff.say("staff.old_button")
        return None
    _record_choice(staff, query)
    if tap.kind == "X":
        state.save(staff.session, staff.member, None)
        staff.say("staff.cancelled")
        return None
    if tap.kind == "L" and flow.name == "launch":
        launch_flow.on_button(staff, flow, tap)
        return None
    if tap.kind in ("V", "W") and flow.name == "staff":
        members.on_tap(staff, flow, tap)
        return None
    if tap.kind == "I" and flow.name == "invite" and len(tap.fields) == 1:
        _invite(staff, tap.fields[0])
        return None
    if tap.kind == "G" and flow.name == "report" and flow.step == "more":
        return _report_job(staff, flow)
    return _campaign_tap(staff, flow, tap)


def _campaign_tap(staff: Staff, flow: Flow, tap: StaffTap) -> ReportJob | None:
    expected = {"C": ("close", ""), "E": ("export", ""), "F": ("export", "format"),
                "R": ("report", ""), "A": ("report", "more"), "S": ("share", ""),
                "Y": ("share", "confirm")}  # fmt: skip
    if expected.get(tap.kind) != (flow.name, flow.step):
        staff.say("staff.old_button")
        return None
    campaign = own_campaign(staff, tap.first_id())
    if campaign is None:
        staff.say("staff.unavailable")
        return None
    if tap.kind == "C":
        _close(staff, campaign)
    elif tap.kind == "E":
        _export_format(staff, flow, campaign)
    elif tap.kind == "S":
        share_flow.on_campaign(staff, flow, campaign)
    elif tap.kind == "Y":
        share_flow.on_confirm(staff, flow, campaign)
    elif tap.kind == "F":
        fmt = tap.fields[1] if len(tap.fields) == 2 else ""
        if fmt not in EXPORT_FORMATS or flow.data.get("campaign") != campaign.id:
            staff.say("staff.old_button")
            return None
        _export(staff, flow, campaign, fmt)
    else:
        return _report_choice(staff, flow, campaign)
    return None


async def handle(update: Update, context: ChorusContext, data: str) -> None:
    """A staff button whose signature is right for this chat."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    chat_id, hint = chat.id, language_hint(update)
    tap = decode(data)
    if tap is None:
        await context.runtime.reply_in_language(update, "bot.buttons.invalid")
        return
    username = context.runtime.settings.username
    jobs: list[ReportJob] = []

    def work(out: Outgoing) -> None:
        def act(staff: Staff) -> None:
            job = dispatch(staff, tap, query)
            if job is not None:
                jobs.append(job)

        run_as_staff(out, chat_id=chat_id, update_id=update.update_id, hint=hint,
                     permission=tap.permission, work=act, username=username,
                     refusal="bot.buttons.invalid")  # fmt: skip

    await context.runtime.transact(work)
    for job in jobs:
        await report_jobs.send_report(context.runtime, chat_id, job)
