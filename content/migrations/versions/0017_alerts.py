"""alerts: screens that went silent, fell behind or have a faulty reader (issue 19)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 20:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('flapping', sa.Boolean(), nullable=False),
    sa.Column('raised_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_notified_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_alerts_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index('ix_alerts_screen_id_cleared_at', ['screen_id', 'cleared_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_screen_id_cleared_at')
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))

    op.drop_table('alerts')
