"""What an outgoing message is about, and Telegram's id for it once sent.

When one safeguarding lead takes an alert, the copies the other leads (and owners) received
lose their buttons: that needs each copy's message id, which the delivery loop now records,
and a way to find the copies of one alert (`topic`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("topic", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("sent_message_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_outbox_message_topic", ["topic"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_topic")
        batch.drop_column("sent_message_id")
        batch.drop_column("topic")
