"""`chorus demo`: the whole workflow on a throwaway database, for a first look.

1. A fresh demo database in `<CHORUS_DATA_DIR>/demo/`, the built-in surveys, and an
   organization with four invitation links (owner, organizer, facilitator, lead).
2. Staff in the chat (`bot.simulation.staff_demo`): the four open their links; the
   organizer launches the student survey with `/launch` and gets the link, QR code and
   flyer; two more campaigns are launched as `chorus launch` does.
3. Simulated students and caregivers answer through the real bot application,
   which talks over HTTP to a fake Telegram on 127.0.0.1: nothing leaves the machine.
4. The facilitator packet and its tables, written from what they answered.
5. A student's disclosure reaches the safeguarding lead, who follows up; the
   facilitator asks for `/report` and gets the packet as a document.
6. Reaching out (`bot.simulation.reach_demo`): two days later one person who stopped
   midway is reminded and finishes; then the campaigns close and everyone who completed
   them receives the results.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.cli.app import console, fail
from bot.flyer import campaign_link, write_campaign_materials
from bot.launching import launch_campaign
from bot.settings import BotSettings
from bot.simulation.reach_demo import ReachReport, run_reach_demo
from bot.simulation.respondents import SimulationReport, run_demo_respondents
from bot.simulation.staff_demo import (
    CHATS as STAFF_CHATS,
)
from bot.simulation.staff_demo import (
    StaffReport,
    default_plan,
    disclose_and_report,
    join_and_launch,
)
from surveys.crud.campaigns import CampaignError, campaign_survey, get_campaign
from surveys.crud.organizations import campaign_timezone, create_organization
from surveys.crud.staff import create_invitation
from surveys.crud.surveys import add_builtin_surveys
from surveys.db import StorageError, init_db, make_engine, session_scope
from surveys.loader import SurveyDefinitionError
from surveys.models import Contact
from surveys.roles import StaffRole
from surveys.settings import StorageSettings

if TYPE_CHECKING:
    from analysis.packet import ReportPaths

DEMO_ORGANIZATION = "Bridges Community Tutoring"
DEMO_TIMEZONE = "America/Chicago"
STAFF_ROLES = (
    StaffRole.OWNER,
    StaffRole.ORGANIZER,
    StaffRole.FACILITATOR,
    StaffRole.SAFEGUARDING_LEAD,
)
DEMO_BOT_USERNAME = "ChorusDemoBot"
"""Used in demo links when `TELEGRAM_BOT_USERNAME` is unset: the demo needs no real bot."""
DEMO_OPEN_DAYS = 28
DEMO_RESPONDENTS = 60
"""About twenty per campaign: enough that most groups clear the default minimum of 10."""


@dataclass(frozen=True)
class DemoCampaignSpec:
    survey_id: str
    school: str
    grade: str
    audience: str
    roster_size: int


DEMO_CAMPAIGNS = (  # the first is launched by the organizer in the chat, with /launch
    DemoCampaignSpec("student-belonging", "Lincoln Middle School", "7", "student", 120),
    DemoCampaignSpec("caregiver-belonging", "Lincoln Middle School", "7", "caregiver", 110),
    DemoCampaignSpec("student-aspirations", "Lincoln High School", "11", "student", 95),
)


@dataclass(frozen=True)
class DemoCampaign:
    spec: DemoCampaignSpec
    code: str
    link: str
    qr_png: Path
    flyer_html: Path


@dataclass
class DemoSetup:
    """What stage one made; later stages add respondents and the packet to it."""

    data_dir: Path
    demo_dir: Path
    database_url: str
    engine: Engine
    campaigns: list[DemoCampaign]
    username: str
    tokens: dict[StaffRole, str]
    """One invitation link's token per staff role."""
    closes: datetime

    def campaign(self, survey_id: str) -> DemoCampaign:
        return next(c for c in self.campaigns if c.spec.survey_id == survey_id)


def demo_database_path(data_dir: Path) -> Path:
    return data_dir / "demo" / "chorus.db"


def _start_fresh(demo_dir: Path) -> None:
    """Forget the previous run: its database (with WAL files) and its campaign files."""
    db = demo_dir / "chorus.db"
    for path in (db, db.with_name("chorus.db-wal"), db.with_name("chorus.db-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(demo_dir / "campaigns", ignore_errors=True)


def _follow_up(meeting: datetime) -> dict[str, str]:
    day = f"{meeting:%Y-%m-%d}"
    return {
        "en": f"Join us to talk about the results: {day}, 6 pm, in the school library.",
        "es": f"Acompáñenos a conversar sobre los resultados: {day}, 6 pm, en la biblioteca.",
    }


def prepare_demo(
    data_dir: Path, *, username: str | None = None, now: datetime | None = None
) -> DemoSetup:
    """Stage one: a fresh demo database with the built-ins, the organization and one
    invitation link for each of its four staff members (no campaign yet)."""
    demo_dir = data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    _start_fresh(demo_dir)
    database_url = f"sqlite:///{demo_database_path(data_dir)}"
    engine = make_engine(database_url)
    init_db(engine)
    with session_scope(engine) as session:
        add_builtin_surveys(session)
        organization = create_organization(
            session, name=DEMO_ORGANIZATION, timezone=DEMO_TIMEZONE, language="en"
        )
        tokens = {
            role: create_invitation(
                session, organization=organization, roles=frozenset({role})
            ).token
            for role in STAFF_ROLES
        }
    return DemoSetup(
        data_dir=data_dir,
        demo_dir=demo_dir,
        database_url=database_url,
        engine=engine,
        campaigns=[],
        username=username or DEMO_BOT_USERNAME,
        tokens=tokens,
        closes=_closing(now or datetime.now(UTC)),
    )


def _closing(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=DEMO_OPEN_DAYS)


def _demo_campaign(setup: DemoSetup, spec: DemoCampaignSpec, code: str) -> DemoCampaign:
    """The campaign's link, QR code and flyer, written where the demo lists them."""
    with session_scope(setup.engine) as session:
        campaign = get_campaign(session, code=code)
        if campaign is None:
            raise CampaignError(f"the demo campaign {code} was not stored")
        survey = campaign_survey(session, campaign=campaign)
        link = campaign_link(code, setup.username)
        materials = write_campaign_materials(
            campaign=campaign,
            survey=survey,
            link=link,
            out_dir=setup.demo_dir / "campaigns",
            timezone=campaign_timezone(session, campaign=campaign),
        )
    return DemoCampaign(spec, code, link, materials.qr_png, materials.flyer_html)


def launch_demo_campaigns(setup: DemoSetup) -> StaffReport:
    """Stage two: the staff open their links; the organizer launches the first campaign in
    the chat; the other two are launched as `chorus launch` would (the lead is in now)."""
    chat_spec, *other_specs = DEMO_CAMPAIGNS
    plan = default_plan(
        setup.engine,
        school=chat_spec.school,
        grade=chat_spec.grade,
        closes=setup.closes,
        follow_up=_follow_up(setup.closes + timedelta(days=7))["en"],
    )
    report = asyncio.run(join_and_launch(setup.engine, tokens=setup.tokens, plan=plan))
    if report.campaign_code is None:
        raise CampaignError("the organizer's /launch in the chat created no campaign")
    setup.campaigns.append(_demo_campaign(setup, chat_spec, report.campaign_code))
    with session_scope(setup.engine) as session:
        for spec in other_specs:
            launched = launch_campaign(
                session,
                survey=spec.survey_id,
                organization=DEMO_ORGANIZATION,
                school=spec.school,
                grade=spec.grade,
                audience=spec.audience,
                closes_at=setup.closes,
                roster_size=spec.roster_size,
                follow_up=_follow_up(setup.closes + timedelta(days=7)),
                out_dir=setup.demo_dir / "campaigns",
                username=setup.username,
            )
            materials = launched.materials
            setup.campaigns.append(
                DemoCampaign(
                    spec,
                    launched.campaign.code,
                    launched.link,
                    materials.qr_png,
                    materials.flyer_html,
                )
            )
    return report


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is inside it: shorter to read."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def print_campaigns(setup: DemoSetup) -> None:
    """Each campaign with its link and files, one per line, so a link is never wrapped."""
    console.rule(f"Demo campaigns of {DEMO_ORGANIZATION}")
    for c in setup.campaigns:
        console.print(
            f"[bold]{c.spec.survey_id}[/]: {c.spec.school}, grade {c.spec.grade}, "
            f"{c.spec.audience}s (roster {c.spec.roster_size})",
            highlight=False,
        )
        for label, value in (
            ("link", c.link),
            ("QR", _shown(c.qr_png)),
            ("flyer", _shown(c.flyer_html)),
        ):
            console.print(f"  {label:<6}{value}", highlight=False, soft_wrap=True)
    console.print(
        f"Demo database: {_shown(demo_database_path(setup.data_dir))} (fresh on every run)",
        highlight=False,
        soft_wrap=True,
    )


def simulate_respondents(setup: DemoSetup, *, respondents: int, seed: int) -> SimulationReport:
    """Stage two: simulated people answer every demo campaign through the real bot."""
    by_role: dict[str, list[str]] = {}
    for c in setup.campaigns:
        by_role.setdefault(c.spec.audience, []).append(c.code)
    return asyncio.run(
        run_demo_respondents(
            database_url=setup.database_url,
            campaign_codes_by_role=by_role,
            respondents=respondents,
            seed=seed,
            known_chats=list(STAFF_CHATS.values()),
        )
    )


def write_packets(setup: DemoSetup) -> dict[str, ReportPaths]:
    from analysis.packet import write_report  # pandas and WeasyPrint: only for the demo

    """Stage three: the packet (HTML and PDF) and tables in English, the packet in Spanish,
    and a bilingual side-by-side PDF for mixed rooms."""
    codes = [c.code for c in setup.campaigns]
    out = setup.demo_dir / "report"
    shutil.rmtree(out, ignore_errors=True)
    with session_scope(setup.engine) as session:
        return {
            "en": write_report(session, campaign_codes=codes, out_dir=out, language="en"),
            "es": write_report(
                session,
                campaign_codes=codes,
                out_dir=out / "es",
                formats=("html", "pdf"),
                language="es",
            ),
            "en+es": write_report(
                session,
                campaign_codes=codes,
                out_dir=out / "en+es",
                formats=("pdf",),
                language="en+es",
            ),
        }


def print_outputs(simulation: SimulationReport, packets: dict[str, ReportPaths]) -> None:
    console.rule("Simulated respondents, through the real bot and a local fake Telegram")
    console.print(simulation.summary(), highlight=False)
    console.rule("Facilitator packet")
    for language, paths in packets.items():
        for path in (paths.pdf, paths.html):
            if path is not None:
                console.print(
                    f"[bold]{language:<6}[/]{_shown(path)}", highlight=False, soft_wrap=True
                )
    tables = packets["en"]
    for label, path in (("markdown", tables.md), ("workbook", tables.xlsx)):
        if path is not None:
            console.print(f"{label:<9}{_shown(path)}", highlight=False, soft_wrap=True)
    if tables.csv:
        console.print(
            f"{'tables':<9}{_shown(tables.csv[0].parent)}/ ({len(tables.csv)} CSV files)",
            highlight=False,
            soft_wrap=True,
        )
    if tables.pdf is not None:
        console.print(
            f"Print or send {_shown(tables.pdf)}: the data walk as a PDF.", highlight=False
        )


def reach_out(setup: DemoSetup) -> ReachReport:
    """Stage four: a reminder and a respondent who comes back; then the results sent back."""
    with session_scope(setup.engine) as session:
        chats = list(session.exec(select(Contact.chat_id)).all())
    return asyncio.run(
        run_reach_demo(
            setup.engine,
            student_code=setup.campaign("student-belonging").code,
            codes=[c.code for c in setup.campaigns],
            known_chats=chats,
        )
    )


def print_reach(report: ReachReport) -> None:
    console.rule("Reaching out: a reminder, then the results sent back")
    console.print(report.summary(), highlight=False)
    if report.sample:
        console.print("[bold]What a respondent received:[/]")
        console.print(report.sample, highlight=False, markup=False)


def staff_at_work(setup: DemoSetup) -> StaffReport:
    """Stage five: a disclosure reaches the lead, who follows up; the facilitator's /report."""
    first = setup.campaigns[0]
    return asyncio.run(
        disclose_and_report(
            setup.engine, code=first.code, school=first.spec.school, grade=first.spec.grade
        )
    )


def _staff_stage(stage: Callable[[DemoSetup], StaffReport], setup: DemoSetup) -> StaffReport:
    """A staff stage, or one line saying what the simulated person could not do."""
    try:
        return stage(setup)
    except (LookupError, TimeoutError, RuntimeError, CampaignError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail(f"the demo's staff stage stopped: {reason}")


def print_staff(title: str, report: StaffReport) -> None:
    """What each staff member's phone received, one line per message."""
    console.rule(title)
    for role, lines in report.received.items():
        console.print(f"[bold]{role.value}[/] received {len(lines)} message(s):", highlight=False)
        for line in lines:
            joined = " / ".join(part for part in line.splitlines() if part.strip())
            shown = joined if len(joined) <= 300 else joined[:297] + "..."
            console.print(f"  • {shown}", highlight=False, markup=False, soft_wrap=True)
    if report.alert_handled:
        console.print("The lead's tap on \"I'm following up\" handled the alert (audited).")


def demo(
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the demo goes (default: CHORUS_DATA_DIR or data).")
    ] = None,
    respondents: Annotated[
        int, typer.Option(min=1, max=500, help="How many simulated people answer.")
    ] = DEMO_RESPONDENTS,
    seed: Annotated[int, typer.Option(help="Seed for the simulated answers.")] = 7,
) -> None:
    """Run the demo: staff join and launch, people answer the bot, the packet, alerts,
    reminders and the results sent back."""
    directory = data_dir or StorageSettings().data_dir
    try:
        setup = prepare_demo(directory, username=BotSettings().username)
    except (StorageError, CampaignError, SurveyDefinitionError) as exc:
        fail(f"the demo could not start: {exc}")
    except OSError as exc:
        fail(f"the demo could not write to {directory}: {exc.strerror}")
    try:
        console.print("The staff open their invitation links; the organizer sends /launch...")
        print_staff(
            "Staff in the chat: joining and launching", _staff_stage(launch_demo_campaigns, setup)
        )
        print_campaigns(setup)
        console.print(f"{respondents} simulated people are answering; this takes a minute...")
        simulation = simulate_respondents(setup, respondents=respondents, seed=seed)
        if simulation.errors:
            fail(f"the simulation hit {len(simulation.errors)} errors: {simulation.errors[0]}")
        packets = write_packets(setup)
        print_outputs(simulation, packets)
        at_work = _staff_stage(staff_at_work, setup)
        print_staff("A disclosure reaches the lead; the facilitator's /report", at_work)
        print_reach(reach_out(setup))
    finally:
        setup.engine.dispose()


def register(app: typer.Typer) -> None:
    """Add `chorus demo` to the root app."""
    app.command("demo")(demo)
