"""commit-ordered outbox: rows are numbered after commit, under the outbox head's lock

The revision a screen compares was the highest outbox id, which on PostgreSQL can skip a row whose
transaction commits after a higher id was published. Existing rows keep their id as their number
and the head starts at the highest id, so screens holding an old ``seq`` keep working.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_head'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_seq'), ['seq'], unique=False)

    op.execute('UPDATE outbox SET seq = id')
    op.execute('INSERT INTO outbox_head (id, seq) SELECT 1, COALESCE(MAX(id), 0) FROM outbox')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_seq'))
        batch_op.drop_column('seq')

    op.drop_table('outbox_head')
