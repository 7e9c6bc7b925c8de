"""The facilitator packet: every figure against hand-worked values, in every format.

The `school` fixture, worked out by hand (min_n = 10):

Students S1 (roster 20):  6 x en  b1=5  b2=1 (->5)  c1=3  a1=college
                          4 x es  b1=1  b2=2 (->4)  c1=4  a1=job
    b1: 6/10 favorable = 60 %, mean (30+4)/10 = 3.4
    b2: 10/10 = 100 %, mean (30+16)/10 = 4.6
    c1: 4/10 = 40 %, mean (18+16)/10 = 3.4
    a1: 6/10 = 60 %
    belonging per student 5 and 2.5 -> (30+10)/10 = 4.0
Caregivers F1 (roster 25): 5 x w1=4 r1=2, 5 x w1=4 r1=4 -> w1 100 %, r1 50 %
All 20: belonging favorable (6+10+10)/30 = 86.7 %; consistency (4+5)/20 = 45 %.
Gaps: welcome 60 - 100 = -40; rules 40 - 50 = -10.
Response rate 20 / 45 = 44.4 %; by campaign 50 % and 40 %.
Earlier wave S0 (10 students, all 3s): belonging 0 % -> students now (6+10)/20 = 80 %: +80.
Languages: es has 4 (< 10), so en (16) is hidden too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlmodel import Session

from analysis import packet_themes
from analysis.packet import build_report, render_html, render_markdown, write_report
from analysis.themes import summarize_themes
from tests.analysis.seeding import SKIP, Seed, Text

CHAT_ID = 770011223344


@pytest.fixture
def school(seed: Seed, analysis_session: Session) -> Session:
    student = seed.survey("pulse_student")
    carer = seed.survey("pulse_caregiver")
    s0 = seed.campaign(student, "S0", opens_at=datetime(2025, 9, 1, tzinfo=UTC))
    s1 = seed.campaign(student, "S1", roster_size=20)
    f1 = seed.campaign(carer, "F1", roster_size=25)
    seed.many(s0, 10, {"b1": 3, "b2": 3, "c1": 3})
    seed.many(
        s1,
        6,
        {"b1": 5, "b2": 1, "c1": 3, "a1": "college", "t1": Text("More clubs and sports please")},
    )
    seed.many(s1, 4, {"b1": 1, "b2": 2, "c1": 4, "a1": "job"}, language="es")
    seed.respondent(f1, {"w1": 4, "r1": 2, "t1": Text("The bus is late")}, chat_id=CHAT_ID)
    seed.many(f1, 4, {"w1": 4, "r1": 2, "t1": Text("The bus is late")})
    seed.many(f1, 5, {"w1": 4, "r1": 4})
    analysis_session.commit()
    return analysis_session


@pytest.fixture
def fake_themes(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """Stands in for the open-text engine so these tests check only what the packet does."""
    seen: list[pd.DataFrame] = []

    def summarize(texts: pd.DataFrame, *, language: str = "en", max_quotes: int = 3, **_: object):
        seen.append(texts)
        return pd.DataFrame(
            {
                "theme_id": ["transport"],
                "theme": ["Transportation" if language == "en" else "Transporte"],
                "kind": ["deductive"],
                "respondents": [5],
                "share": [5 / 11],
                "sentiment": [float("nan")],
                "sentiment_n": [0],
                "not_scored": [0],
                "quotes": [["The bus is late", "Call [removed] about it"]],
            }
        )

    monkeypatch.setattr(packet_themes, "_summarize_themes", lambda: summarize)
    return seen


def test_numbers_match_the_hand_worked_values(school: Session, fake_themes) -> None:
    report = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    assert report.total == 20
    items = report.tables["items"].set_index("question_id")
    assert items.loc["b1", "pct_favorable"] == pytest.approx(60.0)
    assert items.loc["b1", "mean"] == pytest.approx(3.4)
    assert items.loc["b2", "pct_favorable"] == pytest.approx(100.0)
    assert items.loc["b2", "mean"] == pytest.approx(4.6)
    assert items.loc["c1", "pct_favorable"] == pytest.approx(40.0)
    assert items.loc["a1", "pct_favorable"] == pytest.approx(60.0)
    assert items.loc["r1", "pct_favorable"] == pytest.approx(50.0)
    # strongest to weakest
    assert report.tables["items"]["pct_favorable"].is_monotonic_decreasing
    domains = report.tables["domains"].set_index("domain")
    assert domains.loc["belonging", "pct_favorable"] == pytest.approx(26 / 30 * 100)
    assert domains.loc["consistency", "pct_favorable"] == pytest.approx(45.0)
    by = report.tables["domains_by_group"].set_index(["dimension", "group", "domain"])
    assert by.loc[("role", "student", "belonging"), "score"] == pytest.approx(4.0)
    gaps = report.tables["gaps"]
    assert gaps["mirror"].tolist() == ["welcome", "rules"]
    assert gaps["gap_pct_favorable"].tolist() == pytest.approx([-40.0, -10.0])
    responses = report.tables["responses"].set_index("campaign")
    assert responses.loc["S1", "response_rate"] == pytest.approx(50.0)
    assert responses.loc["F1", "response_rate"] == pytest.approx(40.0)
    assert "S0" not in responses.index  # the earlier wave only feeds the change table
    waves = report.tables["waves"].set_index("domain")
    assert (waves.loc["belonging", "previous"], waves.loc["belonging", "current"]) == ("S0", "S1")
    assert waves.loc["belonging", "change_pct_favorable"] == pytest.approx(80.0)
    assert waves.loc["belonging", "change_score"] == pytest.approx(1.0)
    groups = report.tables["groups"].set_index(["dimension", "group"])
    assert not groups.loc[("language", "es"), "shown"]
    assert not groups.loc[("language", "en"), "shown"]
    assert groups.loc[("role", "caregiver"), "respondents"] == 10


def test_html_shows_the_figures(school: Session, fake_themes) -> None:
    html = render_html(build_report(school, campaign_codes=["S1", "F1"], min_n=10))
    cover = html[: html.index("Facilitator guide")]
    assert "50%" in cover and "40%" in cover  # completed / invited: students 10/20, carers 10/25
    assert "87%" in html  # belonging favorable 26/30
    assert "45%" in html  # consistency
    assert "+80" in html  # change since the last wave
    assert "−40" in html  # the biggest gap
    assert "fewer than 10 responses" in html  # Spanish speakers (4)
    assert "hidden to protect a smaller group" in html  # English speakers (16)
    assert "Transportation" in html and "The bus is late" in html
    assert "5 (45%)" in html  # theme share 5/11
    # findings behind the prompts, in the appendix
    walk = html[html.index("Data walk: questions for the room") :]
    assert "I feel left out at school.”: 100% of answers were favorable" in walk
    assert "60% of students and 100% of caregivers" in walk


def test_the_packet_is_a_data_walk(school: Session, fake_themes) -> None:
    report = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    assert 5 <= len(report.stations) <= 7
    for station in report.stations:
        assert len(station.numbers) <= 3
        assert all(n.n.startswith("n = ") for n in station.numbers)
        assert 2 <= len(station.prompts) <= 3
        assert station.chart.startswith("data:image/svg+xml;base64,")
    belonging = next(s for s in report.stations if s.key == "domain-belonging")
    assert belonging.headline == (
        "Belonging: 80% of students' answers and 100% of caregivers' answers were favorable."
    )
    html = render_html(report)
    order = [
        "<h2>Facilitator guide",
        "Station 1 of",
        "<h2>What people wrote",
        "<h2>Action planning",
        "Appendix: the full tables",
    ]  # fmt: skip
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert html.count("Does this match your experience?") == len(report.stations)
    assert "0:00–0:10" in html  # the agenda


def test_sentiment_is_said_in_words(school: Session, fake_themes) -> None:
    html = render_html(build_report(school, campaign_codes=["S1", "F1"], min_n=10))
    themes = html[html.index("What people wrote") :]
    assert "too few to say" in themes  # no label: too few comments with a tone
    assert "nan" not in themes.lower().split("appendix")[0]


def test_bilingual_packet_is_side_by_side(school: Session, fake_themes) -> None:
    english = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    spanish = build_report(school, campaign_codes=["S1", "F1"], language="es", min_n=10)
    html = render_html(english, spanish)
    assert html.count('<div class="col" lang="en">') == html.count('<div class="col" lang="es">')
    assert "What do you notice?" in html and "¿Qué observan?" in html
    assert "landscape" in html


def test_html_is_self_contained_and_has_no_chat_id(school: Session, fake_themes) -> None:
    html = render_html(build_report(school, campaign_codes=["S1", "F1"], min_n=10))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
    assert "<link" not in html
    assert "<script" not in html
    assert len(re.findall(r'src="data:image/svg\+xml;base64,', html)) >= 5
    assert "break-before: page" in html and "break-inside: avoid" in html
    assert str(CHAT_ID) not in html


def test_spanish_packet(school: Session, fake_themes) -> None:
    report = build_report(school, campaign_codes=["S1", "F1"], language="es", min_n=10)
    html = render_html(report)
    assert '<html lang="es">' in html
    assert "Me siento excluido en la escuela." in html
    assert "I feel left out" not in html
    assert "Pertenencia" in html and "Transporte" in html
    assert "menos de 10 respuestas" in html and "fewer than" not in html
    assert "87\u00a0%" in html  # Spanish writes a (non-breaking) space before %
    assert "Ir a la universidad" in html
    for english in ("Results by area", "What do you notice?", "Response rate", "Students"):
        assert english not in html
    assert "¿Qué observan?" in html
    # De-identified quotes say so in the packet's language.
    assert "Call [eliminado] about it" in html and "[removed]" not in html
    md = render_markdown(report)
    assert "# Cuaderno para la conversación comunitaria" in md
    assert "| Me siento excluido en la escuela. |" in md


def test_open_text_only_for_groups_at_min_n(school: Session, fake_themes) -> None:
    shown = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    assert len(shown.tables["themes"]) == 1
    texts = fake_themes[0]
    assert set(texts.columns) == {
        "respondent_id",
        "question_id",
        "text",
        "language",
        "flagged",
        "text_key",
        "result",
    }
    assert texts["result"].isna().all()  # nothing kept by an analysis loop here
    assert len(texts) == 11  # 6 students + 5 caregivers wrote something
    fake_themes.clear()
    hidden = build_report(school, campaign_codes=["F1"], min_n=11)
    assert hidden.tables["themes"].empty
    assert not fake_themes  # the text never reached the theme engine
    assert "fewer than 11 people responded" in render_html(hidden)


def test_all_formats_written(school: Session, fake_themes, tmp_path: Path) -> None:
    paths = write_report(school, campaign_codes=["S1", "F1"], out_dir=tmp_path, min_n=10)
    assert paths.html and paths.html.exists()
    assert paths.md and paths.md.read_text().startswith("# Community conversation packet")
    book = openpyxl.load_workbook(paths.xlsx)
    assert book.sheetnames == [
        "responses",
        "groups",
        "domains",
        "domains_by_group",
        "items",
        "gaps",
        "waves",
        "choices",
        "themes",
    ]
    items = pd.read_csv(tmp_path / "csv-en" / "items.csv").set_index("question_id")
    assert items.loc["b2", "pct_favorable"] == pytest.approx(100.0)
    assert {p.name for p in paths.csv} >= {"items.csv", "gaps.csv", "themes.csv"}
    for path in paths.all():
        data = path.read_bytes()
        assert str(CHAT_ID).encode() not in data


def test_empty_campaign(seed: Seed, analysis_session: Session, fake_themes) -> None:
    seed.campaign(seed.survey("pulse_student"), "E1", roster_size=30)
    report = build_report(analysis_session, campaign_codes=["E1"])
    assert report.total == 0
    html = render_html(report)
    assert "No one has answered this survey yet." in html
    assert "There were no written comments" in html or "fewer than 10 people" in html
    assert render_markdown(report)


def test_every_answer_skipped(seed: Seed, analysis_session: Session, fake_themes) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "K1")
    seed.many(camp, 12, {"b1": SKIP, "b2": SKIP, "c1": SKIP, "a1": SKIP, "t1": SKIP})
    report = build_report(analysis_session, campaign_codes=["K1"])
    assert report.total == 12
    assert not report.tables["items"]["shown"].any()
    assert report.tables["items"]["pct_favorable"].isna().all()
    html = render_html(report)
    assert "12" in html
    assert "fewer than 10 responses" in html
    assert not fake_themes  # nothing was written, so nothing to summarize


def test_unknown_campaign_code(school: Session) -> None:
    with pytest.raises(ValueError, match="unknown campaign code: NOPE"):
        build_report(school, campaign_codes=["S1", "NOPE"])


def test_themes_in_a_worker_process_give_the_same_table(
    school: Session, fake_themes, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = build_report(school, campaign_codes=["S1", "F1"]).tables["themes"]
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)
    forked = build_report(school, campaign_codes=["S1", "F1"]).tables["themes"]
    assert len(fake_themes) == 1  # the second call ran in the worker, not in this process
    pd.testing.assert_frame_equal(inline, forked)
    assert forked.loc[0, "quotes"] == ["The bus is late", "Call [removed] about it"]


def test_respondent_text_is_escaped(school: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def summarize(texts: pd.DataFrame, **_: object) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "theme_id": ["x"],
                "theme": ["X"],
                "kind": ["emergent"],
                "respondents": [3],
                "share": [0.3],
                "sentiment": [0.25],
                "sentiment_n": [3],
                "sentiment_label": ["mostly_positive"],
                "not_scored": [0],
                "quotes": [["<script>alert(1)</script> | a&b"]],
            }
        )

    monkeypatch.setattr(packet_themes, "_summarize_themes", lambda: summarize)
    report = build_report(school, campaign_codes=["S1", "F1"])
    html = render_html(report)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "mostly positive" in html and "0.25" not in html  # sentiment in words
    md = render_markdown(report)
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| a&amp;b" in md


def test_follow_up_message_is_the_local_resource(seed: Seed, analysis_session: Session) -> None:
    follow_up = {
        "en": "Meeting on May 5 at the library.",
        "es": "Reunión el 5 de mayo en la biblioteca.",
    }
    camp = seed.campaign(seed.survey("pulse_student"), "S1", follow_up=follow_up)
    seed.many(camp, 10, {"b1": 4})
    english = render_html(build_report(analysis_session, campaign_codes=["S1"]))
    spanish = build_report(analysis_session, campaign_codes=["S1"], language="es")
    assert "Meeting on May 5 at the library." in english
    assert "Reunión el 5 de mayo en la biblioteca." in render_html(spanish)
    assert "> Reunión el 5 de mayo en la biblioteca." in render_markdown(spanish)


def test_a_group_hidden_to_protect_a_smaller_one_says_so(school: Session, fake_themes) -> None:
    # Spanish speakers (4) are fewer than 10; English speakers (16) are hidden only to protect them.
    report = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    groups = report.tables["groups"].set_index(["dimension", "group"])
    assert groups.loc[("language", "es"), "note"] == "fewer than 10 responses"
    assert groups.loc[("language", "en"), "note"] == "hidden to protect a smaller group"
    rows = dict(
        (row[0], row[1])
        for row in report.sections["by_language"].rows  # group -> count cell
    )
    assert rows["English"] == "hidden to protect a smaller group"
    assert rows["Spanish"] == "fewer than 10 responses"


def test_comments_of_a_small_group_never_reach_the_quotes(
    seed: Seed, analysis_session: Session, fake_themes
) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.many(camp, 12, {"b1": 5, "t1": Text("More clubs and sports please")})
    seed.many(camp, 3, {"b1": 1, "t1": Text("Mi maestra nos grita todos los días")}, language="es")
    build_report(analysis_session, campaign_codes=["S1"], min_n=10)
    [texts] = fake_themes
    assert len(texts) == 12
    assert "Mi maestra nos grita todos los días" not in set(texts["text"])


def test_response_rate_is_completed_over_roster(seed: Seed, analysis_session: Session) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1", roster_size=40)
    seed.many(camp, 10, {"b1": 4})
    stopped = seed.respondent(camp, {"b1": 4})
    stopped.completed_at = None
    analysis_session.add(stopped)
    analysis_session.flush()
    report = build_report(analysis_session, campaign_codes=["S1"], min_n=5)
    row = report.tables["responses"].set_index("campaign").loc["S1"]
    assert (row["respondents"], row["completed"]) == (11, 10)
    assert row["response_rate"] == pytest.approx(25.0)


def test_every_wave_row_names_its_audience_and_grade(school: Session, fake_themes) -> None:
    report = build_report(school, campaign_codes=["S1", "F1"], min_n=10)
    headers = report.sections["waves"].headers
    rows = report.sections["waves"].rows
    assert rows
    audience, grade = headers.index("Audience"), headers.index("Grade")
    assert {r[audience] for r in rows} == {"Students"}
    assert {r[grade] for r in rows} == {"9"}
    change = next(p for p in report.prompts if p.key == "surprise").findings
    assert any("for Students (grade 9, Lincoln)" in f for f in change), change
    [station] = [s for s in report.stations if s.key == "waves"]
    assert "Belonging, Students (grade 9, Lincoln)" in station.headline


def test_the_aspirations_page_names_each_question_once() -> None:
    from analysis.packet_sections import once_per_question

    rows = (("Plans?", "College", "3"), ("Plans?", "Work", "2"), ("Help?", "Tutoring", "4"))
    assert once_per_question(rows) == (
        ("Plans?", "College", "3"),
        ("", "Work", "2"),
        ("Help?", "Tutoring", "4"),
    )


def test_a_spawned_theme_worker_gives_the_same_table(
    school: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot builds `/report` in a thread, so its theme worker is spawned, not forked."""
    inline = build_report(school, campaign_codes=["S1", "F1"]).tables["themes"]
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)
    spawned = build_report(school, campaign_codes=["S1", "F1"], worker_start="spawn")
    pd.testing.assert_frame_equal(inline, spawned.tables["themes"])
    assert spawned.timings["themes_worker_mb"] > 0  # it did run in a worker


def test_a_summarizer_a_spawned_worker_cannot_take_runs_here(
    school: Session, fake_themes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)
    report = build_report(school, campaign_codes=["S1", "F1"], worker_start="spawn")
    assert len(fake_themes) == 1  # the closure cannot be pickled: it ran in this process
    assert report.tables["themes"].loc[0, "theme"] == "Transportation"


def test_a_stuck_theme_worker_is_given_up_and_the_summary_made_here(
    school: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    parent = os.getpid()
    calls: list[int] = []

    def summarize(texts: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
        if os.getpid() != parent:
            time.sleep(60)  # the worker hangs
        calls.append(os.getpid())
        return summarize_themes(texts, **kwargs)  # type: ignore[arg-type]

    inline = build_report(school, campaign_codes=["S1", "F1"]).tables["themes"]
    monkeypatch.setattr(packet_themes, "_summarize_themes", lambda: summarize)
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)
    monkeypatch.setattr(packet_themes, "WORKER_TIMEOUT_S", 0.5)
    started = time.monotonic()
    report = build_report(school, campaign_codes=["S1", "F1"])
    assert time.monotonic() - started < 30
    assert calls == [parent]
    pd.testing.assert_frame_equal(inline, report.tables["themes"])
