"""/report and /export send files through the outbox, in the member's language."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.simulation.offline_request import OfflineRequest
from bot.staff import documents
from surveys.i18n import t
from tests.bot.conftest import AnyApp
from tests.bot.staff.conftest import FACILITATOR, HOME, Staffed, audit_actions, calls, person
from tests.factories import add_answers, make_campaign, make_respondent, make_staff


@pytest.fixture(autouse=True)
def quick_packet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF takes seconds to render; the HTML is the same packet."""
    monkeypatch.setattr(documents, "REPORT_FORMATS", ("html", "xlsx"))


def answered(engine: Engine, staffed: Staffed) -> int:
    """Twelve answers to the home campaign, and a caregiver campaign of the same school."""
    with Session(engine, expire_on_commit=False) as session:
        for _ in range(12):
            person_ = make_respondent(session, campaign=staffed.home, role="student")
            add_answers(session, respondent=person_, answers={"b1": "4", "b2": "2", "y1": "yes"})
        caregivers = make_campaign(session, organization=HOME, audience="caregiver")
        session.commit()
        assert caregivers.id is not None
        return caregivers.id


async def test_a_facilitator_gets_the_packet_for_two_campaigns_of_one_school(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    caregivers = answered(engine, staffed)
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/report")
    students = next(lb for lb in facilitator.latest().labels if "students" in lb)
    await facilitator.tap(students)
    offered = facilitator.latest().labels
    assert t("staff.report.make", "en") in offered
    await facilitator.tap(next(lb for lb in offered if "caregivers" in lb))
    sent = calls(facilitator, "sendDocument")
    assert [c.params.get("caption", "")[:18] for c in sent] == [
        "Facilitator packet",
        "Tables: Lincoln Mi",
    ]
    assert t("staff.report.working", "en") in facilitator.texts()
    actions = audit_actions(engine)
    assert ("campaign.report", staffed.home.id) in actions
    assert ("campaign.report", caregivers) in actions


async def test_the_packet_comes_in_the_members_language(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    answered(engine, staffed)
    with Session(engine) as session:
        make_staff(session, organization=HOME, roles="facilitator", chat_id=7401, language="es")
        session.commit()
    spanish = person(app, offline, 7401, "es")
    await spanish.send("/report")
    await spanish.tap(next(lb for lb in spanish.latest().labels if "estudiantes" in lb))
    await spanish.tap(t("staff.report.make", "es"))
    captions = [c.params.get("caption", "") for c in calls(spanish, "sendDocument")]
    assert len(captions) == 2
    assert captions[0].startswith("Paquete para facilitadores")


async def test_export_sends_a_csv_without_chat_ids(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    answered(engine, staffed)
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/export")
    await facilitator.tap(next(lb for lb in facilitator.latest().labels if "students" in lb))
    await facilitator.tap("CSV")
    sent = calls(facilitator, "sendDocument")
    assert len(sent) == 1
    assert "36 answers from 12 respondents" in sent[0].params["caption"]


def test_a_csv_export_is_formula_safe_and_names_no_chat(engine: Engine, staffed: Staffed) -> None:
    with Session(engine) as session:
        someone = make_respondent(session, campaign=staffed.home, chat_id=987654321)
        add_answers(session, respondent=someone, answers={"t1": {"text": "=HYPERLINK(1)"}})
        exported = documents.export_document(session, code=staffed.home.code, fmt="csv")
    content = exported.document.content.decode("utf-8")
    assert "'=HYPERLINK(1)" in content
    assert "987654321" not in content


async def test_a_file_over_telegrams_limit_is_refused_clearly(
    app: AnyApp,
    offline: OfflineRequest,
    staffed: Staffed,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import outgoing

    answered(engine, staffed)
    monkeypatch.setattr(outgoing, "MAX_FILE_BYTES", 10)  # as if the export were over 50 MB
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/export")
    await facilitator.tap(next(lb for lb in facilitator.latest().labels if "students" in lb))
    await facilitator.tap("XLSX")
    assert calls(facilitator, "sendDocument") == []
    filename = f"{staffed.home.code}.xlsx"
    assert facilitator.texts() == [t("staff.too_large", "en", filename=filename)]
