"""`/alerts`: a safeguarding lead's open alerts, newest first, each with its buttons.

The staff chat's `/alerts` command calls `queue_open_alerts` inside its
transaction. Only the member's own organization's alerts are read, and only
for a member who may handle alerts (checked here again, on the server).
"""

from __future__ import annotations

from bot.alerts.messages import alert_keyboard, alert_text
from bot.outgoing import Outgoing
from surveys.crud.alerts import open_alerts
from surveys.crud.staff import member_roles
from surveys.i18n import t
from surveys.models import StaffMember
from surveys.roles import Permission, may


def queue_open_alerts(out: Outgoing, *, chat_id: int, member: StaffMember) -> None:
    language = member.language
    if member.revoked_at is not None or not may(member_roles(member), Permission.HANDLE_ALERTS):
        out.send(chat_id, t("alerts.not_allowed", language))
        return
    shown, total = open_alerts(out.db, organization_id=member.organization_id)
    if not shown:
        out.send(chat_id, t("alerts.none_open", language))
        return
    for alert in shown:
        out.send(
            chat_id, alert_text(alert, language), reply_markup=alert_keyboard(alert.id, language)
        )
    if total > len(shown):
        out.send(chat_id, t("alerts.more", language, shown=len(shown), total=total))
