"""The organization's campaigns as staff see them: labels, the /campaigns list, pickers.

Every lookup is scoped to the member's organization; a campaign id from a
button is only ever resolved through `own_campaign`, so a forged id of another
organization's campaign reads as "not available", like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select
from telegram import InlineKeyboardMarkup

from analysis.response_rate import response_rate
from bot.staff.access import Staff
from bot.staff.buttons import button, column
from surveys.crud.campaigns import (
    CampaignSummary,
    campaign_availability,
    list_campaigns_with_counts,
)
from surveys.i18n import format_day, format_number, format_percent, t
from surveys.models import Campaign

LISTED = 20
"""Newest campaigns shown in a list or picker: enough for a school year, within one message."""


def label(campaign: Campaign | CampaignSummary, language: str) -> str:
    audience = t(f"staff.audience.{campaign.audience}", language)
    return f"{campaign.school}, {campaign.grade}, {audience}"


def own_campaign(staff: Staff, campaign_id: int | None) -> Campaign | None:
    """The campaign if it belongs to the member's organization, else None."""
    if campaign_id is None:
        return None
    campaign = staff.session.get(Campaign, campaign_id)
    if campaign is None or campaign.organization_id != staff.organization.id:
        return None
    return campaign


def own_campaigns(staff: Staff, *, open_only: bool = False) -> list[Campaign]:
    rows = staff.session.exec(
        select(Campaign)
        .where(Campaign.organization_id == staff.organization.id)
        .order_by(col(Campaign.created_at).desc(), col(Campaign.id).desc())
    ).all()
    now = datetime.now(UTC)
    if open_only:
        rows = [c for c in rows if campaign_availability(c, now=now) != "closed"]
    return list(rows)[:LISTED]


def picker(staff: Staff, campaigns: list[Campaign], nonce: str, kind: str) -> InlineKeyboardMarkup:
    return column([button(label(c, staff.language), nonce, kind, c.id or 0) for c in campaigns])


def _status(summary: CampaignSummary, language: str) -> str:
    if summary.availability == "closed":
        return t("staff.campaigns.closed", language)
    if summary.availability == "not_yet_open":
        return t(
            "staff.campaigns.not_yet_open", language, date=format_day(summary.opens_at, language)
        )
    if summary.closes_at is None:
        return t("staff.campaigns.open", language, date="–")
    last_day = summary.last_day or summary.closes_at  # the day, where the organization is
    return t("staff.campaigns.open", language, date=format_day(last_day, language, "medium"))


def _row(summary: CampaignSummary, language: str) -> str:
    rate = response_rate(summary.completed, summary.roster_size)
    return t(
        "staff.campaigns.row",
        language,
        survey=summary.survey_id,
        school=summary.school,
        grade=summary.grade,
        audience=t(f"staff.audience.{summary.audience}", language),
        status=_status(summary, language),
        started=format_number(summary.started, language),
        completed=format_number(summary.completed, language),
        declined=format_number(summary.declined, language),
        reminders=format_number(summary.reminders_sent, language),
        rate=format_percent(rate, language)
        if rate is not None
        else t("staff.campaigns.no_rate", language),
    )


def campaigns_text(staff: Staff) -> str:
    """/campaigns: the organization's newest campaigns with live counts and response rate."""
    language = staff.language
    summaries = list_campaigns_with_counts(staff.session, organization_id=staff.organization.id)
    if not summaries:
        return t("staff.campaigns.none", language)
    header = t("staff.campaigns.header", language, organization=staff.organization.name)
    return "\n\n".join([header, *(_row(s, language) for s in summaries[:LISTED])])
