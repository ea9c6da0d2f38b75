"""training_courses: training courses (培训信息) as content items (issue 23)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("occupation_code", sa.String(length=16), nullable=True),
        sa.Column("subsidy_groups", sa.JSON(), nullable=False),
        sa.Column("subsidy_text", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("class_times", sa.String(length=200), nullable=False),
        sa.Column("places_total", sa.Integer(), nullable=False),
        sa.Column("places_left", sa.Integer(), nullable=False),
        sa.Column("fee_yuan", sa.Integer(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("enrol_phone", sa.String(length=40), nullable=False),
        sa.Column("enrol_url", sa.String(length=500), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.CheckConstraint("places_left >= 0", name=op.f("ck_training_courses_places_left_not_negative")),
        sa.CheckConstraint("places_left <= places_total", name=op.f("ck_training_courses_places_left_within_total")),
        sa.CheckConstraint("fee_yuan >= 0", name=op.f("ck_training_courses_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_training_courses_id_content_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
    )
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_courses_district"), ["district"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_courses_occupation_code"), ["occupation_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_courses_occupation_code"))
        batch_op.drop_index(batch_op.f("ix_training_courses_district"))
    op.drop_table("training_courses")
