from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from analysis.frames import TIDY_COLUMNS
from bot.flyer import BOT_USERNAME_PLACEHOLDER
from surveys.crud.campaigns import get_campaign
from surveys.crud.organizations import get_organization
from surveys.models import Campaign, CampaignStatus, RespondentStatus
from tests.conftest import Cli, assert_one_line_error, cli_db
from tests.factories import add_answers, make_respondent, make_staff

SURVEYS = Path(__file__).parents[2] / "fixtures" / "surveys"
CLUB = SURVEYS / "club-pulse.yaml"
BROKEN = SURVEYS / "broken-indent.yaml"
FUTURE = (date.today() + timedelta(days=30)).isoformat()
LAUNCH = ("launch", "club-pulse", "--org", "Bridges Tutoring", "--school", "Lincoln Middle School",
          "--grade", "7", "--closes", FUTURE)  # fmt: skip


db = cli_db
"""A session on the database the commands use (shared: `tests.conftest.cli_db`)."""


def launched_code(result) -> str:
    assert result.exit_code == 0, result.output
    match = re.search(r"^code:\s+(\S+)$", result.stdout, re.MULTILINE)
    assert match is not None, result.stdout
    return match.group(1)


def all_campaigns(cli: Cli) -> list[Campaign]:
    with db(cli) as session:
        return list(session.exec(select(Campaign)).all())


@pytest.fixture
def club(cli: Cli) -> Cli:
    """The club survey stored, for an organization with a safeguarding lead."""
    assert cli("surveys", "add", CLUB).exit_code == 0
    with db(cli) as session:
        make_staff(session, organization="Bridges Tutoring", roles="safeguarding-lead", chat_id=9)
    return cli


def test_a_student_campaign_needs_a_safeguarding_lead(cli: Cli) -> None:
    assert cli("surveys", "add", CLUB).exit_code == 0
    refused = cli(*LAUNCH)
    assert_one_line_error(refused, contains="has no safeguarding lead")
    assert "--role safeguarding-lead" in refused.stderr
    assert all_campaigns(cli) == []
    allowed = cli(*LAUNCH, "--allow-no-safeguarding-lead")
    launched_code(allowed)
    assert "reaches no adult" in allowed.stderr


def test_a_launch_joins_its_organization(club: Cli) -> None:
    launched_code(club(*LAUNCH))
    with db(club) as session:
        (campaign,) = session.exec(select(Campaign)).all()
        organization = get_organization(session, name="Bridges Tutoring")
        assert organization is not None
        assert campaign.organization_id == organization.id


def test_launch_stores_the_campaign_and_writes_qr_and_flyer(club: Cli) -> None:
    result = club(*LAUNCH, "--roster-size", "40", "--follow-up", "See you May 2",
                  "--follow-up-es", "Nos vemos el 2 de mayo", "--language", "es")  # fmt: skip
    code = launched_code(result)
    link = f"https://t.me/chorus_test_bot?start={code}"
    assert f"link:  {link}" in result.stdout
    folder = club.data_dir / "campaigns" / code
    assert f"QR:    {folder / 'qr.png'}" in result.stdout
    assert (folder / "qr.png").read_bytes()[:4] == b"\x89PNG"
    flyer = (folder / "flyer.html").read_text("utf-8")
    assert link in flyer and "Lincoln Middle School" in flyer and "Bridges Tutoring" in flyer
    assert result.stderr == ""  # the username is set: no warning
    with db(club) as session:
        campaign = get_campaign(session, code=code)
    assert campaign is not None
    assert (campaign.audience, campaign.default_language, campaign.roster_size) == (
        "student",
        "es",
        40,
    )
    # Open through the whole last day: closes at the following midnight UTC.
    last_day = date.fromisoformat(FUTURE)
    assert campaign.closes_at == datetime.combine(
        last_day + timedelta(days=1), datetime.min.time(), UTC
    )
    assert json.loads(campaign.follow_up or "") == {
        "en": "See you May 2",
        "es": "Nos vemos el 2 de mayo",
    }


def test_launch_from_a_yaml_file_and_into_another_folder(cli: Cli, tmp_path: Path) -> None:
    args = list(LAUNCH)
    args[1] = str(CLUB)
    code = launched_code(cli(*args, "--out", tmp_path / "print", "--allow-no-safeguarding-lead"))
    assert (tmp_path / "print" / code / "flyer.html").is_file()
    assert [c.code for c in all_campaigns(cli)] == [code]


def test_launch_without_a_bot_username_warns_and_uses_a_placeholder(
    club: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    result = club(*LAUNCH)
    code = launched_code(result)
    assert f"https://t.me/{BOT_USERNAME_PLACEHOLDER}?start={code}" in result.stdout
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("warning: TELEGRAM_BOT_USERNAME is not set")
    # Setting it and redoing the flyer fixes the link.
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@real_bot")
    again = club("flyer", code)
    assert again.exit_code == 0
    flyer = (club.data_dir / "campaigns" / code / "flyer.html").read_text("utf-8")
    assert f"https://t.me/real_bot?start={code}" in flyer
    assert BOT_USERNAME_PLACEHOLDER not in flyer


@pytest.mark.parametrize(
    ("change", "contains"),
    [
        ({1: "nope"}, "unknown survey 'nope'; `chorus surveys list` shows the stored ids"),
        ({1: str(BROKEN)}, "broken-indent.yaml: line 5: invalid YAML"),
        ({9: "2020-01-31"}, "the last day, 2020-01-31, is in the past"),
        ({9: "31/01/2027"}, "--closes '31/01/2027' is not a date; write it as YYYY-MM-DD"),
        ({9: "2027-02-30"}, "--closes '2027-02-30' is not a date"),
        ({"--language": "fr"}, "survey club-pulse is not offered in 'fr'; use one of: en, es"),
        ({"--audience": "teachers"}, "unknown audience 'teachers'; use one of: student, caregiver"),
        ({"--audience": "caregiver"}, "club-pulse is written for students, not caregivers"),
        ({"--roster-size": "0"}, "roster size must be a positive number"),
        ({"--opens": FUTURE}, "before it opens"),
        ({"--opens": "soon"}, "--opens 'soon' is not a date"),
    ],
)
def test_launch_bad_input_is_one_line_and_stores_nothing(
    club: Cli, change: dict, contains: str
) -> None:
    args = list(LAUNCH)
    for key, value in change.items():
        if isinstance(key, int):
            args[key] = value
        else:
            args += [key, value]
    # --opens FUTURE with --closes FUTURE: opens at the start of the day it closes after,
    # which is valid, so move the closing day earlier than the opening for that case.
    if change.get("--opens") == FUTURE:
        args[9] = (date.fromisoformat(FUTURE) - timedelta(days=2)).isoformat()
    assert_one_line_error(club(*args), contains=contains)
    assert all_campaigns(club) == []


def test_campaigns_lists_counts_and_response_rate(club: Cli) -> None:
    counted = launched_code(club(*LAUNCH, "--roster-size", "8"))
    empty = launched_code(club(*LAUNCH))
    with db(club) as session:
        campaign = get_campaign(session, code=counted)
        assert campaign is not None
        campaign.declined_count = 1
        session.add(campaign)
        for status in [RespondentStatus.COMPLETED] * 2 + [RespondentStatus.IN_PROGRESS]:
            make_respondent(session, campaign=campaign, status=status)
        make_respondent(session, campaign=campaign, status=RespondentStatus.CONSENT)
    result = club("campaigns")
    assert result.exit_code == 0
    text = result.stdout
    assert text.index(empty) < text.index(counted)  # newest first
    row = text[text.index(counted) :]
    assert "3 started" in row and "2 completed" in row and "1 declined" in row
    assert "25%" in row and "of 8" in row  # 2 completed of a roster of 8
    empty_row = text[text.index(empty) : text.index(counted)]
    assert "0 started" in empty_row and "%" not in empty_row


def test_campaigns_when_there_are_none(cli: Cli) -> None:
    result = cli("campaigns")
    assert result.exit_code == 0
    assert "No campaigns yet" in result.stdout


def test_close_then_closing_again_or_an_unknown_code(club: Cli) -> None:
    code = launched_code(club(*LAUNCH))
    assert club("close", code).exit_code == 0
    [campaign] = all_campaigns(club)
    assert campaign.status == CampaignStatus.CLOSED
    assert_one_line_error(club("close", code), contains=f"campaign {code} is already closed")
    assert_one_line_error(club("close", "zzz"), contains="no campaign has the code 'zzz'")
    assert_one_line_error(club("flyer", code), contains=f"campaign {code} is closed")


CHAT_IDS = (987654321012, 876543210987)


def _seed_answers(cli: Cli, code: str) -> None:
    with db(cli) as session:
        campaign = get_campaign(session, code=code)
        assert campaign is not None
        ana = make_respondent(session, campaign=campaign, chat_id=CHAT_IDS[0], language="es")
        ben = make_respondent(session, campaign=campaign, chat_id=CHAT_IDS[1])
        add_answers(
            session, respondent=ana, answers={"b1": "4", "c1": "2", "t1": {"text": "Más arte"}}
        )
        add_answers(session, respondent=ben, answers={"b1": "5", "c1": None})


def test_export_csv_has_one_row_per_answer_and_no_chat_ids(club: Cli, tmp_path: Path) -> None:
    code = launched_code(club(*LAUNCH))
    _seed_answers(club, code)
    target = tmp_path / "out" / "answers.csv"
    result = club("export", code, "--out", target)
    assert result.exit_code == 0, result.output
    assert "Exported 5 answers from 2 respondents" in result.stdout
    raw = target.read_text("utf-8")
    for chat_id in CHAT_IDS:
        assert str(chat_id) not in raw
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(frame.columns) == TIDY_COLUMNS
    assert len(frame) == 5
    assert set(frame["campaign"]) == {code}
    by_answer = {
        (r.language, r.question_id): (r.value, r.text, r.skipped) for r in frame.itertuples()
    }
    assert by_answer[("es", "b1")] == ("4", "", "False")
    assert by_answer[("es", "t1")] == ("", "Más arte", "False")
    assert by_answer[("en", "c1")] == ("", "", "True")
    assert set(frame["domain"]) == {"belonging", "consistency", "open"}


def test_export_xlsx_has_no_chat_ids(club: Cli, tmp_path: Path) -> None:
    code = launched_code(club(*LAUNCH))
    _seed_answers(club, code)
    target = tmp_path / "answers.xlsx"
    assert club("export", code, "--out", target).exit_code == 0  # format from the suffix
    frame = pd.read_excel(target, sheet_name="answers", dtype=str)
    assert list(frame.columns) == TIDY_COLUMNS
    assert len(frame) == 5
    cells = " ".join(frame.fillna("").to_numpy().ravel())
    assert "Más arte" in cells
    for chat_id in CHAT_IDS:
        assert str(chat_id) not in cells


def test_export_defaults_to_csv_in_the_data_dir(club: Cli) -> None:
    code = launched_code(club(*LAUNCH))
    assert club("export", code).exit_code == 0
    frame = pd.read_csv(club.data_dir / "exports" / f"{code}.csv")
    assert list(frame.columns) == TIDY_COLUMNS and len(frame) == 0


def test_export_bad_input(club: Cli) -> None:
    code = launched_code(club(*LAUNCH))
    assert_one_line_error(club("export", "zzz"), contains="no campaign has the code 'zzz'")
    assert_one_line_error(
        club("export", code, "--format", "pdf"), contains="unknown export format 'pdf'"
    )


def test_a_malformed_database_url_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHORUS_DATABASE_URL", "postgres//nowhere")
    assert_one_line_error(cli("campaigns"), contains="CHORUS_DATABASE_URL")
