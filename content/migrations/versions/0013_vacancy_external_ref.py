"""vacancy external ref: 岗位编号, the posting's number in the employer's or the source system's records

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 14:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_ref', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_vacancies_employer_id_external_ref', ['employer_id', 'external_ref'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.drop_index('ix_vacancies_employer_id_external_ref')
        batch_op.drop_column('external_ref')
