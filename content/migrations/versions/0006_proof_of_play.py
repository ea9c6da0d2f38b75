"""proof of play

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00

Tallies keep the ids of screens and items without foreign keys, with name and title snapshots, so
reports survive deleting either. play_batches remembers booked batch ids for as long as their plays
would be accepted, so a batch sent again after a lost acknowledgement is counted once.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('play_batches',
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('screen_id', 'batch_id', name=op.f('pk_play_batches'))
    )
    with op.batch_alter_table('play_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_play_batches_received_at'), ['received_at'], unique=False)

    op.create_table('play_tallies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('screen_name', sa.String(length=120), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=16), nullable=False),
    sa.Column('item_title', sa.String(length=200), nullable=False),
    sa.Column('hour_start', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_play_tallies')),
    sa.UniqueConstraint('screen_id', 'item_id', 'hour_start', name=op.f('uq_play_tallies_screen_id'))
    )
    with op.batch_alter_table('play_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_play_tallies_hall_id'), ['hall_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_play_tallies_hour_start'), ['hour_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_play_tallies_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('play_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_play_tallies_item_id'))
        batch_op.drop_index(batch_op.f('ix_play_tallies_hour_start'))
        batch_op.drop_index(batch_op.f('ix_play_tallies_hall_id'))

    op.drop_table('play_tallies')
    with op.batch_alter_table('play_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_play_batches_received_at'))

    op.drop_table('play_batches')
