"""Fixtures for the analysis tests: a throwaway in-memory database and a `Seed` on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from tests.analysis.seeding import Seed


@pytest.fixture
def analysis_session() -> Iterator[Session]:
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def seed(analysis_session: Session) -> Seed:
    return Seed(analysis_session)
