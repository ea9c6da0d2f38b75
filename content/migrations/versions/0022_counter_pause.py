"""counter pause: 暂停服务 with a reason, shown on the strip and the hall's board (issue 20)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_since", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("pause_reason", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_counters", schema=None) as batch_op:
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_since")
