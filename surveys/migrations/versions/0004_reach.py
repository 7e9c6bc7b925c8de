"""Reaching out: reminder schedules and counters, quiet hours, retention, results shared.

Existing campaigns get the default schedule (24 h and 72 h) and existing
organizations quiet hours of 19:00-09:00 and a 90-day retention period, the
same defaults a new one gets.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column(
                "reminders", sa.String(length=200), nullable=False, server_default="86400,259200"
            )
        )
        batch.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("closed_at", MOMENT, nullable=True))
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(
            sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("shared_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("shared_outbox_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("organization") as batch:
        batch.add_column(
            sa.Column(
                "quiet_hours", sa.String(length=11), nullable=False, server_default="19:00-09:00"
            )
        )
        batch.add_column(
            sa.Column("retention_days", sa.Integer(), nullable=False, server_default="90")
        )


def downgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("retention_days")
        batch.drop_column("quiet_hours")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("shared_outbox_id")
        batch.drop_column("shared_at")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("reminders_sent")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("reminders_sent")
        batch.drop_column("reminders")
