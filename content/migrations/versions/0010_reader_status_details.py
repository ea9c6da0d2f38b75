"""reader status details: a fault's reason and count, the last good read

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 02:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reader_statuses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('repeated', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('last_good_read_at', content.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reader_statuses', schema=None) as batch_op:
        batch_op.drop_column('last_good_read_at')
        batch_op.drop_column('repeated')
        batch_op.drop_column('reason')
