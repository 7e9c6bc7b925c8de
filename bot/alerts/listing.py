"""`/alerts`: the open safeguarding alerts of the lead's organization.

A minimal listing (school, grade, audience, time) so `/alerts` works; it never
names the respondent. The safeguarding-alerts work replaces it with the full
listing (the flagged text and the buttons to handle each alert).
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.outgoing import Outgoing
from surveys.i18n import format_day, t
from surveys.models import Alert, AlertStatus, Campaign, StaffMember

SHOWN = 20


def queue_open_alerts(out: Outgoing, *, chat_id: int, member: StaffMember) -> None:
    rows = out.db.execute(
        select(Campaign.school, Campaign.grade, Campaign.audience, Alert.created_at)
        .join(Campaign, col(Campaign.id) == col(Alert.campaign_id))
        .where(
            Alert.organization_id == member.organization_id,
            Alert.status == AlertStatus.OPEN,
        )
        .order_by(col(Alert.created_at).desc())
        .limit(SHOWN)
    ).all()
    language = member.language
    if not rows:
        out.send(chat_id, t("staff.alerts.none", language))
        return
    lines = [t("staff.alerts.header", language)]
    for school, grade, audience, created in rows:
        when = f"{format_day(created, language, 'medium')} {created:%H:%M} UTC"
        who = t(f"staff.audience.{audience}", language)
        lines.append(t("staff.alerts.row", language, school=school, grade=grade, audience=who,
                       time=when))  # fmt: skip
    out.send(chat_id, "\n".join(lines))
