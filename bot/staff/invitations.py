"""`/start staff_<token>`: an invitation link opened in Telegram.

The chat becomes a staff member with the invitation's roles (`redeem_invitation`),
is told so in its language with what it can do, and gets a command menu of its
own. A used, expired or unknown link gets one clear sentence and changes nothing.
"""

from __future__ import annotations

from telegram import Update

from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from bot.staff.access import orm
from bot.staff.members import roles_text
from bot.staff.menus import command_lines, queue_menu
from surveys import conversations
from surveys.crud.staff import InvitationRefused, member_roles, redeem_invitation
from surveys.i18n import t
from surveys.models import Organization

STAFF_LANGUAGES = ("en", "es")


async def accept(update: Update, context: ChorusContext, token: str) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    chat_id = chat.id
    hint = language_hint(update)
    language = hint if hint in STAFF_LANGUAGES else "en"
    name = user.full_name if user is not None else ""

    def work(out: Outgoing) -> None:
        if not conversations.claim(out.db, update.update_id):
            return
        with orm(out.db) as session:
            try:
                member = redeem_invitation(
                    session, token=token, chat_id=chat_id, display_name=name, language=language
                )
            except InvitationRefused as refused:
                out.send(chat_id, t(f"staff.invitation.{refused.reason}", language))
                return
            organization = session.get(Organization, member.organization_id)
            roles = member_roles(member)
            welcome = t(
                "staff.welcome",
                language,
                name=member.display_name,
                organization=organization.name if organization else "",
                roles=roles_text(member.roles, language),
                commands=command_lines(roles, language),
            )
            out.send(chat_id, welcome)
            queue_menu(out, chat_id, roles, language)

    await context.runtime.transact(work)
