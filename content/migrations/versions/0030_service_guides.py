"""service_guides: service guides (办事指南) as content items, and their review history (issue 23)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_guides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("time_limit", sa.String(length=40), nullable=False),
        sa.Column("fee", sa.String(length=80), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("counter", sa.String(length=60), nullable=False),
        sa.Column("hours", sa.String(length=120), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("last_edited_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_service_guides_id_content_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["last_edited_by_id"],
            ["staff_accounts.id"],
            name=op.f("fk_service_guides_last_edited_by_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_guides")),
    )
    with op.batch_alter_table("service_guides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_guides_category"), ["category"], unique=False)
    op.create_table(
        "guide_review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guide_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_accounts.id"],
            name=op.f("fk_guide_review_events_actor_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guide_id"],
            ["service_guides.id"],
            name=op.f("fk_guide_review_events_guide_id_service_guides"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_review_events")),
    )
    with op.batch_alter_table("guide_review_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guide_review_events_guide_id"), ["guide_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guide_review_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guide_review_events_guide_id"))
    op.drop_table("guide_review_events")
    with op.batch_alter_table("service_guides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_guides_category"))
    op.drop_table("service_guides")
