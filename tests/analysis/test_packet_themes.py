"""The theme worker of a large packet reads the open text itself, from a database it opens."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session, SQLModel, create_engine

from analysis import packet, packet_themes
from analysis.packet import build_report
from analysis.packet_themes import TextSource, worker_text_source
from tests.analysis.seeding import Seed, Text


@pytest.fixture
def school(session: Session) -> Session:
    seed = Seed(session)
    student = seed.campaign(seed.survey("pulse_student"), "S1", roster_size=30)
    seed.many(student, 8, {"b1": 5, "t1": Text("The bus is late every morning")})
    seed.many(student, 6, {"b1": 2, "t1": Text("More tutoring after school please")})
    seed.many(student, 5, {"b1": 4, "t1": Text("Necesitamos más tutoría")}, language="es")
    session.commit()
    return session


def test_the_worker_reads_the_text_and_gives_the_same_table(
    school: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = build_report(school, campaign_codes=["S1"])
    assert len(here.tables["themes"]) >= 2
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)

    def not_here(*_: object, **__: object) -> pd.DataFrame:
        raise AssertionError("the packet process read the open text")

    monkeypatch.setattr(packet, "load_open_texts", not_here)
    there = build_report(school, campaign_codes=["S1"])
    assert there.timings["themes_worker_mb"] > 0  # it ran in a worker
    pd.testing.assert_frame_equal(here.tables["themes"], there.tables["themes"])


def test_a_spawned_worker_reads_the_text_too(
    school: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = build_report(school, campaign_codes=["S1"]).tables["themes"]
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 1)
    spawned = build_report(school, campaign_codes=["S1"], worker_start="spawn")
    assert spawned.timings["themes_worker_mb"] > 0
    pd.testing.assert_frame_equal(here, spawned.tables["themes"])


def test_a_source_counts_the_text_and_only_for_a_large_packet(
    school: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = TextSource.of(school, ["S1"])
    assert source is not None and source.count == 19
    assert len(source.read()) == 19
    assert worker_text_source(school, ["S1"]) is None  # 19 comments: read and summarized here
    monkeypatch.setattr(packet_themes, "PARALLEL_TEXTS", 19)
    assert worker_text_source(school, ["S1"]) == source


def test_an_in_memory_database_is_read_here() -> None:
    memory = create_engine("sqlite://")
    SQLModel.metadata.create_all(memory)
    with Session(memory) as session:
        assert TextSource.of(session, []) is None
    memory.dispose()
