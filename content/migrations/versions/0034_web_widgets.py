"""web_widgets: web page and data feed items (issue 23, item 5)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("frame_status", sa.String(length=16), nullable=False),
        sa.Column("frame_detail", sa.String(length=300), nullable=False),
        sa.Column("probed_at", UTCDateTime(), nullable=True),
        sa.Column("host_blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_web_pages_id_content_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_pages")),
    )
    op.create_table(
        "data_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("json_mapping", sa.JSON(), nullable=False),
        sa.Column("template", sa.String(length=8), nullable=False),
        sa.Column("max_entries", sa.Integer(), nullable=False),
        sa.Column("refresh_minutes", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=16), nullable=False),
        sa.Column("last_error_detail", sa.String(length=300), nullable=False),
        sa.Column("host_blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_data_feeds_id_content_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_feeds")),
    )


def downgrade() -> None:
    op.drop_table("data_feeds")
    op.drop_table("web_pages")
