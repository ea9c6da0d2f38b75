"""publisher lease: who publishes until when, with a fencing token per taking

Replaces the PostgreSQL session advisory lock, which a hung process kept for as long as its
connection lived (kiosk_server/leader.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publisher_lease',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_publisher_lease'))
    )


def downgrade() -> None:
    op.drop_table('publisher_lease')
