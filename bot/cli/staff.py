"""`chorus org ...` and `chorus staff ...`: bootstrap an organization and its staff.

The first owner can only come from here: `chorus org create` prints a one-time
invitation link (and writes its QR code); whoever opens it in Telegram becomes the
owner, and can invite everyone else from the chat. The token is shown once and
only its hash is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from bot.cli.app import console, err_console, fail
from bot.cli.campaigns import bot_username
from bot.cli.surveys import open_database
from bot.flyer import campaign_link, make_qr
from bot.staff.menus import menu_reset
from surveys.crud import outbox
from surveys.crud.organizations import (
    OrganizationError,
    create_organization,
    list_organizations,
    require_organization,
)
from surveys.crud.staff import (
    IssuedInvitation,
    StaffError,
    create_invitation,
    list_staff,
    revoke_member,
)
from surveys.db import session_scope
from surveys.reach_schedule import DEFAULT_QUIET_HOURS
from surveys.roles import RoleError, StaffRole, parse_roles
from surveys.settings import StorageSettings

org_app = typer.Typer(help="Organizations: create one and see them.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff: invite, list and revoke.", no_args_is_help=True)


def _invitations_dir() -> Path:
    return StorageSettings().data_dir / "invitations"


def _print_invitation(issued: IssuedInvitation, organization: str, out: Path | None) -> None:
    """The link and a QR PNG of it, to hand to one person; both work once."""
    username = bot_username(warn=False)
    if username is None:
        err_console.print(
            "[yellow]warning:[/] TELEGRAM_BOT_USERNAME is not set, so the link names no bot; "
            "set it and make a new invitation",
            highlight=False,
            soft_wrap=True,
        )
    link = campaign_link(issued.token, username)
    roles = issued.invitation.roles
    target = (out or _invitations_dir()) / f"invitation-{issued.invitation.id}.png"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        make_qr(link).save(str(target), scale=8, border=4)
    except OSError as exc:
        fail(f"cannot write the invitation's QR code: {exc.strerror} ({exc.filename})")
    console.print(f"Invitation for {organization} ({roles}), single use, valid 72 hours:")
    console.print(f"link:  {link}", highlight=False, soft_wrap=True)
    console.print(f"QR:    {target}", highlight=False, soft_wrap=True)


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="The organization's name, as on flyers.")],
    timezone: Annotated[
        str, typer.Option(help="IANA timezone, e.g. America/Chicago (default: UTC).")
    ] = "UTC",
    language: Annotated[str, typer.Option(help="Default language: en or es.")] = "en",
    min_group_size: Annotated[
        int, typer.Option(help="Smallest group the packet shows (default 10).")
    ] = 10,
    escalation_minutes: Annotated[
        int, typer.Option(help="Minutes before an unacknowledged alert goes to the owners.")
    ] = 30,
    out: Annotated[Path | None, typer.Option(help="Where to write the invitation's QR.")] = None,
    quiet_hours: Annotated[
        str, typer.Option(help="Local hours with no reminders, e.g. 19:00-09:00; none for none.")
    ] = DEFAULT_QUIET_HOURS,
    retention_days: Annotated[
        int, typer.Option(help="Days after a campaign closes before its chat ids are purged.")
    ] = 90,
) -> None:
    """Create an organization and print its one-time owner invitation."""
    engine = open_database()
    try:
        with session_scope(engine) as session:
            organization = create_organization(
                session,
                name=name,
                timezone=timezone,
                language=language,
                min_group_size=min_group_size,
                escalation_minutes=escalation_minutes,
                quiet_hours=quiet_hours,
                retention_days=retention_days,
            )
            issued = create_invitation(
                session, organization=organization, roles=frozenset({StaffRole.OWNER})
            )
            org_name = organization.name
    except (OrganizationError, StaffError) as exc:
        fail(str(exc))
    console.print(f"[green]Created[/] {org_name}.", highlight=False)
    _print_invitation(issued, org_name, out)


@org_app.command("list")
def org_list() -> None:
    """Every organization with its timezone and language."""
    engine = open_database()
    with session_scope(engine) as session:
        rows = [
            (o.name, o.timezone, o.default_language, str(o.min_group_size))
            for o in list_organizations(session)
        ]
    if not rows:
        console.print("No organizations yet: `chorus org create NAME` adds one.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("organization", "timezone", "language", "min group"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


OrgOption = Annotated[str, typer.Option("--org", help="The organization's name.")]


@staff_app.command("invite")
def staff_invite(
    org: OrgOption,
    role: Annotated[
        str,
        typer.Option(
            help="owner, organizer, facilitator or safeguarding-lead; several with commas."
        ),
    ],
    out: Annotated[Path | None, typer.Option(help="Where to write the invitation's QR.")] = None,
) -> None:
    """Print a one-time invitation link for a role."""
    engine = open_database()
    try:
        roles = parse_roles(role)
        with session_scope(engine) as session:
            organization = require_organization(session, name=org)
            issued = create_invitation(session, organization=organization, roles=roles)
            org_name = organization.name
    except (OrganizationError, StaffError, RoleError) as exc:
        fail(str(exc))
    _print_invitation(issued, org_name, out)


@staff_app.command("list")
def staff_list(org: OrgOption) -> None:
    """Who is on the organization's staff, and their roles."""
    engine = open_database()
    try:
        with session_scope(engine) as session:
            organization = require_organization(session, name=org)
            rows = [
                (str(m.id), m.display_name, m.roles.replace(",", ", "), f"{m.created_at:%Y-%m-%d}")
                for m in list_staff(session, organization=organization)
            ]
    except OrganizationError as exc:
        fail(str(exc))
    if not rows:
        console.print(f"No staff yet: `chorus staff invite --org {org!r} --role ...`.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("member", "name", "roles", "since"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@staff_app.command("revoke")
def staff_revoke(
    org: OrgOption,
    member: Annotated[int, typer.Argument(help="The member number from `chorus staff list`.")],
) -> None:
    """Remove someone from the staff; they are refused from their next message on."""
    engine = open_database()
    try:
        with session_scope(engine) as session:
            organization = require_organization(session, name=org)
            revoked = revoke_member(session, organization=organization, member_id=member)
            # Their chat's staff menu goes too, sent by the running bot's delivery loop.
            outbox.enqueue(session, messages=[menu_reset(revoked.chat_id)])
            name = revoked.display_name
    except (OrganizationError, StaffError) as exc:
        fail(str(exc))
    console.print(f"[green]Revoked[/] {name} (member {member}).", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
    app.add_typer(staff_app, name="staff")
