"""emergency proposals: editors propose, approvers put them on air

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 02:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('emergency_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('until', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.String(length=80), nullable=False),
    sa.Column('proposed_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=80), nullable=False),
    sa.Column('reviewed_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('emergency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['emergency_id'], ['emergencies.id'], name=op.f('fk_emergency_proposals_emergency_id_emergencies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_emergency_proposals_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['staff_accounts.id'], name=op.f('fk_emergency_proposals_proposed_by_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_proposals'))
    )
    with op.batch_alter_table('emergency_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_proposals_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_proposals_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('emergency_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_emergency_proposals_org_unit_id'))
    op.drop_table('emergency_proposals')
