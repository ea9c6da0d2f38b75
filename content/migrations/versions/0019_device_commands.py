"""remote care: commands to screens and kiosk agents, power schedules (issue 19)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 20:40:00
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_commands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=20), nullable=False),
        sa.Column("executor", sa.String(length=8), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", content.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", content.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", content.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("screenshot", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["screen_id"], ["screens.id"], name=op.f("fk_device_commands_screen_id_screens"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_commands")),
    )
    with op.batch_alter_table("device_commands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_commands_screen_id"), ["screen_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_commands_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("device_commands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_commands_state"))
        batch_op.drop_index(batch_op.f("ix_device_commands_screen_id"))

    op.drop_table("device_commands")
