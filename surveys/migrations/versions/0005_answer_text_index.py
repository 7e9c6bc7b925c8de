"""A partial index on the answers that hold text.

The packet reads the open answers (about one in ten) before the likert answers, so its
theme summary can start while the rest load. Without an index that knows which answers
hold text, that read visits every answer of the campaign: on the packet benchmark
(1.1 million answers) the index takes it from 0.72 to 0.41 CPU seconds.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_TEXT = sa.text("text IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_answer_with_text",
        "answer",
        ["respondent_id"],
        sqlite_where=WITH_TEXT,
        postgresql_where=WITH_TEXT,
    )


def downgrade() -> None:
    op.drop_index("ix_answer_with_text", table_name="answer")
