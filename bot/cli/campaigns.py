"""`chorus launch`, `campaigns`, `close`, `flyer` and `export`.

A campaign is what staff hand out: a code inside a Telegram link, a QR code and
a flyer. The rules for a valid campaign live in `surveys.crud.campaigns`; this
module turns command-line text into arguments and every known mistake into one
line (`fail`), never a traceback.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from sqlmodel import Session

from analysis.response_rate import response_rate
from bot.cli.app import console, err_console, fail
from bot.cli.surveys import open_database
from bot.flyer import (
    BOT_USERNAME_PLACEHOLDER,
    campaign_link,
    write_campaign_materials,
)
from bot.launching import default_campaigns_dir, launch_campaign
from bot.settings import BotSettings
from surveys.crud.campaigns import (
    CampaignError,
    CampaignSummary,
    campaign_availability,
    campaign_survey,
    close_campaign,
    get_campaign,
    list_campaigns_with_counts,
)
from surveys.crud.organizations import (
    OrganizationError,
    campaign_timezone,
    check_campaigns_of,
    require_organization,
)
from surveys.crud.staff import STUDENT_AUDIENCES, StaffError
from surveys.db import session_scope
from surveys.i18n import format_day, format_number, format_percent
from surveys.loader import SurveyDefinitionError
from surveys.models import Campaign
from surveys.reach_schedule import (
    DEFAULT_REMINDERS,
    ScheduleError,
    describe_reminders,
    parse_reminders,
)
from surveys.settings import StorageSettings

if TYPE_CHECKING:
    import pandas as pd

EXPORT_FORMATS = ("csv", "xlsx")


YEARS = range(2000, 2101)
"""Dates a campaign can use; outside them a date is a typo (9999-12-31 overflowed)."""


def parse_day(value: str, option: str) -> date:
    """`YYYY-MM-DD` as a day (read in the organization's timezone); one line if it isn't one."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-06-15")
    if day.year not in YEARS:
        fail(f"{option} {value} is out of range; give a date between {YEARS[0]} and {YEARS[-1]}")
    return day.date()


def bot_username(*, warn: bool = True) -> str | None:
    """`TELEGRAM_BOT_USERNAME`, with a warning line when it is missing."""
    username = BotSettings().username
    if not username and warn:
        err_console.print(
            f"[yellow]warning:[/] TELEGRAM_BOT_USERNAME is not set, so the link says "
            f"{BOT_USERNAME_PLACEHOLDER}; set it, then `chorus flyer CODE` redoes the "
            "link, QR code and flyer",
            highlight=False,
            soft_wrap=True,
        )
    return username


def launch(
    survey: Annotated[str, typer.Argument(help="A stored survey id, or a survey YAML file.")],
    org: Annotated[str, typer.Option("--org", help="Your organization, as on the flyer.")],
    school: Annotated[str, typer.Option(help="The school, as on the flyer.")],
    grade: Annotated[str, typer.Option(help="The grade, e.g. 7.")],
    closes: Annotated[
        str,
        typer.Option(
            help="Last day to answer, YYYY-MM-DD (closes at the end of it, in the "
            "organization's timezone)."
        ),
    ],
    audience: Annotated[
        str | None, typer.Option(help="student, caregiver or any (default: the survey's).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Default language, e.g. en or es (default: en).")
    ] = None,
    opens: Annotated[
        str | None, typer.Option(help="First day to answer, YYYY-MM-DD (default: now).")
    ] = None,
    roster_size: Annotated[
        int | None, typer.Option(help="How many people could answer, for the response rate.")
    ] = None,
    follow_up: Annotated[
        str | None, typer.Option(help="Sent after the thanks in English, e.g. the meeting date.")
    ] = None,
    follow_up_es: Annotated[str | None, typer.Option(help="The same in Spanish.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write <code>/qr.png and <code>/flyer.html.")
    ] = None,
    allow_no_safeguarding_lead: Annotated[
        bool,
        typer.Option(
            "--allow-no-safeguarding-lead",
            help="Launch a student campaign with nobody to receive alerts (test campaigns only).",
        ),
    ] = False,
    reminders: Annotated[
        str,
        typer.Option(
            help="Reminders to people who stopped midway, after their last answer: "
            "e.g. 24h,72h or 30m,2d; none for no reminders."
        ),
    ] = DEFAULT_REMINDERS,
) -> None:
    """Launch a campaign: prints its code and link, writes its QR code and flyer.

    `--org` names the organization; one not created with `chorus org create` is
    created on the spot (UTC).
    """
    closes_at = parse_day(closes, "--closes")  # open all of it where the organization is
    opens_at = parse_day(opens, "--opens") if opens else None
    try:
        delays = parse_reminders(reminders)
    except ScheduleError as exc:
        fail(f"--reminders: {exc}")
    texts = {"en": follow_up or "", "es": follow_up_es or ""}
    username = bot_username(warn=False)
    engine = open_database()
    try:
        with session_scope(engine) as session:
            launched = launch_campaign(
                session,
                survey=survey,
                organization=org,
                school=school,
                grade=grade,
                closes_at=closes_at,
                audience=audience,
                language=language,
                opens_at=opens_at,
                roster_size=roster_size,
                follow_up={k: v for k, v in texts.items() if v.strip()} or None,
                out_dir=out,
                username=username,
                allow_no_safeguarding_lead=allow_no_safeguarding_lead,
                reminders=delays,
            )
    except SurveyDefinitionError as exc:
        fail(f"{exc} (fix the file and run `chorus surveys validate {survey}`)")
    except (CampaignError, StaffError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the QR code and flyer: {exc.strerror} ({exc.filename})")
    campaign = launched.campaign
    if allow_no_safeguarding_lead and campaign.audience in STUDENT_AUDIENCES:
        err_console.print(
            "[yellow]warning:[/] launched without a safeguarding lead: a student's disclosure "
            "of harm reaches no adult; use this only for a test campaign",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"[green]Launched[/] {launched.survey.id} v{launched.survey.version} for "
        f"{campaign.audience} (grade {campaign.grade}, {campaign.school})",
        highlight=False,
    )
    console.print(f"code:  {campaign.code}", highlight=False)
    console.print(f"link:  {launched.link}", highlight=False, soft_wrap=True)
    console.print(f"QR:    {launched.materials.qr_png}", highlight=False, soft_wrap=True)
    console.print(f"flyer: {launched.materials.flyer_html}", highlight=False, soft_wrap=True)
    if username is None:
        bot_username()  # now that it worked, say why the link has a placeholder


OrgOption = Annotated[
    str | None,
    typer.Option(
        "--org", help="The organization: its campaigns only (a code of another is refused)."
    ),
]


def _get_or_fail(session: Session, code: str, org: str | None = None) -> Campaign:
    campaign = get_campaign(session, code=code)
    if campaign is None:
        fail(f"no campaign has the code {code!r}; `chorus campaigns` lists them")
    if org is not None:
        try:
            check_campaigns_of(session, organization=org, codes=[code])
        except OrganizationError as exc:
            fail(str(exc))
    return campaign


def flyer(
    code: Annotated[str, typer.Argument(help="The campaign code.")],
    out: Annotated[Path | None, typer.Option(help="Where to write <code>/...")] = None,
) -> None:
    """Write a campaign's QR code and flyer again (after setting TELEGRAM_BOT_USERNAME, say)."""
    username = bot_username()
    engine = open_database()
    with session_scope(engine) as session:
        campaign = _get_or_fail(session, code)
        if campaign_availability(campaign, now=datetime.now(UTC)) == "closed":
            fail(f"campaign {code} is closed; launch a new campaign for a new flyer")
        survey = campaign_survey(session, campaign=campaign)
        timezone = campaign_timezone(session, campaign=campaign)
    link = campaign_link(campaign.code, username)
    try:
        materials = write_campaign_materials(
            campaign=campaign,
            survey=survey,
            link=link,
            out_dir=out or default_campaigns_dir(),
            timezone=timezone,
        )
    except OSError as exc:
        fail(f"cannot write the QR code and flyer: {exc.strerror} ({exc.filename})")
    console.print(f"link:  {link}", highlight=False, soft_wrap=True)
    console.print(f"QR:    {materials.qr_png}", highlight=False, soft_wrap=True)
    console.print(f"flyer: {materials.flyer_html}", highlight=False, soft_wrap=True)


CLI_LANGUAGE = "en"
"""The command line speaks English; numbers and dates in it are formatted by Babel."""


def _rate(summary: CampaignSummary) -> str:
    rate = response_rate(summary.completed, summary.roster_size)
    if rate is None or summary.roster_size is None:
        return "-"
    roster = format_number(summary.roster_size, CLI_LANGUAGE)
    return f"{format_percent(rate, CLI_LANGUAGE)}\nof {roster}"


def _status(summary: CampaignSummary) -> str:
    reminders = f"\nreminders {describe_reminders(summary.reminders)}"
    if summary.availability == "closed":
        return "closed"
    if summary.closes_at is None:
        return summary.availability.replace("_", " ") + reminders
    last_day = summary.last_day or summary.closes_at  # the day, where the organization is
    prefix = "open" if summary.availability == "open" else "opens later"
    return f"{prefix}\nuntil {format_day(last_day, CLI_LANGUAGE, 'medium')}{reminders}"


def _counts(summary: CampaignSummary) -> str:
    counts = {"started": summary.started, "completed": summary.completed}
    counts["declined"] = summary.declined
    counts["reminded"] = summary.reminders_sent
    return "\n".join(f"{format_number(n, CLI_LANGUAGE)} {what}" for what, n in counts.items())


def campaigns_table(summaries: list[CampaignSummary]) -> Table:
    """Few, multi-line columns, so the table still reads in an 80-column terminal."""
    table = Table(title="Campaigns", box=box.SIMPLE_HEAD, pad_edge=False, show_lines=True)
    table.add_column("code", no_wrap=True, min_width=16)
    table.add_column("survey, school, grade, audience", ratio=1)
    table.add_column("status", min_width=16)
    table.add_column("answers", min_width=12)
    table.add_column("rate", justify="right", min_width=5)
    for s in summaries:
        table.add_row(
            s.code,
            f"{s.survey_id} v{s.survey_version}\n{s.school}, grade {s.grade} ({s.audience})",
            _status(s),
            _counts(s),
            _rate(s),
        )
    return table


def campaigns(org: OrgOption = None) -> None:
    """List campaigns, newest first, with how many started, completed and declined.

    Started counts people who agreed to take part; the rate is completed / roster size.
    """
    engine = open_database()
    try:
        with session_scope(engine) as session:
            only = require_organization(session, name=org).id if org is not None else None
            summaries = list_campaigns_with_counts(session, organization_id=only)
    except OrganizationError as exc:
        fail(str(exc))
    if not summaries:
        console.print("No campaigns yet: `chorus launch SURVEY ...` starts one.")
        return
    console.print(campaigns_table(summaries))


def close(
    code: Annotated[str, typer.Argument(help="The campaign code.")], org: OrgOption = None
) -> None:
    """Stop a campaign taking answers; what it collected stays for the report."""
    engine = open_database()
    try:
        with session_scope(engine) as session:
            if org is not None:
                check_campaigns_of(session, organization=org, codes=[code])
            campaign = close_campaign(session, code=code)
    except (CampaignError, OrganizationError) as exc:
        fail(str(exc))
    console.print(f"[green]Closed[/] campaign {campaign.code} ({campaign.school}).")


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    """Excel has no time zones: write aware timestamps as naive UTC."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def export(
    code: Annotated[str, typer.Argument(help="The campaign code.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or xlsx (default: from --out, or csv).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="The file to write (default: <data dir>/exports/<code>.<format>)."),
    ] = None,
    org: OrgOption = None,
) -> None:
    """Export one row per answer (no chat ids, no names) for a spreadsheet or R/pandas."""
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in EXPORT_FORMATS else "csv"
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        fail(f"unknown export format {fmt!r}; use --format csv or --format xlsx")
    target = out or StorageSettings().data_dir / "exports" / f"{code}.{fmt}"
    engine = open_database()
    with session_scope(engine) as session:
        _get_or_fail(session, code, org)
        from analysis.frames import load_responses  # pandas: only when exporting

        tidy = load_responses(session, campaign_codes=[code]).tidy()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Through the one formula-safe writer: a typed "=HYPERLINK(...)" stays text.
        if fmt == "csv":
            from analysis.spreadsheet import write_csv

            write_csv(tidy, target)
        else:
            from analysis.spreadsheet import write_xlsx

            write_xlsx({"answers": _excel_safe(tidy)}, target)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror}")
    answers = format_number(len(tidy), CLI_LANGUAGE)
    respondents = format_number(tidy["respondent_id"].nunique(), CLI_LANGUAGE)
    console.print(
        f"[green]Exported[/] {answers} answers from {respondents} respondents to {target}",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the campaign commands to the root app."""
    app.command("launch")(launch)
    app.command("campaigns")(campaigns)
    app.command("close")(close)
    app.command("flyer")(flyer)
    app.command("export")(export)
