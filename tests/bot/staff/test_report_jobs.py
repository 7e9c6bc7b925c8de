"""A `/report` a dead worker left in the making is made by another (`bot/staff/report_jobs.py`)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.runtime import runtime_of
from bot.simulation.offline_request import OfflineRequest
from bot.staff import documents, report_jobs
from bot.staff.report_jobs import ReportJob, resume_stale_reports
from surveys.crud.respondents import now_utc
from surveys.i18n import t
from surveys.models import StaffMember
from tests.bot.conftest import AnyApp, Chat
from tests.bot.staff.conftest import FACILITATOR, Staffed, calls, person
from tests.factories import add_answers, make_respondent


@pytest.fixture(autouse=True)
def quick_packet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "REPORT_FORMATS", ("html",))


def flow_of(engine: Engine) -> dict[str, object] | None:
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == FACILITATOR)).one()
        return json.loads(member.state) if member.state else None


async def a_report_the_worker_died_on(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> Chat:  # fmt: skip
    """The facilitator asks for the home campaign's packet; the worker dies building it."""
    with Session(engine, expire_on_commit=False) as session:
        for _ in range(12):
            someone = make_respondent(session, campaign=staffed.home, role="student")
            add_answers(session, respondent=someone, answers={"b1": "4", "b2": "2"})
        session.commit()

    async def dies(*_: object) -> None:
        return None

    facilitator = person(app, offline, FACILITATOR)
    with monkeypatch.context() as patched:
        patched.setattr(report_jobs, "send_report", dies)
        await facilitator.send("/report")
        await facilitator.tap(next(lb for lb in facilitator.latest().labels if "Lincoln" in lb))
    assert t("staff.report.working", "en") in facilitator.texts()
    assert calls(facilitator, "sendDocument") == []
    return facilitator


async def test_another_worker_makes_it_after_the_lease(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await a_report_the_worker_died_on(app, offline, staffed, engine, monkeypatch)
    flow = flow_of(engine)
    assert flow is not None and flow["step"] == "making"
    runtime = runtime_of(app)
    before = len(offline.calls)
    assert await resume_stale_reports(runtime, now=now_utc()) == 0  # still within its lease
    later = now_utc() + report_jobs.LEASE + timedelta(seconds=1)
    assert await resume_stale_reports(runtime, now=later) == 1
    await runtime.delivery.flush()
    sent = [c for c in offline.calls[before:] if c.method == "sendDocument"]
    assert [c.params["chat_id"] for c in sent] == [FACILITATOR]
    assert flow_of(engine) is None  # done: nothing left to resume
    assert await resume_stale_reports(runtime, now=later + report_jobs.LEASE * 3) == 0


async def test_two_workers_never_both_take_it(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await a_report_the_worker_died_on(app, offline, staffed, engine, monkeypatch)
    runtime = runtime_of(app)
    later = now_utc() + report_jobs.LEASE * 2
    taken: list[ReportJob] = []

    async def records(_: object, __: int, job: ReportJob) -> None:
        taken.append(job)

    monkeypatch.setattr(report_jobs, "send_report", records)
    counts = await asyncio.gather(*(resume_stale_reports(runtime, now=later) for _ in range(4)))
    assert sorted(counts) == [0, 0, 0, 1]
    assert len(taken) == 1 and taken[0].codes == [staffed.home.code]


async def test_a_report_that_keeps_failing_is_given_up_with_a_word(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    facilitator = await a_report_the_worker_died_on(app, offline, staffed, engine, monkeypatch)
    runtime = runtime_of(app)

    async def dies_again(*_: object) -> None:
        return None

    monkeypatch.setattr(report_jobs, "send_report", dies_again)
    moment = now_utc()
    for attempt in range(report_jobs.ATTEMPTS):
        moment += report_jobs.LEASE * 2
        taken = await resume_stale_reports(runtime, now=moment)
        assert taken == (1 if attempt < report_jobs.ATTEMPTS - 1 else 0)
    await runtime.delivery.flush()
    assert flow_of(engine) is None
    gave_up = [
        c
        for c in offline.calls
        if c.method == "sendMessage" and c.params.get("chat_id") == FACILITATOR
    ]
    assert gave_up[-1].text == t("staff.report.gave_up", "en")
    assert calls(facilitator, "sendDocument") == []
