"""The staff slash commands: /launch, /campaigns, /report, /export, /close, /invite,
/staff, /alerts, /help and /cancel.

Each one claims its update, checks membership and permission in its own
transaction (`bot.staff.access.run_as_staff`), and says what it has to say
through the outbox. Commands that need a choice start a flow whose buttons are
handled in `bot.staff.taps`.
"""

from __future__ import annotations

from telegram import Update

from bot.alerts.listing import queue_open_alerts
from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from bot.staff import launch_flow, state
from bot.staff.access import Staff, StaffWork, orm, run_as_staff, staff_of
from bot.staff.buttons import button, column
from bot.staff.campaign_views import campaigns_text, own_campaigns, picker
from bot.staff.members import roles_text
from bot.staff.members import show as _members
from bot.staff.menus import command_lines, queue_menu
from surveys import conversations
from surveys.crud.staff import member_roles
from surveys.i18n import t
from surveys.roles import Permission, StaffRole


async def _as_staff(
    update: Update, context: ChorusContext, permission: Permission | None, work: StaffWork
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    chat_id, hint = chat.id, language_hint(update)
    username = context.runtime.settings.username

    def transaction(out: Outgoing) -> None:
        run_as_staff(
            out,
            chat_id=chat_id,
            update_id=update.update_id,
            hint=hint,
            permission=permission,
            work=work,
            username=username,
        )

    await context.runtime.transact(transaction)


def _campaigns(staff: Staff) -> None:
    staff.audit("campaigns.list")
    staff.out.send(staff.chat_id, campaigns_text(staff))


def _pick(staff: Staff, flow_name: str, kind: str, *, open_only: bool = False) -> None:
    campaigns = own_campaigns(staff, open_only=open_only)
    if not campaigns:
        staff.say("staff.pick.none_open" if open_only else "staff.pick.none")
        return
    flow = state.begin(staff.session, staff.member, flow_name)
    markup = picker(staff, campaigns, flow.nonce, kind)
    staff.out.send(staff.chat_id, t(f"staff.pick.{flow_name}", staff.language), reply_markup=markup)


def _invite(staff: Staff) -> None:
    flow = state.begin(staff.session, staff.member, "invite")
    markup = column(
        [button(t(f"staff.roles.{r.value}", staff.language), flow.nonce, "I", r.value)
         for r in StaffRole]
    )  # fmt: skip
    staff.out.send(staff.chat_id, t("staff.invite.choose", staff.language), reply_markup=markup)


def _alerts(staff: Staff) -> None:
    staff.audit("alerts.list")
    queue_open_alerts(staff.out, chat_id=staff.chat_id, member=staff.member)


def _cancel(staff: Staff) -> None:
    if state.load(staff.member) is None:
        staff.say("staff.nothing_to_cancel")
        return
    state.save(staff.session, staff.member, None)
    staff.say("staff.cancelled")


async def launch(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.LAUNCH, launch_flow.begin)


async def campaigns(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.VIEW_CAMPAIGNS, _campaigns)


async def report(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.REPORT, lambda s: _pick(s, "report", "R"))


async def export(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.EXPORT, lambda s: _pick(s, "export", "E"))


async def close(update: Update, context: ChorusContext) -> None:
    work: StaffWork = lambda s: _pick(s, "close", "C", open_only=True)  # noqa: E731
    await _as_staff(update, context, Permission.CLOSE, work)


async def share(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.SHARE, lambda s: _pick(s, "share", "S"))


async def invite(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.MANAGE_STAFF, _invite)


async def staff_members(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.MANAGE_STAFF, _members)


async def alerts(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, Permission.HANDLE_ALERTS, _alerts)


async def cancel(update: Update, context: ChorusContext) -> None:
    await _as_staff(update, context, None, _cancel)


def staff_help(staff: Staff) -> str:
    roles = member_roles(staff.member)
    header = t(
        "staff.help.header",
        staff.language,
        organization=staff.organization.name,
        roles=roles_text(staff.member.roles, staff.language),
    )
    lines = command_lines(roles, staff.language)
    return f"{header}\n{lines}\n\n{t('staff.help.footer', staff.language)}"


async def help_command(update: Update, context: ChorusContext) -> None:
    """Staff read their own commands (and get their menu again); anyone else, unchanged,
    the respondent's help."""
    chat = update.effective_chat
    if chat is None:
        return
    chat_id, hint = chat.id, language_hint(update)

    def work(out: Outgoing) -> None:
        if not conversations.claim(out.db, update.update_id):
            return
        with orm(out.db) as session:
            staff = staff_of(out, session, chat_id=chat_id, update_id=update.update_id)
            if staff is None:
                language = conversations.language_of(out.db, chat_id=chat_id, language_hint=hint)
                out.send(chat_id, t("bot.help", language))
                return
            out.send(chat_id, staff_help(staff))
            queue_menu(out, chat_id, member_roles(staff.member), staff.language)

    await context.runtime.transact(work)


STAFF_COMMANDS = {
    "launch": launch,
    "campaigns": campaigns,
    "report": report,
    "export": export,
    "close": close,
    "share": share,
    "invite": invite,
    "staff": staff_members,
    "alerts": alerts,
    "cancel": cancel,
}
"""Registered next to the respondent commands; `help` replaces the respondent's own."""
