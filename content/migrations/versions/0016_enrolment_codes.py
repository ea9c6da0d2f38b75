"""enrolment by code: short codes a device shows until a technician claims it (issue 19)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 20:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enrolment_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('live_code_hash', sa.String(length=64), nullable=True),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=16), nullable=False),
    sa.Column('client', sa.String(length=120), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=True),
    sa.Column('replaced', sa.Boolean(), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('claimed_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_enrolment_codes_screen_id_screens'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_codes')),
    sa.UniqueConstraint('live_code_hash', name=op.f('uq_enrolment_codes_live_code_hash')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_enrolment_codes_secret_hash'))
    )
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_codes_client_address'), ['client_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_codes_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_codes_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_codes_screen_id'), ['screen_id'], unique=False)

    op.create_table('enrolment_wrong_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_wrong_codes'))
    )
    with op.batch_alter_table('enrolment_wrong_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_wrong_codes_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_wrong_codes_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('enrolment_wrong_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_wrong_codes_at'))
        batch_op.drop_index(batch_op.f('ix_enrolment_wrong_codes_actor'))
    op.drop_table('enrolment_wrong_codes')
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_codes_screen_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_codes_created_at'))
        batch_op.drop_index(batch_op.f('ix_enrolment_codes_code_hash'))
        batch_op.drop_index(batch_op.f('ix_enrolment_codes_client_address'))
    op.drop_table('enrolment_codes')
