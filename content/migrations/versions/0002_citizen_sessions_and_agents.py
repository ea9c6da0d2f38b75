"""citizen sessions, kiosk agent credentials, reader statuses, demo people

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:10:00

No ID number, card number, credential or session token is stored raw: only keyed hashes
(demo_people, agent_credentials) or SHA-256 of random tokens (citizen_sessions).
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demo_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('ssc_card_hash', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('sex_code', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('nation_code', sa.String(length=2), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('masked_id', sa.String(length=18), nullable=False),
    sa.Column('created_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_people')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_demo_people_id_hash')),
    sa.UniqueConstraint('ssc_card_hash', name=op.f('uq_demo_people_ssc_card_hash'))
    )
    op.create_table('agent_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('credential_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_agent_credentials_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_credentials')),
    sa.UniqueConstraint('screen_id', name=op.f('uq_agent_credentials_screen_id'))
    )
    op.create_table('citizen_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('person_ref', sa.String(length=64), nullable=False),
    sa.Column('masked_name', sa.String(length=60), nullable=False),
    sa.Column('masked_id', sa.String(length=18), nullable=False),
    sa.Column('sex_code', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=False),
    sa.Column('idle_seconds', sa.Integer(), nullable=False),
    sa.Column('opened_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hard_expires_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_citizen_sessions_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_citizen_sessions_token_hash'))
    )
    with op.batch_alter_table('citizen_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_sessions_screen_id'), ['screen_id'], unique=False)

    op.create_table('reader_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('message', sa.String(length=255), nullable=False),
    sa.Column('changed_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_reader_statuses_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reader_statuses')),
    sa.UniqueConstraint('screen_id', 'reader_id', name=op.f('uq_reader_statuses_screen_id'))
    )


def downgrade() -> None:
    op.drop_table('reader_statuses')
    with op.batch_alter_table('citizen_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_sessions_screen_id'))
        batch_op.drop_index(batch_op.f('ix_citizen_sessions_expires_at'))

    op.drop_table('citizen_sessions')
    op.drop_table('agent_credentials')
    op.drop_table('demo_people')
