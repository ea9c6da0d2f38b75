"""fleet structure: retiring halls, screens and groups (issue 19)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:40:00
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


_TABLES = ('halls', 'screens', 'screen_groups')


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('retired_at', content.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('retired_at')
