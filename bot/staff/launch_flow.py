"""`/launch` in the chat: survey → school → grade → audience → language → closing day →
roster size → follow-up → confirm, then the link, the QR code and the flyer.

The same rules as `chorus launch` (`bot.launching.launch_campaign`): a
student campaign needs a safeguarding lead, unless the launcher explicitly picks
"launch as a test campaign". Typed answers are checked at once, with a one-line
reason and the step asked again; the answers so far live in `StaffMember.state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlmodel import col, select

from bot.launching import launch_campaign
from bot.outgoing import FileTooLarge
from bot.staff import state
from bot.staff.access import Staff
from bot.staff.buttons import StaffTap, button, column
from bot.staff.campaign_views import label
from bot.staff.state import Flow
from surveys.campaign_days import closing_moment, start_of
from surveys.crud.campaigns import AUDIENCES, LONGEST_CAMPAIGN, ROSTER_LIMIT, CampaignError
from surveys.crud.columns import column_limit, text_problem
from surveys.crud.staff import STUDENT_AUDIENCES, StaffError, check_safeguarding_lead
from surveys.crud.surveys import survey_from_record
from surveys.definition import Survey
from surveys.i18n import format_day, t
from surveys.models import Campaign, SurveyRecord

STEPS = ("survey", "school", "grade", "audience", "language", "closes", "roster", "follow_up",
         "confirm")  # fmt: skip
TEXT_STEPS = frozenset({"school", "grade", "closes", "roster", "follow_up"})
FOLLOW_UP_LIMIT = 1000
SKIP = "skip"


def _surveys(staff: Staff) -> list[SurveyRecord]:
    """The newest stored version of each survey."""
    records = staff.session.exec(
        select(SurveyRecord).order_by(col(SurveyRecord.created_at), col(SurveyRecord.id))
    ).all()
    return list({r.survey_id: r for r in records}.values())


def _survey(staff: Staff, flow: Flow) -> Survey | None:
    record = staff.session.get(SurveyRecord, flow.data.get("survey_pk", 0))
    return survey_from_record(record) if record is not None else None


def begin(staff: Staff) -> None:
    if not _surveys(staff):
        staff.say("staff.launch.no_surveys")
        return
    flow = state.begin(staff.session, staff.member, "launch", "survey")
    ask(staff, flow)


def _example() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")


def _skip_markup(staff: Staff, flow: Flow) -> Any:
    return column(
        [button(t("staff.skip_button", staff.language), flow.nonce, "L", flow.step, SKIP)]
    )


def ask(staff: Staff, flow: Flow) -> None:
    """Send the question of the flow's current step."""
    language, step, out = staff.language, flow.step, staff.out
    if step == "confirm":
        text, markup = _confirmation(staff, flow)
        out.send(staff.chat_id, text, reply_markup=markup)
        return
    params = {"example": _example()} if step == "closes" else {}
    text, markup = t(f"staff.launch.{step}", language, **params), None
    if step == "survey":
        records = _surveys(staff)
        markup = column([button(r.title, flow.nonce, "L", step, r.id or 0) for r in records])
    elif step == "audience":
        labels = {a: t(f"staff.audience.{a}", language) for a in AUDIENCES}
        markup = column([button(labels[a], flow.nonce, "L", step, a) for a in AUDIENCES])
    elif step == "language":
        survey = _survey(staff, flow)
        codes = survey.languages if survey is not None else ("en",)
        markup = column([button(t("language.name", c), flow.nonce, "L", step, c) for c in codes])
    elif step in ("roster", "follow_up"):
        markup = _skip_markup(staff, flow)
    out.send(staff.chat_id, text, reply_markup=markup)


def _confirmation(staff: Staff, flow: Flow) -> tuple[str, Any]:
    language, data = staff.language, flow.data
    survey = _survey(staff, flow)
    none = t("staff.launch.none", language)
    text = t(
        "staff.launch.confirm",
        language,
        survey=survey.title.get(language, survey.id) if survey else "?",
        school=data["school"],
        grade=data["grade"],
        audience=t(f"staff.audience.{data['audience']}", language),
        language=t("language.name", data["language"]),
        closes=format_day(date.fromisoformat(data["closes"]), language),
        roster=data.get("roster") or none,
        follow_up=data.get("follow_up") or none,
    )
    cancel = button(t("staff.cancel_button", language), flow.nonce, "X")
    if data["audience"] in STUDENT_AUDIENCES and not _has_lead(staff):
        warning = t("staff.launch.no_lead", language, organization=staff.organization.name)
        test = button(t("staff.launch.test_button", language), flow.nonce, "L", "confirm", "test")
        return f"{text}\n\n⚠️ {warning}", column([test, cancel])
    go = button(t("staff.launch.launch_button", language), flow.nonce, "L", "confirm", "go")
    return text, column([go, cancel])


def _has_lead(staff: Staff) -> bool:
    assert staff.organization.id is not None
    try:
        check_safeguarding_lead(
            staff.session, organization_id=staff.organization.id, audience="student"
        )
    except StaffError:
        return False
    return True


def _advance(staff: Staff, flow: Flow) -> None:
    """Move to the next step, skipping choices that have only one answer."""
    survey = _survey(staff, flow)
    index = STEPS.index(flow.step) + 1
    while index < len(STEPS):
        step = STEPS[index]
        if step == "audience" and survey is not None and survey.audience != "any":
            flow.data["audience"] = survey.audience
        elif step == "language" and survey is not None and len(survey.languages) == 1:
            flow.data["language"] = survey.languages[0]
        else:
            break
        index += 1
    flow.step = STEPS[index]
    state.save(staff.session, staff.member, flow)
    ask(staff, flow)


# --- typed steps ----------------------------------------------------------------------------


def _check_name(text: str, limit: int) -> tuple[str | None, str | None]:
    cleaned = text.strip()
    problem = text_problem(cleaned, what="name", limit=limit)
    return (None, "staff.launch.errors.text") if problem else (cleaned, None)


def _check_day(text: str, timezone: str) -> tuple[str | None, str | None]:
    """The last day, checked on the organization's calendar (today is still allowed)."""
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None, "staff.launch.errors.date"
    now = datetime.now(UTC)
    if closing_moment(day, timezone) <= now:
        return None, "staff.launch.errors.past"
    if start_of(day, timezone) > now + LONGEST_CAMPAIGN:
        return None, "staff.launch.errors.far"
    return day.isoformat(), None


def _check_roster(text: str) -> tuple[int | None, str | None]:
    cleaned = text.strip().replace(",", "").replace(".", "")
    if not cleaned.isdigit() or not 0 < int(cleaned) <= ROSTER_LIMIT:
        return None, "staff.launch.errors.roster"
    return int(cleaned), None


def _check_follow_up(text: str) -> tuple[str | None, str | None]:
    cleaned = text.strip()
    problem = text_problem(cleaned, what="follow-up", limit=FOLLOW_UP_LIMIT, single_line=False)
    return (None, "staff.launch.errors.follow_up") if problem else (cleaned, None)


def on_text(staff: Staff, flow: Flow, text: str) -> None:
    """A typed answer to the current step: stored and on to the next, or the reason and again."""
    if flow.step not in TEXT_STEPS:
        ask(staff, flow)
        return
    value: Any
    if flow.step in ("school", "grade"):
        limit = column_limit(Campaign, flow.step) or 60
        value, error = _check_name(text, limit)
        params: dict[str, object] = {"limit": limit}
    elif flow.step == "closes":
        value, error = _check_day(text, staff.organization.timezone)
        params = {"example": _example()}
    elif flow.step == "roster":
        value, error = _check_roster(text)
        params = {}
    else:
        value, error = _check_follow_up(text)
        params = {"limit": FOLLOW_UP_LIMIT}
    if error is not None:
        staff.say(error, **params)
        ask(staff, flow)
        return
    flow.data[flow.step] = value
    _advance(staff, flow)


# --- buttons --------------------------------------------------------------------------------


def on_button(staff: Staff, flow: Flow, tap: StaffTap) -> None:
    if len(tap.fields) != 2 or tap.fields[0] != flow.step:
        staff.say("staff.old_button")
        return
    step, value = tap.fields
    if step == "survey":
        record = staff.session.get(SurveyRecord, int(value)) if value.isdigit() else None
        if record is None:
            staff.say("staff.old_button")
            return
        flow.data = {"survey_pk": record.id}
    elif step == "audience" and value in AUDIENCES:
        flow.data["audience"] = value
    elif step == "language":
        survey = _survey(staff, flow)
        if survey is None or value not in survey.languages:
            staff.say("staff.old_button")
            return
        flow.data["language"] = value
    elif step in ("roster", "follow_up") and value == SKIP:
        flow.data[step] = None
    elif step == "confirm" and value in ("go", "test"):
        _launch(staff, flow, test=value == "test")
        return
    else:
        staff.say("staff.old_button")
        return
    _advance(staff, flow)


@dataclass(frozen=True)
class _Materials:
    campaign: Campaign
    link: str
    qr_png: bytes
    flyer_html: bytes


def _launch(staff: Staff, flow: Flow, *, test: bool) -> None:
    """Create the campaign (as `chorus launch` does), then send the link, QR code and flyer."""
    state.save(staff.session, staff.member, None)
    record = staff.session.get(SurveyRecord, flow.data.get("survey_pk", 0))
    if record is None:
        staff.say("staff.old_button")
        return
    try:
        made = _create(staff, record, flow.data, test=test)
    except (CampaignError, StaffError) as exc:
        staff.say("staff.launch.failed", error=str(exc))
        return
    staff.audit("campaign.launch", campaign_id=made.campaign.id, detail="test" if test else "")
    _send_materials(staff, made, test=test)


def _create(staff: Staff, record: SurveyRecord, data: dict[str, Any], *, test: bool) -> _Materials:
    """The campaign and its files; refused (nothing written) without a lead unless `test`."""
    assert staff.organization.id is not None
    if not test:
        check_safeguarding_lead(
            staff.session, organization_id=staff.organization.id, audience=data["audience"]
        )
    follow_up = data.get("follow_up")
    with TemporaryDirectory() as tmp:
        launched = launch_campaign(
            staff.session,
            survey=record.survey_id,
            organization=staff.organization.name,
            school=data["school"],
            grade=data["grade"],
            closes_at=date.fromisoformat(data["closes"]),  # all of it, where the org is
            audience=data["audience"],
            language=data["language"],
            roster_size=data.get("roster"),
            follow_up={data["language"]: follow_up} if follow_up else None,
            out_dir=Path(tmp),
            username=staff.username,
            allow_no_safeguarding_lead=test,
        )
        materials = launched.materials
        return _Materials(launched.campaign, launched.link, materials.qr_png.read_bytes(),
                          materials.flyer_html.read_bytes())  # fmt: skip


def _send_materials(staff: Staff, made: _Materials, *, test: bool) -> None:
    language, campaign = staff.language, made.campaign
    name = label(campaign, language)
    staff.say("staff.launch.launched", link=made.link)
    if test and campaign.audience in STUDENT_AUDIENCES:
        staff.say("staff.launch.test_warning")
    flyer = f"flyer-{campaign.code}.html"
    qr_caption = t("staff.launch.qr", language, campaign=name)
    flyer_caption = t("staff.launch.flyer", language, campaign=name)
    try:
        staff.out.send_photo(
            staff.chat_id, made.qr_png, f"qr-{campaign.code}.png", caption=qr_caption
        )
        staff.out.send_document(staff.chat_id, made.flyer_html, flyer, caption=flyer_caption)
    except FileTooLarge:  # pragma: no cover - a QR code and a flyer are a few kilobytes
        staff.say("staff.too_large", filename=flyer)
