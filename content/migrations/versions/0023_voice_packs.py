"""voice packs: recorded call segments per hall, and each screen's volume and quiet hours (issue 20)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=True),
        sa.Column("index_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_voice_packs_hall_id_halls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_packs")),
    )
    with op.batch_alter_table("voice_packs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_packs_hall_id"), ["hall_id"], unique=False)
    op.create_table(
        "screen_voice_settings",
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_to", sa.String(length=5), nullable=True),
        sa.Column("quiet_mode", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["screen_id"], ["screens.id"], name=op.f("fk_screen_voice_settings_screen_id_screens"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("screen_id", name=op.f("pk_screen_voice_settings")),
    )


def downgrade() -> None:
    op.drop_table("screen_voice_settings")
    with op.batch_alter_table("voice_packs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_packs_hall_id"))
    op.drop_table("voice_packs")
