"""`chorus demo`: campaigns, simulated people answering through the real bot, the packet."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session, func, select

from bot.cli.demo import DEMO_CAMPAIGNS, launch_demo_campaigns, prepare_demo
from surveys.db import make_engine
from surveys.models import (
    Alert,
    AlertStatus,
    Answer,
    Campaign,
    Contact,
    Respondent,
    RespondentStatus,
    StaffMember,
)
from surveys.roles import StaffRole
from tests.conftest import Cli


def test_prepare_demo_starts_fresh_each_run(tmp_path: Path) -> None:
    first = prepare_demo(tmp_path, username="demo_bot")
    launch_demo_campaigns(first)
    first.engine.dispose()
    second = prepare_demo(tmp_path, username="demo_bot")
    assert second.campaigns == []  # nothing of the first run is left
    report = launch_demo_campaigns(second)
    try:
        assert "Launched!" in " ".join(report.received[StaffRole.ORGANIZER])
        assert [c.spec for c in second.campaigns] == list(DEMO_CAMPAIGNS)
        with Session(second.engine) as session:
            codes = {c.code for c in session.exec(select(Campaign)).all()}
        assert codes == {c.code for c in second.campaigns}
        folders = {p.name for p in (tmp_path / "demo" / "campaigns").iterdir()}
        assert folders == codes  # the first run's files are gone
        for c in second.campaigns:
            assert c.link == f"https://t.me/demo_bot?start={c.code}"
            assert c.flyer_html.is_file() and c.qr_png.is_file()
    finally:
        second.engine.dispose()


def test_demo_runs_people_through_the_bot_and_writes_the_packet(cli: Cli) -> None:
    respondents = 9
    result = cli("demo", "--respondents", str(respondents))
    assert result.exit_code == 0, result.output

    links = re.findall(r"https://t\.me/chorus_test_bot\?start=[\w-]+", result.stdout)
    assert len(links) == len(DEMO_CAMPAIGNS)
    said_flat = " ".join(result.stdout.split())
    # Staff: the organizer's /launch ends with the link, the QR photo and the flyer; the
    # lead follows up on a disclosure; the facilitator's /report arrives as documents.
    assert "Launched!" in said_flat and "[photo qr-" in said_flat
    assert "[document flyer-" in said_flat
    assert "Safeguarding alert" in said_flat and "handled the alert" in said_flat
    assert "[document packet-en.pdf" in said_flat
    assert f"{respondents} simulated respondents" in result.stdout
    assert "0 errors" in result.stdout

    demo_dir = cli.data_dir / "demo"
    engine = make_engine(f"sqlite:///{demo_dir / 'chorus.db'}")
    try:
        with Session(engine) as session:
            people = session.exec(select(Respondent)).all()
            answers = session.exec(select(func.count()).select_from(Answer)).one()
            contacts = session.exec(select(func.count()).select_from(Contact)).one()
            staff = session.exec(select(StaffMember)).all()
            handled = session.exec(
                select(Alert).where(Alert.status == AlertStatus.FOLLOWING_UP)
            ).all()
    finally:
        engine.dispose()
    # Declining stores nothing, so every stored person took part; most finish. The demo
    # adds two more: the student who discloses and the person reminded, who comes back.
    assert 0 < len(people) <= respondents + 2
    assert any(p.status == RespondentStatus.COMPLETED for p in people)
    assert answers >= 5 * len(people)
    assert contacts == len(people)
    assert len(staff) == 4 and len(handled) == 1

    english = demo_dir / "report" / "packet-en.html"
    spanish = demo_dir / "report" / "es" / "packet-es.html"
    assert str(english.relative_to(cli.data_dir.parent)) in result.stdout
    html_en, html_es = english.read_text(), spanish.read_text()
    # Nine people over three campaigns: every group is under the minimum of 10.
    assert "fewer than 10" in html_en
    assert "menos de 10" in html_es
    assert (demo_dir / "report" / "tables-en.xlsx").is_file()
    # Reaching out: the reminded person finishes; nine people are too few to share results.
    said = " ".join(result.stdout.split())
    assert "tapped Continue" in said and "and finished." in said
    assert "not shared (fewer than 10 people completed" in said
