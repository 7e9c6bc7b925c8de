"""Open answers analysed once, when they arrive (`surveys.models.AnswerAnalysis`).

The packet's theme summary read and parsed every comment each time it was made: on the
benchmark's 100,000 comments, six CPU seconds of a ten-second packet. The bot now works each
comment out soon after it is stored and keeps the result here, with its answer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_analysis",
        sa.Column(
            "answer_id",
            sa.Integer(),
            sa.ForeignKey("answer.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("text_key", sa.String(length=32), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("answer_analysis")
