"""demo histories: profiles, enrollments, monthly contributions and accounts of the demo people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:30:00

Synthetic data of the demo records backend only (content.citizens.demo_histories); no ID or card number.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demo_profiles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('story', sa.String(length=16), nullable=False),
    sa.Column('education', sa.String(length=16), nullable=False),
    sa.Column('employment_state', sa.String(length=24), nullable=False),
    sa.Column('employment_since', sa.Date(), nullable=True),
    sa.Column('employer', sa.String(length=100), nullable=False),
    sa.Column('office', sa.String(length=60), nullable=False),
    sa.Column('generated_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['demo_people.id'], name=op.f('fk_demo_profiles_person_id_demo_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_demo_profiles'))
    )
    op.create_table('demo_enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('insurance', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['demo_people.id'], name=op.f('fk_demo_enrollments_person_id_demo_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_enrollments')),
    sa.UniqueConstraint('person_id', 'insurance', name=op.f('uq_demo_enrollments_person_id'))
    )
    op.create_table('demo_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('paid', sa.Boolean(), nullable=False),
    sa.Column('base_fen', sa.Integer(), nullable=True),
    sa.Column('personal_fen', sa.Integer(), nullable=True),
    sa.Column('employer', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['demo_people.id'], name=op.f('fk_demo_contributions_person_id_demo_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_contributions')),
    sa.UniqueConstraint('person_id', 'month', name=op.f('uq_demo_contributions_person_id'))
    )
    op.create_table('demo_accounts',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('pension_fen', sa.Integer(), nullable=False),
    sa.Column('pension_carried_fen', sa.Integer(), nullable=False),
    sa.Column('pension_interest_fen', sa.Integer(), nullable=False),
    sa.Column('pension_drawn_fen', sa.Integer(), nullable=False),
    sa.Column('medical_fen', sa.Integer(), nullable=False),
    sa.Column('medical_carried_fen', sa.Integer(), nullable=False),
    sa.Column('medical_allocated_fen', sa.Integer(), nullable=False),
    sa.Column('medical_spent_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['demo_people.id'], name=op.f('fk_demo_accounts_person_id_demo_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_demo_accounts'))
    )


def downgrade() -> None:
    op.drop_table('demo_accounts')
    op.drop_table('demo_contributions')
    op.drop_table('demo_enrollments')
    op.drop_table('demo_profiles')
