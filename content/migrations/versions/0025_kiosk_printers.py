"""kiosk_printers (issue 21): what a kiosk's agent says about its slip and A4 printers

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import content.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "printer_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.String(length=255), nullable=False),
        sa.Column("paper_mm", sa.Integer(), nullable=True),
        sa.Column("checked_at", content.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_at", content.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["screen_id"], ["screens.id"], name=op.f("fk_printer_statuses_screen_id_screens"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_statuses")),
        sa.UniqueConstraint("screen_id", "role", name=op.f("uq_printer_statuses_screen_id")),
    )


def downgrade() -> None:
    op.drop_table("printer_statuses")
