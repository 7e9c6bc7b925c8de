"""`/share`: an organizer sends a closed campaign's results back to the people who answered.

Pick the campaign, read the preview (exactly what a respondent will receive, in the
organization's default voice) and the number of people, then confirm. Everything is
queued in that confirming transaction as bulk outbox traffic, behind interactive
replies. Asking again shows progress (queued, sent, failed) and sends nothing twice:
each contact records that its results were queued (`bot.sharing`, the same core as
`chorus share`).
"""

from __future__ import annotations

from bot.sharing import ShareError, SharePlan, plan_share, queue_share_batch
from bot.staff import state
from bot.staff.access import Staff
from bot.staff.buttons import button, column
from bot.staff.campaign_views import label
from bot.staff.state import Flow
from surveys.crud.sharing import ShareProgress
from surveys.i18n import t
from surveys.models import Campaign

PREVIEW_LIMIT = 3000
"""Characters of the preview shown: the whole message fits, with the question around it."""


def _progress(staff: Staff, name: str, progress: ShareProgress) -> None:
    staff.say(
        "staff.share.progress",
        campaign=name,
        queued=progress.queued,
        sent=progress.sent,
        failed=progress.failed,
        waiting=progress.waiting,
    )


def _plan(staff: Staff, campaign: Campaign) -> SharePlan | None:
    try:
        return plan_share(staff.session, code=campaign.code)
    except ShareError as exc:
        staff.say("staff.share.refused", reason=str(exc))
        return None


def on_campaign(staff: Staff, flow: Flow, campaign: Campaign) -> None:
    """The campaign is picked: show progress if it was shared, else the preview to confirm."""
    name = label(campaign, staff.language)
    plan = _plan(staff, campaign)
    if plan is None:
        state.save(staff.session, staff.member, None)
        return
    if plan.waiting == 0:
        state.save(staff.session, staff.member, None)
        _progress(staff, name, plan.progress)
        return
    flow.step, flow.data = "confirm", {"campaign": campaign.id}
    state.save(staff.session, staff.member, flow)
    text = t(
        "staff.share.preview",
        staff.language,
        campaign=name,
        people=plan.waiting,
        preview=plan.preview[:PREVIEW_LIMIT],
    )
    markup = column(
        [
            button(
                t("staff.share.send_button", staff.language, people=plan.waiting),
                flow.nonce,
                "Y",
                campaign.id or 0,
            ),
            button(t("staff.cancel_button", staff.language), flow.nonce, "X"),
        ]
    )
    staff.out.send(staff.chat_id, text, reply_markup=markup)


def on_confirm(staff: Staff, flow: Flow, campaign: Campaign) -> None:
    """Queue the results for everyone still waiting, in this one transaction."""
    state.save(staff.session, staff.member, None)
    if flow.data.get("campaign") != campaign.id:
        staff.say("staff.old_button")
        return
    plan = _plan(staff, campaign)
    if plan is None:
        return
    queued = 0
    while batch := queue_share_batch(staff.session, plan=plan):
        queued += batch
    staff.audit("campaign.share", campaign_id=campaign.id, detail=f"{queued} queued")
    staff.say("staff.share.queued", campaign=label(campaign, staff.language), people=queued)
