"""power schedules: when a hall's panels are on, by its opening hours (issue 19)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 20:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hall_opening_hours',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=False),
    sa.Column('margin_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_hall_opening_hours_hall_id_halls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hall_id', name=op.f('pk_hall_opening_hours'))
    )
    op.create_table('screen_power_overrides',
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('always_on', sa.Boolean(), nullable=False),
    sa.Column('hours', sa.Text(), nullable=True),
    sa.Column('updated_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_power_overrides_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('screen_id', name=op.f('pk_screen_power_overrides'))
    )


def downgrade() -> None:
    op.drop_table('screen_power_overrides')
    op.drop_table('hall_opening_hours')
