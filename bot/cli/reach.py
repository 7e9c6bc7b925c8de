"""`chorus share CODE` and `chorus purge`: results sent back, and the retention purge.

`share` shows what would be sent and to how many, asks (unless `--yes`), queues
the messages in batches for the running bot to deliver as bulk traffic, and shows
queued, sent and failed as a progress bar (`--wait` follows the delivery to the
end). Sharing again sends nothing new: it shows the progress instead.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bot.cli.app import console, fail
from bot.cli.campaigns import OrgOption
from bot.cli.surveys import open_database
from bot.sharing import ShareError, SharePlan, plan_share, queue_share_batch, share_progress
from surveys import conversations
from surveys.crud.organizations import OrganizationError, check_campaigns_of
from surveys.crud.retention import purge as purge_rows
from surveys.crud.sharing import ShareProgress
from surveys.db import session_scope

WAIT_SECONDS = 1.0


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
    )


def _detail(progress: ShareProgress) -> str:
    return f"queued {progress.queued}, sent {progress.sent}, failed {progress.failed}"


def _preview(plan: SharePlan) -> None:
    console.print(
        f"Results of campaign {plan.code} ({plan.school}); groups under {plan.min_n} are hidden.",
        highlight=False,
    )
    console.print("[bold]The message (each person gets it in their language):[/]")
    console.print(plan.preview, highlight=False, markup=False)


def _queue_all(plan: SharePlan) -> int:
    engine = open_database()
    total = 0
    with _progress_bar() as bar:
        task = bar.add_task("queueing", total=plan.waiting, detail="")
        while True:
            queued = conversations.run(engine, partial(queue_share_batch, plan=plan))
            if not queued:
                break
            total += queued
            bar.update(task, advance=queued, detail=f"queued {total}")
    return total


def _follow(campaign_id: int, *, wait: bool) -> ShareProgress:
    """Show sent and failed over everything queued; with `wait`, until nothing is left queued."""
    engine = open_database()
    current = conversations.run(engine, partial(share_progress, campaign_id=campaign_id))
    with _progress_bar() as bar:
        task = bar.add_task("delivered", total=current.total, detail=_detail(current))
        while True:
            bar.update(task, completed=current.sent + current.failed, detail=_detail(current))
            if not wait or current.queued == 0:
                return current
            time.sleep(WAIT_SECONDS)
            current = conversations.run(engine, partial(share_progress, campaign_id=campaign_id))


def share(
    code: Annotated[str, typer.Argument(help="The closed campaign's code.")],
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking first.")] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the delivery until every message is out.")
    ] = False,
    org: OrgOption = None,
) -> None:
    """Send a closed campaign's headline results to everyone who completed it, once.

    The running bot (`chorus run`) delivers them behind its replies, at the configured
    rate. Nobody who sent /stop or blocked the bot gets them; nothing is shared for a
    campaign with fewer completions than the minimum group size.
    """
    engine = open_database()
    try:
        with session_scope(engine) as session:
            if org is not None:
                check_campaigns_of(session, organization=org, codes=[code])
            plan = plan_share(session, code=code, now=datetime.now(UTC))
    except (ShareError, OrganizationError) as exc:
        fail(str(exc))
    if plan.waiting == 0:
        console.print(
            f"Nothing new to send: the results of {plan.code} were already queued for "
            f"{plan.progress.total} people.",
            highlight=False,
        )
        _follow(plan.campaign_id, wait=wait)
        return
    _preview(plan)
    if not yes and not typer.confirm(f"Send the results to {plan.waiting} people?"):
        console.print("Nothing was sent.")
        raise typer.Exit(1)
    total = _queue_all(plan)
    console.print(f"[green]Queued[/] the results for {total} people.", highlight=False)
    _follow(plan.campaign_id, wait=wait)


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove chat ids, queue rows and alerts of campaigns closed longer than their
    organization's retention period (default 90 days); de-identified answers stay."""
    engine = open_database()
    report = conversations.run(engine, partial(purge_rows, now=datetime.now(UTC), dry_run=dry_run))
    verb = "Would remove" if dry_run else "Removed"
    if not report.campaigns:
        console.print("Nothing to purge: no campaign has been closed longer than its retention.")
        return
    console.print(f"{verb} for {report.describe()}.", highlight=False)
    console.print(f"campaigns: {', '.join(report.campaigns)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("share")(share)
    app.command("purge")(purge)
