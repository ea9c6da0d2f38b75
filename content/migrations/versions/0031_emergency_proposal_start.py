"""emergency_proposal_start: a proposed emergency may ask to start later (issue 23, item 6)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emergency_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emergency_proposals", schema=None) as batch_op:
        batch_op.drop_column("starts_at")
