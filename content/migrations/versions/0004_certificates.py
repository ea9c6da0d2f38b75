"""certificates (参保证明)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:06:09

A certificate keeps the SHA-256 of its random code, never the code, and masked facts only (no ID
number, no full name). Its screen and session links are SET NULL on delete, so a certificate stays
verifiable after its kiosk or session row is gone.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=True),
    sa.Column('citizen_session_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phone_expires_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_session_id'], ['citizen_sessions.id'], name=op.f('fk_certificates_citizen_session_id_citizen_sessions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_certificates_screen_id_screens'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_certificates_code_hash'))
    )


def downgrade() -> None:
    op.drop_table('certificates')
