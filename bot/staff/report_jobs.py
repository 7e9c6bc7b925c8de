"""A `/report` being made, which a crash must not lose.

The packet is built in a thread, between two transactions: the one that says "Making the
report" and the one that queues the documents. The request is kept in the member's flow
(`report`, step `making`: the campaigns, when it was taken, how many tries) by the first
and ended by the second. A request still `making` after `LEASE` (the process that took it
died, or is far slower than any packet) is taken again by the report loop of any worker,
claimed with a conditional UPDATE so only one worker does. After `ATTEMPTS` tries the
member is told it failed and asked to try again: a packet that brings its process down
must not do so for ever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.outgoing import FileTooLarge, Outgoing
from bot.runtime import Runtime
from bot.staff import state
from bot.staff.access import Staff, orm, staff_of
from bot.staff.campaign_views import label, own_campaign
from bot.staff.documents import Document, build_packet
from bot.staff.state import Flow
from surveys.crud.respondents import now_utc
from surveys.i18n import t
from surveys.models import Campaign, StaffMember

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""How long a report may be in the making before another worker takes it again."""
ATTEMPTS = 2
POLL_SECONDS = 60.0


@dataclass(frozen=True)
class ReportJob:
    codes: list[str]
    names: str
    language: str
    min_n: int
    member_id: int
    nonce: str
    """The flow run it belongs to: ending it must not end a newer one."""


def names_of(staff: Staff, ids: list[int]) -> str:
    return _names(staff, [own_campaign(staff, i) for i in ids])


def _names(staff: Staff, campaigns: list[Campaign | None]) -> str:
    return "; ".join(label(c, staff.language) for c in campaigns if c is not None)


def begin(staff: Staff, flow: Flow, campaigns: list[Campaign]) -> ReportJob:
    """Keep the request (the member's own `campaigns`, already checked) in the member's
    flow and say the report is being made."""
    ids = [c.id for c in campaigns]
    flow.step, flow.data = "making", {"campaigns": ids, "since": now_utc().isoformat(), "try": 1}
    state.save(staff.session, staff.member, flow)
    staff.say("staff.report.working")
    return _job(staff, flow, list(campaigns))


def _job(staff: Staff, flow: Flow, campaigns: list[Campaign | None]) -> ReportJob:
    assert staff.member.id is not None
    return ReportJob(
        codes=[c.code for c in campaigns if c is not None],
        names=_names(staff, campaigns),
        language=staff.language,
        min_n=staff.organization.min_group_size,
        member_id=staff.member.id,
        nonce=flow.nonce,
    )


async def send_report(runtime: Runtime, chat_id: int, job: ReportJob) -> None:
    """Build the packet in a thread, then queue it, if the member is still staff."""
    error = ""
    documents: list[Document] = []
    try:
        documents = await asyncio.to_thread(
            build_packet,
            runtime.database.engine,
            codes=job.codes,
            language=job.language,
            min_n=job.min_n,
        )
    except ValueError as exc:
        error = str(exc)
    await runtime.transact(lambda out: _deliver(out, chat_id, job, documents, error))


def _deliver(
    out: Outgoing, chat_id: int, job: ReportJob, documents: list[Document], error: str
) -> None:
    with orm(out.db) as session:
        staff = staff_of(out, session, chat_id=chat_id, update_id=None)
        if staff is None or staff.member.id != job.member_id:
            return  # revoked while the packet was being made: nothing is sent
        if _in_the_making(state.load(staff.member), job.nonce):
            state.save(session, staff.member, None)
        if error:
            staff.say("staff.report.failed", error=error)
            return
        for document in documents:
            key = "staff.report.packet" if document.kind == "packet" else "staff.report.workbook"
            caption = t(key, job.language, campaigns=job.names)[:1024]
            try:
                out.send_document(chat_id, document.content, document.filename, caption=caption)
            except FileTooLarge:
                staff.say("staff.too_large", filename=document.filename)


def _in_the_making(flow: Flow | None, nonce: str) -> bool:
    return flow is not None and (flow.name, flow.step, flow.nonce) == ("report", "making", nonce)


def claim_stale(out: Outgoing, *, now: datetime) -> list[tuple[int, ReportJob]]:
    """The reports in the making for longer than `LEASE`, claimed for this worker."""
    claimed: list[tuple[int, ReportJob]] = []
    with orm(out.db) as session:
        waiting = session.exec(
            select(StaffMember).where(
                col(StaffMember.revoked_at).is_(None),
                col(StaffMember.state).contains('"step": "making"'),
            )
        ).all()
        for member in waiting:
            flow = state.load(member)
            if flow is None or flow.name != "report" or not _stale(flow, now):
                continue
            staff = staff_of(out, session, chat_id=member.chat_id, update_id=None)
            if staff is None or not _claim(session, member, flow, now):
                continue
            if int(flow.data.get("try", 1)) > ATTEMPTS:
                state.save(session, member, None)
                staff.say("staff.report.gave_up")
                continue
            campaigns = [own_campaign(staff, i) for i in flow.data["campaigns"]]
            claimed.append((member.chat_id, _job(staff, flow, campaigns)))
    return claimed


def _stale(flow: Flow, now: datetime) -> bool:
    try:
        since = datetime.fromisoformat(str(flow.data["since"]))
    except (KeyError, ValueError):
        return True
    return since <= now - LEASE


def _claim(session: Session, member: StaffMember, flow: Flow, now: datetime) -> bool:
    """Move the request on to this worker's try, unless another worker just did."""
    before = member.state
    flow.data = {**flow.data, "since": now.isoformat(), "try": int(flow.data.get("try", 1)) + 1}
    after = state.dumps(flow)
    claimed = session.connection().execute(
        update(StaffMember)
        .where(col(StaffMember.id) == member.id, col(StaffMember.state) == before)
        .values(state=after)
    )
    if claimed.rowcount != 1:
        return False
    session.refresh(member)
    return True


async def resume_stale_reports(runtime: Runtime, *, now: datetime) -> int:
    """Take up the reports a dead worker left in the making; how many."""
    jobs = await runtime.transact(lambda out: claim_stale(out, now=now))
    for chat_id, job in jobs:
        logger.warning("resuming a report a worker did not finish (member %d)", job.member_id)
        await send_report(runtime, chat_id, job)
    return len(jobs)


async def report_loop(
    runtime: Runtime, stop: asyncio.Event, *, clock: Callable[[], datetime] = now_utc
) -> None:
    """Every minute, take up the reports a dead worker left in the making."""
    while not stop.is_set():
        try:
            await resume_stale_reports(runtime, now=clock())
        except Exception as exc:  # the database away for a moment: try again next time
            logger.warning("report loop failed: %s", type(exc).__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)
